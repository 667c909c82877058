"""Jupyter notebooks (`.ipynb`, nbformat 4) as one program: read, analyse, map back, write back.

A notebook runs its code cells in order in one namespace, so gradls analyses them as one module:

- each code cell's source, IPython syntax masked without moving real code: a line magic
  (`%time f(x)`), a shell line (`!pip install ...`), help (`obj?`, `?obj`) becomes `pass` at the
  same indentation (`x = !ls` becomes `x = None`), a backslash-continued magic line becomes blank; a
  cell magic (`%%time`) masks its first line when its body is Python (`%%time`, `%%timeit`,
  `%%capture`, `%%prun`, `%%debug`) and leaves the cell out otherwise (`%%bash`, `%%writefile`);
- cells joined, separated by a boundary comment line (`CELL_BOUNDARY`), so a fix that inserts a
  line after the last import of a cell stays in that cell;
- a cell that does not parse on its own (IPython would refuse it too) is reported as a `CellError`
  and left out: the other cells are still analysed.

`NotebookProgram.to_cell` maps a program position back to (cell, line in cell); `cell_sources`
splits a fixed program back into cell sources, magics restored; `update_notebook_text` splices the
new sources into the notebook's JSON text, so outputs, metadata, key order, indentation and the
trailing newline stay byte for byte what they were.

Pure: no LSP, no TensorFlow.  Cell numbers are 0-based here (`index` in the notebook's `cells`,
markdown cells included); the CLI prints them 1-based as ruff does (`nb.ipynb:cell 3:2:5`).
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import re
import tokenize
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gradls.analysis.model import Edit, Finding, Span

__all__ = [
    "CELL_BOUNDARY",
    "CellError",
    "CodeCell",
    "NotebookError",
    "NotebookProgram",
    "build_program",
    "mask_magics",
    "notebook_cells",
    "parse_notebook",
    "read_notebook_program",
    "runnable_source",
    "update_notebook_text",
]

CELL_BOUNDARY = "# gradls: ----- notebook cell boundary -----"
# Cell magics whose body is Python run in the notebook's namespace: analysed, first line masked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

_ESCAPES = ("%", "!", "?")
_ASSIGN_MAGIC = re.compile(r"^(?P<lhs>\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[%!]")
_HELP = re.compile(r"^\?{0,2}[A-Za-z_*][\w.*\[\]()]*\?{1,2}$|^\?{1,2}[A-Za-z_*][\w.*]*$")


class NotebookError(ValueError):
    """The text is not a notebook gradls can read (not JSON, not nbformat 4 shaped)."""


# `line 12` in a rule's message: a line of the program that joins the cells.
_PROGRAM_LINE = re.compile(r"\bline (\d+)\b")


@dataclass(frozen=True)
class CellError:
    """A code cell that does not parse on its own: left out of the program, reported like a finding."""

    cell: int  # index in the notebook's cells
    message: str
    line: int = 1  # in the cell, 1-based
    col: int = 0  # 0-based, code points


@dataclass(frozen=True)
class CodeCell:
    index: int  # in the notebook's cells (markdown cells count)
    source: str  # as written
    masked: str = ""  # magics masked; "" when left out
    masked_lines: frozenset[int] = frozenset()  # 1-based lines of `source` that were masked
    start: int = 0  # program line (1-based) of the cell's first line; 0: left out
    lines: int = 0  # lines the cell occupies in the program
    skipped: str | None = None  # why the cell is left out (not Python, does not parse)


@dataclass
class NotebookProgram:
    text: str
    cells: list[CodeCell]
    errors: list[CellError] = field(default_factory=list)

    @property
    def included(self) -> list[CodeCell]:
        return [c for c in self.cells if c.start]

    def cell(self, index: int) -> CodeCell | None:
        for c in self.cells:
            if c.index == index:
                return c
        return None

    def locate(self, line: int) -> tuple[CodeCell, int] | None:
        """(cell, line in the cell) of a program line; None for a boundary line or past the end."""
        for c in self.included:
            if c.start <= line < c.start + c.lines:
                return c, line - c.start + 1
        return None

    def to_cell(self, finding: Finding) -> tuple[int, Finding] | None:
        """The finding in the coordinates of its cell: (cell index, finding); None off any cell."""
        span = self.cell_span(finding.span)
        if span is None:
            return None
        cell, local = span
        return cell, Finding(finding.code, self.cell_message(finding.message), local, finding.fix_data)

    def cell_message(self, message: str) -> str:
        """A rule's message with its program line numbers (`line 12`) said in the notebook's terms (`cell 3, line
        2`, cells counted from 1 as printed): the program that joins the cells is not what the user sees."""

        def cell_line(m: re.Match[str]) -> str:
            found = self.locate(int(m.group(1)))
            return m.group(0) if found is None else f"cell {found[0].index + 1}, line {found[1]}"

        return _PROGRAM_LINE.sub(cell_line, message)

    def cell_span(self, span: Span) -> tuple[int, Span] | None:
        start = self.locate(span.line)
        if start is None:
            return None
        cell, line = start
        end = self.locate(span.end_line)
        if end is not None and end[0].index == cell.index:
            end_line, end_col = end[1], span.end_col
        else:  # runs past its cell (cannot happen for a statement): end it with its first line
            end_line, end_col = line, max(span.col, len(_line_of(cell.masked, line)))
        return cell.index, Span(line, span.col, end_line, end_col)

    def cell_edits(self, edits: Sequence[Edit]) -> dict[int, list[Edit]] | None:
        """Program edits as per-cell edits; None when one spans cells or touches a masked line."""
        out: dict[int, list[Edit]] = {}
        for e in edits:
            start = self._edit_point(e.span.line, e.span.col)
            end = self._edit_point(e.span.end_line, e.span.end_col, end=True)
            if start is None or end is None or start[0] is not end[0]:
                return None
            cell = start[0]
            if start[1] in cell.masked_lines or end[1] in cell.masked_lines:
                return None  # gradls never rewrites IPython syntax
            local = Span(start[1], e.span.col, end[1], e.span.end_col)
            out.setdefault(cell.index, []).append(Edit(local, e.new_text))
        return out

    def _edit_point(self, line: int, col: int, end: bool = False) -> tuple[CodeCell, int] | None:
        found = self.locate(line)
        if found is not None:
            return found
        if col == 0:  # the start of a boundary line (or the end of the text): the end of the cell before
            for c in reversed(self.included):
                if c.start + c.lines == line:
                    return c, c.lines + 1
        return None

    def cell_sources(self, new_text: str) -> dict[int, str] | None:
        """Split a program rewritten by fixes back into the cells' sources (magics restored).

        Only the cells whose text changed are returned; None when the boundaries did not survive or
        a fix touched a masked line (gradls never rewrites IPython syntax)."""
        included = self.included
        parts = new_text.split("\n" + CELL_BOUNDARY + "\n")
        if len(parts) != len(included):
            return None
        old_parts = self.text.split("\n" + CELL_BOUNDARY + "\n")
        out: dict[int, str] = {}
        for cell, old, new in zip(included, old_parts, parts, strict=True):
            if old == new:
                continue
            if cell is included[-1]:  # the program's last line ends in the newline the other cells lose to the split
                old = old[:-1] if old.endswith("\n") else old
                new = new[:-1] if new.endswith("\n") else new
            source = _restore(cell, old, new)
            if source is None:
                return None
            out[cell.index] = source
        return out


def _line_of(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _restore(cell: CodeCell, old: str, new: str) -> str | None:
    """`new` (a fixed version of the cell's masked text, without the newline the program added)
    with the masked lines given back their IPython text."""
    old_lines = old.split("\n")
    new_lines = new.split("\n")
    original = cell.source.split("\n")
    if not cell.masked_lines:
        return _with_ending(cell.source, new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                ln = i1 + k + 1
                out.append(original[ln - 1] if ln in cell.masked_lines else new_lines[j1 + k])
        else:
            if any(ln in cell.masked_lines for ln in range(i1 + 1, i2 + 1)):
                return None
            out.extend(new_lines[j1:j2])
    return _with_ending(cell.source, "\n".join(out))


def _with_ending(source: str, new: str) -> str:
    """`new` ending in a newline exactly when the cell's source did (notebook cells usually do not)."""
    if source.endswith("\n"):
        return new if new.endswith("\n") else new + "\n"
    return new[:-1] if new.endswith("\n") else new


# --- magics -----------------------------------------------------------------------------------------


def mask_magics(source: str) -> tuple[str, frozenset[int], str | None]:
    """(masked source, masked 1-based lines, why the cell is not Python or None).

    Lines keep their count and real code keeps its columns: only lines that start a statement with
    IPython syntax are rewritten, never a line inside a string or a bracket/backslash continuation."""
    lines = source.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    cell_magic: int | None = None
    if first is not None and lines[first].startswith("%%"):
        name = lines[first][2:].split(None, 1)[0] if lines[first][2:].strip() else ""
        if name not in PYTHON_CELL_MAGICS:
            return "", frozenset(), f"cell magic %%{name}"
        cell_magic = first
    masked = list(lines)
    done: set[int] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        assign = _ASSIGN_MAGIC.match(line)
        if i == cell_magic:
            replacement = "pass"
        elif (assign or stripped.startswith(_ESCAPES) or _HELP.match(stripped.rstrip())) and _starts_statement(
            masked[:i]
        ):
            replacement = assign.group("lhs") + "None" if assign else indent + "pass"
        else:
            i += 1
            continue
        masked[i] = replacement
        done.add(i + 1)
        while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):  # a continued magic line
            i += 1
            masked[i] = ""
            done.add(i + 1)
        i += 1
    if not done:
        return source, frozenset(), None
    return "\n".join(masked), frozenset(done), None


