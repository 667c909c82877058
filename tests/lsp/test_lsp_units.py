"""Unit tests of the LSP layer's pure parts: positions, suppression edits, settings, shifting."""

from __future__ import annotations

import ast
import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from gradls.analysis.model import Finding, ParseFailure, Span
from gradls.analysis.suppression import parse_suppressions
from gradls.config import Config
from gradls.fixes import apply_edits
from gradls.fixes.suppress import suppresses, suppression_edit
from gradls.lsp.diagnostics import (
    DocumentState,
    ProbeFact,
    drop_stale_probe_facts,
    failure_to_diagnostic,
    shift_for_change,
)
from gradls.lsp.edits import fix_all, minimal_edits
from gradls.lsp.positions import LineIndex, from_client_column, to_client_column
from gradls.lsp.settings import merge, parse_settings, with_probe_overrides
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types as lsp


# ------------------------------------------------------------------ positions
@pytest.mark.parametrize(
    "encoding,expected",
    [("utf-16", [0, 1, 3, 4, 5]), ("utf-8", [0, 1, 5, 7, 8]), ("utf-32", [0, 1, 2, 3, 4])],
)
def test_columns_per_encoding(encoding, expected):
    line = "a😀éb"  # astral (2 UTF-16 units, 4 UTF-8 bytes), then a 2-byte character
    assert [to_client_column(line, c, encoding) for c in range(5)] == expected
    assert [from_client_column(line, u, encoding) for u in expected] == list(range(5))


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30), st.data()
)
def test_column_round_trip(line, data):
    col = data.draw(st.integers(0, len(line)))
    for enc in ("utf-8", "utf-16", "utf-32"):
        assert from_client_column(line, to_client_column(line, col, enc), enc) == col


def test_line_index_uses_lsp_line_breaks_only():
    index = LineIndex("a\r\nb\x0cc\rd\u2028e\n", "utf-16")
    assert index.lines == ["a", "b\x0cc", "d\u2028e", ""]
    assert index.range(Span(3, 1, 3, 3)) == lsp.Range(
        start=lsp.Position(line=2, character=1), end=lsp.Position(line=2, character=3)
    )


# ------------------------------------------------------------------ suppression edit
def _finding(line, code="TFG001", end_line=None):
    return Finding(code, "m", Span(line, 4, end_line or line, 10))


@pytest.mark.parametrize(
    "line_text,expected",
    [
        ("y = np.sum(t)", "y = np.sum(t)  # gradls: ignore[TFG001]"),
        ("y = np.sum(t)   ", "y = np.sum(t)  # gradls: ignore[TFG001]"),
        ("y = np.sum(t)  # noqa: E501", "y = np.sum(t)  # noqa: E501  # gradls: ignore[TFG001]"),
        ("y = np.sum(t)  # gradls: ignore[TFG003]", "y = np.sum(t)  # gradls: ignore[TFG003, TFG001]"),
        ("y = f('#')  # why", "y = f('#')  # why  # gradls: ignore[TFG001]"),
    ],
)
def test_disable_for_this_line(line_text, expected):
    source = f"import numpy as np\n{line_text}\nz = 1\n"
    edit = suppression_edit(source, _finding(2))
    new = apply_edits(source, [edit])
    assert new.split("\n")[1] == expected
    assert suppresses(new, 2, "TFG001")
    ast.parse(new)


def test_disable_next_to_multiline_strings_and_decorators():
    source = 'import tensorflow as tf\n\n@tf.custom_gradient  # note\ndef f(x):\n    s = """a\nb"""; y = g(x,\n        2)  # c\n    return y\n'
    for span, line in [(Span(3, 1, 3, 19), 3), (Span(6, 5, 7, 10), 6), (Span(7, 0, 7, 5), 7), (Span(5, 4, 6, 4), 6)]:
        edit = suppression_edit(source, Finding("TFG004", "m", span))
        assert edit is not None and edit.span.line == line, span
        new = apply_edits(source, [edit])
        ast.parse(new)
        assert suppresses(new, line, "TFG004")


def test_disable_goes_past_a_backslash_continuation():
    source = "y = np.sum(t) + \\\n    np.sum(u)\n"
    edit = suppression_edit(source, _finding(1, end_line=2))
    new = apply_edits(source, [edit])
    assert new == "y = np.sum(t) + \\\n    np.sum(u)  # gradls: ignore[TFG001]\n"
    ast.parse(new)


