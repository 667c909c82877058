"""The gradient probe on a Jupyter notebook: its code cells run in order as one script, the report mapped back to cells.

A notebook is probed the way "Run All" would run it, in one namespace, cell after cell, with the same
process isolation, timeout, step limit and memory cap as a `.py` (the launcher runs the script):

- the script is the program `gradls.notebooks.build_program` analyses: IPython magics, shell and help
  lines are masked exactly as the analysis masks them (`pass` in place, so no line moves), a non-Python
  cell magic (`%%bash`, `%%writefile`) leaves its cell out; the report's notes say what was skipped;
- a cell that does not parse stops the run there, as Run All stops at a failing cell: the cells before it
  run and the syntax error is reported at its cell;
- the script lives in a private temporary directory, and a short prologue (placed after any leading
  `from __future__` imports) gives it a notebook's surroundings: the notebook's folder is `sys.path[0]`
  (Jupyter's kernel starts there), `__file__` is not defined (as in Jupyter), `__vsc_ipynb_file__` names
  the notebook (as VS Code's Jupyter does), `display` exists (IPython's when installed), and matplotlib
  draws off screen (`MPLBACKEND=agg`, as the inline backend: `plt.show()` opens no window to wait on);
- the working directory is the notebook's folder (Jupyter's and VS Code's default) unless given.

Every location in the report that points into the script (`file` + `line`, created-at lines, errors,
warnings) is rewritten to the notebook: `file` the notebook, `line` the line in its cell, and `cell`
the 1-based cell number as `gradls check` prints it (markdown cells count); the script's path in the
messages and in the program's output becomes `nb.ipynb:cell 3:2` (a traceback's `File "...", line N`
becomes `File "nb.ipynb", cell 3, line 2`).  `text_view` prepares such a report for `format_text`.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gradls.notebooks import NotebookError, NotebookProgram, build_program, notebook_cells, parse_notebook

NOTEBOOK_SUFFIX = ".ipynb"


def is_notebook(path: str) -> bool:
    return path.lower().endswith(NOTEBOOK_SUFFIX)


def _prologue(notebook_path: str) -> list[str]:
    folder = os.path.dirname(os.path.abspath(notebook_path))
    return [
        # matplotlib draws off screen, as the inline backend does: plt.show() must not open a window and wait
        "import os as _gradls_os, sys as _gradls_sys; _gradls_os.environ['MPLBACKEND'] = 'agg'",
        f"_gradls_sys.path[0] = {folder!r}; del _gradls_os, _gradls_sys",
        f"__vsc_ipynb_file__ = {os.path.abspath(notebook_path)!r}; globals().pop('__file__', None)",
        "try: from IPython.display import display",
        "except ImportError: display = print",
    ]


def _future_imports_end(text: str) -> int:
    """The last line of the program's leading docstring and `from __future__` imports (0: none):
    they must stay first, so the prologue goes after them."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
    end = 0
    for i, node in enumerate(body):
        is_doc = i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if is_doc or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            end = node.end_lineno or node.lineno
        else:
            break
    return end


@dataclass(frozen=True)
class NotebookScript:
    """A notebook's code cells as one runnable script, and the way back from a script line to a cell."""

    notebook: str  # absolute path of the .ipynb
    program: NotebookProgram
    text: str
    prologue_at: int  # the prologue follows this program line (0: it comes first)
    prologue_lines: int
    stopped_at: tuple[int, str, int, int] | None = None  # (cell index, message, line, col): Run All stops there

    def cell_of(self, script_line: int) -> tuple[int, int] | None:
        """(1-based cell number, line in the cell) of a script line; None in the prologue or a boundary."""
        if script_line <= self.prologue_at:
            line = script_line
        elif script_line <= self.prologue_at + self.prologue_lines:
            return None
        else:
            line = script_line - self.prologue_lines
        found = self.program.locate(line)
        if found is None:
            return None
        return found[0].index + 1, found[1]

    def skipped_notes(self) -> list[str]:
        notes = []
        masked = sum(len(c.masked_lines) for c in self.program.included)
        if masked:
            notes.append(
                "%d IPython line%s (magics, shell commands, help) not run" % (masked, "s" if masked != 1 else "")
            )
        for c in self.program.cells:
            if c.skipped and c.skipped.startswith("cell magic"):
                notes.append("cell %d not run: %s is not Python" % (c.index + 1, c.skipped))
        if self.stopped_at is not None:
            notes.append(
                "the run stopped before cell %d: it does not parse (Run All stops there too)" % (self.stopped_at[0] + 1)
            )
        return notes


def notebook_script(notebook_path: str, cells: Sequence[tuple[int, str]]) -> NotebookScript:
    """The script of code cells `(index in the notebook's cells, source)`, in order."""
    program = build_program(cells)
    stopped_at = None
    if program.errors:
        first = min(program.errors, key=lambda e: e.cell)
        stopped_at = (first.cell, first.message, first.line, first.col)
        program = build_program([(i, s) for i, s in cells if i < first.cell])
    after = _future_imports_end(program.text)
    lines = program.text.split("\n")
    prologue = _prologue(notebook_path)
    text = "\n".join(lines[:after] + prologue + lines[after:])
    return NotebookScript(os.path.abspath(notebook_path), program, text, after, len(prologue), stopped_at)


def read_notebook_script(notebook_path: str) -> NotebookScript:
    """The script of a notebook file; raises NotebookError (not JSON, not nbformat 4) or OSError."""
    with open(notebook_path, encoding="utf-8") as fh:
        raw = fh.read()
    return notebook_script(notebook_path, notebook_cells(parse_notebook(raw)))


# ---------------------------------------------------------------------------------------------- the report


