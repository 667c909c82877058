"""TFG003 python-control-flow-on-tensor: rewrite a Python `if` / conditional expression as `tf.cond`.

Shapes handled (everything else returns None):

* `if c: <assignments> [elif ...] [else: <assignments>]` -> `a, b = tf.cond(c, true_fn, false_fn)`; a branch
  that does not assign a name returns its current value (which must be bound before the `if`).  Simple
  branches become lambdas, others nested `def`s placed just before the statement.  `elif` chains nest.
* `if c: ... return x` / `else: ... return y` -> `return tf.cond(...)`.  In a function body, an `if` without
  `else` whose branches all return takes the statements after it (up to the body's final `return`) as its
  `else`: `if c: return x` / `return y` -> `return tf.cond(c, lambda: x, lambda: y)`, the edit spanning both.
* `a if c else b` -> `tf.cond(c, lambda: a, lambda: b)`.
* `p and q` / `p or q` / `not p` on boolean tensors -> `tf.logical_and/or/not`.

Branches may only hold assignments to plain names (`pass`, and a final `return` when every branch
returns): `tf.cond` traces both branches in graph mode, so Python side effects (calls as statements,
attribute/subscript stores, print, append), `break`/`continue`, `yield` and nested control flow are
refused.  Conditions written with `and`/`or`/`not` become `tf.logical_*`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.analysis.rules.tfg003_python_control_flow_on_tensor import ControlFlowFix
from gradls.fixes import line_starts_of
from gradls.fixes._imports import (
    fresh_name,
    offsets_of,
    parse_module,
    replacement_edit,
    tf_binding,
    used_names,
    walk_own,
)

_FN = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_BOOL_FUNCS = {
    "logical_and",
    "logical_or",
    "logical_not",
    "logical_xor",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "reduce_any",
    "reduce_all",
    "is_nan",
    "is_inf",
    "is_finite",
    "isnan",
    "isinf",
    "isfinite",
    "is_tensor",
    "isin",
}


class _Refuse(Exception):
    pass


# ----------------------------------------------------------------------------- ast helpers
def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    out: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


def _cp_col(lines: list[str], line: int, byte_col: int) -> int:
    return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def _stores(node: ast.AST) -> list[str]:
    """Names stored by an assignment target."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for e in node.elts for n in _stores(e)]
    if isinstance(node, ast.Starred):
        return _stores(node.value)
    return []


def _loads(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]


def _forbidden_expr(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)) for n in ast.walk(node))


def _stmt_writes(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign):
        return [n for t in stmt.targets for n in _stores(t)]
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return _stores(stmt.target)
    return []


def _stmt_reads(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.AugAssign):
        return _stores(stmt.target) + _loads(stmt.value)
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.Return)):
        return _loads(stmt.value) if stmt.value is not None else []
    return []


def _check_stmts(stmts: list[ast.stmt]) -> None:
    for i, s in enumerate(stmts):
        if isinstance(s, ast.Pass):
            continue
        if isinstance(s, ast.Return):
            if i != len(stmts) - 1 or s.value is None or _forbidden_expr(s.value):
                raise _Refuse
            continue
        if isinstance(s, ast.Assign):
            for t in s.targets:
                if not isinstance(t, ast.Name) and not (
                    isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts)
                ):
                    raise _Refuse  # attribute / subscript / starred stores are side effects
        elif isinstance(s, ast.AugAssign):
            if not isinstance(s.target, ast.Name):
                raise _Refuse
        elif isinstance(s, ast.AnnAssign):
            if not isinstance(s.target, ast.Name) or s.value is None:
                raise _Refuse
        else:
            raise _Refuse  # calls as statements, control flow, del, global, imports, defs...
        if _forbidden_expr(s):
            raise _Refuse


def _reads_before_write(stmts: list[ast.stmt]) -> list[str]:
    """Names a branch both assigns and reads before (or while) assigning them."""
    written: set[str] = set()
    all_writes = {n for s in stmts for n in _stmt_writes(s)}
    out: list[str] = []
    for s in stmts:
        for n in _stmt_reads(s):
            if n in all_writes and n not in written and n not in out:
                out.append(n)
        written.update(_stmt_writes(s))
    return out


# ----------------------------------------------------------------------------- text helpers
def _seg(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node)
    if text is None:
        raise _Refuse
    if isinstance(node, ast.Tuple) and not (text.startswith("(") and text.endswith(")")):
        text = f"({text})"
    return text