def test_disable_skips_a_line_ending_inside_a_string_and_gives_up_on_bare_ignore():
    source = 'y = f("""a\nb""", np.sum(t))\n'
    edit = suppression_edit(source, _finding(1, end_line=2))
    new = apply_edits(source, [edit])
    assert new == 'y = f("""a\nb""", np.sum(t))  # gradls: ignore[TFG001]\n'
    assert suppression_edit("y = 1  # gradls: ignore\n", _finding(1)) is None
    assert parse_suppressions(new).by_line[2][0].codes == ("TFG001",)


# ------------------------------------------------------------------ settings
def test_settings_parse_with_clear_problems_and_defaults():
    settings, problems = parse_settings(
        {
            "enable": "yes",
            "select": ["tfg0"],
            "severity": {"TFG0": "error", "TFG004": "loud"},
            "lint": {"run": "onsave"},
            "showNotifications": "never",
            "probe": {"timeoutSeconds": -1, "steps": 2.5, "device": "GPU", "interpreter": "/x/python"},
            "colour": "red",
        }
    )
    assert settings.enable is True and settings.select == ("TFG0",) and settings.severity == (("TFG0", "error"),)
    assert settings.lint_run == "onSave" and settings.show_notifications == "off"
    assert settings.probe.device == "gpu" and settings.probe.timeout_seconds == 120.0 and settings.probe.steps == 3
    assert settings.probe.interpreter == "/x/python"
    keys = [
        "gradls.enable",
        "gradls.severity.TFG004",
        "gradls.showNotifications",
        "gradls.probe.timeoutSeconds",
        "gradls.probe.steps",
        "gradls.colour",
    ]
    for key in keys:
        assert any(key in p for p in problems), key
    assert parse_settings(["not", "an", "object"])[1]


def test_editor_settings_merge_over_pyproject():
    file_cfg = Config(select=("TFG001",), ignore=("TFG003",), severity=(("TFG0", "hint"),))
    editor, _ = parse_settings({"ignore": ["TFG004"], "severity": {"TFG0": "error"}})
    merged = merge(file_cfg, editor)
    assert merged.select == ("TFG001",) and merged.ignore == ("TFG003", "TFG004")
    assert merged.severity_for("TFG001") == "error"
    probe, problems = with_probe_overrides(editor.probe, {"steps": 5, "device": "tpu"})
    assert probe.steps == 5 and problems and "device" in problems[0]


# ------------------------------------------------------------------ keeping findings while typing
def test_shift_moves_findings_below_and_drops_touched_ones():
    state = DocumentState(uri="file:///x.py", path="/x.py", version=1)
    state.findings = [
        Finding("TFG001", "a", Span(2, 0, 2, 5)),
        Finding("TFG001", "b", Span(5, 0, 6, 5)),
        Finding("TFG001", "c", Span(9, 1, 9, 4)),
    ]
    state.probe_facts = [ProbeFact(line=9, message="p")]
    shift_for_change(state, 4, 4, "new\nlines\n")  # 0-based line 4 = 1-based 5, two line breaks added
    assert [(f.message, f.span.line, f.span.end_line) for f in state.findings] == [("a", 2, 2), ("c", 11, 11)]
    assert state.probe_facts[0].line == 11
    shift_for_change(state, 0, 3, "")  # delete lines 1..4 (joined into one)
    assert [(f.message, f.span.line) for f in state.findings] == [("c", 8)]


def test_probe_facts_go_with_the_lines_of_their_related_findings():
    state = DocumentState(uri="file:///x.py", path="/x.py", version=1)
    numpy_call = Finding("TFG001", "np", Span(7, 24, 7, 41))
    state.findings = [numpy_call]
    state.probe_facts = [
        ProbeFact(line=8, message="w gets no gradient", related=(numpy_call,)),
        ProbeFact(line=4, message="created here", related=(numpy_call,)),
        ProbeFact(line=12, message="unrelated"),
    ]
    shift_for_change(state, 0, 0, "# top\n", 0, 0)  # a new first line: everything moves down
    assert [(p.line, p.related[0].span.line if p.related else None) for p in state.probe_facts] == [
        (9, 8),
        (5, 8),
        (13, None),
    ]
    shift_for_change(state, 7, 7, "tf", 24, 26)  # the related finding's line (1-based 8) is edited
    assert [p.message for p in state.probe_facts] == ["unrelated"]


