"""TFG034: differentiate the stacked array: `tape.jacobian(ta, x)` -> `tape.jacobian(ta.stack(), x)`, offered only where
the tape records the call (after the `with` block a `stack()` is not recorded and the gradient would be None).

The rule computed the edit (`StackTargetFix`); `_planned` checks that the source still holds what it replaces.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg034_gradient_target_is_tensor_array import StackTargetFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: StackTargetFix) -> Fix | None:
    return planned_fix(source, data)