def _pred(source: str, node: ast.expr, tf: str) -> str:
    """Condition text for tf.cond: Python `and`/`or`/`not` become tf.logical_*."""
    if _forbidden_expr(node):
        raise _Refuse
    if isinstance(node, ast.BoolOp):
        fn = "logical_and" if isinstance(node.op, ast.And) else "logical_or"
        parts = [_pred(source, v, tf) for v in node.values]
        text = parts[-1]
        for p in reversed(parts[:-1]):
            text = f"{tf}.{fn}({p}, {text})"
        return text
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"{tf}.logical_not({_pred(source, node.operand, tf)})"
    return _seg(source, node)


def _certainly_bool(node: ast.expr) -> bool:
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.BoolOp):
        return all(_certainly_bool(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _certainly_bool(node.operand)
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        return name in _BOOL_FUNCS
    return False


# ----------------------------------------------------------------------------- the module
@dataclass
class _Ctx:
    source: str
    tree: ast.Module
    lines: list[str]
    parents: dict[int, ast.AST] = field(default_factory=dict)

    @classmethod
    def of(cls, source: str) -> _Ctx | None:
        tree = parse_module(source)
        if tree is None:
            return None
        return cls(source, tree, source.splitlines() or [""], _parents(tree))

    def pos(self, node: ast.expr | ast.stmt | ast.arg) -> tuple[int, int]:
        return node.lineno, _cp_col(self.lines, node.lineno, node.col_offset)

    def end(self, node: ast.expr | ast.stmt) -> tuple[int, int]:
        end_line = node.end_lineno or node.lineno
        end_col = node.col_offset if node.end_col_offset is None else node.end_col_offset
        return end_line, _cp_col(self.lines, end_line, end_col)

    def span(self, node: ast.expr | ast.stmt) -> Span:
        return Span(*self.pos(node), *self.end(node))

    def source_at(self, node: ast.expr | ast.stmt) -> str:
        line, col = self.pos(node)
        return self.lines[line - 1][col:]

    def scope_of(self, node: ast.AST) -> ast.AST:
        p = self.parents.get(id(node))
        while p is not None and not isinstance(p, (*_FN, ast.ClassDef, ast.Module)):
            p = self.parents.get(id(p))
        return p if p is not None else self.tree

    def in_function(self, node: ast.AST) -> bool:
        return not isinstance(self.scope_of(node), (ast.Module, ast.ClassDef))

    def in_loop(self, node: ast.AST, scope: ast.AST) -> bool:
        p = self.parents.get(id(node))
        while p is not None and p is not scope:
            if isinstance(p, (ast.For, ast.AsyncFor, ast.While, ast.comprehension)):
                return True
            p = self.parents.get(id(p))
        return False

    def find(self, kind, span: Span | None = None, line: int | None = None, col: int | None = None):
        """The node of `kind` starting at span (exact), or the innermost one containing (line, col)."""
        best = None
        for node in ast.walk(self.tree):
            if not isinstance(node, (ast.expr, ast.stmt)) or not isinstance(node, kind):
                continue
            s = self.span(node)
            if span is not None:
                if (s.line, s.col) == (span.line, span.col):
                    return node
                continue
            if (s.line, s.col) <= (line, col) <= (s.end_line, s.end_col):
                if best is None or (s.line, s.col) >= self.pos(best):
                    best = node
        return best


def _import_before(ctx: _Ctx, imports: tuple[Edit, ...], node: ast.expr | ast.stmt) -> bool:
    """Module-level code above the inserted import would run before it exists."""
    return bool(imports) and not ctx.in_function(node) and imports[0].span.line > node.lineno


# ----------------------------------------------------------------------------- if statements
@dataclass
class _Branch:
    test: ast.expr | None
    stmts: list[ast.stmt]
    block: cst.BaseSuite
    leading: list[cst.EmptyLine]  # comment lines before `elif`/`else`


def _cst_stmts(block: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(block, cst.IndentedBlock):
        return list(block.body)
    assert isinstance(block, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine([s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]) for s in block.body]


def _comments(node: cst.CSTNode) -> list[cst.Comment]:
    found: list[cst.Comment] = []

    class V(cst.CSTVisitor):
        def visit_Comment(self, n: cst.Comment) -> None:
            found.append(n)

    node.visit(V())
    return found


def _header_comments(block: cst.BaseSuite) -> list[cst.Comment]:
    if isinstance(block, cst.IndentedBlock) and block.header.comment is not None:
        return [block.header.comment]
    if isinstance(block, cst.SimpleStatementSuite) and block.trailing_whitespace.comment is not None:
        return [block.trailing_whitespace.comment]
    return []


def _ends_in_return(stmts: list[ast.stmt]) -> bool:
    return bool(stmts) and isinstance(stmts[-1], ast.Return)


def _block_of(module: cst.Module, stmt: cst.BaseStatement) -> cst.IndentedBlock | None:
    """The indented block whose statements include `stmt` (by identity)."""
    found: list[cst.IndentedBlock] = []

    class V(cst.CSTVisitor):
        def visit_IndentedBlock(self, n: cst.IndentedBlock) -> bool:
            if any(b is stmt for b in n.body):
                found.append(n)
            return not found

    module.visit(V())
    return found[0] if found else None


class _IfRewriter:
    def __init__(self, ctx: _Ctx, node: ast.If, cnode: cst.If, module: cst.Module, tf: str):
        self.ctx, self.node, self.cnode, self.module, self.tf = ctx, node, cnode, module, tf
        self.taken = used_names(ctx.tree)
        # The statements after the `if` taken as its implicit `else` (removed by the rewrite).
        self.tail: list[cst.BaseStatement] = []
        self.stray: list[cst.Comment] = []
        self.indent = module.default_indent
        self.config = module.config_for_parsing

    # --- chain
    def branches(self) -> tuple[list[_Branch], _Branch | None]:
        out: list[_Branch] = []
        a, c = self.node, self.cnode
        leading: list[cst.EmptyLine] = []
        while True:
            out.append(_Branch(a.test, a.body, c.body, leading))
            if isinstance(c.orelse, cst.If):
                if len(a.orelse) != 1 or not isinstance(a.orelse[0], ast.If):
                    raise _Refuse
                leading = list(c.orelse.leading_lines)
                a, c = a.orelse[0], c.orelse
                continue
            if isinstance(c.orelse, cst.Else):
                return out, _Branch(None, a.orelse, c.orelse.body, list(c.orelse.leading_lines))
            return out, None

    # --- analysis of names
    def plan(self):
        branches, other = self.branches()
        if other is None and all(_ends_in_return(b.stmts) for b in branches):
            other = self.implicit_else(branches)
        all_b: list[_Branch] = branches + ([other] if other else [])
        for b in all_b:
            _check_stmts(b.stmts)
        returns = [_ends_in_return(b.stmts) for b in all_b]
        if any(returns):
            if other is None or not all(returns):
                raise _Refuse  # a return in some branches only
            self.check_declared(all_b)
            return branches, other, "return", []
        scope = self.ctx.scope_of(self.node)
        if isinstance(scope, ast.ClassDef):
            raise _Refuse
        assigned: list[str] = []
        for b in all_b:
            for s in b.stmts:
                for n in _stmt_writes(s):
                    if n not in assigned:
                        assigned.append(n)
        live = self.live_names(scope, all_b, assigned)
        outputs = [n for n in assigned if n in live]
        if not outputs:
            raise _Refuse
        bound = self.bound_before(scope)
        paths: list[_Branch | None] = [*all_b, *([] if other else [None])]
        for path in paths:
            writes = set() if path is None else {n for s in path.stmts for n in _stmt_writes(s)}
            for n in outputs:
                if n not in writes and n not in bound:
                    raise _Refuse  # this path would leave the name unbound
        return branches, other, "assign", outputs

    def implicit_else(self, branches: list[_Branch]) -> _Branch | None:
        """The statements after a returning `if` (no `else`) in a function body, when they end in a `return`:
        they run exactly when the condition is false, so they are the `else` branch."""
        parent = self.ctx.parents.get(id(self.node))
        if not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        i = next((k for k, st in enumerate(parent.body) if st is self.node), None)
        tail = [] if i is None else parent.body[i + 1 :]
        if not _ends_in_return(tail):
            return None
        _check_stmts(tail)  # the checks of an explicit `else`
        written = {n for b in branches for st in b.stmts for n in _stmt_writes(st)}
        if written & {n for st in tail for n in (*_loads(st), *_stmt_reads(st))}:
            raise _Refuse  # a name the `if` body assigns, read after it
        block = _block_of(self.module, self.cnode)
        if block is None:
            raise _Refuse
        j = next(k for k, st in enumerate(block.body) if st is self.cnode)
        ctail = list(block.body[j + 1 :])
        count = sum(len(st.body) if isinstance(st, cst.SimpleStatementLine) else 1 for st in ctail)
        if not ctail or count != len(tail):
            raise _Refuse
        self.tail = ctail
        first = ctail[0]
        if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):  # drop blank lines, keep comments
            first = first.with_changes(leading_lines=[ln for ln in first.leading_lines if ln.comment])
        return _Branch(None, tail, cst.IndentedBlock(body=[first, *ctail[1:]]), [])

    def check_declared(self, all_b: list[_Branch]) -> None:
        """A branch moved into a nested function stores locals there: refuse names declared global/nonlocal."""
        declared = {
            n
            for node in walk_own(self.ctx.scope_of(self.node))
            if isinstance(node, (ast.Global, ast.Nonlocal))
            for n in node.names
        }
        if declared & {n for b in all_b for st in b.stmts for n in _stmt_writes(st)}:
            raise _Refuse

    def live_names(self, scope: ast.AST, all_b: list[_Branch], assigned: list[str]) -> set[str]:
        if isinstance(scope, ast.Module):
            return set(assigned)
        inside = {id(n) for n in ast.walk(self.node)}
        live: set[str] = set()
        for n in ast.walk(scope):  # nested functions included: closures read the name too
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in inside:
                live.add(n.id)
            elif isinstance(n, (ast.Global, ast.Nonlocal)):
                live.update(n.names)
        if self.ctx.in_loop(self.node, scope):  # read by the next iteration
            live.update(_loads(self.node.test))
            for b in all_b:
                live.update(_reads_before_write(b.stmts))
        return live

    def bound_before(self, scope: ast.AST) -> set[str]:
        """Names certainly bound when the `if` runs: params, earlier stores, enclosing scopes' names."""
        start = self.ctx.pos(self.node)
        bound: set[str] = set()
        if isinstance(scope, _FN):
            a = scope.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None:
                    bound.add(arg.arg)
        bound |= self._bindings(scope, before=start)
        outer = scope
        while not isinstance(outer, ast.Module):
            outer = self.ctx.scope_of(outer)
            if not isinstance(outer, ast.ClassDef):
                bound |= self._bindings(outer, before=None)
        return bound

    def _bindings(self, scope: ast.AST, before: tuple[int, int] | None) -> set[str]:
        out: set[str] = set()
        for n in walk_own(scope):
            if n is scope or not isinstance(n, (ast.expr, ast.stmt, ast.arg)):
                continue  # what binds a name here is one of these
            if before is not None and self.ctx.pos(n) >= before:
                continue
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.add(n.id)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                out.update((a.asname or a.name.split(".")[0]) for a in n.names)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(n.name)
            elif isinstance(n, ast.arg) and before is None:
                out.add(n.arg)
        return out

    # --- code generation
    def _parse(self, text: str) -> cst.BaseStatement:
        return cst.parse_statement(text, config=self.config)

    def lambda_text(self, b: _Branch | None, mode: str, outputs: list[str]) -> str | None:
        src = self.ctx.source
        if b is None:  # the missing else: keep the current values
            return "lambda: " + (outputs[0] if len(outputs) == 1 else "(" + ", ".join(outputs) + ")")
        if mode == "return":
            ret = b.stmts[0] if len(b.stmts) == 1 else None
            if not isinstance(ret, ast.Return) or ret.value is None:
                return None
            value = _seg(src, ret.value)
        else:
            values: dict[str, str] = {}
            for s in b.stmts:
                if isinstance(s, ast.Pass):
                    continue
                if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)):
                    return None
                name = s.targets[0].id
                if name in values or name not in outputs or set(_loads(s.value)) & set(values):
                    return None
                values[name] = _seg(src, s.value)
            parts = [values.get(n, n) for n in outputs]
            value = parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")"
        self.stray.extend(_comments(b.block))
        return f"lambda: {value}"

    def def_for(self, b: _Branch | None, mode: str, outputs: list[str], base: str) -> tuple[str, cst.FunctionDef]:
        name = fresh_name(base, self.taken)
        params = ", ".join(f"{n}={n}" for n in _reads_before_write(b.stmts)) if b else ""
        fn = self._parse(f"def {name}({params}):\n{self.indent}pass\n")
        body = [] if b is None else _cst_stmts(b.block)
        if b is not None:
            self.stray.extend(_header_comments(b.block))
        if mode == "assign":
            body.append(self._parse("return " + ", ".join(outputs) + "\n"))
        assert isinstance(fn, cst.FunctionDef)
        return name, fn.with_changes(body=fn.body.with_changes(body=body))

    def callable_for(self, b: _Branch | None, mode: str, outputs: list[str], base: str, prelude: list) -> str:
        text = self.lambda_text(b, mode, outputs)
        if text is not None:
            return text
        name, fn = self.def_for(b, mode, outputs, base)
        prelude.append(fn)
        return name

    def cond(self, branches: list[_Branch], other: _Branch | None, mode: str, outputs: list[str]) -> tuple[list, str]:
        first = branches[0]
        prelude: list = []
        if first.test is None:  # only the final `else` has no test, and it is never first
            raise _Refuse
        pred = _pred(self.ctx.source, first.test, self.tf)
        t = self.callable_for(first, mode, outputs, "_true_fn", prelude)
        if len(branches) > 1:
            rest = branches[1]
            self.stray.extend(c for line in rest.leading for c in ([line.comment] if line.comment else []))
            sub_prelude, sub = self.cond(branches[1:], other, mode, outputs)
            if not sub_prelude:
                f = f"lambda: {sub}"
            else:
                name = fresh_name("_false_fn", self.taken)
                fn = cst.ensure_type(self._parse(f"def {name}():\n{self.indent}pass\n"), cst.FunctionDef)
                body = [*sub_prelude, self._parse(f"return {sub}\n")]
                prelude.append(fn.with_changes(body=fn.body.with_changes(body=body)))
                f = name
        else:
            if other is not None:
                self.stray.extend(c for line in other.leading for c in ([line.comment] if line.comment else []))
            f = self.callable_for(other, mode, outputs, "_false_fn", prelude)
        return prelude, f"{self.tf}.cond({pred}, {t}, {f})"

    def statements(self) -> list[cst.BaseStatement]:
        branches, other, mode, outputs = self.plan()
        prelude, expr = self.cond(branches, other, mode, outputs)
        final = self._parse(("return " if mode == "return" else ", ".join(outputs) + " = ") + expr + "\n")
        stmts = [*prelude, final]
        leading = list(self.cnode.leading_lines) + [
            cst.EmptyLine(indent=True, whitespace=cst.SimpleWhitespace(""), comment=c) for c in self.stray
        ]
        stmts[0] = stmts[0].with_changes(leading_lines=leading)
        return stmts