def test_probe_facts_go_when_a_fresh_analysis_no_longer_reports_their_finding():
    state = DocumentState(uri="file:///x.py", path="/x.py", version=1)
    kept, fixed = Finding("TFG001", "a", Span(3, 0, 3, 5)), Finding("TFG004", "b", Span(9, 0, 9, 5))
    state.probe_facts = [
        ProbeFact(line=4, message="p", related=(kept,)),
        ProbeFact(line=10, message="q", related=(fixed,)),
    ]
    state.findings = [kept]
    assert drop_stale_probe_facts(state) is True
    assert [p.message for p in state.probe_facts] == ["p"]
    assert drop_stale_probe_facts(state) is False


def test_parse_failure_moves_with_edits_and_goes_when_its_line_is_edited():
    state = DocumentState(uri="file:///x.py", path="/x.py", version=1)
    state.failure = ParseFailure("syntax error: invalid syntax", line=5, col=3)
    shift_for_change(state, 0, 0, "a\nb\n", 0, 0)
    assert state.failure is not None and state.failure.line == 7
    shift_for_change(state, 6, 6, ")", 3, 3)
    assert state.failure is None


def test_parse_failure_diagnostic_is_one_character_inside_the_line():
    index = LineIndex("x = (\n\n", "utf-16")
    for col, expected in [(4, (4, 5)), (5, (4, 5)), (99, (4, 5))]:
        d = failure_to_diagnostic(ParseFailure("syntax error: m", 1, col), index)
        assert (d.range.start.character, d.range.end.character) == expected
        assert d.severity == lsp.DiagnosticSeverity.Error and d.code is None and d.source == "gradls"
    empty = failure_to_diagnostic(ParseFailure("syntax error: m", 2, 0), index)
    assert (empty.range.start.line, empty.range.start.character, empty.range.end.character) == (1, 0, 0)


def test_minimal_edits_touch_only_changed_lines():
    old = "a\nb\nc\nd\n"
    new = "a\nB\nc\nd\ne\n"
    edits = minimal_edits(old, new)
    assert apply_edits(old, edits) == new
    assert [(e.span.line, e.span.end_line) for e in edits] == [(2, 3), (5, 5)]


def test_fix_all_stops_and_never_leaves_unparsable_text():
    from gradls.analysis import analyze

    source = "import numpy as np\nimport tensorflow as tf\n\n\nclass L(tf.keras.layers.Layer):\n    def call(self, x):\n        return np.multiply(np.multiply(x, x), x)\n"

    def findings_or_none(text):
        result = analyze(text)
        return None if result.failure else result.findings

    out = fix_all(source, findings_or_none)
    ast.parse(out)
    assert "np.multiply" not in out


# ------------------------------------------------------------------ robustness
def test_a_failing_handler_is_logged_with_its_traceback_and_returns_a_fallback():
    from gradls.lsp.diagnostics import DocumentState
    from gradls.lsp.hover import on_hover
    from gradls.lsp.server import GradlsLanguageServer

    server = GradlsLanguageServer()
    logged: list[tuple[str, str]] = []
    server.log = lambda message, level="info": logged.append((level, message))
    uri = "file:///nowhere/x.py"
    state = DocumentState(uri=uri, path="/nowhere/x.py", version=1)
    state.findings = [Finding("TFG001", "m", Span(1, 0, 1, 3))]
    server.documents[uri] = state
    # No `initialize` yet, so pygls has no workspace: the handler's first real step raises.
    hover = asyncio.run(
        on_hover(
            server,
            lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=1)
            ),
        )
    )
    assert hover is None
    assert logged and logged[0][0] == "error"
    assert "internal error in on_hover" in logged[0][1] and "Traceback" in logged[0][1]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_workspace_check_walks_folders_as_gradls_check_does(tmp_path):
    from gradls.files import iter_python_files
    from gradls.lsp.workspace import python_files

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("generated/\n")
    for rel in ("src/a.py", "src/b.pyi", "generated/c.py", ".venv/d.py", "build/e.py", "nb.ipynb"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    walked = [Path(p).relative_to(tmp_path).as_posix() for p in python_files(str(tmp_path))]
    assert walked == ["src/a.py", "src/b.pyi"]
    cli = [p.relative_to(tmp_path).as_posix() for p, _ in iter_python_files([str(tmp_path)])]
    assert [p for p in cli if not p.endswith(".ipynb")] == walked  # notebooks: checked when opened
