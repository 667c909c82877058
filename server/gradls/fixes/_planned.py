"""Fixes whose rule computed the edits itself (`PlannedEdits`): TFG009-TFG011, TFG013, TFG015-TFG017, TFG900.

The rules compute the exact edits from the same tree that produced the finding, with the text each replacement
expects to replace; the builders only check that the source still holds it and adapt line endings.
"""

from __future__ import annotations

import re

from gradls.analysis.model import Edit, Fix, PlannedEdit, PlannedEdits
from gradls.fixes import line_starts_of
from gradls.fixes._imports import offsets_of

_EOL = re.compile(r"\r\n|\r")


def _newline(source: str) -> str:
    m = re.search(r"\r\n|\r|\n", source)
    return m.group(0) if m else "\n"


def checked_edits(source: str, planned: tuple[PlannedEdit, ...]) -> list[Edit] | None:
    """The planned edits as Edits, or None when the source changed since the analysis."""
    if not planned:
        return None
    nl = _newline(source)
    starts = line_starts_of(source)
    edits = []
    for e in planned:
        o = offsets_of(source, e.span, starts)
        if o is None:
            return None
        current = source[o[0] : o[1]]
        if e.old_text is not None and _EOL.sub("\n", current) != e.old_text:
            return None  # the source changed since the analysis
        if e.old_text is None and o[1] > o[0] and not re.fullmatch(r"[\w.'\"]+", current):
            return None  # a replacement without expected text: only dtype/bool tokens, checked loosely
        edits.append(Edit(e.span, e.new_text.replace("\n", nl) if nl != "\n" else e.new_text))
    return edits


def planned_fix(source: str, data: PlannedEdits) -> Fix | None:
    """The rule's own fix, when the source still holds what its edits replace."""
    edits = checked_edits(source, data.edits)
    return None if edits is None else Fix(data.title, tuple(edits), data.safe)
