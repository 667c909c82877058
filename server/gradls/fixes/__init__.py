"""Findings -> text edits.

A rule's fix lives in this package under the rule module's own name (`fixes/tfg001_numpy_on_tensor.py` for
`analysis/rules/tfg001_numpy_on_tensor.py`) and is found the way the rules are: no list to keep.  Its
`build(source, finding, data)` gets the rule's typed FixData (defined beside the rule) and returns the Fix or
None.  Modules starting with `_` are helpers shared by the builders.

Fixes are built on demand (the editor asks for them; `gradls check --fix` applies them), so
the per-keystroke analysis never pays for libcst.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradls.analysis.engine import parse
from gradls.analysis.model import Edit, Finding, Fix, ParseFailure, Span
from gradls.analysis.rules import all_rules

# build(source, finding, data) -> Fix | None, `data` being the rule's FixData.
FixBuilder = Callable[[str, Finding, Any], "Fix | None"]
_HERE = Path(__file__).parent
_BUILDERS: dict[str, FixBuilder] = {}
_LOADED = False
_LOCK = threading.Lock()


def builder_modules() -> list[str]:
    """Names of the fix modules in this package (`tfgNNN_<rule name>`), one per rule with a fix."""
    return sorted(m.name for m in pkgutil.iter_modules([str(_HERE)]) if m.name.startswith("tfg"))


def builders() -> dict[str, FixBuilder]:
    """Rule code -> its fix builder: the `build` of the fix module named after the rule's module."""
    global _LOADED
    if not _LOADED:
        with _LOCK:  # the language server builds fixes on worker threads
            if not _LOADED:
                by_module = {r.module: r.code for r in all_rules().values()}
                for name in builder_modules():
                    code = by_module.get(name)
                    if code is not None:  # a module named after no rule: tests/test_rule_layout.py says so
                        _BUILDERS[code] = importlib.import_module(f"{__name__}.{name}").build
                _LOADED = True
    return _BUILDERS


def fix_for(source: str, finding: Finding) -> Fix | None:
    """The fix for one finding, or None when gradls cannot rewrite it safely."""
    if finding.fix_data is None:
        return None
    build = builders().get(finding.code)
    rule = all_rules().get(finding.code)
    if build is None or rule is None or rule.fix_data_type is None:
        return None
    # The analysis hands the FixData itself; a finding read back from JSON holds its JSON form.
    data = rule.fix_data_type.from_json(finding.fix_data)
    if data is None:
        return None
    return build(source, finding, data)


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
    batch: bool = False,
) -> FixAllResult:
    """Apply safe fixes, re-analysing after each step, until none is left (a fixpoint).

    A fix can uncover a finding the first analysis could not see (`np.mean(np.square(t))`: the
    outer call is on a tensor only once the inner one is `tf.square`), so the result says what was
    really applied and what remains, not what was fixable at the start. A fix that would make the
    text stop parsing, or bring back a text already seen (two fixes undoing each other), is skipped;
    `max_rounds` bounds a builder that keeps rewriting its own output.

    A step applies one fix.  With `batch` (the editor's fix-all, which must answer quickly) a step
    first tries every safe fix whose edits do not touch another's at once, and falls back to one fix
    when that text does not parse or analyse; a fix that had to wait comes back in the next round.
    """
    text = source
    findings, failure = analyse(text)
    if failure is not None:
        return FixAllResult(source, 0, [], failure)
    seen = {_digest(text)}
    applied = 0
    for _ in range(max_rounds):
        step = _step(text, findings, analyse, seen, batch)
        if step is None:
            break
        text, findings, n = step
        applied += n
    return FixAllResult(text, applied, list(findings))


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def _step(
    text: str,
    findings: list[Finding],
    analyse: Callable[[str], tuple[list[Finding], ParseFailure | None]],
    seen: set[bytes],
    batch: bool,
) -> tuple[str, list[Finding], int] | None:
    """The next text, its findings and how many fixes made it; None at the fixpoint."""
    candidates: Iterable[Fix]
    if batch:
        fixes = [fx for f in findings if (fx := _safe_fix(text, f)) is not None]
        together = _compatible(fixes)
        if len(together) > 1:
            edits = list(dict.fromkeys(e for fx in together for e in fx.edits))  # a shared import once
            tried = _try(text, edits, analyse, seen)
            if tried is not None:
                return (*tried, len(together))
        candidates = fixes
    else:  # built one by one: the first that works ends the step
        candidates = (fx for f in findings if (fx := _safe_fix(text, f)) is not None)
    for fx in candidates:
        tried = _try(text, fx.edits, analyse, seen)
        if tried is not None:
            return (*tried, 1)  # the other findings' positions are stale now
    return None


def _safe_fix(text: str, finding: Finding) -> Fix | None:
    try:
        fix = fix_for(text, finding)
    except RecursionError:
        return None
    return fix if fix is not None and fix.safe else None


def _compatible(fixes: list[Fix]) -> list[Fix]:
    """Fixes, in order, whose edits touch no edit of a fix taken before (identical edits aside)."""
    taken: list[Fix] = []
    edits: list[Edit] = []
    for fx in fixes:
        if not any(e != t and _conflict(e.span, t.span) for e in fx.edits for t in edits):
            taken.append(fx)
            edits.extend(fx.edits)
    return taken


def _conflict(a: Span, b: Span) -> bool:
    """Overlapping spans, or an insertion where another edit starts (their order would be a guess)."""
    a0, a1, b0, b1 = (a.line, a.col), (a.end_line, a.end_col), (b.line, b.col), (b.end_line, b.end_col)
    return (a0 < b1 and b0 < a1) or (a0 == b0 and (a0 == a1 or b0 == b1))


def _try(
    text: str,
    edits: Iterable[Edit],
    analyse: Callable[[str], tuple[list[Finding], ParseFailure | None]],
    seen: set[bytes],
) -> tuple[str, list[Finding]] | None:
    """The edited text and its findings, when it parses, analyses and is new."""
    try:
        new = apply_edits(text, edits)
    except (ValueError, IndexError):
        return None
    if new == text or not _parses(new):
        return None  # never hand back a text that stops parsing
    digest = _digest(new)
    if digest in seen:
        return None
    new_findings, failure = analyse(new)
    if failure is not None:
        return None
    seen.add(digest)
    return new, new_findings


def _parses(text: str) -> bool:
    return not isinstance(parse(text), ParseFailure)
