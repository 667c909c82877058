"""TFG009: `tape.watch(x)` at the top of the `with` block (after `x = ...` when x is made inside
it); `w = w - lr * g` on a tf.Variable -> `w.assign_sub(lr * g)` (the variable stays a variable).

The rule computed the edits (`UnwatchedTensorFix`); `_planned` checks that the source still holds what they replace.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg009_unwatched_tensor import UnwatchedTensorFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: UnwatchedTensorFix) -> Fix | None:
    return planned_fix(source, data)
