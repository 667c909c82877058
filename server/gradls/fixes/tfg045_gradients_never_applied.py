"""TFG045: a loop's hand-written update `v = v - lr * g` / `v -= lr * g` that only rebinds the loop name becomes
`v.assign_sub(lr * g)`, which writes the model's variable.

The rule computed the edit (`LoopUpdateFix`); `_planned` checks that the source still holds what it replaces.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg045_gradients_never_applied import LoopUpdateFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: LoopUpdateFix) -> Fix | None:
    return planned_fix(source, data)
