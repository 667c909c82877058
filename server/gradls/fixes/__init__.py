"""Findings -> text edits.

Fixes are built on demand (the editor asks for them; `gradls check --fix` applies them), so
the per-keystroke analysis never pays for libcst.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gradls.analysis.model import Edit, Finding, Fix, ParseFailure, Span

# code -> builder(source, finding) -> Fix | None; filled by the fix modules below.
FixBuilder = Callable[[str, Finding], "Fix | None"]
_BUILDERS: dict[str, FixBuilder] = {}


def register(code: str) -> Callable[[FixBuilder], FixBuilder]:
    def deco(fn: FixBuilder) -> FixBuilder:
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


@dataclass
class FixAllResult:
    text: str
    applied: int = 0  # fixes applied; each removed a finding present at that moment
    remaining: list[Finding] = field(default_factory=list)  # the findings of `text`
    failure: ParseFailure | None = None  # `text` (the original) could not be analysed


def fix_all(
    source: str,
    analyse: Callable[[str], tuple[list[Finding], ParseFailure | None]],
    *,
    max_rounds: int = 500,
) -> FixAllResult:
    """Apply safe fixes one at a time, re-analysing after each, until none is left (a fixpoint).

    A fix can uncover a finding the first analysis could not see (`np.mean(np.square(t))`: the
    outer call is on a tensor only once the inner one is `tf.square`), so the result says what was
    really applied and what remains, not what was fixable at the start. A fix that would make the
    text stop parsing, or bring back a text already seen (two fixes undoing each other), is skipped;
    `max_rounds` bounds a builder that keeps rewriting its own output.
    """
    text = source
    findings, failure = analyse(text)
    if failure is not None:
        return FixAllResult(source, 0, [], failure)
    seen = {hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()}
    applied = 0
    for _ in range(max_rounds):
        new_text = None
        for finding in findings:
            candidate = _safe_rewrite(text, finding)
            if candidate is None:
                continue
            digest = hashlib.sha1(candidate.encode("utf-8", "surrogatepass")).digest()
            if digest in seen:
                continue
            new_findings, new_failure = analyse(candidate)
            if new_failure is not None:
                continue
            seen.add(digest)
            new_text, findings = candidate, new_findings
            break  # the other findings' positions are stale now
        if new_text is None:
            break
        text = new_text
        applied += 1
    return FixAllResult(text, applied, list(findings))


def _safe_rewrite(text: str, finding: Finding) -> str | None:
    fix = fix_for(text, finding)
    if fix is None or not fix.safe:
        return None
    try:
        new = apply_edits(text, fix.edits)
    except ValueError:
        return None
    if new == text:
        return None
    try:
        ast.parse(new)
    except (SyntaxError, ValueError):
        return None  # never hand back a text that stops parsing
    return new


def _load_builders() -> None:
    # Imported for their @register side effect.
    from gradls.fixes import (  # noqa: F401
        custom_gradient_returns_non_callable,
        custom_gradient_variables,
        if_to_cond,
        keras_variable,
        layer_in_step,
        loss_returns_none,
        non_trainable_gradient_source,
        numpy_to_tf,
        symbolic_keras_tensor_in_tf_op,
        tape_fixes,
        tape_watch_keras_variable,
        tensor_leaves_graph,
        variable_in_step,
    )


_load_builders()
