"""TFG004 custom-gradient-missing-variables: give the grad_fn a `variables` parameter and REAL gradients.

    @tf.custom_gradient                         @tf.custom_gradient
    def f(x):                                   def f(x):
        y = x * w                                   y = x * w
        def grad(dy):                  ->           def grad(dy, variables=None):
            return dy * w                               def _forward():
        return y, grad                                      y = x * w
                                                            return y
                                                        with tf.GradientTape() as _tape:
                                                            _outputs = _forward()
                                                        _variable_grads = _tape.gradient(_outputs, variables, output_gradients=dy)
                                                        return dy * w, _variable_grads
                                                    return y, grad

The forward computation (the decorated function's statements other than the grad_fn def and the final
`return`, and the first element of that return) is recomputed under an inner tape, so the variable
gradients are what plain autodiff of the same math gives.  Refused (None): a lambda grad_fn, a
forward pass with side effects (calls as statements, attribute/subscript stores, global/nonlocal,
yield, several returns), grad_fn locals that shadow names the forward pass reads, a grad_fn
`return` without a value, and upstream parameters mixing positionals with `*args`.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg004_custom_gradient_missing_variables import GradFnVariablesFix
from gradls.fixes._imports import (
    fresh_name,
    offsets_of,
    parse_module,
    replacement_edit,
    tf_binding,
    used_names,
    walk_own,
)


class _Refuse(Exception):
    pass


def _own_nodes(fn: ast.AST):
    return walk_own(fn)


def _locals_of(fn: ast.FunctionDef) -> set[str]:
    a = fn.args
    names = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p is not None}
    for n in _own_nodes(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names.update((x.asname or x.name.split(".")[0]) for x in n.names)
    return names


def _check_forward(stmts: list[ast.stmt]) -> None:
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom, ast.Await, ast.Global, ast.Nonlocal, ast.Delete)):
                if isinstance(n, ast.Return) and _inside_nested_def(s, n):
                    continue
                raise _Refuse
            if isinstance(n, ast.Expr) and not (isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)):
                raise _Refuse  # a call for its side effect would run twice
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                for t in targets:
                    for sub in ast.walk(t):
                        if isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.ctx, ast.Store):
                            raise _Refuse
            if isinstance(n, (ast.For, ast.AsyncFor)):
                for sub in ast.walk(n.target):
                    if isinstance(sub, (ast.Attribute, ast.Subscript)):
                        raise _Refuse


def _inside_nested_def(stmt: ast.stmt, node: ast.AST) -> bool:
    for d in ast.walk(stmt):
        if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and d is not node:
            if any(x is node for x in ast.walk(d)):
                return True
    return False


def _is_docstring(s: ast.stmt) -> bool:
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)


def _upstream(grad: ast.FunctionDef) -> str:
    a = grad.args
    pos = [p.arg for p in [*a.posonlyargs, *a.args]]
    if a.vararg is not None:
        if pos:
            raise _Refuse
        return f"list({a.vararg.arg})"
    if len(pos) == 1:
        return pos[0]
    if not pos:
        raise _Refuse
    return "[" + ", ".join(pos) + "]"


class _GradTransformer(cst.CSTTransformer):
    """Adds `variables=None`, the recompute block, and `(grads, _variable_grads)` returns to the grad_fn."""

    def __init__(self, target: cst.FunctionDef, block: Sequence[cst.BaseStatement], var_grads: str):
        self.target, self.block, self.var_grads = target, block, var_grads
        self.depth = 0  # nesting inside the target
        self.returns = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is self.target or self.depth:
            self.depth += 1
        return True

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        if self.depth:
            self.depth += 1
        return True

    def leave_Lambda(self, original_node, updated_node):
        if self.depth:
            self.depth -= 1
        return updated_node

    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return):
        if self.depth != 1:
            return updated_node
        value = updated_node.value
        if value is None:
            raise _Refuse
        if isinstance(value, cst.Tuple) and not value.lpar:
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self.returns += 1
        pair = cst.Tuple(
            [
                cst.Element(value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                cst.Element(cst.Name(self.var_grads)),
            ],
            lpar=[],
            rpar=[],
        )
        return updated_node.with_changes(value=pair)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef):
        if not self.depth:
            return updated_node
        self.depth -= 1
        if original_node is not self.target:
            return updated_node
        params = updated_node.params
        var = cst.Param(
            cst.Name("variables"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            default=cst.Name("None"),
        )
        if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.kwonly_params:  # after `*dys` / `*`
            params = params.with_changes(kwonly_params=[*self._spaced(params.kwonly_params), var])
        else:
            params = params.with_changes(params=[*self._spaced(params.params), var])
        body = updated_node.body
        if isinstance(body, cst.SimpleStatementSuite):
            body = cst.IndentedBlock(
                [cst.SimpleStatementLine([s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)]) for s in body.body]
            )
        stmts = list(body.body)
        at = 0
        if stmts and isinstance(stmts[0], cst.SimpleStatementLine) and len(stmts[0].body) == 1:
            first = stmts[0].body[0]
            if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
                at = 1
        stmts[at:at] = self.block
        return updated_node.with_changes(params=params, body=body.with_changes(body=stmts))

    @staticmethod
    def _spaced(params):
        params = list(params)
        if params and isinstance(params[-1].comma, cst.Comma):
            params[-1] = params[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return params


def build(source: str, finding: Finding, data: GradFnVariablesFix) -> Fix | None:
    grad_name, grad_span = data.grad_fn, data.grad_fn_def
    tree = parse_module(source)
    if tree is None:
        return None
    try:
        return _build(source, tree, grad_name, grad_span)
    except (_Refuse, cst.ParserSyntaxError, RecursionError):
        return None


def _build(source: str, tree: ast.Module, grad_name: str, grad_span) -> Fix | None:
    lines = source.splitlines()
    outer: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    grad: ast.FunctionDef | None = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for s in node.body:
                if isinstance(s, ast.FunctionDef) and s.name == grad_name and s.lineno == grad_span.line:
                    outer, grad = node, s
    if grad is None or not isinstance(outer, ast.FunctionDef):
        return None
    a = grad.args
    if any(p.arg == "variables" for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]) or a.kwarg is not None:
        return None  # already accepts variables
    # The forward pass: everything but the grad_fn def, ending in `return y, grad`.
    body = [s for s in outer.body if s is not grad]
    if body and _is_docstring(body[0]):
        body = body[1:]
    if not body or not isinstance(body[-1], ast.Return):
        return None
    ret = body[-1].value
    if not (
        isinstance(ret, ast.Tuple)
        and len(ret.elts) == 2
        and isinstance(ret.elts[1], ast.Name)
        and ret.elts[1].id == grad_name
    ):
        return None
    forward = body[:-1]
    _check_forward(forward)
    y_node = ret.elts[0]
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)) for n in ast.walk(y_node)):
        return None
    # Names the recomputed forward pass reads must not be shadowed by the grad_fn's own locals.
    reads = {
        n.id for s in [*forward, y_node] for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    if reads & _locals_of(grad):
        return None
    upstream = _upstream(grad)

    binding = tf_binding(source, tree)
    if binding is None:
        return None
    tf, imports = binding
    taken = used_names(tree)
    fwd, tape, outs, vgrads = (fresh_name(n, taken) for n in ("_forward", "_tape", "_outputs", "_variable_grads"))

    module = cst.parse_module(source)
    config = module.config_for_parsing
    ind = module.default_indent

    # libcst nodes of the outer function and the grad_fn (matched by name and position).
    from libcst.metadata import MetadataWrapper, PositionProvider

    wrapper = MetadataWrapper(module)
    pos = wrapper.resolve(PositionProvider)
    c_outer = c_grad = None
    for n, _r in pos.items():
        if isinstance(n, cst.FunctionDef):
            name_line = pos[n.name].start.line
            if n.name.value == outer.name and name_line == outer.lineno:
                c_outer = n
            elif n.name.value == grad_name and name_line == grad.lineno:
                c_grad = n
    if c_outer is None or c_grad is None or not isinstance(c_outer.body, cst.IndentedBlock):
        return None
    if c_grad not in c_outer.body.body:
        return None
    c_stmts = [s for s in c_outer.body.body if s is not c_grad]
    if outer.body and _is_docstring(outer.body[0]):
        c_stmts = c_stmts[1:]
    c_forward = c_stmts[:-1]
    if len(c_forward) != len(forward):
        return None

    y_text = ast.get_source_segment(source, y_node)
    if y_text is None:
        return None
    fwd_def = cst.ensure_type(cst.parse_statement(f"def {fwd}():\n{ind}pass\n", config=config), cst.FunctionDef)
    fwd_def = fwd_def.with_changes(
        body=fwd_def.body.with_changes(body=[*c_forward, cst.parse_statement(f"return {y_text}\n", config=config)])
    )
    rest = cst.parse_module(
        f"with {tf}.GradientTape() as {tape}:\n{ind}{outs} = {fwd}()\n"
        f"{vgrads} = {tape}.gradient({outs}, variables, output_gradients={upstream})\n",
        config=config,
    ).body
    block = [fwd_def, *rest]
    transformer = _GradTransformer(c_grad, block, vgrads)
    new_source = wrapper.module.visit(transformer).code
    if transformer.returns == 0 or parse_module(new_source) is None:
        return None
    start = (grad.lineno, len(lines[grad.lineno - 1].encode()[: grad.col_offset].decode("utf-8", "replace")))
    end_line = grad.end_lineno or grad.lineno
    end_col = grad.end_col_offset or 0
    end = (end_line, len(lines[end_line - 1].encode()[:end_col].decode("utf-8", "replace")))
    from gradls.analysis.model import Span

    off = offsets_of(source, Span(*start, *end))
    if off is None:
        return None
    edit = replacement_edit(source, new_source, *off)
    if edit is None:
        return None
    return Fix(f"Add `variables` to `{grad_name}` and return variable gradients", (edit,) + imports, safe=True)
