"""TFG900: the unused codes (or the whole directive) removed from the suppression comment.

The rule computed the edits (`UnusedSuppressionFix`); `_planned` checks that the source still holds what they replace.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg900_unused_suppression import UnusedSuppressionFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: UnusedSuppressionFix) -> Fix | None:
    return planned_fix(source, data)
