"""TFG038 gradient-source-off-target-path: `tape.gradient(target, s)` where the function's own value flow shows that
`target` is never computed from `s` (a tensor made under the tape, or a `tf.Variable` made in the same scope):
`tape.gradient` returns None for `s`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.dtypes import int_dtype_of
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
                        continue
                    lookup = _embedding_lookup_only(info, scope, tape, src.id)
                    if lookup is not None:
                        yield Finding("TFG038", _lookup_message(info, tc, src.id, lookup), info.span(src), None)


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


# ---------------------------------------------------------------------------------------------------------------
# A source that reaches the target only as the input of an Embedding layer (tensorflow#75351: a saliency / SHAP
# gradient with respect to a model's token ids). Keras' Embedding casts its input to integer ids and gathers rows of
# its matrix: nothing flows back to the ids, `tape.gradient` returns None for them (TF 2.15 to 2.21), whatever
# dtype they were fed as.


def _embedding_lookup_only(info: ModuleInfo, scope: TapeScope, tape: Tape, name: str) -> str | None:
    """How `name` meets its Embedding (`the Embedding layer`, "`model`'s first layer, an Embedding") when every
    read of it where the tape records (apart from `tape.watch(name)`) is the single input of a call of an Embedding
    layer, of a Sequential model that starts with one, or of a functional model whose input only Embedding layers
    read; else None."""
    made, _ = _single_value(info, name, tape.blocks[0] if tape.blocks else scope.node)
    if isinstance(made, ast.Call) and int_dtype_of(info, made):
        return None  # integer ids: TFG013's finding (no integer tensor has a gradient)
    uses: list[ast.Name] = []
    for block in tape.blocks:
        for n in ast.walk(block):
            if isinstance(n, ast.Name) and n.id == name:
                if not isinstance(n.ctx, ast.Load):
                    return None  # rebound under the tape: not followed
                uses.append(n)
    if not uses:
        return None
    parents = info.all_parents
    how: str | None = None
    for n in uses:
        call = parents.get(id(n))
        if not isinstance(call, ast.Call):
            return None
        if isinstance(call.func, ast.Attribute) and call.func.attr == "watch":
            continue
        if not (len(call.args) == 1 and call.args[0] is n and not any(k.arg is None for k in call.keywords)):
            return None
        led = _embedding_led(info, call.func, scope.node)
        if led is None:
            return None
        how = led
    return how


def _embedding_led(info: ModuleInfo, callee: ast.AST, where: ast.AST) -> str | None:
    if isinstance(callee, ast.Call):
        return "an `Embedding` layer" if _is_embedding_ctor(info, callee) else None
    if not isinstance(callee, ast.Name):
        return None
    value, home = _single_value(info, callee.id, where)
    if not isinstance(value, ast.Call):
        return None
    q = info.imports.qualname(value.func) or ""
    if _is_embedding_ctor(info, value):
        return f"`{callee.id}`, an `Embedding` layer"
    if q.startswith("keras.") and q.endswith(".Sequential"):
        layers = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "layers"), None)
        if not isinstance(layers, (ast.List, ast.Tuple)):
            return None
        first = next((e for e in layers.elts if not _is_input(info, e)), None)
        if isinstance(first, ast.Call) and _is_embedding_ctor(info, first):
            return f"`{callee.id}`, whose first layer is an `Embedding`"
        return None
    if q.startswith("keras.") and q.endswith(".Model"):
        inputs = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "inputs"), None)
        if not isinstance(inputs, ast.Name):
            return None
        made, _ = _single_value(info, inputs.id, home)
        if not _is_input(info, made):
            return None
        reads = [
            n
            for n in ast.walk(home)
            if isinstance(n, ast.Name) and n.id == inputs.id and isinstance(n.ctx, ast.Load) and n is not inputs
        ]
        if not reads:
            return None
        for n in reads:
            call = info.all_parents.get(id(n))
            if not (isinstance(call, ast.Call) and len(call.args) == 1 and call.args[0] is n):
                return None
            f = call.func
            if isinstance(f, ast.Call) and _is_embedding_ctor(info, f):
                continue
            if isinstance(f, ast.Name):
                v, _ = _single_value(info, f.id, home)
                if isinstance(v, ast.Call) and _is_embedding_ctor(info, v):
                    continue
            return None
        return f"`{callee.id}`, whose input only an `Embedding` layer reads"
    return None


def _is_embedding_ctor(info: ModuleInfo, call: ast.Call) -> bool:
    q = info.imports.qualname(call.func) or ""
    return q.startswith(("keras.", "tf_keras.")) and q.endswith("layers.Embedding")


def _is_input(info: ModuleInfo, e: ast.AST | None) -> bool:
    if not isinstance(e, ast.Call):
        return False
    q = info.imports.qualname(e.func) or ""
    return q.startswith(("keras.", "tf_keras.")) and q.rsplit(".", 1)[-1] in {"Input", "InputLayer"}


def _single_value(info: ModuleInfo, name: str, where: ast.AST) -> tuple[ast.AST | None, ast.AST]:
    """The value `name` is bound to when the function holding `where` (then the module) binds it exactly once, by a
    plain `name = value`; (None, scope) otherwise. The scope is where the binding was found."""
    parents = info.all_parents
    scopes: list[ast.AST] = []
    p: ast.AST | None = where
    while p is not None:
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            scopes.append(p)
        p = parents.get(id(p))
    if info.tree not in scopes:
        scopes.append(info.tree)
    for sc in scopes:
        stores: list[ast.Name] = []
        declared = False
        todo = list(ast.iter_child_nodes(sc))
        while todo:
            n = todo.pop()
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                if not isinstance(n, ast.Lambda) and n.name == name:
                    declared = True
                continue
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, (ast.Store, ast.Del)):
                stores.append(n)
            elif isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names:
                declared = True
            elif isinstance(n, ast.arg) and n.arg == name:
                declared = True
            todo.extend(ast.iter_child_nodes(n))
        if declared:
            return None, sc
        if not stores:
            continue
        if len(stores) != 1:
            return None, sc
        st = parents.get(id(stores[0]))
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and st.targets[0] is stores[0]:
            return st.value, sc
        return None, sc
    return None, info.tree


def _lookup_message(info: ModuleInfo, tc: TapeCall, name: str, how: str) -> str:
    return (
        f"`{name}` reaches the target only as the input of {how}: Embedding casts its input to integer ids and "
        f"looks rows of its matrix up, so nothing flows back to the ids and `tape.gradient` returns None for "
        f"`{name}` (no error); for an attribution over tokens, take the gradient with respect to the embedded "
        "vectors (call the Embedding layer first, watch its output, run the rest of the model on it)"
    )