class _Replace(cst.CSTTransformer):
    def __init__(self, target: cst.CSTNode, new: list[cst.BaseStatement], removed: list[cst.BaseStatement]):
        self.target, self.new, self.removed = target, new, removed

    def on_leave(self, original_node, updated_node):
        if original_node is self.target:
            return cst.FlattenSentinel(self.new)
        if any(original_node is r for r in self.removed):
            return cst.RemovalSentinel.REMOVE
        return updated_node


def _rewrite_if(ctx: _Ctx, node: ast.If, title: str) -> Fix | None:
    source = ctx.source
    try:
        wrapper = MetadataWrapper(cst.parse_module(source))
    except (cst.ParserSyntaxError, RecursionError):
        return None
    positions = wrapper.resolve(PositionProvider)
    line, col = ctx.pos(node)
    target = None
    for n, r in positions.items():
        if isinstance(n, cst.If) and (r.start.line, r.start.column) == (line, col):
            target = n
            break
    if target is None:
        return None
    binding = tf_binding(source, ctx.tree)
    if binding is None:
        return None
    tf, imports = binding
    if _import_before(ctx, imports, node):
        return None
    rewriter = _IfRewriter(ctx, node, target, wrapper.module, tf)
    try:
        stmts = rewriter.statements()
        new_source = wrapper.module.visit(_Replace(target, stmts, rewriter.tail)).code
    except (_Refuse, cst.ParserSyntaxError):
        return None
    r, last = positions[target], positions[rewriter.tail[-1]] if rewriter.tail else positions[target]
    starts = line_starts_of(source)
    span = Span(r.start.line, r.start.column, last.end.line, last.end.column)
    off = offsets_of(source, span, starts)
    if off is None:
        return None
    if rewriter.tail:  # through the final `return`'s trailing comment, which the rewrite moves
        line_end = source.find("\n", off[1])
        line_end = len(source) if line_end < 0 else line_end
        off = (off[0], line_end - 1 if source[off[1] : line_end].endswith("\r") else line_end)
    edit = replacement_edit(source, new_source, *off)
    if edit is None or parse_module(new_source) is None:
        return None
    return Fix(title, (edit,) + imports, safe=False)


