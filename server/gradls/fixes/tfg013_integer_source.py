"""TFG013: integer literals made float (`0` -> `0.0`); an explicit int dtype -> float32 (unsafe).

The rule computed the edits (`FloatSourceFix`); `_planned` checks that the source still holds what they replace.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg013_integer_source import FloatSourceFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: FloatSourceFix) -> Fix | None:
    return planned_fix(source, data)
