"""Findings -> LSP diagnostics, and the per-document state that keeps them right while typing.

While a line is half-typed the file does not parse and the analysis has nothing to say but
where the syntax error is.  The last good findings are kept instead, moved by the line delta of
every edit since, and dropped when an edit touched their lines, so findings elsewhere stay put and
no squiggle is left on a line that changed.

Probe facts describe one run of the program: a fact goes when an edit touches its line or the
lines of the static findings it is related to, or when a fresh analysis no longer reports one of
those findings (the code it was about has been fixed).
"""

from __future__ import annotations

import ast
import asyncio
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from gradls.analysis.model import AnalysisResult, Finding, Fix, ParseFailure, Span
from gradls.lsp.positions import LineIndex

if TYPE_CHECKING:
    from gradls.analysis.module import ModuleInfo

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
    # The static findings near it when the probe reported it (shown as related information).
    related: tuple[Finding, ...] = ()


@dataclass
class DocumentState:
    uri: str
    path: str | None
    version: int
    # Findings in the coordinates of the document's current text (shifted when stale).
    findings: list[Finding] = field(default_factory=list)
    # True when `findings` were computed from exactly the current text.
    fresh: bool = False
    # The version last analysed (None: not analysed since opened or since the settings changed).
    analysed_version: int | None = None
    # Why that text could not be analysed (a syntax error), moved with edits like the findings.
    failure: ParseFailure | None = None
    # Bumped whenever the reported set may have changed: it makes the pull resultId.
    generation: int = 0
    probe_facts: list[ProbeFact] = field(default_factory=list)
    # Why this document is not analysed (non-Python, too large, excluded, disabled), or None.
    skipped: str | None = None
    pending: asyncio.Task[None] | None = None
    last_change: float = 0.0  # time.monotonic() of the last didChange (documents.on_did_change: debounce)
    # Checked quick fixes of this version's findings (the lightbulb asks on every cursor move).
    action_cache_version: int | None = None
    action_cache: dict[Finding, tuple[Fix | None, Fix | None]] = field(default_factory=dict)
    in_flight: dict[int, asyncio.Future[tuple[AnalysisResult, ModuleInfo | None] | None]] = field(default_factory=dict)
    # The analysed module of `module_version`'s text, as the diagnostics run built it: hover reads it
    # instead of analysing the text a second time.
    module: ModuleInfo | None = None
    module_version: int | None = None
    module_used: float = 0.0  # time.monotonic() of the last analysis or hover that used `module`
    # The last text that parsed and its tree, not yet handed to the project index (documents.py: a module's
    # summary is computed when another document may need it, not after every keystroke).  Analysis thread only.
    summary_pending: tuple[str, ast.Module] | None = None
    handed_text: str | None = None  # the text last handed to the project (analysis thread only)
    # (GradlsLanguageServer.import_epoch, whether an open document imports this one then): analysis thread only.
    imported_at: tuple[int, bool] | None = None
    # (import_epoch, this module's import set, whether it imports an open document then): analysis thread only.
    imports_open_at: tuple[int, frozenset[tuple[int, str]], bool] | None = None

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
    first, last = start_line0 + 1.0, end_line0 + 1.0  # touched lines, 1-based
    whole_lines = start_char == 0 and end_char == 0 and (new_text == "" or new_text.endswith(("\n", "\r")))
    if whole_lines:
        last -= 1  # the end line starts at column 0 after the edit: untouched, only moved
        if last < first:
            first = last = start_line0 + 0.5  # nothing touched: everything from start_line0 + 1 on moves

    def touched(line: int, end_line: int) -> bool:
        return not (end_line < first or line > last)

    def moved(line: int) -> int:
        return line if line < first else line + delta

    def moved_span(s: Span) -> Span:
        return Span(moved(s.line), s.col, moved(s.end_line), s.end_col)

    # A finding on touched lines goes until the next good parse; those below move.
    state.findings = [
        replace(f, span=moved_span(f.span)) for f in state.findings if not touched(f.span.line, f.span.end_line)
    ]
    state.probe_facts = [
        replace(p, line=moved(p.line), related=tuple(replace(f, span=moved_span(f.span)) for f in p.related))
        for p in state.probe_facts
        if not touched(p.line, p.line) and not any(touched(f.span.line, f.span.end_line) for f in p.related)
    ]
    if state.failure is not None:
        line = state.failure.line
        state.failure = None if touched(line, line) else replace(state.failure, line=moved(line))
    state.fresh = False
    state.generation += 1


def drop_stale_probe_facts(state: DocumentState) -> bool:
    """After a fresh analysis: drop facts whose related findings it no longer reports; True if any went."""
    reported = {(f.code, f.span) for f in state.findings}
    kept = [p for p in state.probe_facts if all((f.code, f.span) in reported for f in p.related)]
    dropped = len(kept) != len(state.probe_facts)
    state.probe_facts = kept
    return dropped


def finding_to_diagnostic(
    finding: Finding, index: LineIndex, severity: str, doc_href: str | None, version: int | None
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


def probe_fact_to_diagnostic(fact: ProbeFact, index: LineIndex, uri: str) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=index.line_range(fact.line),
        message=fact.message,
        severity=SEVERITY.get(fact.severity, lsp.DiagnosticSeverity.Warning),
        source=PROBE_SOURCE,
        related_information=[
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=uri, range=index.range(f.span)), message=f"{SOURCE} {f.code}: {f.message}"
            )
            for f in fact.related
        ]
        or None,
    )


def failure_to_diagnostic(failure: ParseFailure, index: LineIndex) -> lsp.Diagnostic:
    """One Error where the text stops parsing: gradls says it could not look at this file, and why."""
    text = index.line_text(failure.line - 1)
    col = min(max(failure.col, 0), len(text))
    start, end = (col, col + 1) if col < len(text) else (max(0, col - 1), col)
    return lsp.Diagnostic(
        range=index.range(Span(failure.line, start, failure.line, end)),
        message=f"gradls cannot analyse this file: {failure.message}",
        severity=lsp.DiagnosticSeverity.Error,
        source=SOURCE,
    )
