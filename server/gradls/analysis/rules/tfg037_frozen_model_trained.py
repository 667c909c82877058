"""TFG037 frozen-model-trained: `model.trainable = False` (the tf.keras 2 GAN recipe, to freeze the discriminator
inside the combined model), then `model.train_on_batch(...)` / `model.fit(...)` with the flag never set back: in
Keras 3 the flag is read at every training step, so the model trains nothing."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import function_uses
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.python_scopes import ObjectKey, TrainableFlags, attribute_calls, calls_on_objects, trainable_flags
from gradls.analysis.rules import rule
from gradls.analysis.step_facts import ancestors

_TRAIN_METHODS = frozenset({"train_on_batch", "fit"})
_COMPILE = frozenset({"compile"})


@rule(
    "TFG037",
    "frozen-model-trained",
    "`model.trainable = False` (the tf.keras 2 GAN recipe) and later `model.train_on_batch(...)` / `model.fit(...)` "
    "with the flag never set back: Keras 3 reads `trainable` at every training step (tf.keras 2 fixed it at "
    "`compile()`), so the model trains nothing, with only the warning `The model does not have any trainable "
    "weights`; set `model.trainable = True` before training it.",
)
def find_frozen_model_trained(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if ".trainable" not in src or not any(f".{m}(" in src for m in _TRAIN_METHODS) or "setattr(" in src:
        return
    if info.keras2_program:
        return  # tf_keras / TF_USE_LEGACY_KERAS=1: compile() fixes the trainable weights, the recipe works
    if attribute_calls(info, _COMPILE) and attribute_calls(info, _TRAIN_METHODS):
        yield from _unfrozen_between_trainings(info)
    # A freeze, a compile and a training call, seen in the syntax before any object is named (naming them builds the
    # whole tree's parents; a library's docstrings pass the text test above).
    if not attribute_calls(info, _COMPILE) or not attribute_calls(info, _TRAIN_METHODS) or not _freezes_any(info):
        return
    aliases = _sequential_layer_aliases(info)
    flags = _aliased_flags(trainable_flags(info), aliases)
    if flags.unknown_unfrozen:
        return  # something it cannot name is unfrozen (a loop's layers, an item): which model is open
    frozen = [key for key in flags.freezes if flags.frozen_for_good(key)]
    if not frozen:
        return
    trains: dict[ObjectKey, list[ast.Call]] = {}
    for k, calls in calls_on_objects(info, _TRAIN_METHODS).items():
        trains.setdefault(aliases.get(k, k), []).extend(calls)
    compiled = calls_on_objects(info, _COMPILE)
    for key in frozen:
        if key not in compiled:
            continue
        freeze = flags.freezes[key][0]
        after = [c for c in trains.get(key, []) if _runs_after(info, freeze, c, key)]
        if after:
            yield _finding(info, key[1], freeze, after[0])


_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _aliased_flags(flags: TrainableFlags, aliases: dict[ObjectKey, ObjectKey]) -> TrainableFlags:
    """The `trainable` assignments with each aliased local name counted as the model it names."""
    if not aliases:
        return flags
    freezes: dict[ObjectKey, list[ast.Assign]] = {}
    for k, assigns in flags.freezes.items():
        freezes.setdefault(aliases.get(k, k), []).extend(assigns)
    unfrozen = frozenset(aliases.get(k, k) for k in flags.unfrozen)
    return TrainableFlags(freezes, unfrozen, flags.unknown_frozen, flags.unknown_unfrozen)


def _sequential_layer_aliases(info: ModuleInfo) -> dict[ObjectKey, ObjectKey]:
    """Names a module-level function binds by unpacking a parameter's `.layers` (`generator, discriminator =
    gan.layers`, the Hands-On ML GAN loop), when every use of the function is a module-level call that passes, for
    that parameter, the same module name bound once to `Sequential([a, b, ...])` with as many names as the
    unpacking has targets: Keras' `Sequential.layers` lists the models it was built from, in order, so each local
    name is the module's model in the same place.  {(function scope, local name): (module scope, model name)}."""
    return info.memo(f"{__name__}.sequential_layer_aliases", lambda: _build_layer_aliases(info))


def _build_layer_aliases(info: ModuleInfo) -> dict[ObjectKey, ObjectKey]:
    out: dict[ObjectKey, ObjectKey] = {}
    if ".layers" not in info.source or "Sequential" not in info.source:
        return out
    module_binds: dict[str, list[ast.stmt]] = {}
    for s in info.tree.body:
        for bound in _stored_names(s):
            module_binds.setdefault(bound, []).append(s)
    built: dict[str, list[str]] = {}
    for name, stmts in module_binds.items():
        (s, *more) = stmts
        if more or not isinstance(s, ast.Assign) or not isinstance(s.value, ast.Call):
            continue
        f = s.value.func
        callee = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        if callee != "Sequential" or not s.value.args or not isinstance(s.value.args[0], (ast.List, ast.Tuple)):
            continue
        elts = s.value.args[0].elts
        if elts and all(isinstance(e, ast.Name) and len(module_binds.get(e.id, [])) == 1 for e in elts):
            built[name] = [e.id for e in elts if isinstance(e, ast.Name)]
    if not built:
        return out
    grown = {k for k in calls_on_objects(info, frozenset({"add", "pop"})) if k[0] == id(info.tree)}
    built = {k: v for k, v in built.items() if (id(info.tree), k) not in grown}  # layers added or removed later
    uses = function_uses(info)
    for fn in info.tree.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]
        own = list(info.own_nodes(fn))
        stores: dict[str, int] = {}
        for n in own:
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                stores[n.id] = stores.get(n.id, 0) + 1
        for a in own:
            if not (
                isinstance(a, ast.Assign)
                and len(a.targets) == 1
                and isinstance(a.targets[0], (ast.Tuple, ast.List))
                and isinstance(a.value, ast.Attribute)
                and a.value.attr == "layers"
                and isinstance(a.value.value, ast.Name)
                and a.value.value.id in params
            ):
                continue
            targets = a.targets[0].elts
            if not all(isinstance(t, ast.Name) and stores.get(t.id) == 1 for t in targets):
                continue
            model = _passed_module_name(fn, a.value.value.id, params, uses.get(fn.name, []), info)
            if model is None or len(built.get(model, [])) != len(targets):
                continue
            for t, layer in zip(targets, built[model]):
                assert isinstance(t, ast.Name)
                out[(id(fn), t.id)] = (id(info.tree), layer)
    return out


def _stored_names(s: ast.stmt) -> Iterator[str]:
    """The names a module-level statement binds (assignments, imports, definitions, loops, `with`)."""
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield s.name
        return
    for n in ast.walk(s):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            yield n.id
        elif isinstance(n, ast.alias):
            yield (n.asname or n.name).split(".")[0]


def _passed_module_name(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    param: str,
    params: list[str],
    uses: list[tuple[ast.Call | None, ast.AST]],
    info: ModuleInfo,
) -> str | None:
    """The one module-level name every use of `fn` passes for `param` (each use a module-level call of it)."""
    names: set[str] = set()
    idx = params.index(param)
    for call, root in uses:
        if call is None or root is not info.tree or not isinstance(call.func, ast.Name) or call.func.id != fn.name:
            return None
        arg: ast.expr | None = call.args[idx] if idx < len(call.args) else None
        if any(isinstance(a, ast.Starred) for a in call.args[: idx + 1]):
            return None
        for k in call.keywords:
            if k.arg == param:
                arg = k.value
            elif k.arg is None:
                return None
        if not isinstance(arg, ast.Name):
            return None
        names.add(arg.id)
    return next(iter(names)) if len(names) == 1 else None


def _unfrozen_between_trainings(info: ModuleInfo) -> Iterator[Finding]:
    """`base.trainable = True` after `model.fit(...)` ran and before the next `model.fit(...)`, with no
    `model.compile(...)` between them (`model` is `base`, or built from it in the same scope): Keras 3 made the
    training function and the optimizer's variable list at the first training call after `compile()` and keeps them,
    so the unfrozen weights never get an update (measured under TF 2.21 / Keras 3.15: unchanged after a second
    `fit` / `train_on_batch`; with `run_eagerly=True` the optimizer raises `ValueError: Unknown variable`)."""
    for a in info.all_nodes(ast.Assign):
        if not (
            isinstance(a.value, ast.Constant)
            and isinstance(a.value.value, bool)
            and len(a.targets) == 1
            and isinstance(t := a.targets[0], ast.Attribute)
            and t.attr == "trainable"
        ):
            continue
        obj = _flag_owner(t.value)
        if obj is None:
            continue
        if any(isinstance(up, _LOOPS) for up in ancestors(info.parents, a)):
            continue  # toggled every iteration (a GAN loop): the text order is not the run order
        unfreeze = a.value.value is True
        shown = info.text(t.value)
        scope = info.enclosing_function(a) or info.tree
        nodes = [
            n for n in info.own_nodes(scope) if not any(isinstance(up, _LOOPS) for up in ancestors(info.parents, n))
        ]
        holders = _built_from(nodes, obj)
        where = (a.lineno, a.col_offset)
        for model in sorted(holders):
            calls = [
                n
                for n in nodes
                if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == model
                and n.func.attr in _TRAIN_METHODS | _COMPILE
            ]
            calls.sort(key=lambda c: (c.lineno, c.col_offset))
            before = [c for c in calls if (c.lineno, c.col_offset) < where]
            later = [c for c in calls if (c.lineno, c.col_offset) > where]
            if not before or not later or not isinstance(before[-1].func, ast.Attribute):
                continue
            last, nxt = before[-1], later[0]
            assert isinstance(last.func, ast.Attribute) and isinstance(nxt.func, ast.Attribute)
            if last.func.attr not in _TRAIN_METHODS or nxt.func.attr not in _TRAIN_METHODS:
                continue  # compiled between the last training and this one: the flag is read afresh
            head = (
                f"`{shown}.trainable = {a.value.value}` after `{model}.{last.func.attr}` (line {last.lineno}) and "
                f"with no `{model}.compile(...)` before `{model}.{nxt.func.attr}` (line {nxt.lineno}): Keras 3 builds "
                "a model's training function and its optimizer's variable list at the first training call after "
                "`compile()` and keeps them, so "
            )
            if unfreeze:
                msg = head + (
                    f"`{shown}`'s unfrozen weights get no update in the later training (no error; with "
                    "`run_eagerly=True` the optimizer raises `ValueError: Unknown variable`); call "
                    f"`{model}.compile(...)` again after changing `trainable`"
                )
            else:
                if _compiled_eagerly(nodes, model):
                    continue  # run_eagerly=True: every step reads trainable_variables afresh, the freeze holds
                msg = head + (
                    f"`{shown}`'s weights keep training in the later training although it is frozen (no error, no "
                    f"warning); call `{model}.compile(...)` again after changing `trainable`"
                )
            yield Finding("TFG037", msg, info.span(a), None)
            break


def _flag_owner(target: ast.expr) -> str | None:
    """The name whose models train the layer whose flag is set: `base` for `base.trainable`, `model` for
    `model.layers[0].trainable` and `model.get_layer("conv").trainable`."""
    if isinstance(target, ast.Name):
        return target.id
    if (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "layers"
        and isinstance(target.value.value, ast.Name)
    ):
        return target.value.value.id
    if (
        isinstance(target, ast.Call)
        and isinstance(target.func, ast.Attribute)
        and target.func.attr == "get_layer"
        and isinstance(target.func.value, ast.Name)
    ):
        return target.func.value.id
    return None


def _compiled_eagerly(nodes: list[ast.AST], model: str) -> bool:
    """Some `model.compile(..., run_eagerly=True)` in the scope."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "compile"
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == model
        and any(
            k.arg == "run_eagerly" and isinstance(k.value, ast.Constant) and k.value.value is True for k in n.keywords
        )
        for n in nodes
    )


def _built_from(nodes: list[ast.AST], obj: str) -> set[str]:
    """`obj` and the names assigned (in the same scope) from it: a value that calls `obj` (`features = base(inp)`)
    or lists it (`keras.Sequential([base, head])`), then any value reading such a name (`model = keras.Model(inp,
    head(features))`). `base.predict(x)` builds no model from `base`."""
    out = {obj}
    assigns = [n for n in nodes if isinstance(n, ast.Assign)]

    def uses_obj(value: ast.expr) -> bool:
        for x in ast.walk(value):
            if isinstance(x, ast.Call) and isinstance(x.func, ast.Name) and x.func.id == obj:
                return True
            if isinstance(x, (ast.List, ast.Tuple)) and any(isinstance(e, ast.Name) and e.id == obj for e in x.elts):
                return True
        return False

    grew = True
    while grew:
        grew = False
        for n in assigns:
            if uses_obj(n.value) or any(isinstance(x, ast.Name) and x.id in out - {obj} for x in ast.walk(n.value)):
                for t in n.targets:
                    if isinstance(t, ast.Name) and t.id not in out:
                        out.add(t.id)
                        grew = True
    return out


def _freezes_any(info: ModuleInfo) -> bool:
    """Some `<x>.trainable = False` statement (what python_scopes.trainable_flags records as a freeze)."""
    return any(
        isinstance(a.value, ast.Constant)
        and a.value.value is False
        and any(isinstance(t, ast.Attribute) and t.attr == "trainable" for t in a.targets)
        for a in info.all_nodes(ast.Assign)
    )


def _runs_after(info: ModuleInfo, freeze: ast.Assign, call: ast.Call, key: tuple[int, str]) -> bool:
    """Does the training call run after the freeze?  Same function (or module level): later in the text.  A class's
    attribute: frozen in `__init__` (or a method only `__init__` calls), trained in another method.  A module name
    frozen at module level, trained in a function every use of which is a module-level call after the freeze."""
    f_fn = info.enclosing_function(freeze)
    c_fn = info.enclosing_function(call)
    if f_fn is c_fn:
        return (call.lineno, call.col_offset) > (freeze.lineno, freeze.col_offset)
    if key[1].startswith("self."):
        return f_fn is not None and c_fn is not None and _set_up_by_init(info, f_fn) and c_fn.name != "__init__"
    if f_fn is None and c_fn is not None:
        ff = info.facts(c_fn)
        if ff is None or ff.parent is not None or ff.cls is not None:
            return False
        uses = function_uses(info).get(c_fn.name, [])
        return bool(uses) and all(
            call_ is not None and root is info.tree and call_.lineno > freeze.lineno for call_, root in uses
        )
    return False


def _set_up_by_init(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`__init__`, or a method of the same class that only `__init__` calls (`self.build_gan()`)."""
    if fn.name == "__init__":
        return True
    ff = info.facts(fn)
    if ff is None or ff.cls is None:
        return False
    init = ff.cls.methods.get("__init__")
    if init is None:
        return False
    callers = [
        n
        for m in ff.cls.methods.values()
        for n in ast.walk(m)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == fn.name
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "self"
    ]
    return bool(callers) and all(info.enclosing_function(n) is init for n in callers)


def _finding(info: ModuleInfo, obj: str, freeze: ast.Assign, call: ast.Call) -> Finding:
    method = call.func.attr if isinstance(call.func, ast.Attribute) else "fit"
    msg = (
        f"`{obj}.trainable = False` (line {freeze.lineno}) is still in force when `{obj}.{method}` runs: Keras 3 reads "
        f"`trainable` at every training step (tf.keras 2 fixed it at `compile()`), so this trains none of `{obj}`'s "
        "weights, with only the warning `The model does not have any trainable weights`; set "
        f"`{obj}.trainable = True` before training it (and back to False before training the model that holds it), "
        "giving each compiled model its own optimizer (a Keras 3 optimizer serves only the variables it was built "
        "for), or train both with one custom `train_step`"
    )
    return Finding("TFG037", msg, info.span(call), None)
