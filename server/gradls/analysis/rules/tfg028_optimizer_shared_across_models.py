"""TFG028 optimizer-shared-across-models: one Keras optimizer instance applies gradients to the variables of two
different models; it is built for the first set and refuses the second."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast

from gradls.analysis.flow import Flow
from gradls.analysis.keras_facts import LOADED_MODELS, KerasFacts
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.optimizers import keras3_optimizer_class
from gradls.analysis.python_scopes import (
    ObjectKey,
    attribute_calls,
    calls_on_objects,
    in_loop,
    object_key,
    trainable_flags,
)
from gradls.analysis.rules import rule

_VARIABLE_LISTS = {"trainable_variables", "trainable_weights"}


@dataclass(frozen=True)
class _Apply:
    """`optimizer` applies gradients to `model`'s variables at `site` (the apply call, or the call of the helper
    that does it with the two as arguments)."""

    optimizer: str
    model: str
    site: ast.AST
    inner: ast.AST | None = None  # the apply call inside the helper, when `site` is a call of the helper


@rule(
    "TFG028",
    "optimizer-shared-across-models",
    "A Keras optimizer builds its state for the variables of its first `apply_gradients`/`minimize`: applying the "
    "same instance to another model's variables raises `ValueError: Unknown variable ... This optimizer can only be "
    "called for the variables it was originally built with` (Keras 2's current optimizers: `KeyError`). Also one "
    "instance given to two models' `compile()`, both trained with `fit` / `train_on_batch`.",
)
def find_optimizer_shared_across_models(info: ModuleInfo) -> Iterator[Finding]:
    yield from _shared_by_apply(info)
    yield from _shared_by_compile(info)


def _shared_by_apply(info: ModuleInfo) -> Iterator[Finding]:
    if "apply_gradients" not in info.source and "minimize" not in info.source:
        return
    optimizers = _module_bindings(info, _is_optimizer_ctor)
    # `opt.build(variables)` builds it for every variable it is given: applying it to any of them runs.
    for n in info.all_nodes(ast.Call):
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr == "build" and isinstance(f.value, ast.Name):
            optimizers.pop(f.value.id, None)
    if not optimizers:
        return
    models: dict[str, ast.AST] = dict(_module_bindings(info, _is_model_ctor))
    models.update(_model_attributes(info))
    if len(models) < 2:
        return
    first: dict[str, str] = {}
    first_site: dict[str, ast.AST] = {}
    reported: set[int] = set()
    for a in sorted(
        _applications(info, Flow(info)), key=lambda a: (getattr(a.site, "lineno", 0), getattr(a.site, "col_offset", 0))
    ):
        if a.optimizer not in optimizers or a.model not in models:
            continue
        built_for = first.setdefault(a.optimizer, a.model)
        first_site.setdefault(a.optimizer, a.site)
        if built_for == a.model or models[built_for] is models[a.model]:
            continue
        # One call of a helper that applies the optimizer to two models: the helper's second apply is the place.
        site = a.inner if a.inner is not None and first_site[a.optimizer] is a.site else a.site
        if id(site) in reported or id(a.site) in reported:
            continue  # TensorFlow stops at the first: one finding per call
        reported.update((id(site), id(a.site)))
        msg = (
            f"`{a.optimizer}` already applied gradients to `{built_for}`'s variables, so it was built for them: "
            f"applying it to `{a.model}`'s variables raises `ValueError: Unknown variable: ... This optimizer can "
            f"only be called for the variables it was originally built with` (Keras 2: `KeyError: 'The optimizer "
            f"cannot recognize variable ...'`); give each model its own optimizer instance"
        )
        yield Finding("TFG028", msg, info.span(site), None)


def _is_optimizer_ctor(info: ModuleInfo, call: ast.Call) -> bool:
    q = info.imports.qualname(call.func) or ""
    # Legacy (optimizer_v2 / tf.compat.v1) optimizers create their slots per variable on demand: no such limit.
    return q.startswith("keras.optimizers.") and ".legacy." not in q and ".schedules." not in q


def _is_model_ctor(info: ModuleInfo, call: ast.Call) -> bool:
    # A model loaded from disk (or cloned) has variables of its own, which the optimizer was not built for.
    return info.object_kind(call) == "layer" or info.imports.qualname(call.func) in LOADED_MODELS


def _module_bindings(info: ModuleInfo, wanted: Callable[[ModuleInfo, ast.Call], bool]) -> dict[str, ast.Call]:
    """Module-level names bound exactly once, to a call `wanted` accepts."""
    seen: dict[str, list[ast.AST]] = {}
    for s in info.tree.body:
        if isinstance(s, ast.Assign):
            for t in s.targets:
                if isinstance(t, ast.Name):
                    seen.setdefault(t.id, []).append(s.value)
    out: dict[str, ast.Call] = {}
    for name, values in seen.items():
        if len(values) == 1 and isinstance(values[0], ast.Call) and wanted(info, values[0]):
            out[name] = values[0]
    return out


def _model_attributes(info: ModuleInfo) -> dict[str, ast.AST]:
    """`holder.attr` -> the layer/model call bound to it, for a module-level name bound once to an instance of a
    module class (a plain one too) whose methods bind `self.attr` exactly once, to a Keras layer or model
    (`network_model = NetworkModel()`, `self.dynamics_function = keras.Sequential(...)`)."""
    out: dict[str, ast.AST] = {}
    for holder, call in _module_bindings(
        info, lambda i, c: isinstance(c.func, ast.Name) and c.func.id in i.classes
    ).items():
        assert isinstance(call.func, ast.Name)
        cls = info.classes[call.func.id]
        bound: dict[str, list[ast.AST]] = {}
        for n in ast.walk(cls.node):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                        bound.setdefault(t.attr, []).append(n.value)
        for attr, values in bound.items():
            if len(values) == 1 and isinstance(values[0], ast.Call) and _is_model_ctor(info, values[0]):
                out[f"{holder}.{attr}"] = values[0]
    return out


def _variables_of(e: ast.AST | None, flow: Flow | None = None, at: ast.AST | None = None) -> tuple[str, str] | None:
    """(base name, attribute path) of the model in `model.trainable_variables` (or `trainable_weights`):
    `("model", "")`, `("network_model", ".dynamics_function")`; also through a name bound to that list
    (`vars = model.trainable_variables` ... `zip(grads, vars)`), by the one binding that reaches `at`."""
    if isinstance(e, ast.Name) and flow is not None and at is not None:
        sc = flow.scope_of(at)
        reaching = sc.reaching_defs(e.id, at)
        line = at.lineno if isinstance(at, ast.expr) else 0
        conds = {id(c) for c in sc.cond_ancestors(at)}
        live = [
            (st, v)
            for st, v in reaching
            if not any(
                st.lineno < st2.lineno < line
                and all(id(c) in conds for c in sc.cond_ancestors(st2))
                and not sc.contains(st2, at)
                for st2, _ in sc.defs.get(e.id, ())
            )
        ]
        if len(live) == 1 and isinstance(live[0][0], ast.Assign):
            return _variables_of(live[0][1])
        return None
    if isinstance(e, ast.Attribute) and e.attr in _VARIABLE_LISTS:
        path = ""
        m = e.value
        while isinstance(m, ast.Attribute):
            path = f".{m.attr}{path}"
            m = m.value
        if isinstance(m, ast.Name) and path.count(".") <= 1:
            return m.id, path
    return None


def _applied(call: ast.Call, flow: Flow) -> tuple[ast.AST, tuple[str, str]] | None:
    """(optimizer expression, model (base name, attribute path)) of `opt.apply_gradients(zip(g,
    model.trainable_variables))` or `opt.minimize(loss, model.trainable_variables)`."""
    f = call.func
    if not isinstance(f, ast.Attribute):
        return None
    model = None
    if f.attr == "apply_gradients" and call.args:
        pairs = call.args[0]
        if isinstance(pairs, ast.Call) and isinstance(pairs.func, ast.Name) and pairs.func.id == "zip":
            if len(pairs.args) == 2:
                model = _variables_of(pairs.args[1], flow, call)
    elif f.attr == "minimize":
        var_list = (
            call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "var_list"), None)
        )
        model = _variables_of(var_list, flow, call)
    return (f.value, model) if model is not None else None


def _applications(info: ModuleInfo, flow: Flow) -> Iterator[_Apply]:
    """Every place an optimizer is applied to a model's variables, with both as module-level names (the model
    possibly an attribute of one): directly, or through a helper whose parameters they are, at each call of the
    helper."""
    helpers: dict[
        str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, list[tuple[str | None, str | None, str, ast.Call]]]
    ] = {}
    for n in ast.walk(info.tree):
        if not isinstance(n, ast.Call):
            continue
        got = _applied(n, flow)
        if got is None:
            continue
        opt, (model, path) = got
        if not isinstance(opt, ast.Name):
            continue
        fn = info.enclosing_function(n)
        params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)] if fn is not None else []
        if opt.id in params or model in params:
            assert fn is not None
            entry = helpers.setdefault(fn.name, (fn, []))
            entry[1].append(
                (
                    opt.id if opt.id in params else f"={opt.id}",
                    model if model in params else f"={model}",
                    path,
                    n,
                )
            )
        else:
            yield _Apply(opt.id, model + path, n)
    if not helpers:
        return
    for n in ast.walk(info.tree):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        if name not in helpers:
            continue
        fn, uses = helpers[name]
        params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
        if isinstance(f, ast.Attribute) and params[:1] in (["self"], ["cls"]):
            params = params[1:]
        for opt_p, model_p, path, inner in uses:
            opt_name = _argument(n, params, opt_p)
            model_name = _argument(n, params, model_p)
            if opt_name is not None and model_name is not None:
                yield _Apply(opt_name, model_name + path, n, inner)


def _argument(call: ast.Call, params: list[str], p: str | None) -> str | None:
    """The module-level name a call passes for parameter `p` (`=name`: the helper reads that global itself)."""
    if p is None:
        return None
    if p.startswith("="):
        return p[1:]
    arg = next((k.value for k in call.keywords if k.arg == p), None)
    if arg is None and p in params and params.index(p) < len(call.args):
        arg = call.args[params.index(p)]
    return arg.id if isinstance(arg, ast.Name) else None


_TRAIN_METHODS = frozenset({"fit", "train_on_batch"})
_COMPILE = frozenset({"compile"})


def _shared_by_compile(info: ModuleInfo) -> Iterator[Finding]:
    """One optimizer object given to the `compile()` of two models that are both trained (`fit`, `train_on_batch`):
    the first model trained builds it, the other's first step raises (the Keras 2 GAN recipe's single `optimizer`)."""
    src = info.source
    if ".compile(" not in src or not any(f".{m}(" in src for m in _TRAIN_METHODS) or info.keras2_program:
        return
    # Two models compiled with one optimizer named by a name or an attribute, both trained: two such compile calls
    # and two training calls, seen in the syntax before any object is named (a library's docstrings pass the text
    # test above; naming the objects builds the whole tree's parents).
    named = [c for c in attribute_calls(info, _COMPILE) if isinstance(_optimizer_arg(c), (ast.Name, ast.Attribute))]
    if len(named) < 2 or len(attribute_calls(info, _TRAIN_METHODS)) < 2:
        return
    flags = trainable_flags(info)
    if flags.unknown_frozen or flags.unknown_unfrozen:
        return  # an object it cannot name is frozen or unfrozen: which models train is open
    kf = KerasFacts(info)
    trained = calls_on_objects(info, _TRAIN_METHODS)
    compiled: dict[ObjectKey, list[ObjectKey]] = {}  # optimizer -> the models whose compile() it was given to
    for model, calls in calls_on_objects(info, _COMPILE).items():
        for c in calls:
            opt = _optimizer_arg(c)
            if opt is None or isinstance(opt, ast.Call) or not _one_instance(info, kf, opt):
                continue
            okey = object_key(info, opt)
            if okey is not None:
                compiled.setdefault(okey, []).append(model)
    for okey, models in compiled.items():
        both = {m for m in models if trained.get(m) and not flags.frozen_for_good(m)}
        if len(both) < 2:
            continue
        runs = sorted(((c, m) for m in both for c in trained[m]), key=lambda cm: (cm[0].lineno, cm[0].col_offset))
        first = runs[0][1]
        other = next(c for c, m in runs if m != first)
        yield Finding("TFG028", _compile_message(okey[1], first[1], other), info.span(other), None)


def _optimizer_arg(compile_call: ast.Call) -> ast.expr | None:
    c = compile_call
    return next((k.value for k in c.keywords if k.arg == "optimizer"), c.args[0] if c.args else None)


def _one_instance(info: ModuleInfo, kf: KerasFacts, opt: ast.AST) -> bool:
    """`opt` names one Keras 3 optimizer object: bound once, outside any loop, to its constructor."""
    if keras3_optimizer_class(info, kf, opt, kf.scope_of(opt)) is None:
        return False
    if isinstance(opt, ast.Name):
        found = kf.bindings(opt.id, kf.scope_of(opt), opt)
        return (
            found is not None
            and len(found) == 1
            and found[0].kind == "assign"
            and not (found[0].stmt is not None and in_loop(info, found[0].stmt))
        )
    return isinstance(opt, ast.Attribute)


def _compile_message(opt: str, first: str, call: ast.Call) -> str:
    model = ast.unparse(cast(ast.Attribute, call.func).value)
    method = cast(ast.Attribute, call.func).attr
    return (
        f"`{opt}` is the optimizer of both `{first}.compile()` and `{model}.compile()`: training `{first}` builds it "
        f"for `{first}`'s variables, so `{model}.{method}` raises `ValueError: Unknown variable: ... This optimizer "
        "can only be called for the variables it was originally built with`; give each compiled model its own "
        "optimizer instance"
    )
