"""TFG038 gradient-source-off-target-path: `tape.gradient(target, s)` where the function's own value flow shows that
`target` is never computed from `s` (a tensor made under the tape, or a `tf.Variable` made in the same scope):
`tape.gradient` returns None for `s`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.dtypes import int_dtype_of
from gradls.analysis.flow import Flow, FlowScope
from gradls.analysis.model import Finding
from gradls.analysis.module import TF1_GRAPH_NAMES, ModuleInfo
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
    if "gradients(" in info.source:
        yield from _traced_body_gradients(info)
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
        and isinstance(value, (ast.Call, ast.ListComp, ast.Subscript))
        and all(_plain_target(t) for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]))
    ):
        raise LookupError
    if value is not None and _makes_variables(info, value):
        return stmt, "variable"
    # one output of a model with several (`conv_out, preds = grad_model(img)`, `grad_model(img)[0]`): a tensor
    # that call computed; a name bound from the call's other outputs is computed by the same statement
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Call):
        value = value.value
    if not isinstance(value, ast.Call):
        raise LookupError
    if tape.recording(stmt, scope):
        return stmt, "tensor"
    raise LookupError


def _plain_target(t: ast.AST) -> bool:
    """A name, or a tuple / list of names (`a, _ = f(x)`)."""
    if isinstance(t, (ast.Tuple, ast.List)):
        return all(isinstance(e, ast.Name) for e in t.elts)
    return isinstance(t, ast.Name)


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
    if not info.memo(f"{__name__}.embedding_ctors", lambda: _makes_embeddings(info)):
        return None  # every answer below names an Embedding constructor call of this module
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


def _makes_embeddings(info: ModuleInfo) -> bool:
    """Does the module call an Embedding constructor anywhere? `_embedding_led` finds none otherwise, so no
    gradient source is an Embedding's input (asked once per analysis, not once per source)."""
    return any(_is_embedding_ctor(info, c) for c in info.all_nodes(ast.Call))


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
    index: dict[int, _Bindings] = info.memo(f"{__name__}.bindings", dict)
    for sc in scopes:
        b = index.get(id(sc))
        if b is None:
            b = index[id(sc)] = _scope_bindings(info, sc)
        if name in b.declared:
            return None, sc
        stores = b.stores.get(name)
        if not stores:
            continue
        if len(stores) != 1:
            return None, sc
        st = b.parent[id(stores[0])]
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


# ---------------------------------------------------------------------------------------------------------------
# `tf.gradients(ys, v)` inside a function TensorFlow traces into a graph of its own, with `v` a variable captured from
# outside that the function never reads (tensorflow#50278, tensorflow/probability#614; measured under TF 2.21): the
# function's inputs and captured tensors are inputs of that graph, and the variable's reads that made them happened
# outside it, so `tf.gradients` finds no path from `v` and returns `[None]`, silently. Where it holds:
# - `tf.vectorized_map(fn, elems)` called eagerly (module code): it wraps `fn` in a `tf.function` of its own (inside
#   an outer `tf.function` the same program gets its gradients, measured, so only module code counts);
# - the body / cond of `tf.while_loop`, the fn of `tf.map_fn` / `tf.scan` / `tf.foldl` / `tf.foldr`, called in a
#   `@tf.function` (control flow v2 builds a body graph; called eagerly these run the function eagerly and
#   `tf.gradients` raises instead, TFG036's case). A captured tensor (not a variable) is differentiated through in
#   the same place (measured), so only variables count.
_GRADIENTS_FUNCS = frozenset({"tensorflow.gradients", "tensorflow.compat.v1.gradients"})
_TRACED_EAGER: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {"tensorflow.vectorized_map": ((0,), ("fn",))}
_TRACED_IN_FUNCTION: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "tensorflow.while_loop": ((0, 1), ("cond", "body")),
    "tensorflow.map_fn": ((0,), ("fn",)),
    "tensorflow.scan": ((0,), ("fn",)),
    "tensorflow.foldl": ((0,), ("fn",)),
    "tensorflow.foldr": ((0,), ("fn",)),
}
_VARIABLE_LISTS = frozenset({"trainable_variables", "trainable_weights", "variables", "weights"})
_Fn = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


# Names that make a program build TF 1 graphs or run functions eagerly on purpose: there `vectorized_map` and the
# control-flow bodies are not traced as above (the names TFG036 stays quiet for, the Keras backend's placeholder too).
_GRAPH_OR_EAGER_PROGRAM_NAMES = TF1_GRAPH_NAMES | {"run_functions_eagerly"}


