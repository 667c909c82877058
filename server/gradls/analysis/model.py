"""Plain data passed between the layers: findings, fixes and text edits.

Positions are 1-based lines and 0-based columns counted in Unicode code points
(Python ``str`` indices), end exclusive.  The LSP layer converts columns to the
client's position encoding (UTF-16 by default); the CLI prints them 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Edit:
    """Replace the text in ``span`` with ``new_text`` (an insertion when the span is empty)."""

    span: Span
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    # Safe fixes keep the program's meaning apart from the bug they repair; only they are
    # applied by `gradls check --fix` and `source.fixAll.gradls`.
    safe: bool = True


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: Span
    # Rule-specific facts the fixes layer needs to rebuild the fix without re-running
    # the analysis (kept JSON-serialisable: it travels in LSP Diagnostic.data).
    fix_data: dict | None = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix_data is not None


@dataclass(frozen=True)
class ParseFailure:
    """Why a source could not be analysed (syntax error, undecodable bytes, too large)."""

    message: str
    line: int = 1
    col: int = 0


@dataclass
class AnalysisResult:
    findings: list[Finding]
    failure: ParseFailure | None = None
    # Findings removed by suppression comments, kept so TFG900 can report unused ones.
    suppressed: list[Finding] = field(default_factory=list)
