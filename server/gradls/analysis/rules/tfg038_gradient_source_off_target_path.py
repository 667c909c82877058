"""TFG038 gradient-source-off-target-path: `tape.gradient(target, s)` where the function's own value flow shows that
`target` is never computed from `s` (a tensor made under the tape, or a `tf.Variable` made in the same scope):
`tape.gradient` returns None for `s`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.flow import Flow, FlowScope
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import Tape, TapeCall, TapeScope, source_elements, tape_scopes

_VARIABLE_CTORS = frozenset({"tensorflow.Variable", "keras.Variable", "keras.backend.Variable"})
# Calls that only update state: TensorFlow does not differentiate through the assignment (TF facts 19); the
# `assign` forms under a tape are TFG012's.
_STATE_UPDATES = frozenset({"apply_gradients", "assign", "assign_add", "assign_sub"})
_LOGGING = frozenset({"print", "watch"})


@rule(
    "TFG038",
    "gradient-source-off-target-path",
    "`tape.gradient(target, s)` where `target` is never computed from `s` in this function (a conv output taken "
    "from one forward pass and a class score from another; a variable that reaches the loss only through an "
    "`apply_gradients`/`assign` update): the gradient is `None`.",
)
def find_gradient_source_off_target_path(info: ModuleInfo) -> Iterator[Finding]:
    if ".gradient(" not in info.source:
        return
    flow: Flow | None = None
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                if tc.method != "gradient" or tc.target is None:
                    continue
                for fresh in source_elements(tc.sources):
                    if _makes_variables(info, fresh):
                        yield Finding("TFG038", _fresh_message(info, tc, fresh), info.span(fresh), None)
                elements = [e for e in source_elements(tc.sources) if isinstance(e, ast.Name)]
                if not elements:
                    continue
                if flow is None:
                    flow = Flow(info)
                sc = flow.scope_of(tc.call)
                for src in elements:
                    found = _off_path(info, sc, scope, tape, tc, src.id)
                    if found is not None:
                        yield Finding("TFG038", _message(info, tc, src.id, *found), info.span(src), None)


def _makes_variables(info: ModuleInfo, node: ast.AST) -> bool:
    """Is `node` a variable constructor call (`tf.Variable(w)`), or a list/generator of them
    (`[tf.Variable(a) for a in params]`)? New variables, not the ones any computation read."""
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        node = node.elt
    return isinstance(node, ast.Call) and (info.imports.qualname(node.func) or "") in _VARIABLE_CTORS


def _source_def(info: ModuleInfo, sc: FlowScope, scope: TapeScope, tape: Tape, name: str) -> tuple[ast.stmt, str]:
    """The one binding of `name` in this scope, and what it makes: 'tensor' (a call's result computed where the
    tape records) or 'variable' (a `tf.Variable(...)`); raises LookupError when it is neither."""
    defs = sc.defs.get(name) or []
    if len(defs) != 1 or name in scope.params or name in scope.declared_outer():
        raise LookupError
    stmt, value = defs[0]
    if not (
        isinstance(stmt, (ast.Assign, ast.AnnAssign))
        and isinstance(value, (ast.Call, ast.ListComp))
        and all(isinstance(t, ast.Name) for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]))
    ):
        raise LookupError
    if value is not None and _makes_variables(info, value):
        return stmt, "variable"
    if not isinstance(value, ast.Call):
        raise LookupError
    if tape.recording(stmt, scope):
        return stmt, "tensor"
    raise LookupError


def _reads(node: ast.AST | None) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} if node else set()


def _def_reads(stmt: ast.stmt, value: ast.AST | None) -> set[str]:
    """The names a binding's value is computed from (the whole header for loops and `with`)."""
    if value is not None:
        out = _reads(value)
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            out.add(stmt.target.id)
        return out
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return _reads(stmt.iter)
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return set().union(*(_reads(i.context_expr) for i in stmt.items))
    return _reads(stmt)


def _target_reads(sc: FlowScope, target: ast.AST, src_stmt: ast.stmt) -> set[str] | None:
    """Every name the target is computed from in this scope (all bindings of each, wherever they are); None when
    a binding is the source's own statement."""
    seen: set[str] = set()
    todo = list(_reads(target))
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for stmt, value in sc.defs.get(n, ()):
            if stmt is src_stmt:
                return None
            todo.extend(_def_reads(stmt, value))
    return seen


def _loaded_elsewhere(info: ModuleInfo, sc: FlowScope, names: set[str]) -> bool:
    """Is any of `names` read outside the scope's own code (a nested def, a lambda, or, for the module's top
    level, any function), where the engine does not follow it?"""
    index: dict[str, list[ast.Name]] = info.memo(f"{__name__}.name_loads", lambda: _name_loads(info))
    return any(not _own(info, sc, n) for name in names for n in index.get(name, ()))


def _own(info: ModuleInfo, sc: FlowScope, node: ast.AST) -> bool:
    """Is `node` the scope's own code: in no def, class or lambda nested in it?"""
    root = sc.root
    p = info.all_parents.get(id(node))
    while p is not None and p is not root:
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return False
        p = info.all_parents.get(id(p))
    return p is root or (root is info.tree and p is None)