def _chain_top(ctx: _Ctx, node: ast.If) -> ast.If:
    """The first `if` of an `elif` chain."""
    while True:
        p = ctx.parents.get(id(node))
        if isinstance(p, ast.If) and p.orelse == [node] and ctx.source_at(node).startswith("elif"):
            node = p
        else:
            return node


# ----------------------------------------------------------------------------- expressions
def _ifexp_text(ctx: _Ctx, node: ast.IfExp, tf: str) -> str:
    if _forbidden_expr(node):
        raise _Refuse
    src = ctx.source
    body = _seg(src, node.body)
    orelse = _ifexp_text(ctx, node.orelse, tf) if isinstance(node.orelse, ast.IfExp) else _seg(src, node.orelse)
    return f"{tf}.cond({_pred(src, node.test, tf)}, lambda: {body}, lambda: {orelse})"


def _rewrite_expr(ctx: _Ctx, node: ast.expr, make, title: str) -> Fix | None:
    binding = tf_binding(ctx.source, ctx.tree)
    if binding is None:
        return None
    tf, imports = binding
    if _import_before(ctx, imports, node) or isinstance(ctx.scope_of(node), ast.ClassDef):
        return None
    try:
        text = make(tf)
    except _Refuse:
        return None
    span = ctx.span(node)
    edit = Edit(span, text)
    from gradls.fixes import apply_edits

    if parse_module(apply_edits(ctx.source, (edit,) + imports)) is None:
        return None
    return Fix(title, (edit,) + imports, safe=False)


