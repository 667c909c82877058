"""TFG035 keras-optimizer-minimize: `opt.minimize(loss, var_list)` on a Keras 3 optimizer, which has no
`minimize` (the tf.keras 2 / `tf.compat.v1.train` API): AttributeError."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.keras_facts import KerasFacts, Scope
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule


@rule(
    "TFG035",
    "keras-optimizer-minimize",
    "`opt.minimize(loss, var_list=...)` on a Keras 3 optimizer (`tf.keras.optimizers.*` in TF 2.21): Keras 3 "
    "optimizers have no `minimize`, so TensorFlow raises `AttributeError: 'Adam' object has no attribute "
    "'minimize'`; record the loss on a `tf.GradientTape` and call `opt.apply_gradients(...)`.",
)
def find_keras_optimizer_minimize(info: ModuleInfo) -> Iterator[Finding]:
    if ".minimize(" not in info.source:
        return
    if info.legacy_keras:
        return  # TF_USE_LEGACY_KERAS=1: `tf.keras` is Keras 2, whose optimizers have minimize
    kf = KerasFacts(info)
    for c in info.all_nodes(ast.Call):
        f = c.func
        if not isinstance(f, ast.Attribute) or f.attr != "minimize":
            continue
        scope = kf.scope_of(c)
        kf.own_nodes(scope)  # walks the scope: parents and bindings of its nodes
        cls_name = _keras3_optimizer(info, kf, f.value, scope, 0)
        if cls_name is None:
            continue
        msg = (
            f"`{info.text(f.value)}` is a Keras 3 optimizer, which has no `minimize` (that is the tf.keras 2 and "
            f"`tf.compat.v1.train` API): TensorFlow raises `AttributeError: '{cls_name}' object has no attribute "
            "'minimize'`; compute the loss under a `tf.GradientTape` and call "
            "`opt.apply_gradients(zip(tape.gradient(loss, var_list), var_list))`"
        )
        yield Finding("TFG035", msg, info.span(c), None)


def _keras3_optimizer(info: ModuleInfo, kf: KerasFacts, e: ast.AST, scope: Scope, depth: int) -> str | None:
    """The class name of the Keras 3 optimizer `e` is (as TensorFlow's message shows it), else None."""
    if depth > 6:
        return None
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or ""
        if info.imports.is_keras2(e.func) or ".legacy." in q or ".experimental." in q or ".schedules." in q:
            return None
        if q == "keras.mixed_precision.LossScaleOptimizer":
            return "LossScaleOptimizer"
        last = q[len("keras.optimizers.") :] if q.startswith("keras.optimizers.") else ""
        if last[:1].isupper() and "." not in last:
            return last
        return None
    if isinstance(e, ast.Name):
        b = kf.bindings(e.id, scope, e)
        if not b:
            return None
        names: set[str] = set()
        for x in b:
            if x.kind != "assign" or x.value is None:
                return None
            got = _keras3_optimizer(info, kf, x.value, kf.scope_of(x.stmt) if x.stmt else scope, depth + 1)
            if got is None:
                return None
            names.add(got)
        return names.pop() if len(names) == 1 else "Optimizer"
    if isinstance(e, ast.Attribute) and e.attr == "optimizer" and isinstance(e.value, ast.Name):
        # `self.optimizer` in a Keras 3 model's method: whatever compile() set, a Keras 3 optimizer.
        if e.value.id == "self":
            cls = _class_of(info, scope)
            if cls is not None and cls.keras_kind == "model" and not cls.keras2:
                return "Optimizer"
            return None
        if not info.keras2_program and kf.is_keras_object(e.value, scope):
            return "Optimizer"
    return None


def _class_of(info: ModuleInfo, scope: Scope):
    if isinstance(scope, ast.Module):
        return None
    ff = info.facts(scope)
    while ff is not None and ff.cls is None and ff.parent is not None:
        ff = info.facts(ff.parent)
    return ff.cls if ff is not None else None
