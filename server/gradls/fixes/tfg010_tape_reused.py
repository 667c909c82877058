"""TFG010: `persistent=True` in `tf.GradientTape(...)`, and `del tape` after the last use.

The rule computed the edits (`PersistentTapeFix`); `_planned` checks that the source still holds what they replace.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg010_tape_reused import PersistentTapeFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: PersistentTapeFix) -> Fix | None:
    return planned_fix(source, data)