def _rewrite_boolop(ctx: _Ctx, node: ast.expr) -> Fix | None:
    if not _certainly_bool(node) or isinstance(node, ast.Compare) or isinstance(node, ast.Call):
        return None
    title = (
        "Rewrite with tf.logical_not"
        if isinstance(node, ast.UnaryOp)
        else (
            "Rewrite with tf.logical_and"
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And)
            else "Rewrite with tf.logical_or"
        )
    )
    return _rewrite_expr(ctx, node, lambda tf: _pred(ctx.source, node, tf), title)


# ----------------------------------------------------------------------------- entry points
def build(source: str, finding: Finding, data: ControlFlowFix) -> Fix | None:
    kind, span = data.node, data.span
    ctx = _Ctx.of(source)
    if ctx is None:
        return None
    if kind == "if":
        node = ctx.find(ast.If, span=span)
        if node is None or node is not _chain_top(ctx, node):
            return None  # an `elif`: rewrite from the `if` with the refactoring instead
        return _rewrite_if(ctx, node, "Rewrite `if` as tf.cond")
    if kind == "ifexp":
        node = ctx.find(ast.IfExp, span=span)
        if node is None:
            return None
        return _rewrite_expr(ctx, node, lambda tf: _ifexp_text(ctx, node, tf), "Rewrite as tf.cond")
    if kind in {"boolop", "not"}:
        node = ctx.find(ast.BoolOp if kind == "boolop" else ast.UnaryOp, span=span)
        if node is None:
            return None
        return _rewrite_boolop(ctx, node)
    return None  # while loops: tf.while_loop needs loop-carried state gradls cannot infer safely


def rewrite_if_as_cond(source: str, line: int, col: int) -> Fix | None:
    """The "Rewrite as tf.cond" refactoring for the `if` statement / conditional expression at (line, col).

    (line 1-based, col 0-based code points.)  An `elif` rewrites its whole chain from the `if`."""
    ctx = _Ctx.of(source)
    if ctx is None:
        return None
    node = ctx.find((ast.If, ast.IfExp), line=line, col=col)
    if node is None:
        return None
    if isinstance(node, ast.IfExp):
        return _rewrite_expr(ctx, node, lambda tf: _ifexp_text(ctx, node, tf), "Rewrite as tf.cond")
    return _rewrite_if(ctx, _chain_top(ctx, node), "Rewrite `if` as tf.cond")
