"""Shared checks for fix-builder tests: run analysis, build fixes, check the edited text."""

from __future__ import annotations

import ast
import textwrap

from gradls.analysis.engine import analyze
from gradls.analysis.model import Finding, Fix, Span
from gradls.fixes import apply_edits, fix_for

IMPORT_TF = "import tensorflow as tf\n"


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def findings(source: str, code: str) -> list[Finding]:
    return [f for f in analyze(source).findings if f.code == code]


def only_finding(source: str, code: str) -> Finding:
    fs = findings(source, code)
    assert len(fs) == 1, f"expected one {code} finding, got {fs}"
    return fs[0]


def _inside(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.col) <= (inner.line, inner.col) and (inner.end_line, inner.end_col) <= (
        outer.end_line,
        outer.end_col,
    )


def check_fix(source: str, finding: Finding, fix: Fix, region: Span) -> str:
    """Apply `fix`; check it parses, stays inside `region` (plus an import insertion) and is idempotent."""
    assert fix is not None, f"no fix for {finding}"
    for e in fix.edits:
        if (
            e.new_text.strip().startswith("import tensorflow")
            and e.span.line == e.span.end_line
            and e.span.col == e.span.end_col
        ):
            continue  # the added import: a pure insertion
        assert _inside(e.span, region), f"edit {e} outside {region}"
    new = apply_edits(source, fix.edits)
    ast.parse(new)
    # Idempotent: analysing the result reports nothing fixable inside the rewritten text (an
    # enclosing call / statement is another finding) and fixing again changes nothing.
    regions = _new_regions(source, fix)
    for f in findings(new, finding.code):
        if not any(_inside(f.span, r) for r in regions):
            continue
        again = fix_for(new, f)
        assert again is None or apply_edits(new, again.edits) == new, f"fix not idempotent: {f} -> {again}"
    return new


def fix_and_check(source: str, code: str) -> tuple[Finding, Fix, str]:
    f = only_finding(source, code)
    fix = fix_for(source, f)
    assert fix is not None, f"no fix for {f}"
    region = next(getattr(f.fix_data, k) for k in ("call", "span", "function") if hasattr(f.fix_data, k))
    return f, fix, check_fix(source, f, fix, region)


def _new_regions(source: str, fix: Fix) -> list[Span]:
    """Where each edit's new text lies in the edited source."""
    from gradls.fixes import line_starts_of, span_of_offsets

    starts = line_starts_of(source)
    resolved = sorted(
        (starts[e.span.line - 1] + e.span.col, starts[e.span.end_line - 1] + e.span.end_col, e.new_text)
        for e in fix.edits
    )
    new = apply_edits(source, fix.edits)
    out, delta = [], 0
    for s, t, text in resolved:
        out.append(span_of_offsets(new, s + delta, s + delta + len(text)))
        delta += len(text) - (t - s)
    return out
