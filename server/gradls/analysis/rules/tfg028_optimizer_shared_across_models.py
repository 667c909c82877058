"""TFG028 optimizer-shared-across-models: one Keras optimizer instance applies gradients to the variables of two
different models; it is built for the first set and refuses the second."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule

_VARIABLE_LISTS = {"trainable_variables", "trainable_weights"}


@dataclass(frozen=True)
class _Apply:
    """`optimizer` applies gradients to `model`'s variables at `site` (the apply call, or the call of the helper
    that does it with the two as arguments)."""

    optimizer: str
    model: str
    site: ast.AST


@rule(
    "TFG028",
    "optimizer-shared-across-models",
    "A Keras optimizer builds its state for the variables of its first `apply_gradients`/`minimize`: applying the "
    "same instance to another model's variables raises `ValueError: Unknown variable ... This optimizer can only be "
    "called for the variables it was originally built with` (Keras 2's current optimizers: `KeyError`).",
)
def find_optimizer_shared_across_models(info: ModuleInfo) -> Iterator[Finding]:
    if "apply_gradients" not in info.source and "minimize" not in info.source:
        return
    optimizers = _module_bindings(info, _is_optimizer_ctor)
    models = _module_bindings(info, _is_model_ctor)
    if not optimizers or len(models) < 2:
        return
    first: dict[str, str] = {}
    for a in sorted(
        _applications(info), key=lambda a: (getattr(a.site, "lineno", 0), getattr(a.site, "col_offset", 0))
    ):
        if a.optimizer not in optimizers or a.model not in models:
            continue
        built_for = first.setdefault(a.optimizer, a.model)
        if built_for == a.model or models[built_for] is models[a.model]:
            continue
        msg = (
            f"`{a.optimizer}` already applied gradients to `{built_for}`'s variables, so it was built for them: "
            f"applying it to `{a.model}`'s variables raises `ValueError: Unknown variable: ... This optimizer can "
            f"only be called for the variables it was originally built with` (Keras 2: `KeyError: 'The optimizer "
            f"cannot recognize variable ...'`); give each model its own optimizer instance"
        )
        yield Finding("TFG028", msg, info.span(a.site), None)


def _is_optimizer_ctor(info: ModuleInfo, call: ast.Call) -> bool:
    q = info.imports.qualname(call.func) or ""
    # Legacy (optimizer_v2 / tf.compat.v1) optimizers create their slots per variable on demand: no such limit.
    return q.startswith("keras.optimizers.") and ".legacy." not in q and ".schedules." not in q


def _is_model_ctor(info: ModuleInfo, call: ast.Call) -> bool:
    return info.object_kind(call) == "layer"


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


def _variables_of(e: ast.AST | None) -> ast.AST | None:
    """`model` of `model.trainable_variables` (or `trainable_weights`)."""
    if isinstance(e, ast.Attribute) and e.attr in _VARIABLE_LISTS:
        return e.value
    return None


def _applied(call: ast.Call) -> tuple[ast.AST, ast.AST] | None:
    """(optimizer expression, model expression) of `opt.apply_gradients(zip(g, model.trainable_variables))` or
    `opt.minimize(loss, model.trainable_variables)`."""
    f = call.func
    if not isinstance(f, ast.Attribute):
        return None
    model = None
    if f.attr == "apply_gradients" and call.args:
        pairs = call.args[0]
        if isinstance(pairs, ast.Call) and isinstance(pairs.func, ast.Name) and pairs.func.id == "zip":
            if len(pairs.args) == 2:
                model = _variables_of(pairs.args[1])
    elif f.attr == "minimize":
        var_list = (
            call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "var_list"), None)
        )
        model = _variables_of(var_list)
    return (f.value, model) if model is not None else None


def _applications(info: ModuleInfo) -> Iterator[_Apply]:
    """Every place an optimizer is applied to a model's variables, with both as module-level names: directly, or
    through a helper whose parameters they are, at each call of the helper."""
    helpers: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, list[tuple[str | None, str | None]]]] = {}
    for n in ast.walk(info.tree):
        if not isinstance(n, ast.Call):
            continue
        got = _applied(n)
        if got is None:
            continue
        opt, model = got
        if not isinstance(opt, ast.Name) or not isinstance(model, ast.Name):
            continue
        fn = info.enclosing_function(n)
        params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)] if fn is not None else []
        if opt.id in params or model.id in params:
            assert fn is not None
            entry = helpers.setdefault(fn.name, (fn, []))
            entry[1].append((opt.id if opt.id in params else None, model.id if model.id in params else None))
            if opt.id not in params:
                entry[1][-1] = (f"={opt.id}", entry[1][-1][1])
            if model.id not in params:
                entry[1][-1] = (entry[1][-1][0], f"={model.id}")
        else:
            yield _Apply(opt.id, model.id, n)
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
        for opt_p, model_p in uses:
            opt_name = _argument(n, params, opt_p)
            model_name = _argument(n, params, model_p)
            if opt_name is not None and model_name is not None:
                yield _Apply(opt_name, model_name, n)


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
