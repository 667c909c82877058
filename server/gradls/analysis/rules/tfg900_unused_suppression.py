"""TFG900 unused-suppression: a `# gradls: ignore[...]` / `# noqa: TFG...` comment that suppresses nothing.

Unlike the other rules this one needs the findings of every other rule, before suppression: the
engine calls `after_suppression` (this module's hook) once the suppression comments have been applied.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits, Span
from gradls.analysis.module import split_lines
from gradls.analysis.rules import rule
from gradls.analysis.suppression import Directive, parse_suppressions, unused_directives

CODE = "TFG900"


@dataclass(frozen=True)
class UnusedSuppressionFix(PlannedEdits):
    """The unused codes (or the whole directive) removed from the suppression comment."""


@rule(
    CODE,
    "unused-suppression",
    "A `# gradls: ignore[...]` or `# noqa: TFG...` comment that suppresses nothing on its line (or names a code "
    "gradls does not have) only hides future findings; remove it.",
    default_on=False,
    severity="information",
)
def find_unused_suppression(info) -> Iterator[Finding]:
    # Reported from `after_suppression`, which sees every rule's findings.
    return iter(())


def after_suppression(
    source: str, kept: list[Finding], suppressed: list[Finding], enabled: set[str], known: set[str]
) -> list[Finding]:
    """TFG900 findings for `source`, given the findings kept and suppressed by the other rules.

    `enabled`: codes that ran on this file; `known`: every code gradls has.  A known code that did not run
    (disabled by configuration) is never called unused: nothing can be concluded about it here."""
    sup = parse_suppressions(source)
    if sup.file_wide or not sup.by_line:
        return []
    comments = _comment_starts(source)
    lines = split_lines(source)
    out: list[Finding] = []
    for d, bad in unused_directives(source, suppressed, known):
        if d.line not in comments or not _in_comment(d, comments[d.line]):
            continue  # inside a string, not a comment
        unknown = [c for c in bad if c not in known]
        unused = [c for c in bad if c in known and c in enabled and c != CODE]
        if d.codes is None:
            msg = "`# gradls: ignore` suppresses nothing on this line; remove it"
            remove: list[str] | None = None
        else:
            if not unknown and not unused:
                continue
            parts = []
            if unused:
                parts.append(f"{_codes(unused)} suppressed nothing on this line")
            if unknown:
                parts.append(
                    f"{_codes(unknown)} {'is not a gradls code' if len(unknown) == 1 else 'are not gradls codes'}"
                )
            msg = (
                f"Unused suppression: {'; '.join(parts)}; remove {'it' if len(unused) + len(unknown) == 1 else 'them'}"
            )
            remove = unused + unknown
        if any(CODE in (x.codes or ()) for x in sup.by_line.get(d.line, ())):
            continue  # `# gradls: ignore[TFG900]` on this line
        text = lines[d.line - 1] if d.line <= len(lines) else ""
        out.append(Finding(CODE, msg, d.span, _fix_data(d, remove, text, d.line, len(lines))))
    return out


def _codes(codes: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in codes)


def _comment_starts(source: str) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out.setdefault(tok.start[0], []).append(tok.start[1])
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _in_comment(d: Directive, starts: list[int]) -> bool:
    return any(s <= d.col for s in starts)


def _fix_data(
    d: Directive, remove: list[str] | None, text: str, line: int, n_lines: int
) -> UnusedSuppressionFix | None:
    old = text[d.col : d.end_col]
    if remove is not None and d.codes is not None:
        left = [c for c in d.codes if c not in remove]
        if left:
            new = f"# gradls: ignore[{', '.join(left)}]" if d.kind == "gradls" else f"# noqa: {', '.join(left)}"
            return _removal(Span(line, d.col, line, d.end_col), new, old)
    rest = text[d.end_col :]
    before = text[: d.col]
    if rest.strip():
        # `# gradls: ignore[X] because ...`: keep the prose as a comment
        return _removal(Span(line, d.col, line, d.end_col), "#", old)
    if not before.strip():
        if line >= n_lines:
            return None
        return _removal(Span(line, 0, line + 1, 0), "", text + "\n")
    start = len(before.rstrip())
    return _removal(Span(line, start, line, len(text)), "", text[start:])


def _removal(span: Span, new: str, old: str) -> UnusedSuppressionFix:
    return UnusedSuppressionFix("Remove unused suppression", (PlannedEdit(span, new, old),))


__all__ = ["Span", "after_suppression", "find_unused_suppression"]
