"""Re-parse only the top-level statement an edit touched, and splice it into the document's last tree.

Parsing is a fifth of a whole analysis of a big module (`array_ops.py`: ~21 ms of ~110); a keystroke inside a
function changes one top-level statement.  The result must be the tree `ast.parse` gives for the whole new
text, node for node and position for position (the analysis then runs on it as on any tree), so the splice is
taken only where that holds by construction and `None` (parse the whole text) is answered otherwise:

- the edit lies inside one *segment*: the lines from a top-level statement's first line (its first decorator)
  to the line before the next one's, the blank and comment lines after it included;
- it keeps the number of lines (otherwise every later statement's positions move; re-numbering them costs
  more than parsing);
- the segment's new text parses on its own.  The text before it is unchanged and ends a logical line at
  indentation 0 (the segment starts a top-level statement at column 0 on a line of its own, no backslash
  before it), and a segment that parses alone ends with no open bracket, string or line continuation, so the
  tokens of the whole file are the tokens of the three parts;
- no `__future__` import is involved, no BOM, no `\\r` line breaks (lines are split on `\\n` here).

The segment is parsed below as many blank lines as precede it, so its nodes carry the file's line numbers;
columns are per line and need nothing.  Unchanged statements are the old tree's nodes, shared (the analysis
never mutates a tree); the `Module` is new, so the old tree stays as it was for whoever still holds it.
"""

from __future__ import annotations

import ast
import warnings


def splice_parse(old_source: str, old_tree: ast.Module, new_source: str) -> ast.Module | None:
    """`ast.parse(new_source)`, built from `old_tree` (= `ast.parse(old_source)`), or None when not provably equal."""
    if "\r" in new_source or "\r" in old_source or new_source.startswith("\ufeff") or old_source.startswith("\ufeff"):
        return None
    starts = _statement_starts(old_tree)
    if starts is None or not starts:
        return None
    prefix = _common_prefix(old_source, new_source)
    if prefix == len(old_source) == len(new_source):
        return None  # the same text: nothing to splice (the caller's job to notice)
    suffix = _common_suffix(old_source, new_source, min(len(old_source), len(new_source)) - prefix)
    old_end, new_end = len(old_source) - suffix, len(new_source) - suffix
    if old_source.count("\n", prefix, old_end) != new_source.count("\n", prefix, new_end):
        return None  # lines added or removed: every later position would move
    first_line = old_source.count("\n", 0, prefix) + 1
    last_line = old_source.count("\n", 0, max(prefix, old_end - 1)) + 1
    k = _last_at_or_before(starts, first_line)
    if k is None:
        return None  # above the first statement (header comments)
    seg_first = starts[k]
    seg_next = starts[k + 1] if k + 1 < len(starts) else None  # first line of the next segment
    if seg_next is not None and last_line >= seg_next:
        return None  # the edit spans two segments
    lines = new_source.split("\n")
    if seg_first > 1 and lines[seg_first - 2].endswith("\\"):
        return None  # a line continuation joins the segment to the line above
    segment = "\n".join(lines[seg_first - 1 : (seg_next - 1) if seg_next is not None else len(lines)])
    if seg_next is not None:
        segment += "\n"
    if "__future__" in segment:
        return None  # future imports are only legal first; leave that to the whole-file parse
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # as engine.parse: invalid escapes are not ours to report
            parsed = ast.parse("\n" * (seg_first - 1) + segment, type_comments=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the whole-file parse gives the real error
    new_body = parsed.body
    for stmt in new_body:
        if stmt.col_offset != 0 or (seg_next is not None and (stmt.end_lineno or stmt.lineno) >= seg_next):
            return None
    body = old_tree.body
    return ast.Module(body=[*body[:k], *new_body, *body[k + 1 :]], type_ignores=[])


def _statement_starts(tree: ast.Module) -> list[int] | None:
    """First line of each top-level statement (decorators included); None when two share a line (`a = 1; b = 2`)
    or one does not start at column 0."""
    starts: list[int] = []
    previous_end = 0
    for stmt in tree.body:
        first = stmt.lineno
        decorators = getattr(stmt, "decorator_list", None)
        if decorators:
            first = min(first, *(d.lineno for d in decorators))
        if first <= previous_end or stmt.col_offset != 0:
            return None
        starts.append(first)
        previous_end = stmt.end_lineno or stmt.lineno
    return starts


def _last_at_or_before(starts: list[int], line: int) -> int | None:
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= line:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1 if lo > 0 else None


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by halving (slice comparisons run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """Length of the longest common suffix, at most `limit` (so it never overlaps the common prefix)."""
    lo, hi = 0, max(0, limit)
    la, lb = len(a), len(b)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo
