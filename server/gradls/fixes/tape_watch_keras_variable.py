"""TFG016: watch the tf.Variable behind a Keras 3 Variable: `tape.watch(v)` -> `tape.watch(v.value)`,
`tape.watch(model.trainable_variables)` (or `....trainable_variables.value`) -> `[w.value for w in ...]`.

The rule puts the edits in `fix_data["edits"]` as `[line, col, end_line, end_col, new_text, old_text]`;
the builder only checks that the source still holds `old_text` there.
"""

from __future__ import annotations

import re

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.fixes import register
from gradls.fixes._imports import offsets_of


def checked_edits(source: str, finding: Finding) -> list[Edit] | None:
    """The finding's replacement edits, or None when the source no longer holds the text they replace."""
    raw = (finding.fix_data or {}).get("edits")
    if not isinstance(raw, list) or not raw:
        return None
    edits = []
    for e in raw:
        if not isinstance(e, (list, tuple)) or len(e) != 6 or not all(isinstance(x, str) for x in e[4:]):
            return None
        try:
            span = Span(int(e[0]), int(e[1]), int(e[2]), int(e[3]))
        except (TypeError, ValueError):
            return None
        o = offsets_of(source, span)
        if o is None or re.sub(r"\r\n|\r", "\n", source[o[0] : o[1]]) != e[5]:
            return None  # the source changed since the analysis
        edits.append(Edit(span, e[4]))
    return edits


@register("TFG016")
def watch_value(source: str, finding: Finding) -> Fix | None:
    edits = checked_edits(source, finding)
    if edits is None:
        return None
    title = f"Watch `{edits[0].new_text}`"
    return Fix(title, tuple(edits), safe=bool((finding.fix_data or {}).get("safe", True)))
