"""TFG033: the Keras 3 loss-scale API: `opt.get_scaled_loss(loss)` -> `opt.scale_loss(loss)`, and
`opt.get_unscaled_gradients(grads)` -> `grads` where the gradients only go to `opt.apply_gradients` (Keras 3 unscales
them there).

The rule computed the edit (`ScaleLossFix`); `_planned` checks that the source still holds what it replaces.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg033_loss_scale_optimizer_keras2_method import ScaleLossFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: ScaleLossFix) -> Fix | None:
    return planned_fix(source, data)
