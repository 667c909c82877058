"""TFG022 variables-read-before-build: `params = model.trainable_variables` taken before the model has weights."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import FunctionNode, ModuleInfo, is_keras_layer_ctor
from gradls.analysis.rules import rule

_WEIGHT_LISTS = {"trainable_variables", "trainable_weights", "variables", "weights"}
# What builds a model (or might: handing it to a function we do not follow counts as building it).
_BUILDING_METHODS = {
    "build",
    "fit",
    "evaluate",
    "predict",
    "train_on_batch",
    "test_on_batch",
    "predict_on_batch",
    "call",
    "__call__",
    "load_weights",
    "set_weights",
    "build_from_config",
}
_USES = {"gradient", "jacobian", "batch_jacobian", "apply_gradients", "minimize", "apply"}


@rule(
    "TFG022",
    "variables-read-before-build",
    "`params = model.trainable_variables` read before a subclassed model or a layer has been built is an empty "
    "list, and stays empty: `tape.gradient(loss, params)` returns `[]` and nothing trains "
    "(`apply_gradients(zip(grads, params))` raises `ValueError: not enough values to unpack`).",
)
def find_variables_read_before_build(info: ModuleInfo) -> Iterator[Finding]:
    if not any(f".{w}" in info.source for w in _WEIGHT_LISTS):
        return
    bodies: list[list[ast.stmt]] = [info.tree.body]
    bodies += [ff.node.body for ff in info.functions.values()]
    for body in bodies:
        yield from _check_block(info, body)


def _check_block(info: ModuleInfo, body: list[ast.stmt]) -> Iterator[Finding]:
    """Straight-line statements of one block: constructor, then the snapshot, with nothing building between."""
    built_lazily: dict[str, ast.Assign] = {}  # name -> the statement constructing an unbuilt model/layer
    for i, stmt in enumerate(body):
        if built_lazily:
            yield from _handed_to_snapshotting_class(info, stmt, built_lazily)
        for name in list(built_lazily):
            if _may_build(stmt, name, _build_creates_weights(info, built_lazily[name].value)):
                del built_lazily[name]
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target, value = stmt.targets[0], stmt.value
        if isinstance(target, ast.Name) and isinstance(value, ast.Call) and _lazy_ctor(info, value):
            built_lazily[target.id] = stmt
            continue
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Attribute)
            and value.attr in _WEIGHT_LISTS
            and isinstance(value.value, ast.Name)
            and value.value.id in built_lazily
        ):
            use = _used_for_training(body[i + 1 :], target.id)
            if use is None:
                continue
            model = value.value.id
            made = built_lazily[model]
            msg = (
                f"`{model}.{value.attr}` is read here, before `{model}` (made at line {made.lineno}) has been built: "
                f"Keras creates a subclassed model's or a layer's weights on its first call, so `{target.id}` is an "
                f"empty list and stays empty; the training step at line {use.lineno} then gets no gradients and "
                f"trains nothing (`apply_gradients(zip(grads, {target.id}))` raises `ValueError: not enough values to "
                f"unpack`); read `{model}.{value.attr}` where it is used or after the first call "
                f"(`{model}(sample_batch)`)"
            )
            yield Finding("TFG022", msg, info.span(value), None)


def _handed_to_snapshotting_class(
    info: ModuleInfo, stmt: ast.stmt, built_lazily: dict[str, ast.Assign]
) -> Iterator[Finding]:
    """`Trainer(model)` with `model` not built yet, where `Trainer.__init__` keeps `self.params =
    model.trainable_variables` (before anything there calls or builds it) and a method trains with `self.params`:
    the same empty snapshot, taken one call away."""
    for call in ast.walk(stmt):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            continue
        cls = info.classes.get(call.func.id)
        init = cls.methods.get("__init__") if cls is not None else None
        if cls is None or not isinstance(init, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = [a.arg for a in [*init.args.posonlyargs, *init.args.args]][1:]
        passed = [*zip(params, call.args), *((k.arg, k.value) for k in call.keywords if k.arg)]
        for param, arg in passed:
            if not (isinstance(arg, ast.Name) and arg.id in built_lazily):
                continue
            for init_stmt in init.body:
                snap = _snapshot_of(init_stmt, param)
                if snap is None:
                    if _may_build(init_stmt, param):
                        break
                    continue
                attr, value = snap
                use = _self_attr_used_for_training(cls.methods.values(), attr)
                if use is None:
                    continue
                made = built_lazily[arg.id]
                msg = (
                    f"`{param}.{value.attr}` is read when `{call.func.id}(...)` runs at line {call.lineno}, before "
                    f"`{arg.id}` (made at line {made.lineno}) has been built: Keras creates a subclassed model's or a "
                    f"layer's weights on its first call, so `self.{attr}` is an empty list and stays empty; the "
                    f"training step at line {use.lineno} then gets no gradients and trains nothing "
                    f"(`apply_gradients(zip(grads, self.{attr}))` raises `ValueError: not enough values to unpack`); "
                    f"read the model's `{value.attr}` in the step itself, or build `{arg.id}` before line {call.lineno}"
                )
                yield Finding("TFG022", msg, info.span(value), None)


def _snapshot_of(stmt: ast.stmt, param: str) -> tuple[str, ast.Attribute] | None:
    """`self.<attr> = param.trainable_variables` (or another weight list): the attribute and the read."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
        and isinstance(value, ast.Attribute)
        and value.attr in _WEIGHT_LISTS
        and isinstance(value.value, ast.Name)
        and value.value.id == param
    ):
        return target.attr, value
    return None


