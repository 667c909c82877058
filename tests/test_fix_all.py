"""`gradls.fixes.fix_all`: the one fix-all loop behind `gradls check --fix` and the editor's source.fixAll.gradls."""

from __future__ import annotations

import ast

from gradls import fixes
from gradls.analysis import analyze
from gradls.analysis.model import Edit, Finding, Fix, ParseFailure, Span
from gradls.fixes import fix_all
from gradls.lsp import edits

LAYER = """import numpy as np
import tensorflow as tf


class L(tf.keras.layers.Layer):
    def call(self, x):
        a = np.square(x)
        b = np.exp(x)
        c = np.mean(np.abs(x))
        return a + b + c
"""


def _counting():
    calls: list[str] = []

    def analyse(text: str):
        calls.append(text)
        result = analyze(text)
        return result.findings, result.failure

    return analyse, calls


def test_batched_reaches_the_same_fixpoint_in_fewer_analyses():
    one, one_calls = _counting()
    many, many_calls = _counting()
    single = fix_all(LAYER, one)
    batched = fix_all(LAYER, many, batch=True)
    assert batched.text == single.text and "np." not in single.text.split("import tensorflow as tf", 1)[1]
    assert batched.applied == single.applied >= 4 and batched.remaining == single.remaining == []
    assert len(many_calls) < len(one_calls)
    ast.parse(batched.text)


def test_the_server_uses_the_same_loop():
    def findings_or_none(text: str):
        result = analyze(text)
        return None if result.failure else result.findings

    assert edits.fix_all(LAYER, findings_or_none) == fix_all(LAYER, _counting()[0]).text


def _with_builder(code: str, builder, run):
    """Run with `builder` answering for the toy rule `code` (no such rule is registered: fix_for is swapped)."""
    real = fixes.fix_for
    fixes.fix_for = lambda text, f: builder(text, f) if f.code == code else real(text, f)
    try:
        return run()
    finally:
        fixes.fix_for = real


def _renames(code: str, import_line: str | None = None):
    """A toy rule: every line starting with a lower-case letter is a finding; its fix upper-cases the letter
    (and inserts `import_line` at the top when it is not there yet)."""

    def analyse(text: str):
        return [
            Finding(code, "m", Span(i + 1, 0, i + 1, 1), {"line": i + 1})
            for i, ln in enumerate(text.splitlines())
            if ln[:1].islower() and not ln.startswith(("import", "pass", "#"))
        ], None

    def builder(text: str, f: Finding) -> Fix:
        line = f.fix_data["line"]
        rename = Edit(Span(line, 0, line, 1), text.splitlines()[line - 1][0].upper())
        if import_line is None or import_line in text:
            return Fix("f", (rename,), safe=True)
        return Fix("f", (Edit(Span(1, 0, 1, 0), import_line), rename), safe=True)

    return analyse, builder


def test_a_batch_that_does_not_analyse_falls_back_to_one_fix_at_a_time():
    analyse, builder = _renames("TFGX02")

    def picky(text: str):  # X alone and Y alone are fine; both together "do not parse"
        if "X" in text and "Y" in text:
            return [], ParseFailure("no")
        return analyse(text)

    result = _with_builder("TFGX02", builder, lambda: fix_all("x = 1\ny = 2\n", picky, batch=True))
    assert result.text == "X = 1\ny = 2\n" and result.applied == 1
    assert [f.span.line for f in result.remaining] == [2]


def test_a_shared_import_is_inserted_once():
    analyse, builder = _renames("TFGX03", "import os\n")
    analyses: list[str] = []

    def counted(text: str):
        analyses.append(text)
        return analyse(text)

    result = _with_builder("TFGX03", builder, lambda: fix_all("pass\na = 1\nb = 2\n", counted, batch=True))
    assert result.text == "import os\npass\nA = 1\nB = 2\n", result.text
    assert result.applied == 2 and len(analyses) == 2  # both fixes in one round, the import once


def test_insertions_at_one_point_wait_for_the_next_round():
    analyse, _ = _renames("TFGX04")

    def builder(text: str, f: Finding) -> Fix:  # both fixes insert a different line at the top
        line = f.fix_data["line"]
        letter = text.splitlines()[line - 1][0]
        return Fix("f", (Edit(Span(1, 0, 1, 0), f"# {letter}\n"), Edit(Span(line, 0, line, 1), letter.upper())), True)

    result = _with_builder("TFGX04", builder, lambda: fix_all("pass\na = 1\nb = 2\n", analyse, batch=True))
    assert result.applied == 2 and result.remaining == []
    assert sorted(result.text.splitlines()[:2]) == ["# a", "# b"] and result.text.endswith("A = 1\nB = 2\n")


def test_fix_all_stops_on_a_fix_that_undoes_itself():
    def analyse(text):  # one finding on line 1 forever, whatever the text
        return [Finding("TFGX01", "m", Span(1, 0, 1, 1), {"k": 1})], None

    flip = {"a": "b", "b": "a"}
    builder = lambda text, f: Fix("flip", (Edit(Span(1, 0, 1, 1), flip[text[0]]),))
    result = _with_builder("TFGX01", builder, lambda: fix_all("a = 1\n", analyse))
    assert result.text == "b = 1\n" and result.applied == 1 and len(result.remaining) == 1