def _name_loads(info: ModuleInfo) -> dict[str, list[ast.Name]]:
    out: dict[str, list[ast.Name]] = {}
    for n in ast.walk(info.tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            out.setdefault(n.id, []).append(n)
    return out


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")


def _side_channels(info: ModuleInfo, sc: FlowScope, tc: TapeCall, name: str) -> list[ast.Call] | None:
    """Follow the source's value forward through plain name bindings. The state updates (`apply_gradients`,
    `assign`...) it reaches, or None when it goes anywhere else the names cannot show (appended to a list, stored
    on an object, passed to a call whose result is dropped, read by a nested function)."""
    forward = {name}
    todo = [name]
    updates: list[ast.Call] = []
    while todo:
        n = todo.pop()
        for load in sc.loads.get(n, ()):
            if not isinstance(load, ast.Name) or not _own(info, sc, load):
                continue  # a nested function's read: _loaded_elsewhere decides
            if sc.contains(tc.call, load):
                continue
            stmt = sc.statement(load)
            call = _enclosing_call(sc, load, stmt)
            if call is not None and _call_name(call) in _LOGGING and isinstance(stmt, ast.Expr):
                continue
            if call is not None and _call_name(call) in _STATE_UPDATES and isinstance(stmt, ast.Expr):
                if _call_name(call) != "apply_gradients":
                    return None  # `v.assign(f(w))` under the tape: TFG012's finding
                updates.append(call)
                continue
            bound: list[ast.AST] | None = None
            if isinstance(stmt, ast.Assign):
                bound = list(stmt.targets)
            elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
                bound = [stmt.target]
            elif isinstance(stmt, (ast.For, ast.AsyncFor)) and sc.contains(stmt.iter, load):
                bound = [stmt.target]
            elif isinstance(stmt, (ast.If, ast.While)) and sc.contains(stmt.test, load):
                continue
            elif isinstance(stmt, ast.Return):
                continue
            if bound is None:
                return None
            for t in bound:
                names = [e for e in ast.walk(t) if isinstance(e, ast.Name)]
                if (
                    not names
                    or any(not isinstance(e.ctx, ast.Store) for e in names)
                    or not all(
                        isinstance(e, (ast.Name, ast.Tuple, ast.List, ast.Starred))
                        for e in ast.walk(t)
                        if not isinstance(e, (ast.Store, ast.Load))
                    )
                ):
                    return None
                for e in names:
                    if e.id not in forward:
                        forward.add(e.id)
                        todo.append(e.id)
    if _loaded_elsewhere(info, sc, forward):
        return None
    return updates


def _enclosing_call(sc: FlowScope, node: ast.AST, stmt: ast.stmt | None) -> ast.Call | None:
    """The outermost call of the statement holding `node` as an argument (`opt.apply_gradients(zip(g, v))`)."""
    found = None
    p = sc.parent(node)
    cur = node
    while p is not None and p is not stmt:
        if isinstance(p, ast.Call) and cur is not p.func:
            found = p
        cur, p = p, sc.parent(p)
    return found


def _off_path(
    info: ModuleInfo, sc: FlowScope, scope: TapeScope, tape: Tape, tc: TapeCall, name: str
) -> tuple[str, ast.stmt, list[ast.Call]] | None:
    try:
        src_stmt, kind = _source_def(info, sc, scope, tape, name)
    except LookupError:
        return None
    assert tc.target is not None
    reads = _target_reads(sc, tc.target, src_stmt)
    if reads is None or name in reads:
        return None
    updates = _side_channels(info, sc, tc, name)
    if updates is None:
        return None
    return kind, src_stmt, updates


def _fresh_message(info: ModuleInfo, tc: TapeCall, fresh: ast.AST) -> str:
    made = info.text(fresh)
    made = f"`{made}`" if len(made) <= 50 else "this source"
    return (
        f"{made} creates new variables in the `gradient` call itself: the target was computed before they existed "
        "and never read them, so `tape.gradient` returns None for each (no error). A variable copy is a new "
        "variable, not a second point of the old one: to get the gradient at other weight values, run the model "
        "there (a clone with `set_weights`, or `model.stateless_call(weights, ...)`) under a tape"
    )


def _message(info: ModuleInfo, tc: TapeCall, name: str, kind: str, src_stmt: ast.stmt, updates: list[ast.Call]) -> str:
    target = info.text(tc.target) if tc.target is not None else "the target"
    if len(target) > 40:
        target = "the target"
    else:
        target = f"`{target}`"
    if updates:
        u = updates[0]
        how = info.text(u.func) or "the update"
        return (
            f"{target} depends on `{name}` only through `{how}(...)` (line {u.lineno}), an assignment to variables: the "
            f"tape does not differentiate through it, so `tape.gradient` returns None for `{name}` (no error); for a "
            "look-ahead step (meta-learning, learning to reweight), compute the updated weights as tensors "
            "(`w - lr * g`) and run the model on them (`model.stateless_call(new_weights, ...)`) under the outer tape"
        )
    made = "made under the tape" if kind == "tensor" else "created"
    return (
        f"{target} is never computed from `{name}` ({made} at line {src_stmt.lineno}): nothing on the way to the "
        f"target reads it, so `tape.gradient` returns None for `{name}` (a class score from one forward pass and a "
        "feature map from another, separate pass: compute both in one call, e.g. a model that returns the "
        "intermediate tensor and the output)"
    )