def _self_attr_used_for_training(methods, attr: str) -> ast.Call | None:
    """The first `tape.gradient(..., self.attr)` / `apply_gradients(zip(grads, self.attr))`-like call of a method,
    in a class that never assigns `self.attr` again outside `__init__`."""
    found: ast.Call | None = None
    for fn in methods:
        for n in ast.walk(fn):
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and fn.name != "__init__":
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                if any(_is_self_attr(x, attr) for t in targets for x in ast.walk(t)):
                    return None
            if found is None and isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _USES:
                if any(_is_self_attr(x, attr) for a in [*n.args, *(k.value for k in n.keywords)] for x in ast.walk(a)):
                    found = n
    return found


def _is_self_attr(node: ast.AST, attr: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attr
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _lazy_ctor(info: ModuleInfo, call: ast.Call) -> bool:
    """A model or layer with no weights until it is built: a subclass, a built-in layer, a Sequential
    without an Input."""
    q = info.imports.qualname(call.func) or ""
    if q in {"keras.Sequential", "keras.models.Sequential"}:
        layers = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "layers"), None)
        if not isinstance(layers, (ast.List, ast.Tuple)) or not layers.elts:
            return layers is None
        first = layers.elts[0]
        fq = info.imports.qualname(first.func) if isinstance(first, ast.Call) else None
        return fq not in {"keras.Input", "keras.layers.Input", "keras.layers.InputLayer"} and not any(
            k.arg in {"input_shape", "input_dim", "batch_input_shape"}
            for k in (first.keywords if isinstance(first, ast.Call) else [])
        )
    if q.startswith("keras.layers.") and is_keras_layer_ctor(q):
        return not any(k.arg in {"input_shape", "input_dim", "batch_input_shape"} for k in call.keywords)
    if isinstance(call.func, ast.Name):
        cls = info.classes.get(call.func.id)
        if cls is not None and cls.keras_kind in {"layer", "model"}:
            return not _builds_in_init(cls.methods.get("__init__"), "build" in cls.methods)
    return False


def _builds_in_init(init: FunctionNode | None, own_build: bool) -> bool:
    """A call of `self` in `__init__` builds it; `self.build(...)` only when the class defines `build` (Keras 3's
    default `Model.build` creates no sub-layer weights: seen, `trainable_variables` stays [])."""
    if init is None:
        return False
    for n in ast.walk(init):
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Name) and f.id == "self":
                return True
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
                if f.attr in {"__call__", "call"} or (f.attr == "build" and own_build):
                    return True
    return False


def _build_creates_weights(info: ModuleInfo, ctor: ast.expr) -> bool:
    """Does `.build(shape)` create the weights?  For built-in layers and Sequential yes; for a subclass only
    when it defines `build` (Keras 3's default Model.build leaves sub-layers unbuilt)."""
    if isinstance(ctor, ast.Call) and isinstance(ctor.func, ast.Name):
        cls = info.classes.get(ctor.func.id)
        if cls is not None:
            return "build" in cls.methods
    return True


def _may_build(stmt: ast.stmt, name: str, build_creates_weights: bool = True) -> bool:
    """Does this statement call the model, build it, rebind it, or hand it to code we do not follow?"""
    for n in ast.walk(stmt):
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Name) and f.id == name:
                return True
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == name:
                if f.attr in _BUILDING_METHODS and (f.attr != "build" or build_creates_weights):
                    return True
            if any(isinstance(a, ast.Name) and a.id == name for a in [*n.args, *(k.value for k in n.keywords)]):
                return True
        elif isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store):
            return True
    return False


def _used_for_training(rest: list[ast.stmt], name: str) -> ast.Call | None:
    """The first `tape.gradient(..., name)` / `opt.apply_gradients(zip(grads, name))`-like use, unless
    `name` is rebound before it."""
    for stmt in rest:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _USES:
                args = [*n.args, *(k.value for k in n.keywords)]
                if any(isinstance(x, ast.Name) and x.id == name for a in args for x in ast.walk(a)):
                    return n
        if any(isinstance(t, ast.Name) and t.id == name for t in _stored(stmt)):
            return None
    return None


def _stored(stmt: ast.stmt) -> list[ast.AST]:
    if isinstance(stmt, ast.Assign):
        return [x for t in stmt.targets for x in ast.walk(t)]
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return [stmt.target]
    return []
