"""Fixes for the GradientTape rules (TFG009-TFG013) and unused suppressions (TFG900).

The rules put the exact edits in `fix_data["edits"]` as `[line, col, end_line, end_col, new_text]`
(plus, for replacements, the text they expect to replace), computed from the same tree that produced
the finding; the builders here only check that the source still matches and adapt line endings.

    TFG009  `tape.watch(x)` at the top of the `with` block (after `x = ...` when x is made inside it);
            `w = w - lr * g` on a tf.Variable -> `w.assign_sub(lr * g)` (the variable stays a variable)
    TFG010  `persistent=True` in `tf.GradientTape(...)`, and `del tape` after the last use
    TFG011  the statements computing the target, directly after the block, indented into it
    TFG013  integer literals made float (`0` -> `0.0`); an explicit int dtype -> float32 (unsafe)
    TFG900  the unused codes (or the whole directive) removed from the suppression comment
"""

from __future__ import annotations

import re

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.fixes import line_starts_of, register
from gradls.fixes._imports import offsets_of

_TITLES = {
    "TFG009": "Watch `{name}` on `{tape}`",
    "TFG010": "Make `{tape}` persistent",
    "TFG011": "Compute the gradient target inside the `with {tape}:` block",
    "TFG013": "Make `{name}` floating point",
    "TFG900": "Remove unused suppression",
}


def _newline(source: str) -> str:
    m = re.search(r"\r\n|\r|\n", source)
    return m.group(0) if m else "\n"


def _edits_fix(source: str, finding: Finding) -> Fix | None:
    data = finding.fix_data or {}
    raw = data.get("edits")
    if not isinstance(raw, list) or not raw:
        return None
    nl = _newline(source)
    starts = line_starts_of(source)
    edits = []
    for e in raw:
        if not isinstance(e, (list, tuple)) or len(e) not in (5, 6):
            return None
        try:
            span = Span(int(e[0]), int(e[1]), int(e[2]), int(e[3]))
        except (TypeError, ValueError):
            return None
        new, old = e[4], (e[5] if len(e) == 6 else None)
        if not isinstance(new, str) or (old is not None and not isinstance(old, str)):
            return None
        if span.line > len(starts) or (span.line == span.end_line and span.col > span.end_col):
            return None
        o = offsets_of(source, span, starts)
        if o is None:
            return None
        current = source[o[0] : o[1]]
        if old is not None and re.sub(r"\r\n|\r", "\n", current) != old:
            return None  # the source changed since the analysis
        if old is None and o[1] > o[0]:
            # A replacement without expected text: only dtype/bool tokens, checked loosely.
            if not re.fullmatch(r"[\w.'\"]+", current):
                return None
        edits.append(Edit(span, new.replace("\n", nl) if nl != "\n" else new))
    title = data.get("title") if isinstance(data.get("title"), str) else None
    title = title or _TITLES.get(finding.code, "Fix {code}").format(
        code=finding.code, name=data.get("name", "it"), tape=data.get("tape", "tape")
    )
    return Fix(title=title, edits=tuple(edits), safe=bool(data.get("safe", True)))


@register("TFG009")
def watch_tensor(source: str, finding: Finding) -> Fix | None:
    return _edits_fix(source, finding)


@register("TFG010")
def persistent_tape(source: str, finding: Finding) -> Fix | None:
    return _edits_fix(source, finding)


@register("TFG011")
def move_into_tape(source: str, finding: Finding) -> Fix | None:
    return _edits_fix(source, finding)


@register("TFG013")
def float_source(source: str, finding: Finding) -> Fix | None:
    return _edits_fix(source, finding)


@register("TFG900")
def remove_unused_suppression(source: str, finding: Finding) -> Fix | None:
    return _edits_fix(source, finding)