def _traced_body_gradients(info: ModuleInfo) -> Iterator[Finding]:
    if "vectorized_map" not in info.source and not any(
        k.rsplit(".", 1)[-1] in info.source for k in _TRACED_IN_FUNCTION
    ):
        return
    if info.uses_names(_GRAPH_OR_EAGER_PROGRAM_NAMES):
        return
    for call in info.all_nodes(ast.Call):
        q = info.imports.qualname(call.func) or ""
        spec = _TRACED_EAGER.get(q) or _TRACED_IN_FUNCTION.get(q)
        if spec is None:
            continue
        holder = _enclosing_def(info, call)
        if q in _TRACED_EAGER:
            if holder is not None:
                continue
            how = f"`{info.text(call.func)}` (called eagerly here) wraps it in a `tf.function` of its own"
        else:
            if not isinstance(holder, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            ff = info.facts(holder)
            if ff is None or not ff.tf_function:
                continue
            how = f"`{info.text(call.func)}` in the `tf.function` `{holder.name}` builds it as a graph of its own"
        for arg in _callable_args(call, spec):
            fn = _resolve_fn(info, arg, holder)
            if fn is None:
                continue
            for g in _own_calls(fn):
                if (info.imports.qualname(g.func) or "") not in _GRADIENTS_FUNCS:
                    continue
                finding = _unread_variable_gradient(info, fn, g, how)
                if finding is not None:
                    yield finding


def _enclosing_def(info: ModuleInfo, node: ast.AST) -> ast.AST | None:
    """The innermost def, lambda or class holding `node`; None at module level."""
    parents = info.all_parents
    p = parents.get(id(node))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        p = parents.get(id(p))
    return p


def _callable_args(call: ast.Call, spec: tuple[tuple[int, ...], tuple[str, ...]]) -> list[ast.expr]:
    out = [call.args[i] for i in spec[0] if i < len(call.args)]
    out += [k.value for k in call.keywords if k.arg in spec[1]]
    return out


def _resolve_fn(info: ModuleInfo, arg: ast.expr, holder: ast.AST | None) -> _Fn | None:
    """A lambda given in place, or the one def of that name made in the same function (or module) as the call."""
    if isinstance(arg, ast.Lambda):
        return arg
    if not isinstance(arg, ast.Name):
        return None
    scope = holder if holder is not None else info.tree
    found = [
        n
        for n in ast.walk(scope)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and n.name == arg.id
        and _enclosing_def(info, n) is (holder if holder is not None else None)
    ]
    return found[0] if len(found) == 1 else None


def _own_nodes(fn: _Fn) -> Iterator[ast.AST]:
    """The nodes of `fn`'s body, not those of the defs and lambdas inside it."""
    todo: list[ast.AST] = [fn.body] if isinstance(fn, ast.Lambda) else list(fn.body)
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        todo.extend(ast.iter_child_nodes(n))


def _own_calls(fn: _Fn) -> Iterator[ast.Call]:
    for n in _own_nodes(fn):
        if isinstance(n, ast.Call):
            yield n


def _fn_bindings(fn: _Fn) -> tuple[set[str], dict[str, list[ast.expr]], set[str]]:
    """`fn`'s parameters, its plain `name = value` bindings, and the names it binds any other way."""
    a = fn.args
    params = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    params |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    plain: dict[str, list[ast.expr]] = {}
    plain_targets: set[int] = set()
    other: set[str] = set()
    for n in _own_nodes(fn):
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            plain.setdefault(n.targets[0].id, []).append(n.value)
            plain_targets.add(id(n.targets[0]))
    for n in _own_nodes(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)) and id(n) not in plain_targets:
            other.add(n.id)  # a loop target, an unpacking, `with ... as n`, `n += ...`: not followed
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            other.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            other.update(n.names)
    return params, plain, other