def _starts_statement(before: list[str]) -> bool:
    """Whether the line after `before` (lines, magics already masked) starts a statement: not inside
    a string, brackets or a backslash continuation."""
    if not before:
        return True
    try:
        for _ in tokenize.generate_tokens(io.StringIO("\n".join(before) + "\n").readline):
            pass
    except tokenize.TokenError:
        return False  # EOF in a multi-line string or statement
    except SyntaxError:
        return True  # bad indentation: a statement boundary all the same
    return True


def _parse_error(text: str) -> tuple[str, int, int] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as e:
        return f"syntax error: {e.msg}", e.lineno or 1, max((e.offset or 1) - 1, 0)
    except (ValueError, RecursionError, MemoryError) as e:
        return f"cannot parse: {type(e).__name__}: {e}", 1, 0
    return None


# --- the program --------------------------------------------------------------------------------------


def build_program(cells: Sequence[tuple[int, str]]) -> NotebookProgram:
    """The program of code cells `(index, source)`, in order."""
    out: list[CodeCell] = []
    errors: list[CellError] = []
    chunks: list[str] = []
    line = 1
    for index, source in cells:
        masked, masked_lines, not_python = mask_magics(source)
        if not_python is not None:
            out.append(CodeCell(index, source, skipped=not_python))
            continue
        if not masked.strip("\n"):
            out.append(CodeCell(index, source, skipped="empty"))
            continue
        failure = _parse_error(masked)
        if failure is not None:
            message, ln, col = failure
            errors.append(CellError(index, message, ln, col))
            out.append(CodeCell(index, source, skipped=message))
            continue
        text = masked if masked.endswith("\n") or not masked else masked + "\n"
        n = text.count("\n")
        if chunks:
            chunks.append(CELL_BOUNDARY + "\n")
            line += 1
        chunks.append(text)
        out.append(CodeCell(index, source, masked, masked_lines, line, n))
        line += n
    return NotebookProgram("".join(chunks), out, errors)


