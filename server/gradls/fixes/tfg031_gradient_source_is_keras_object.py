"""TFG031: differentiate with respect to the model's weights: `tape.gradient(loss, model)` ->
`tape.gradient(loss, model.trainable_variables)` (`model.layers` -> `model.trainable_variables`).

The rule computed the edit (`TrainableVariablesFix`); `_planned` checks that the source still holds what it replaces.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg031_gradient_source_is_keras_object import TrainableVariablesFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: TrainableVariablesFix) -> Fix | None:
    return planned_fix(source, data)