def _captured_reads(
    info: ModuleInfo, fn: _Fn, e: ast.AST, params: set[str], plain: dict[str, list[ast.expr]], other: set[str]
) -> set[str] | None:
    """The names from outside `fn` that `e` is computed from inside `fn`, following its plain bindings; None when it
    goes through anything but TensorFlow ops, arithmetic and indexing (a model or function call may read anything)."""
    out: set[str] = set()
    seen: set[str] = set()
    todo: list[ast.AST] = [e]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Call):
            if not (info.imports.qualname(n.func) or "").startswith("tensorflow."):
                return None
            todo.extend(n.args)
            todo.extend(k.value for k in n.keywords)
            continue
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr)):
            return None
        if isinstance(n, ast.Name):
            if n.id in params:
                continue
            if n.id in other:
                return None
            if n.id in plain:
                if n.id not in seen:
                    seen.add(n.id)
                    todo.extend(plain[n.id])
                continue
            out.add(n.id)
            continue
        todo.extend(ast.iter_child_nodes(n))
    return out


def _variable_sources(info: ModuleInfo, fn: _Fn, xs: ast.AST) -> list[tuple[ast.expr, str]]:
    """The elements of `xs` known to be variables, with the outside name each is reached through: a name bound once
    (in the enclosing function, then the module) to `tf.Variable(...)`, or `<name>.trainable_variables` (`.weights`,
    ...)."""
    elts = list(xs.elts) if isinstance(xs, (ast.List, ast.Tuple)) else [xs]
    out: list[tuple[ast.expr, str]] = []
    for x in elts:
        if isinstance(x, ast.Name):
            value, _ = _single_value(info, x.id, fn)
            if value is not None and _makes_variables(info, value) and not isinstance(value, ast.ListComp):
                out.append((x, x.id))
        elif isinstance(x, ast.Attribute) and x.attr in _VARIABLE_LISTS and isinstance(x.value, ast.Name):
            out.append((x, x.value.id))
    return out


def _unread_variable_gradient(info: ModuleInfo, fn: _Fn, g: ast.Call, how: str) -> Finding | None:
    ys = g.args[0] if g.args else next((k.value for k in g.keywords if k.arg == "ys"), None)
    xs = g.args[1] if len(g.args) > 1 else next((k.value for k in g.keywords if k.arg == "xs"), None)
    if ys is None or xs is None:
        return None
    params, plain, other = _fn_bindings(fn)
    reads = _captured_reads(info, fn, ys, params, plain, other)
    if reads is None:
        return None
    unread = [
        (x, name)
        for x, name in _variable_sources(info, fn, xs)
        if name not in params and name not in plain and name not in other and name not in reads
    ]
    if not unread:
        return None
    x, name = unread[0]
    what = f"`{info.text(x)}`"
    ins = ", ".join(f"`{r}`" for r in sorted(reads)) or "nothing from outside"
    msg = (
        f"`{info.text(g.func)}` runs in a function TensorFlow traces on its own ({how}): {what} is captured from "
        f"outside as a variable, and `{info.text(ys)}` is computed there only from the function's inputs and "
        f"captured values ({ins}), never from a read of `{name}`; those values are inputs of that graph, made from "
        f"`{name}` outside it, so `tf.gradients` finds no path and returns `None` (no error); take the gradient where "
        f"`{name}` is read (a `tf.GradientTape` around the computation, inside the function)"
    )
    return Finding("TFG038", msg, info.span(g), None)


class _Bindings:
    """One scope's bindings as `_single_value` reads them: the names a nested def or class, a `global`/`nonlocal`
    or a parameter declares there, and each name's `Store`/`Del` nodes with their parents (nested defs, classes and
    lambdas not entered)."""

    __slots__ = ("declared", "stores", "parent")

    def __init__(self) -> None:
        self.declared: set[str] = set()
        self.stores: dict[str, list[ast.Name]] = {}
        self.parent: dict[int, ast.AST] = {}


def _scope_bindings(info: ModuleInfo, sc: ast.AST) -> _Bindings:
    """Every name's bindings in `sc` in one walk (per scope, per analysis; the shared child listing, without the
    context and operator singletons): `_single_value` walked the scope again for each name it was asked, and a module
    of training code asks about every gradient source."""
    b = _Bindings()
    kids = info.child_nodes
    todo: list[tuple[ast.AST, ast.AST]] = [(n, sc) for n in kids(sc)]
    while todo:
        n, parent = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            b.declared.add(n.name)
            continue
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, ast.Name):
            if isinstance(n.ctx, (ast.Store, ast.Del)):
                b.stores.setdefault(n.id, []).append(n)
                b.parent[id(n)] = parent
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            b.declared.update(n.names)
        elif isinstance(n, ast.arg):
            b.declared.add(n.arg)
        todo.extend((c, n) for c in kids(n))
    return b
