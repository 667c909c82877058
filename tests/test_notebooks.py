"""Jupyter notebooks: one program of their code cells (`gradls.notebooks`), `gradls check` / `--fix` /
`--diff` on `.ipynb` files and folders, findings reported per cell; a realistic notebook run under
TensorFlow to prove the verdict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gradls.analysis import analyze
from gradls.analysis.model import Edit, Span
from gradls.fixes import apply_edits
from gradls.notebooks import (
    CELL_BOUNDARY,
    NotebookError,
    build_program,
    mask_magics,
    parse_notebook,
    read_notebook_program,
    runnable_source,
    update_notebook_text,
)

IMPORTS = "import numpy as np\nimport tensorflow as tf"
BUGGY = (
    "w = tf.Variable([[1.0], [2.0]])\n"
    "x = tf.constant([[3.0, 4.0]])\n"
    "with tf.GradientTape() as tape:\n"
    "    loss = tf.reduce_sum(np.multiply(x, w))\n"
    "grads = tape.gradient(loss, [w])"
)


def notebook(*cells: tuple[str, str], sort_keys: bool = True, indent: int = 1, **extra) -> str:
    """nbformat-4 JSON as Jupyter writes it (indent 1, sorted keys, non-ASCII kept, final newline)."""
    out = []
    for n, (kind, source) in enumerate(cells):
        cell: dict = {"cell_type": kind, "metadata": {"tags": ["t"]}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell["execution_count"] = n
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["déjà vu\n", "42\n"]}]
        out.append(cell)
    nb = {
        "cells": out,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
        **extra,
    }
    return json.dumps(nb, indent=indent, sort_keys=sort_keys, ensure_ascii=False) + "\n"


def gradls(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradls", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


# --- the program ----------------------------------------------------------------------------------------


def test_magics_are_masked_in_place():
    src = (
        "%matplotlib inline\n"  # 1 line magic
        "x = !ls\n"  # 2 assigned shell output
        "for i in range(3):\n"
        "    %time f(i)\n"  # 4 indented line magic: the block keeps a statement
        "s = '''\n%not a magic\n'''\n"  # 5-7 inside a string
        "y = (1\n  % 2)\n"  # 8-9 a continuation line
        "np.sum?\n"  # 10 help
        "??np\n"  # 11
        "!pip install \\\n    foo\n"  # 12-13 a continued shell line
        "z = 1  # why?"  # 14 a comment, not help
    )
    masked, lines, not_python = mask_magics(src)
    assert not_python is None
    assert sorted(lines) == [1, 2, 4, 10, 11, 12, 13]
    out = masked.split("\n")
    assert len(out) == len(src.split("\n"))
    assert out[0] == "pass" and out[1] == "x = None" and out[3] == "    pass"
    assert out[5] == "%not a magic" and out[8] == "  % 2)" and out[13] == "z = 1  # why?"
    compile(masked, "<cell>", "exec")


def test_cell_magics():
    assert mask_magics("%%bash\nls -l\n")[2] == "cell magic %%bash"
    masked, lines, why = mask_magics("%%time\nx = 1\n")
    assert (masked, lines, why) == ("pass\nx = 1\n", frozenset({1}), None)


def test_findings_map_to_cells_and_lines():
    program = build_program([(1, "%load_ext autoreload\n" + IMPORTS), (3, "# data\n!ls\n" + BUGGY)])
    assert program.text.count(CELL_BOUNDARY) == 1
    [finding] = analyze(program.text, None).findings
    cell, local = program.to_cell(finding)  # type: ignore[misc]
    assert cell == 3
    assert local.span == Span(6, 25, 6, 42)  # line 6 of that cell: `    loss = tf.reduce_sum(np.multiply(x, w))`
    source = program.cell(3).source  # type: ignore[union-attr]
    assert source.split("\n")[5][25:42] == "np.multiply(x, w)"


def test_line_numbers_in_messages_are_said_in_cells(tmp_path: Path):
    """A rule's message that names another line (`..., line 7`) names it in the notebook's terms, in the editor
    (to_cell) and on the command line, with or without the cache: the joined program is not what the user sees."""
    model = (
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(8, activation='relu', kernel_initializer='zeros'),\n"
        "    keras.layers.Dense(1, kernel_initializer='zeros'),\n"
        "])\n"
        "model.compile('adam', 'mse')\n"
        "model.fit(np.zeros((4, 3)), np.zeros((4, 1)))"
    )
    program = build_program([(0, IMPORTS + "\nfrom tensorflow import keras"), (1, model)])
    [finding] = analyze(program.text, None).findings
    assert f"line {program.cell(1).start + 2}" in finding.message  # type: ignore[union-attr]
    cell, local = program.to_cell(finding)  # type: ignore[misc]
    assert (cell, local.span.line) == (1, 2)
    assert "cell 2, line 3" in local.message
    (tmp_path / "nb.ipynb").write_text(notebook(("code", IMPORTS + "\nfrom tensorflow import keras"), ("code", model)))
    for _ in range(2):  # the second run reads the cache
        r = gradls("check", "--cache-dir", str(tmp_path / "c"), "nb.ipynb", cwd=tmp_path)
        assert "cell 2, line 3" in r.stdout, r.stdout + r.stderr


def test_broken_cell_is_reported_and_the_rest_analysed():
    program = build_program([(0, IMPORTS), (1, "def f(:\n    pass"), (2, BUGGY)])
    [err] = program.errors
    assert (err.cell, err.line) == (1, 1) and err.message.startswith("syntax error")
    assert [c.index for c in program.included] == [0, 2]
    assert [f.code for f in analyze(program.text, None).findings] == ["TFG001"]


def test_ignore_comment_in_a_cell():
    quiet = BUGGY.replace("np.multiply(x, w))", "np.multiply(x, w))  # gradls: ignore[TFG001]")
    program = build_program([(0, IMPORTS), (1, quiet)])
    assert analyze(program.text, None).findings == []


def test_edits_map_back_and_the_json_changes_only_there():
    raw = notebook(("markdown", "# Title"), ("code", "%pip install x\n" + IMPORTS), ("code", BUGGY))
    program = read_notebook_program(raw)
    [finding] = analyze(program.text, None).findings
    line = program.cell(2).start + 3  # type: ignore[union-attr]
    fixed = apply_edits(program.text, [Edit(Span(line, 25, line, 27), "tf")])
    sources = program.cell_sources(fixed)
    assert sources == {2: BUGGY.replace("np.multiply", "tf.multiply")}
    new = update_notebook_text(raw, sources)
    assert new == raw.replace('"    loss = tf.reduce_sum(np.multiply', '"    loss = tf.reduce_sum(tf.multiply')
    # an import added after the first cell's imports stays in that cell, magics restored
    after_imports = program.cell(1).start + 3  # type: ignore[union-attr]
    sources = program.cell_sources(
        apply_edits(program.text, [Edit(Span(after_imports, 0, after_imports, 0), "import x\n")])
    )
    assert sources == {1: "%pip install x\n" + IMPORTS + "\nimport x"}
    assert finding.code == "TFG001"


def test_string_sources_and_other_layouts():
    raw = notebook(("code", IMPORTS), ("code", BUGGY), sort_keys=False, indent=2)
    nb = parse_notebook(raw)
    nb["cells"][1]["source"] = BUGGY  # one string, as some tools write it
    raw = json.dumps(nb, indent=2)  # ASCII-escaped, no final newline
    program = read_notebook_program(raw)
    line = program.cell(1).start + 3  # type: ignore[union-attr]
    sources = program.cell_sources(apply_edits(program.text, [Edit(Span(line, 25, line, 27), "tf")]))
    new = update_notebook_text(raw, sources)  # type: ignore[arg-type]
    assert new == raw.replace("tf.reduce_sum(np.multiply", "tf.reduce_sum(tf.multiply")
    assert "\\u00e9" in new and not new.endswith("\n")


def test_not_a_notebook():
    with pytest.raises(NotebookError):
        read_notebook_program("{not json")
    with pytest.raises(NotebookError):
        read_notebook_program('{"cells": 3}')
    r_nb = notebook(("code", "library(tensorflow)"))
    nb = parse_notebook(r_nb)
    nb["metadata"]["kernelspec"]["language"] = "R"
    assert read_notebook_program(json.dumps(nb)).included == []


# --- the command line ---------------------------------------------------------------------------------


@pytest.fixture
def nb_dir(tmp_path: Path) -> Path:
    (tmp_path / "notebooks").mkdir()
    raw = notebook(
        ("markdown", "# Gradients"),
        ("code", "%matplotlib inline\n" + IMPORTS),
        ("code", "def broken(:\n    pass"),
        ("code", "!nvidia-smi\n" + BUGGY),
    )
    (tmp_path / "notebooks" / "nb.ipynb").write_text(raw, encoding="utf-8")
    (tmp_path / "notebooks" / "clean.py").write_text("import tensorflow as tf\n")
    return tmp_path


def test_check_text_output_per_cell(nb_dir: Path):
    r = gradls("check", "notebooks", cwd=nb_dir)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("notebooks/nb.ipynb:cell 3:1:12: E999 syntax error")
    assert lines[1].startswith("notebooks/nb.ipynb:cell 4:5:26: TFG001 `np.multiply`")
    assert len(lines) == 2
    assert "1 file could not be checked" in r.stderr


def test_check_json_and_sarif_carry_the_cell(nb_dir: Path):
    data = json.loads(gradls("check", "--output-format", "json", "notebooks/nb.ipynb", cwd=nb_dir).stdout)
    error, finding = data
    assert (error["code"], error["cell"], error["location"]) == ("E999", 3, {"row": 1, "column": 12})
    assert (finding["code"], finding["cell"], finding["location"]) == ("TFG001", 4, {"row": 5, "column": 26})
    assert finding["fix"]["edits"][0]["cell"] == 4
    sarif = json.loads(gradls("check", "--output-format", "sarif", "notebooks/nb.ipynb", cwd=nb_dir).stdout)
    results = sarif["runs"][0]["results"]
    tfg = next(r for r in results if r["ruleId"] == "TFG001")
    assert tfg["properties"] == {"cell": 4}
    loc = tfg["locations"][0]
    assert loc["logicalLocations"] == [{"name": "cell 4", "kind": "module"}]
    assert loc["physicalLocation"]["region"]["startLine"] == 5


def test_fix_round_trip_is_byte_identical_elsewhere(nb_dir: Path):
    path = nb_dir / "notebooks" / "nb.ipynb"
    before = path.read_bytes()
    diff = gradls("check", "--diff", "notebooks", cwd=nb_dir)
    assert diff.returncode == 1
    assert "--- a/notebooks/nb.ipynb:cell 4\n+++ b/notebooks/nb.ipynb:cell 4\n" in diff.stdout
    assert "-    loss = tf.reduce_sum(np.multiply(x, w))\n+    loss = tf.reduce_sum(tf.multiply(x, w))\n" in diff.stdout
    assert path.read_bytes() == before  # --diff writes nothing
    r = gradls("check", "--fix", "notebooks", cwd=nb_dir)
    assert "1 fixed" in r.stderr, r.stderr
    after = path.read_bytes()
    expected = before.replace(
        b'"    loss = tf.reduce_sum(np.multiply(x, w))\\n",', b'"    loss = tf.reduce_sum(tf.multiply(x, w))\\n",'
    )
    assert expected != before and after == expected
    # the broken cell is still reported; nothing left to fix
    again = gradls("check", "notebooks", cwd=nb_dir)
    assert "TFG001" not in again.stdout and "cell 3:1:12: E999" in again.stdout


# --- a realistic notebook, run under TensorFlow ----------------------------------------------------------

REALISTIC = [
    ("markdown", "# A tiny regressor\nA custom activation layer, trained with `fit`."),
    (
        "code",
        "%matplotlib inline\n!pip install -q tensorflow\nimport numpy as np\nimport tensorflow as tf\nimport keras",
    ),
    (
        "code",
        "rng = np.random.default_rng(0)\n"
        "x_train = rng.normal(size=(64, 4)).astype('float32')\n"
        "y_train = (x_train.sum(axis=1, keepdims=True) > 0).astype('float32')\n"
        "x_train.shape?",
    ),
    (
        "code",
        "class SoftClip(keras.layers.Layer):\n"
        "    def call(self, inputs):\n"
        "        return np.tanh(inputs)\n"
        "\n"
        "\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), SoftClip(), keras.layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse')",
    ),
    ("code", "%%time\nhistory = model.fit(x_train, y_train, epochs=2, verbose=0)\nRESULT = history.history['loss']"),
]


def test_realistic_notebook_verdict_under_tensorflow(tmp_path: Path):
    from tfharness import run_programs

    path = tmp_path / "train.ipynb"
    path.write_text(notebook(*REALISTIC), encoding="utf-8")
    r = gradls("check", "train.ipynb", cwd=tmp_path)
    assert r.stdout.startswith("train.ipynb:cell 4:3:16: TFG001 `np.tanh` on a symbolic tensor"), r.stdout
    original = runnable_source(read_notebook_program(path.read_text(encoding="utf-8")))
    assert gradls("check", "--fix", "train.ipynb", cwd=tmp_path).returncode == 0
    fixed_raw = path.read_text(encoding="utf-8")
    assert '"        return tf.tanh(inputs)\\n",' in fixed_raw
    fixed = runnable_source(read_notebook_program(fixed_raw))
    results = run_programs({"notebook": original, "fixed": fixed}, per_program_timeout=120)
    bad, good = results["notebook"], results["fixed"]
    # The finding is real: fit traces SoftClip.call and NumPy cannot take the symbolic tensor.
    assert not bad.ok and "NotImplementedError" in (bad.error or "") + (bad.error_type or ""), bad
    assert good.ok, good.error
    losses = good.result
    assert isinstance(losses, list) and len(losses) == 2 and all(v == v for v in losses)
