"""TFG035 keras-optimizer-minimize: `opt.minimize(loss, var_list)` on a Keras 3 optimizer, which has no
`minimize` (the tf.keras 2 / `tf.compat.v1.train` API): AttributeError."""

from __future__ import annotations

from collections.abc import Iterator

from gradls.analysis.keras_facts import KerasFacts
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.optimizers import keras3_optimizer_method_calls
from gradls.analysis.rules import rule

# Keras 3 optimizers compute no gradients: `apply_gradients` / `apply` take them (measured, Keras 3.15.1).
# `get_updates(params, constraints, loss)` / `get_updates(loss=..., params=...)` is the standalone Keras 2 /
# tf.keras 2.0 update-op builder (DDPG actors, A3C): gone from Keras 3 too (AttributeError, measured).
_METHODS = frozenset({"minimize", "get_gradients", "compute_gradients", "get_updates"})


@rule(
    "TFG035",
    "keras-optimizer-minimize",
    "`opt.minimize(loss, var_list=...)` on a Keras 3 optimizer (`tf.keras.optimizers.*` in TF 2.21): Keras 3 "
    "optimizers have no `minimize`, so TensorFlow raises `AttributeError: 'Adam' object has no attribute "
    "'minimize'`; record the loss on a `tf.GradientTape` and call `opt.apply_gradients(...)`. Also "
    "`get_gradients` / `compute_gradients` / `get_updates`, the other tf.keras 2 / Keras 2 / "
    "`tf.compat.v1.train` gradient methods.",
)
def find_keras_optimizer_minimize(info: ModuleInfo) -> Iterator[Finding]:
    if not any(f".{m}(" in info.source for m in _METHODS):
        return
    if info.legacy_keras:
        return  # TF_USE_LEGACY_KERAS=1: `tf.keras` is Keras 2, whose optimizers have minimize
    kf = KerasFacts(info)
    for c, f, cls_name, _scope in keras3_optimizer_method_calls(info, kf, _METHODS):
        msg = (
            f"`{info.text(f.value)}` is a Keras 3 optimizer, which has no `{f.attr}` (that is the tf.keras 2 and "
            f"`tf.compat.v1.train` API): TensorFlow raises `AttributeError: '{cls_name}' object has no attribute "
            f"'{f.attr}'`; compute the loss under a `tf.GradientTape` and "
            + (
                "call `opt.apply_gradients(zip(tape.gradient(loss, var_list), var_list))`"
                if f.attr in ("minimize", "get_updates")
                else "take `tape.gradient(loss, var_list)`"
            )
        )
        yield Finding("TFG035", msg, info.span(c), None)