def parse_notebook(text: str) -> dict[str, Any]:
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise NotebookError(f"not a valid notebook: {e}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError("not a valid notebook: no `cells` list (gradls reads nbformat 4)")
    return nb


def _source_text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def is_python_notebook(nb: dict[str, Any]) -> bool:
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    info = meta.get("language_info")
    if isinstance(info, dict) and isinstance(info.get("name"), str):
        return info["name"].lower() == "python"
    spec = meta.get("kernelspec")
    if isinstance(spec, dict) and isinstance(spec.get("language"), str):
        return spec["language"].lower() == "python"
    return True


def notebook_cells(nb: dict[str, Any]) -> list[tuple[int, str]]:
    """(index, source) of the notebook's code cells; none for a notebook in another language."""
    if not is_python_notebook(nb):
        return []
    return [
        (i, _source_text(c.get("source")))
        for i, c in enumerate(nb["cells"])
        if isinstance(c, dict) and c.get("cell_type") == "code"
    ]


def read_notebook_program(text: str) -> NotebookProgram:
    """The program of a notebook's JSON text; raises NotebookError."""
    return build_program(notebook_cells(parse_notebook(text)))


def runnable_source(program: NotebookProgram) -> str:
    """The program as plain Python (boundaries are comments, magics `pass`): what running the
    notebook's cells in order runs, IPython aside."""
    return program.text


# --- writing back ----------------------------------------------------------------------------------


@dataclass
class _Node:
    start: int
    end: int
    kind: str  # "obj" | "arr" | "str" | "lit"
    items: Any = None  # obj: {key: _Node}; arr: [_Node]; str: the decoded string


_WS = re.compile(r"[ \t\n\r]*")
_LIT = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def _scan(text: str, i: int) -> _Node:
    i = _WS.match(text, i).end()  # type: ignore[union-attr]
    ch = text[i : i + 1]
    if ch == "{":
        obj: dict[str, _Node] = {}
        j = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        if text[j : j + 1] == "}":
            return _Node(i, j + 1, "obj", obj)
        while True:
            key = _scan(text, j)
            j = _WS.match(text, key.end).end()  # type: ignore[union-attr]
            if text[j : j + 1] != ":" or key.kind != "str":
                raise NotebookError(f"not a valid notebook: bad JSON object at offset {j}")
            value = _scan(text, j + 1)
            obj[key.items] = value
            j = _WS.match(text, value.end).end()  # type: ignore[union-attr]
            if text[j : j + 1] == "}":
                return _Node(i, j + 1, "obj", obj)
            if text[j : j + 1] != ",":
                raise NotebookError(f"not a valid notebook: bad JSON object at offset {j}")
            j += 1
    if ch == "[":
        arr: list[_Node] = []
        j = _WS.match(text, i + 1).end()  # type: ignore[union-attr]
        if text[j : j + 1] == "]":
            return _Node(i, j + 1, "arr", arr)
        while True:
            value = _scan(text, j)
            arr.append(value)
            j = _WS.match(text, value.end).end()  # type: ignore[union-attr]
            if text[j : j + 1] == "]":
                return _Node(i, j + 1, "arr", arr)
            if text[j : j + 1] != ",":
                raise NotebookError(f"not a valid notebook: bad JSON array at offset {j}")
            j += 1
    if ch == '"':
        value_s, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        return _Node(i, end, "str", value_s)
    m = _LIT.match(text, i)
    if not m or not ch:
        raise NotebookError(f"not a valid notebook: unexpected JSON at offset {i}")
    return _Node(i, m.end(), "lit")


def _split_lines(text: str) -> list[str]:
    """nbformat's list form of a source: lines with their newline, the last without."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def update_notebook_text(raw: str, sources: dict[int, str]) -> str:
    """`raw` (a notebook's JSON text) with the sources of the cells in `sources` replaced.

    Only the bytes of changed source lines move: every other byte (outputs, metadata, key order,
    indentation, escapes, the file's trailing newline) stays as it was."""
    if not sources:
        return raw
    root = _scan(raw, 0)
    cells = root.items.get("cells") if root.kind == "obj" else None
    if cells is None or cells.kind != "arr":
        raise NotebookError("not a valid notebook: no `cells` list")
    ascii_only = raw.isascii() and bool(re.search(r"\\u(?!00[0-7])[0-9a-fA-F]{4}", raw))

    def dump(s: str) -> str:
        return json.dumps(s, ensure_ascii=ascii_only)

    layout = _list_layout(raw, cells.items)
    replacements: list[tuple[int, int, str]] = []
    for index, new in sources.items():
        cell = cells.items[index]
        src = cell.items.get("source") if cell.kind == "obj" else None
        if src is None:
            raise NotebookError(f"cell {index + 1} has no source")
        if src.kind == "str":
            replacements.append((src.start, src.end, dump(new)))
            continue
        if src.kind != "arr":
            raise NotebookError(f"cell {index + 1}: source is neither a string nor a list")
        old_items: list[_Node] = src.items
        new_lines = _split_lines(new)
        opening, sep, closing = _layout_of(raw, src) or layout
        matcher = difflib.SequenceMatcher(None, [n.items for n in old_items], new_lines, autojunk=False)
        pieces: list[str] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pieces.extend(raw[n.start : n.end] for n in old_items[i1:i2])
            else:
                pieces.extend(dump(s) for s in new_lines[j1:j2])
        body = (opening + sep.join(pieces) + closing) if pieces else ""
        replacements.append((src.start, src.end, "[" + body + "]"))
    out = []
    pos = 0
    for s, e, t in sorted(replacements):
        out.append(raw[pos:s])
        out.append(t)
        pos = e
    out.append(raw[pos:])
    return "".join(out)


def _layout_of(raw: str, arr: _Node) -> tuple[str, str, str] | None:
    """(after '[', between items, before ']') of a non-empty JSON list, as written."""
    items: list[_Node] = arr.items
    if not items:
        return None
    opening = raw[arr.start + 1 : items[0].start]
    closing = raw[items[-1].end : arr.end - 1]
    if len(items) > 1:
        sep = raw[items[0].end : items[1].start]
    else:
        sep = "," + (opening if "\n" in opening else " ")
    return opening, sep, closing


def _list_layout(raw: str, cells: list[_Node]) -> tuple[str, str, str]:
    """The layout of some non-empty source list of the notebook (for a cell whose list was empty)."""
    for c in cells:
        src = c.items.get("source") if c.kind == "obj" else None
        if src is not None and src.kind == "arr":
            found = _layout_of(raw, src)
            if found is not None:
                return found
    return "\n    ", ",\n    ", "\n   "
