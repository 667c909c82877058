"""TFG023 tf-function-reads-rebound-global: a traced function reads a module-level Python value (a number,
string, flag, NumPy array or tensor) that the program rebinds later: the graph keeps the first trace's value."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import AUTOGRAPH, GRAPH, FunctionFacts, FunctionNode, ModuleInfo
from gradls.analysis.python_scopes import Binding, function_bindings, module_bindings, resolve
from gradls.analysis.rules import rule

_TRACED = {AUTOGRAPH, GRAPH}
_BUILTINS = frozenset(dir(builtins))
# Calls that make a plain value (a number, a string, an array, a constant tensor), not an object with state.
_VALUE_CALLS = frozenset({"int", "float", "bool", "str", "round", "abs", "min", "max", "len", "sum", "pow"})
_VALUE_PREFIXES = ("math.", "numpy.", "tensorflow.constant", "tensorflow.convert_to_tensor", "tensorflow.cast")


def _value_like(info: ModuleInfo, e: ast.expr | None) -> bool:
    """A binding that holds a plain value: rebinding it is what the traced graph does not see."""
    if e is None:
        return True
    if isinstance(e, (ast.Constant, ast.JoinedStr, ast.Name, ast.Attribute, ast.Subscript)):
        return True
    if isinstance(e, ast.UnaryOp):
        return _value_like(info, e.operand)
    if isinstance(e, ast.BinOp):
        return _value_like(info, e.left) and _value_like(info, e.right)
    if isinstance(e, ast.BoolOp):
        return all(_value_like(info, v) for v in e.values)
    if isinstance(e, ast.Compare):
        return True
    if isinstance(e, ast.IfExp):
        return _value_like(info, e.body) and _value_like(info, e.orelse)
    if isinstance(e, (ast.List, ast.Tuple, ast.Set)):
        return all(_value_like(info, v) for v in e.elts)
    if isinstance(e, ast.Call):
        if info.object_kind(e) is not None:
            return False
        q = info.imports.qualname(e.func) or ""
        if isinstance(e.func, ast.Name) and e.func.id in _VALUE_CALLS and e.func.id not in info.module_functions:
            return True
        return q.startswith(_VALUE_PREFIXES) and not q.startswith("numpy.random.Generator")
    return False


def _top_statement(info: ModuleInfo, node: ast.AST, container: ast.AST) -> ast.stmt | None:
    """The statement of `container`'s body (the module, or an enclosing function) that holds `node`."""
    p: ast.AST | None = node
    while p is not None:
        parent = info.parent(p)
        if parent is container:
            return p if isinstance(p, ast.stmt) else None
        p = parent
    return None


def _module_level(info: ModuleInfo, stmt: ast.stmt) -> list[ast.AST]:
    """Nodes of a statement outside any def/class in it."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = [stmt]
    while todo:
        n = todo.pop()
        out.append(n)
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(n))
    return out


def _runs_user_code(info: ModuleInfo, nodes: list[ast.AST], root_name: str) -> bool:
    """A call that may run (and so trace) the function: the function itself, a module function or class, a
    method call (`model.fit(...)`, `trainer.step(...)`); builtins like `print` are not."""
    for n in nodes:
        if isinstance(n, ast.Name) and n.id == root_name and isinstance(n.ctx, ast.Load):
            return True
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Attribute):
                return True
            if isinstance(f, ast.Name) and f.id not in _BUILTINS:
                return True
    return False


def _stale_rebinding(
    info: ModuleInfo, ff: FunctionFacts, bindings: list[Binding], container: ast.Module | FunctionNode
) -> Binding | None:
    """A binding that can run after the function was first traced, with the name bound before it.
    `container` is the scope the name lives in: the module, or the enclosing function."""
    top = _top_statement(info, ff.node, container)
    if top is None:
        return None
    root_name = getattr(top, "name", ff.node.name)
    end = top.end_lineno or top.lineno
    body = container.body
    after = body[body.index(top) + 1 :] if top in body else []
    for b in bindings:
        if b.function is not None:
            if b.function is ff.node or _inside(info, b.function, ff.node):
                continue  # the function rebinds it itself: a side effect of the trace (TFG024)
            if _lazy_initialisation(info, b):
                continue  # `if X is None: X = ...`: set once, before the value is used
            return b  # `global x; x = ...` (`nonlocal x`) in another function: it may run between two calls
        if b.stmt.lineno <= end:
            continue
        if b.loop is not None and b.loop.lineno > end and _runs_user_code(info, _module_level(info, b.loop), root_name):
            return b  # rebinds on every pass of a loop that runs the step
        earlier = any(o is not b and o.stmt.lineno < b.stmt.lineno for o in bindings) or b.kind == "augassign"
        if not earlier:
            continue
        between = [n for s in after if s.lineno < b.stmt.lineno for n in _module_level(info, s)]
        if _runs_user_code(info, between, root_name):
            return b
    return None


def _lazy_initialisation(info: ModuleInfo, b: Binding) -> bool:
    p = info.parent(b.stmt)
    while p is not None and p is not b.function:
        if isinstance(p, ast.If):
            t = p.test
            if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not):
                t = t.operand
                if isinstance(t, ast.Name) and t.id == b.name:
                    return True
            if (
                isinstance(t, ast.Compare)
                and isinstance(t.left, ast.Name)
                and t.left.id == b.name
                and isinstance(t.ops[0], ast.Is)
                and isinstance(t.comparators[0], ast.Constant)
                and t.comparators[0].value is None
            ):
                return True
        p = info.parent(p)
    return False


def _inside(info: ModuleInfo, node: ast.AST, outer: ast.AST) -> bool:
    p = info.parent(node)
    while p is not None:
        if p is outer:
            return True
        p = info.parent(p)
    return False


def _first_line(info: ModuleInfo, stmt: ast.stmt) -> str:
    text = info.lines[stmt.lineno - 1].strip() if stmt.lineno <= len(info.lines) else ""
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        text = text.rstrip(":")
    return text if len(text) <= 60 else text[:57] + "..."


@rule(
    "TFG023",
    "tf-function-reads-rebound-global",
    "A `tf.function` reads a module-level Python value (number, flag, string, array, tensor) that the program "
    "rebinds later: the graph keeps the value of its first trace, and the new value is ignored until a retrace.",
)
def find_tf_function_reads_rebound_global(info: ModuleInfo) -> Iterator[Finding]:
    traced = [ff for ff in info.functions.values() if ff.modes & _TRACED]
    if not traced:
        return
    for ff in traced:
        seen: set[str] = set()
        loads = [n for n in info.own_nodes(ff.node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
        for n in sorted(loads, key=lambda x: (x.lineno, x.col_offset)):
            if n.id in seen:
                continue
            parent = info.parent(n)
            if isinstance(parent, ast.Call) and parent.func is n:
                continue
            seen.add(n.id)
            finding = _check_read(info, ff, n)
            if finding is not None:
                yield finding


def _check_read(info: ModuleInfo, ff: FunctionFacts, n: ast.Name) -> Finding | None:
    where, owner = resolve(info, ff.node, n.id)
    container: ast.Module | FunctionNode
    if where == "global":
        bs = module_bindings(info).get(n.id, [])
        container, holder = info.tree, "a Python global"
    elif where == "enclosing" and owner is not None:
        owner_ff = info.facts(owner)
        if owner_ff is None or owner_ff.modes & _TRACED:
            return None  # the enclosing function is traced too: its variables are read on each of its traces
        bs = function_bindings(info, owner).get(n.id, [])
        container, holder = owner, f"a Python variable of the enclosing `{owner.name}`"
    else:
        return None
    if not bs or any(b.kind in {"import", "def", "class", "with"} for b in bs):
        return None
    if not all(_value_like(info, b.value) for b in bs if b.kind != "augassign"):
        return None
    stale = _stale_rebinding(info, ff, bs, container)
    if stale is None:
        return None
    if stale.function is not None:
        keyword = "global" if where == "global" else "nonlocal"
        how = f"in `{stale.function.name}` through `{keyword} {n.id}`"
    else:
        how = f"on line {stale.stmt.lineno}"
    return Finding(
        "TFG023",
        f"`{n.id}` is {holder} read while `{ff.node.name}` is traced ({ff.why or 'traced'}): the graph keeps the "
        f"value it had at the first trace, so rebinding it {how} (`{_first_line(info, stale.stmt)}`) changes nothing "
        "for later calls with the same input signature (only a retrace, on new shapes, dtypes or Python arguments, "
        "sees it); keep it in a `tf.Variable` and `.assign()` it, or pass it in as a tensor argument",
        info.span(n),
        None,
    )