class _Mapper:
    def __init__(self, script: NotebookScript, script_path: str):
        self.script = script
        self.paths = {script_path, os.path.realpath(script_path)}
        names = sorted(self.paths | {os.path.basename(script_path)}, key=len, reverse=True)
        alternatives = "|".join(re.escape(n) for n in names)
        self.frame_re = re.compile(r'File "(?:%s)", line (\d+)' % alternatives)
        self.where_re = re.compile(r"(?:%s):(\d+)" % alternatives)
        self.path_re = re.compile("|".join(re.escape(p) for p in sorted(self.paths, key=len, reverse=True)))
        self.shown = os.path.basename(script.notebook)

    def text(self, s: str) -> str:
        def frame(m: re.Match[str]) -> str:
            at = self.script.cell_of(int(m.group(1)))
            where = "cell %d, line %d" % at if at else "line ?"
            return 'File "%s", %s' % (self.script.notebook, where)

        def where(m: re.Match[str]) -> str:
            at = self.script.cell_of(int(m.group(1)))
            return "%s:cell %d:%d" % ((self.shown, *at)) if at else self.shown

        s = self.frame_re.sub(frame, s)
        s = self.where_re.sub(where, s)
        return self.path_re.sub(lambda _m: self.script.notebook, s)

    def value(self, obj: Any) -> Any:
        if isinstance(obj, dict):
            out = {k: self.value(v) for k, v in obj.items()}
            if obj.get("file") in self.paths:
                out["file"] = self.script.notebook
                line = obj.get("line")
                at = self.script.cell_of(line) if isinstance(line, int) and not isinstance(line, bool) else None
                if "line" in obj:
                    out["line"] = at[1] if at else None
                    out["cell"] = at[0] if at else None
            return out
        if isinstance(obj, list):
            return [self.value(v) for v in obj]
        if isinstance(obj, str):
            return self.text(obj)
        return obj


def map_report(report: dict[str, Any], script: NotebookScript, script_path: str) -> dict[str, Any]:
    """The report of the script's run, every location and path in it pointing into the notebook instead."""
    out: dict[str, Any] = _Mapper(script, script_path).value(report)
    out["file"] = script.notebook
    out["notebook"] = True
    notes = out.setdefault("notes", [])
    if isinstance(notes, list):
        notes.extend(script.skipped_notes())
    if script.stopped_at is not None:
        index, message, line, col = script.stopped_at
        out.setdefault("errors", []).append(
            {
                "type": "SyntaxError",
                "message": f"this cell does not parse ({message}); the probe ran the cells before it",
                "file": script.notebook,
                "line": line,
                "cell": index + 1,
                "category": "program",
                "during": "program",
                "step": out.get("steps_observed", 0),
            }
        )
        if out.get("status") == "ok":
            out["status"] = "error"
    return out


def text_view(report: dict[str, Any]) -> dict[str, Any]:
    """A copy of a notebook report for `format_text`: a location's file reads `nb.ipynb:cell 3`, so the
    text shows `nb.ipynb:cell 3:2` (ruff's notebook style, as `gradls check` prints findings)."""

    def view(obj: Any) -> Any:
        if isinstance(obj, dict):
            out = {k: view(v) for k, v in obj.items()}
            if isinstance(obj.get("cell"), int) and isinstance(obj.get("file"), str):
                out["file"] = "%s:cell %d" % (obj["file"], obj["cell"])
            return out
        if isinstance(obj, list):
            return [view(v) for v in obj]
        return obj

    return view(report)


# ---------------------------------------------------------------------------------------------- running


def _error_report(notebook: str, interpreter: str, steps: int, device: str, message: str) -> dict[str, Any]:
    from gradls.probe import report as _report

    rep = _report.new_report(os.path.abspath(notebook), interpreter, steps, device)
    rep["status"] = "error"
    rep["message"] = message
    rep["notebook"] = True
    return rep


async def run_notebook_probe_async(
    notebook: str,
    cells: Sequence[tuple[int, str]] | None = None,
    *,
    run: Callable[..., Any] | None = None,
    cwd: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Probe a notebook: `cells` (index, source) as the editor has them, else the file's code cells.

    `options` are `launcher.run_probe_async`'s (interpreter, steps, timeout, device, memory_mb, env,
    warm, pool, ...); `run` replaces that function (tests).  Always returns a report."""
    from gradls.probe import launcher

    interpreter = str(options.get("interpreter", ""))
    steps = int(options.get("steps", launcher.DEFAULT_STEPS))
    device = str(options.get("device", "auto"))
    try:
        script = read_notebook_script(notebook) if cells is None else notebook_script(notebook, cells)
    except (OSError, UnicodeDecodeError, NotebookError) as e:
        return _error_report(notebook, interpreter, steps, device, "cannot read the notebook %s: %s" % (notebook, e))
    if not script.program.text.strip() and script.stopped_at is None:
        return _error_report(notebook, interpreter, steps, device, "the notebook has no Python code cell to run.")
    workdir = tempfile.mkdtemp(prefix="gradls-notebook-")
    try:
        script_path = os.path.join(workdir, os.path.basename(script.notebook) + ".py")
        with open(script_path, "w", encoding="utf-8") as fh:
            fh.write(script.text)
        runner = run or launcher.run_probe_async
        report = await runner(script_path, cwd=cwd or os.path.dirname(script.notebook), **options)
        return map_report(report, script, script_path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_notebook_probe(notebook: str, cells: Sequence[tuple[int, str]] | None = None, **options: Any) -> dict[str, Any]:
    """Synchronous run_notebook_probe_async."""
    import asyncio

    return asyncio.run(run_notebook_probe_async(notebook, cells, **options))
