"""Which expressions are Keras 3 optimizers: the shared answer for rules about the optimizer API that Keras 3 dropped
(`minimize`, `get_scaled_loss`, `get_unscaled_gradients`).

In TF 2.21 `tf.keras` is Keras 3 (unless `TF_USE_LEGACY_KERAS=1`); `tf_keras`, `keras.optimizers.legacy` and
`tf.compat.v1.train` optimizers keep the tf.keras 2 API, so they are never answered for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import arguments_for, call_index, passed_argument
from gradls.analysis.keras_facts import KerasFacts, Scope
from gradls.analysis.module import ClassFacts, ModuleInfo

# The class TF's messages name when only "some Keras 3 optimizer" is known (`self.optimizer` set by compile()).
UNKNOWN_CLASS = "Optimizer"
_MAX_DEPTH = 6


def keras3_optimizer_method_calls(
    info: ModuleInfo, kf: KerasFacts, methods: frozenset[str] | tuple[str, ...]
) -> Iterator[tuple[ast.Call, ast.Attribute, str, Scope]]:
    """Every `<opt>.<method>(...)` call with `method` in `methods` whose receiver is a Keras 3 optimizer: (the call,
    its `opt.method` attribute, the optimizer's class, the scope of the call)."""
    for c in info.all_nodes(ast.Call):
        f = c.func
        if not isinstance(f, ast.Attribute) or f.attr not in methods:
            continue
        scope = kf.scope_of(c)
        kf.own_nodes(scope)  # walks the scope: parents and bindings of its nodes
        cls = keras3_optimizer_class(info, kf, f.value, scope)
        if cls is not None:
            yield c, f, cls, scope


def keras3_optimizer_class(info: ModuleInfo, kf: KerasFacts, e: ast.AST, scope: Scope) -> str | None:
    """The class of the Keras 3 optimizer `e` is on every path (`"Adam"`, `"LossScaleOptimizer"`; `UNKNOWN_CLASS`
    when it is one but which is open), else None.  Followed: a constructor call, a name every binding of which is
    one, a parameter of a module function every call fills with one, a parameter of a module class's `__init__`
    every construction of the class fills with one, `self.<attr>` every assignment of which in the class is one,
    and `self.optimizer` / `model.optimizer` of a Keras 3 model (whatever `compile()` set)."""
    return _optimizer(info, kf, e, scope, 0)


def _optimizer(info: ModuleInfo, kf: KerasFacts, e: ast.AST, scope: Scope, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(e, ast.Call):
        return _constructed(info, e)
    if isinstance(e, ast.Name):
        bindings = kf.bindings(e.id, scope, e)
        if not bindings:
            return None
        found: list[str | None] = []
        for b in bindings:
            if b.kind == "assign" and b.value is not None:
                found.append(_optimizer(info, kf, b.value, kf.scope_of(b.stmt) if b.stmt else scope, depth + 1))
            elif b.kind == "opaque" and isinstance(b.stmt, ast.arg):
                found.append(_parameter(info, kf, b.stmt, depth))
            else:
                return None
        return _one(found)
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name):
        if e.attr == "optimizer":
            if e.value.id == "self":
                cls = class_of(info, scope)
                if cls is not None and cls.keras_kind == "model":
                    return None if cls.keras2 else UNKNOWN_CLASS
                # Outside a Keras model, `optimizer` is an ordinary attribute: what the class assigns to it.
                return _self_attribute(info, kf, e.attr, scope, depth)
            if not info.keras2_program and kf.is_keras_object(e.value, scope):
                return UNKNOWN_CLASS
            return None
        if e.value.id == "self":
            return _self_attribute(info, kf, e.attr, scope, depth)
    return None


def _constructed(info: ModuleInfo, call: ast.Call) -> str | None:
    q = info.imports.qualname(call.func) or ""
    if info.imports.is_keras2(call.func) or any(p in q for p in (".legacy.", ".experimental.", ".schedules.")):
        return None
    if q == "keras.mixed_precision.LossScaleOptimizer":
        return "LossScaleOptimizer"
    last = q[len("keras.optimizers.") :] if q.startswith("keras.optimizers.") else ""
    return last if last[:1].isupper() and "." not in last else None


def _parameter(info: ModuleInfo, kf: KerasFacts, param: ast.arg, depth: int) -> str | None:
    passed = arguments_for(info, param)
    if passed is None:
        passed = _constructor_arguments(info, param)
    if not passed:
        return None
    return _one([_optimizer(info, kf, arg, kf.scope_of(call), depth + 1) for call, arg in passed])


def _constructor_arguments(info: ModuleInfo, param: ast.arg) -> list[tuple[ast.Call, ast.AST]] | None:
    """For a parameter of a module-level class's `__init__`: (construction, the argument it passes there) for every
    `Cls(...)` of the module.  None when the class name is used other than as the callee of those calls (a base of
    another class, a factory handed on, an alias: whoever else constructs it is not seen) or a construction leaves
    the parameter to its default or passes it through `*args`/`**kwargs`."""
    cls = next(
        (
            c
            for c in info.classes.values()
            if c.node in info.tree.body
            and (init := c.methods.get("__init__")) is not None
            and any(a is param for a in ([*init.args.posonlyargs, *init.args.args][1:] + init.args.kwonlyargs))
        ),
        None,
    )
    if cls is None:
        return None
    name = cls.node.name
    sites = call_index(info).by_name.get(name, [])
    loads = sum(1 for n in info.all_nodes(ast.Name) if n.id == name and isinstance(n.ctx, ast.Load))
    if not sites or loads != len(sites):
        return None
    init = cls.methods["__init__"]
    positional = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]
    out: list[tuple[ast.Call, ast.AST]] = []
    for site in sites:
        arg = passed_argument(site, positional, param.arg)
        if arg is None:
            return None
        out.append((site, arg))
    return out


def _self_attribute(info: ModuleInfo, kf: KerasFacts, attr: str, scope: Scope, depth: int) -> str | None:
    cls = class_of(info, scope)
    if cls is None or cls.keras2:
        return None
    values = [
        a.value
        for fn in cls.methods.values()
        for a in ast.walk(fn)
        if isinstance(a, ast.Assign)
        and any(
            isinstance(t, ast.Attribute) and t.attr == attr and isinstance(t.value, ast.Name) and t.value.id == "self"
            for t in a.targets
        )
    ]
    if not values:
        return None
    return _one([_optimizer(info, kf, v, kf.scope_of(v), depth + 1) for v in values])


def _one(found: list[str | None]) -> str | None:
    """Every path a Keras 3 optimizer: its class when all agree, else `UNKNOWN_CLASS`."""
    if not found or any(c is None for c in found):
        return None
    classes = set(found)
    return classes.pop() if len(classes) == 1 else UNKNOWN_CLASS


def class_of(info: ModuleInfo, scope: Scope) -> ClassFacts | None:
    """The class whose method (or a function nested in one) `scope` is."""
    if isinstance(scope, ast.Module):
        return None
    ff = info.facts(scope)
    while ff is not None and ff.cls is None and ff.parent is not None:
        ff = info.facts(ff.parent)
    return ff.cls if ff is not None else None
