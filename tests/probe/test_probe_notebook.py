"""The gradient probe on a Jupyter notebook (`gradls probe nb.ipynb`): code cells run in order under
TensorFlow (CPU), magics skipped as the analysis masks them, the report mapped back to cell and line.

One real TensorFlow run (through the CLI) carries most assertions; the mapping itself is also checked
line by line without TensorFlow."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from gradls.notebooks import CELL_BOUNDARY
from gradls.probe import cli as probe_cli
from gradls.probe.notebook_source import map_report, notebook_script, run_notebook_probe, text_view
from gradls.probe.report import format_text
from tfharness import tf_python

TF_PYTHON = tf_python()

pytestmark = pytest.mark.timeout(180)

CELLS = [
    ("markdown", "# Training notebook\nThe probe skips this cell."),
    (
        "code",
        "from __future__ import annotations\n"
        "%matplotlib inline\n"
        "!pip list | head -1\n"
        "import os\n"
        "import numpy as np\n"
        "import tensorflow as tf\n"
        "from helper import SCALE\n"
        "data = open('data.txt').read().split()",
    ),
    ("code", "%%bash\necho this cell is not Python"),
    (
        "code",
        "w = tf.Variable([[1.0], [2.0]], name='w')\n"
        "b = tf.Variable([0.5], name='b')\n"
        "x = tf.constant([[float(data[0]), 4.0]])\n"
        "display(x.shape)\n"
        "print('surroundings:', os.environ['MPLBACKEND'], '__file__' in globals(), __vsc_ipynb_file__.endswith('.ipynb'))",
    ),
    (
        "code",
        "%%time\n"
        "with tf.GradientTape() as tape:\n"
        "    y = tf.matmul(x, w) + b\n"
        "    loss = tf.reduce_sum(np.multiply(y, SCALE))  # leaves the graph: no gradient\n"
        "grads = tape.gradient(loss, [w, b])",
    ),
    ("code", "print('grads:', grads)\nraise ValueError('cell six fails')"),
    ("code", "def broken(:\n    pass"),
]


def write_notebook(folder: Path, cells=CELLS) -> Path:
    nb = {
        "cells": [
            {
                "cell_type": kind,
                "metadata": {},
                "source": source.splitlines(keepends=True),
                **({"execution_count": None, "outputs": []} if kind == "code" else {}),
            }
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "train.ipynb"
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    (folder / "helper.py").write_text("SCALE = 2.0\n", encoding="utf-8")  # imported from the notebook's folder
    (folder / "data.txt").write_text("3.0\n", encoding="utf-8")  # read relative to the working directory
    return path


@pytest.fixture(scope="module")
def probed(tmp_path_factory) -> tuple[Path, dict, int]:
    """(notebook, JSON report, exit code) of `gradls probe train.ipynb --output-format json`."""
    path = write_notebook(tmp_path_factory.mktemp("nb"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = probe_cli.main(
            [str(path), "--output-format", "json", "--python", TF_PYTHON, "--device", "cpu", "--steps", "3"]
        )
    return path, json.loads(out.getvalue()), code


def test_lost_gradients_are_reported_at_the_cell_and_line(probed):
    path, rep, code = probed
    assert code == 1 and rep["status"] == "gradient-problems"
    assert rep["notebook"] is True and rep["file"] == str(path)
    problems = {p["source"]: p for p in rep["problems"]}
    assert set(problems) >= {"w", "b"}
    for name, created_line in (("w", 1), ("b", 2)):
        p = problems[name]
        assert p["status"] == "none"
        # cell 5 (markdown counts, as `gradls check` numbers cells), its 5th line: the tape.gradient call
        assert (p["file"], p["cell"], p["line"]) == (str(path), 5, 5)
        assert (p["created_at"]["file"], p["created_at"]["cell"], p["created_at"]["line"]) == (
            str(path),
            4,
            created_line,
        )


def test_magics_are_skipped_and_the_notebook_surroundings_hold(probed):
    path, rep, _ = probed
    # %matplotlib, !pip and the %%time line were not run; the %%bash cell neither: all said in the notes
    assert "3 IPython lines (magics, shell commands, help) not run" in rep["notes"]
    assert "cell 3 not run: cell magic %%bash is not Python" in rep["notes"]
    # helper.py imported from the notebook's folder, data.txt read from it (the working directory), display() ran
    assert "(1, 2)" in rep["stdout"] and "grads: [None, None]" in rep["stdout"]
    # matplotlib off screen, no __file__ (as in Jupyter), VS Code's notebook variable
    assert "surroundings: agg False True" in rep["stdout"]
    assert "this cell is not Python" not in rep["stdout"]


def test_errors_and_tracebacks_point_into_cells(probed):
    path, rep, _ = probed
    errors = {e["type"]: e for e in rep["errors"]}
    assert (errors["ValueError"]["cell"], errors["ValueError"]["line"]) == (6, 2)
    syntax = errors["SyntaxError"]
    assert (syntax["file"], syntax["cell"], syntax["line"]) == (str(path), 7, 1)
    assert "the probe ran the cells before it" in syntax["message"]
    assert f'File "{path}", cell 6, line 2' in rep["stderr"]
    # nothing in the report points at the temporary script
    assert "gradls-notebook-" not in json.dumps(rep)


def test_text_report_prints_cells_like_gradls_check(probed):
    _, rep, _ = probed
    text = format_text(text_view(rep))
    assert text.startswith("# gradls probe: train.ipynb")
    assert "- train.ipynb:cell 5:5 `tape.gradient` w (created at train.ipynb:cell 4:1): no gradient (None)" in text
    assert "train.ipynb:cell 6:2" in text and "cell six fails" in text  # the program's exception, at its cell
    assert "train.ipynb:cell 7:1: error SyntaxError: this cell does not parse" in text


# --- without TensorFlow --------------------------------------------------------------------------


def test_every_script_line_maps_back_to_its_cell_line():
    cells = [(i, src) for i, (kind, src) in enumerate(CELLS) if kind == "code"]
    script = notebook_script("/nb/train.ipynb", cells)
    assert script.stopped_at is not None and script.stopped_at[0] == 6  # cell 7 does not parse
    compile(script.text, "train.ipynb.py", "exec")  # the prologue went after the __future__ import
    lines = script.text.split("\n")
    assert lines[0] == "from __future__ import annotations"
    mapped = 0
    for n, text in enumerate(lines, 1):
        at = script.cell_of(n)
        if at is None:
            prologue = ("_gradls_", "display", "__vsc_ipynb_file__")
            assert any(p in text for p in prologue) or text == CELL_BOUNDARY or (n == len(lines) and not text)
            continue
        cell, line = at
        source_line = dict(cells)[cell - 1].split("\n")[line - 1]
        masked = source_line.startswith(("%", "!"))
        assert text == ("pass" if masked else source_line)
        mapped += 1
    assert mapped == sum(src.count("\n") + 1 for i, src in cells if i not in (2, 6))


def test_a_location_outside_the_cells_and_a_notebook_without_code(tmp_path):
    script = notebook_script(str(tmp_path / "a.ipynb"), [(0, "x = 1")])
    rep = {
        "file": "/tmp/s/a.ipynb.py",
        "message": "ValueError at a.ipynb.py:6: boom.",
        "errors": [{"type": "ValueError", "file": "/tmp/s/a.ipynb.py", "line": 2, "message": "m"}],
        "notes": [],
    }
    out = map_report(rep, script, "/tmp/s/a.ipynb.py")
    assert out["message"] == "ValueError at a.ipynb:cell 1:1: boom."
    assert out["errors"][0]["line"] is None and out["errors"][0]["cell"] is None  # the prologue: no cell line
    empty = write_notebook(tmp_path, [("markdown", "only words")])
    rep = run_notebook_probe(str(empty), interpreter="python3")
    assert rep["status"] == "error" and "no Python code cell" in rep["message"]
