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
    first, last = _statement_lines(source, finding.span.line, finding.span.end_line)
    comments, string_line_ends = _comments_and_string_line_ends("\n".join(lines[first - 1 : last]), first)
    for line in dict.fromkeys((finding.span.line, finding.span.end_line)):
        if not 1 <= line <= len(lines) or line in string_line_ends:
            continue
        if lines[line - 1].rstrip().endswith("\\") and line not in comments:
            continue  # a backslash continuation: a comment after it would break the statement
        edit = _edit_for_line(lines[line - 1], line, finding.code, comments.get(line))
        if edit is not None:
            return edit
    return None


def _statement_lines(source: str, line: int, end_line: int) -> tuple[int, int]:
    """The lines of the innermost statement holding lines line..end_line (1-based, inclusive).

    Tokenizing only that statement keeps the edit cheap on big files; a simple statement's lines
    are whole logical lines, so its strings and comments tokenize the same as in the full file.
    Falls back to the whole file when the source does not parse.
    """
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 1, source.count("\n") + 1
    best: ast.stmt | None = None
    start = stop = 1
    body = tree.body
    while body:
        inner = None
        for stmt in body:
            if _first_line(stmt) <= line and end_line <= (stmt.end_lineno or stmt.lineno):
                inner = stmt
                break
        if inner is None:
            break
        best = inner
        # `s = """...\n..."""; y = f(x,\n 2)`: siblings sharing a line tokenize together.
        start, stop = _first_line(inner), inner.end_lineno or inner.lineno
        grown = True
        while grown:
            grown = False
            for sib in body:
                a, b = _first_line(sib), sib.end_lineno or sib.lineno
                if a <= stop and b >= start and (a < start or b > stop):
                    start, stop, grown = min(a, start), max(b, stop), True
        body = [
            s
            for field in ("body", "orelse", "finalbody", "handlers", "cases")
            for s in _stmts(getattr(inner, field, None))
        ]
    if best is None:
        return 1, source.count("\n") + 1
    return start, stop


def _first_line(stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or ()
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _stmts(value) -> list:
    import ast

    out: list[ast.stmt] = []
    for item in value or ():
        if isinstance(item, ast.stmt):
            out.append(item)
        elif isinstance(item, (ast.ExceptHandler, ast.match_case)):  # Python >= 3.10 has match_case
            out.extend(item.body)
    return out


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


def _comments_and_string_line_ends(text: str, first_line: int = 1) -> tuple[dict[int, int], set[int]]:
    """Comment start column per line, and the lines whose end is inside a (multi-line) string.

    `text` holds whole lines starting at `first_line` of the file.  When it does not tokenize
    (the user is mid-edit) every line counts as unsafe: refuse rather than corrupt a string.
    """
    comments: dict[int, int] = {}
    inside_string: set[int] = set()
    offset = first_line - 1
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0] + offset] = tok.start[1]
            elif tok.start[0] != tok.end[0] and tok.type in (tokenize.STRING, *_FSTRING_TOKENS):
                inside_string.update(range(tok.start[0] + offset, tok.end[0] + offset))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}, set(range(first_line, first_line + text.count("\n") + 1))
    return comments, inside_string


_FSTRING_TOKENS = tuple(getattr(tokenize, name) for name in ("FSTRING_MIDDLE",) if hasattr(tokenize, name))


def suppresses(source: str, line: int, code: str) -> bool:
    """Whether `source` has a directive on `line` that silences `code` (checks our own edit)."""
    for d in parse_suppressions(source).by_line.get(line, ()):
        if d.codes is None or code in d.codes:
            return True
    return False
