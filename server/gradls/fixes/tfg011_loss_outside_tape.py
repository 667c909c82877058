"""TFG011: the statements computing the target, directly after the block, indented into it.

The rule computed the edits (`TargetInTapeFix`); `_planned` checks that the source still holds what they replace.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg011_loss_outside_tape import TargetInTapeFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: TargetInTapeFix) -> Fix | None:
    return planned_fix(source, data)
