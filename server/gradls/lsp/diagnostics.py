"""Findings -> LSP diagnostics, and the per-document state that keeps them right while typing.

While a line is half-typed the file does not parse and the analysis has nothing to say.  The
last good findings are kept instead, moved by the line delta of every edit since, and dropped
when an edit touched their lines, so findings elsewhere stay put and no squiggle is left on a
line that changed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from lsprotocol import types as lsp

from gradls.analysis.model import Finding, Span
from gradls.lsp.positions import LineIndex

SOURCE = "gradls"
PROBE_SOURCE = "gradls-probe"

SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "information": lsp.DiagnosticSeverity.Information,
    "hint": lsp.DiagnosticSeverity.Hint,
}


@dataclass
class ProbeFact:
    """One runtime probe observation pinned to a line of the document."""

    line: int  # 1-based
    message: str
    severity: str = "warning"
    related_lines: tuple[int, ...] = ()


@dataclass
class DocumentState:
    uri: str
    path: str | None
    version: int
    # Findings in the coordinates of the document's current text (shifted when stale).
    findings: list[Finding] = field(default_factory=list)
    # True when `findings` were computed from exactly the current text.
    fresh: bool = False
    # The version of the last analysis that parsed (None: never analysed successfully).
    analysed_version: int | None = None
    # Bumped whenever the reported set may have changed: it makes the pull resultId.
    generation: int = 0
    probe_facts: list[ProbeFact] = field(default_factory=list)
    # Why this document is not analysed (non-Python, too large, excluded, disabled), or None.
    skipped: str | None = None
    pending: asyncio.Task | None = None
    # Checked quick fixes of this version's findings (the lightbulb asks on every cursor move).
    action_cache_version: int | None = None
    action_cache: dict = field(default_factory=dict)
    in_flight: dict[int, asyncio.Future] = field(default_factory=dict)

    @property
    def result_id(self) -> str:
        return f"{self.version}.{self.generation}"


def shift_for_change(
    state: DocumentState, start_line0: int, end_line0: int, new_text: str, start_char: int = -1, end_char: int = -1
) -> None:
    """Move kept findings and probe facts for one edit of lines start..end (0-based, inclusive).

    Findings on touched lines are dropped; those below move by the edit's line delta.  An edit
    from column 0 to column 0 that inserts whole lines (or deletes them) leaves its end line
    intact, so typing a new line above a finding does not drop it.
    """
    delta = new_text.count("\n") + new_text.count("\r") - new_text.count("\r\n") - (end_line0 - start_line0)
    first, last = start_line0 + 1, end_line0 + 1  # touched lines, 1-based
    whole_lines = start_char == 0 and end_char == 0 and (new_text == "" or new_text.endswith(("\n", "\r")))
    if whole_lines:
        last -= 1  # the end line starts at column 0 after the edit: untouched, only moved
        if last < first:
            first = last = start_line0 + 0.5  # nothing touched: everything from start_line0 + 1 on moves

    kept: list[Finding] = []
    for f in state.findings:
        if f.span.end_line < first:
            kept.append(f)
        elif f.span.line > last:
            s = f.span
            kept.append(replace(f, span=Span(s.line + delta, s.col, s.end_line + delta, s.end_col)))
        # else: the edit touched the finding's lines; it goes until the next good parse.
    state.findings = kept

    facts: list[ProbeFact] = []
    for p in state.probe_facts:
        if p.line < first:
            facts.append(p)
        elif p.line > last:
            facts.append(replace(p, line=p.line + delta))
    state.probe_facts = facts
    state.fresh = False
    state.generation += 1


def finding_to_diagnostic(
    finding: Finding, index: LineIndex, severity: str, doc_href: str | None, version: int
) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=index.range(finding.span),
        message=finding.message,
        severity=SEVERITY.get(severity, lsp.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=lsp.CodeDescription(href=doc_href) if doc_href else None,
        source=SOURCE,
        # Enough to rebuild the Finding for a code action without re-analysing, as long as the
        # document is still at `version`.
        data={
            "version": version,
            "span": [finding.span.line, finding.span.col, finding.span.end_line, finding.span.end_col],
            "fixData": finding.fix_data,
        },
    )


def finding_from_diagnostic(diagnostic: lsp.Diagnostic) -> tuple[Finding, int | None] | None:
    data = diagnostic.data
    if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
        return None
    if not isinstance(data, dict):
        data = _as_dict(data)
    if not isinstance(data, dict) or not isinstance(data.get("span"), (list, tuple)) or len(data["span"]) != 4:
        return None
    try:
        span = Span(*(int(x) for x in data["span"]))
    except (TypeError, ValueError):
        return None
    fix_data = data.get("fixData")
    if fix_data is not None and not isinstance(fix_data, dict):
        fix_data = _as_dict(fix_data)
    version = data.get("version")
    return Finding(diagnostic.code, diagnostic.message, span, fix_data), version if isinstance(version, int) else None


def _as_dict(value):
    """pygls hands untyped JSON in as namedtuples ("Object"); turn them back into plain data."""
    if hasattr(value, "_asdict"):
        return {k: _as_dict(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_as_dict(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_dict(v) for k, v in value.items()}
    return value


plain_data = _as_dict


def probe_fact_to_diagnostic(
    fact: ProbeFact, index: LineIndex, uri: str, related: list[tuple[Finding, lsp.Range]]
) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=index.line_range(fact.line),
        message=fact.message,
        severity=SEVERITY.get(fact.severity, lsp.DiagnosticSeverity.Warning),
        source=PROBE_SOURCE,
        related_information=[
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=uri, range=rng), message=f"{SOURCE} {f.code}: {f.message}"
            )
            for f, rng in related
        ]
        or None,
    )
