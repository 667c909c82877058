"""Findings -> text edits.

Fixes are built on demand (the editor asks for them; `gradls check --fix` applies them), so
the per-keystroke analysis never pays for libcst.
"""

from __future__ import annotations

from collections.abc import Iterable

from gradls.analysis.model import Edit, Finding, Fix, Span

# code -> builder(source, finding) -> Fix | None; filled by the fix modules below.
_BUILDERS: dict = {}


def register(code: str):
    def deco(fn):
        _BUILDERS[code] = fn
        return fn

    return deco


def fix_for(source: str, finding: Finding) -> Fix | None:
    """The fix for one finding, or None when gradls cannot rewrite it safely."""
    builder = _BUILDERS.get(finding.code)
    if builder is None or finding.fix_data is None:
        return None
    return builder(source, finding)


def _offset(line_starts: list[int], line: int, col: int) -> int:
    return line_starts[line - 1] + col


def line_starts_of(source: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(source):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; raises ValueError on overlap so no text is silently lost."""
    starts = line_starts_of(source)
    resolved = []
    for e in edits:
        s = _offset(starts, e.span.line, e.span.col)
        t = _offset(starts, e.span.end_line, e.span.end_col)
        resolved.append((s, t, e.new_text))
    resolved.sort(key=lambda r: (r[0], r[1]))
    out = []
    pos = 0
    for s, t, text in resolved:
        if s < pos:
            raise ValueError("overlapping edits")
        out.append(source[pos:s])
        out.append(text)
        pos = t
    out.append(source[pos:])
    return "".join(out)


def span_of_offsets(source: str, start: int, end: int) -> Span:
    starts = line_starts_of(source)
    import bisect

    def pos(off: int) -> tuple[int, int]:
        i = bisect.bisect_right(starts, off) - 1
        return i + 1, off - starts[i]

    (l1, c1), (l2, c2) = pos(start), pos(end)
    return Span(l1, c1, l2, c2)


def _load_builders() -> None:
    # Imported for their @register side effect.
    from gradls.fixes import (  # noqa: F401
        custom_gradient_variables,
        if_to_cond,
        keras_variable,
        numpy_to_tf,
        tape_fixes,
        tensor_leaves_graph,
        variable_in_step,
    )


_load_builders()
