"""TFG033 loss-scale-optimizer-keras2-method: `LossScaleOptimizer.get_scaled_loss` / `get_unscaled_gradients`
(tf.keras 2 API) under Keras 3 raise AttributeError."""

from __future__ import annotations

from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule


@rule(
    "TFG033",
    "loss-scale-optimizer-keras2-method",
    "`opt.get_scaled_loss(loss)` / `opt.get_unscaled_gradients(grads)` on a Keras 3 `LossScaleOptimizer`: "
    "`AttributeError: 'LossScaleOptimizer' object has no attribute 'get_scaled_loss'`; use `opt.scale_loss(loss)`.",
)
def find_loss_scale_optimizer_keras2_method(info: ModuleInfo) -> Iterator[Finding]:
    return iter(())
