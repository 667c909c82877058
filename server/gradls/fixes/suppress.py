"""The "Disable for this line" edit: `# gradls: ignore[CODE]` at the end of the finding's line.

An existing `# gradls: ignore[...]` comment on that line gets the code added to its list; any
other trailing comment (`# noqa`, `# type: ignore`, prose) is kept and ours goes after it.
The comment must land outside any string, so lines whose end lies inside a multi-line string
are skipped in favour of the finding's last line; when neither works there is no edit.
"""

from __future__ import annotations

import io
import re
import tokenize

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.analysis.suppression import parse_suppressions

_NEWLINE = re.compile(r"\r\n|\r|\n")
# Same spelling the analysis layer accepts (analysis/suppression.py); kept in step by the tests.
_GRADLS_DIRECTIVE = re.compile(r"#\s*gradls:\s*ignore(?P<codes>\[[^\]]*\])?", re.I)


def suppression_fix(source: str, finding: Finding) -> Fix | None:
    edit = suppression_edit(source, finding)
    if edit is None:
        return None
    return Fix(title="Disable for this line", edits=(edit,), safe=False)


def suppression_edit(source: str, finding: Finding) -> Edit | None:
    lines = _NEWLINE.split(source)
    comments, string_line_ends = _comments_and_string_line_ends(source)
    for line in dict.fromkeys((finding.span.line, finding.span.end_line)):
        if not 1 <= line <= len(lines) or line in string_line_ends:
            continue
        edit = _edit_for_line(lines[line - 1], line, finding.code, comments.get(line))
        if edit is not None:
            return edit
    return None


def _edit_for_line(text: str, line: int, code: str, comment_col: int | None) -> Edit | None:
    if comment_col is not None:
        comment = text[comment_col:]
        m = _GRADLS_DIRECTIVE.search(comment)
        if m:
            if m.group("codes") is None:
                return None  # a bare `# gradls: ignore` already silences every code here
            codes = [c.strip() for c in m.group("codes")[1:-1].split(",") if c.strip()]
            if code in (c.upper() for c in codes):
                return None
            new = f"# gradls: ignore[{', '.join([*codes, code])}]"
            start = comment_col + m.start()
            return Edit(Span(line, start, line, comment_col + m.end()), new)
    body_end = len(text.rstrip())
    return Edit(Span(line, body_end, line, len(text)), f"  # gradls: ignore[{code}]")


def _comments_and_string_line_ends(source: str) -> tuple[dict[int, int], set[int]]:
    """Comment start column per line, and the lines whose end is inside a (multi-line) string.

    Falls back to a plain scan when the source does not tokenize (the user is mid-edit).
    """
    comments: dict[int, int] = {}
    inside_string: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.start[1]
            elif tok.start[0] != tok.end[0] and tok.type in (tokenize.STRING, *_FSTRING_TOKENS):
                inside_string.update(range(tok.start[0], tok.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}, set(range(1, source.count("\n") + 2))  # unknown: refuse rather than corrupt a string
    return comments, inside_string


_FSTRING_TOKENS = tuple(getattr(tokenize, name) for name in ("FSTRING_MIDDLE",) if hasattr(tokenize, name))


def suppresses(source: str, line: int, code: str) -> bool:
    """Whether `source` has a directive on `line` that silences `code` (checks our own edit)."""
    for d in parse_suppressions(source).by_line.get(line, ()):
        if d.codes is None or code in d.codes:
            return True
    return False
