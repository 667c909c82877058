"""TFG017: `model.variables` / `model.weights` as gradient sources -> `model.trainable_variables` /
`model.trainable_weights` (only the attribute name is replaced, after checking it is still there)."""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg017_non_trainable_gradient_source import TrainableVariablesFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: TrainableVariablesFix) -> Fix | None:
    return planned_fix(source, data)
