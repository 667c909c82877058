"""Suppression comments (`# gradls: ignore[...]`, `# noqa`, `# gradls: ignore-file`) and TFG900 unused-suppression."""

from __future__ import annotations

import ast
import textwrap

import pytest
from gradls.analysis import analyze
from gradls.config import Config
from gradls.fixes import apply_edits, fix_for

# One TFG001 finding on line 6 (NumPy on a tensor inside an eager tape): the line the comments go on.
BASE = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = np.sum(w * w){comment}
    grads = tape.gradient(loss, [w])
""")
TFG900 = Config(extend_select=("TFG900",))


def src(comment: str = "") -> str:
    return BASE.format(comment=comment)


def codes(source: str, config: Config | None = None) -> list[tuple[str, int]]:
    return sorted((f.code, f.span.line) for f in analyze(source, "case.py", config).findings)


def test_the_base_program_has_one_finding():
    assert ("TFG001", 6) in codes(src())


@pytest.mark.parametrize(
    "comment",
    [
        "  # gradls: ignore[TFG001]",
        "  # gradls: ignore[TFG003, TFG001]",
        "  # gradls: ignore",
        "  # GRADLS: IGNORE[tfg001]",
        "  # noqa: TFG001",
        "  # noqa: E501, TFG001",
        "  # noqa",
    ],
)
def test_comment_suppresses_the_finding(comment):
    result = analyze(src(comment), "case.py")
    assert not [f for f in result.findings if f.code == "TFG001"]
    assert [f.code for f in result.suppressed] == ["TFG001"]


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa: E501",
        "  # gradls: ignore[TFG003]",
        "  # type: ignore",
        "  # ignore TFG001",
    ],
)
def test_unrelated_comment_does_not_suppress(comment):
    assert ("TFG001", 6) in codes(src(comment))


def test_ignore_file_suppresses_everything():
    source = "# gradls: ignore-file\n" + src()
    result = analyze(source, "case.py")
    assert result.findings == []
    assert result.suppressed


def test_ignore_file_after_code_still_counts_but_not_as_trailing_comment():
    # `ignore-file` must be on its own line; as a trailing comment it is not a file directive.
    source = src("  # gradls: ignore-file")
    assert ("TFG001", 6) in codes(source)


# ------------------------------------------------------------------------------------------ TFG900


def test_tfg900_is_off_by_default():
    assert not [c for c, _ in codes(src("  # gradls: ignore[TFG003]")) if c == "TFG900"]


def test_used_suppressions_are_not_reported():
    for comment in ("  # gradls: ignore[TFG001]", "  # noqa: TFG001", "  # gradls: ignore", "  # noqa"):
        assert codes(src(comment), TFG900) == [], comment


@pytest.mark.parametrize(
    "comment, fragment",
    [
        ("  # gradls: ignore[TFG003]", "`TFG003` suppressed nothing"),
        ("  # gradls: ignore[TFG001, TFG999]", "`TFG999` is not a gradls code"),
        ("  # noqa: TFG001, TFG003", "`TFG003` suppressed nothing"),
    ],
)
def test_unused_codes_on_a_used_line(comment, fragment):
    findings = [f for f in analyze(src(comment), "case.py", TFG900).findings if f.code == "TFG900"]
    assert len(findings) == 1 and findings[0].span.line == 6
    assert fragment in findings[0].message


def test_unused_directives_on_clean_lines():
    source = textwrap.dedent("""\
        import tensorflow as tf

        a = tf.constant(1.0)  # gradls: ignore[TFG001]
        b = tf.constant(2.0)  # gradls: ignore
        c = tf.constant(3.0)  # noqa: TFG004
        d = tf.constant(4.0)  # noqa: E501
        e = tf.constant(5.0)  # noqa
        s = "# gradls: ignore[TFG001]"
        t = a + b  # gradls: ignore[TFG900, TFG001]
    """)
    got = [(f.span.line, f.span.col) for f in analyze(source, "case.py", TFG900).findings if f.code == "TFG900"]
    # line 6: another tool's code; line 7: bare noqa (shared with other tools); line 8: inside a string;
    # line 9: TFG900 itself suppressed on that line.
    assert got == [(3, 22), (4, 22), (5, 22)]


def test_disabled_rules_are_not_called_unused():
    config = Config(extend_select=("TFG900",), ignore=("TFG001",))
    assert [c for c, _ in codes(src("  # gradls: ignore[TFG001]"), config) if c == "TFG900"] == []


@pytest.mark.parametrize(
    "line, expected",
    [
        ("x = 1  # gradls: ignore[TFG001]\n", "x = 1\n"),
        ("x = 1  # gradls: ignore\n", "x = 1\n"),
        ("x = 1  # gradls: ignore[TFG001, TFG999]\n", "x = 1\n"),
        ("x = 1  # noqa: E501, TFG001\n", "x = 1  # noqa: E501\n"),
        ("x = 1  # gradls: ignore[TFG001] because reasons\n", "x = 1  # because reasons\n"),
        ("x = 1  # pylint: disable=C0103  # gradls: ignore[TFG001]\n", "x = 1  # pylint: disable=C0103\n"),
    ],
)
def test_tfg900_fix_removes_the_unused_part(line, expected):
    source = "import tensorflow as tf\n" + line
    (f,) = [f for f in analyze(source, "case.py", TFG900).findings if f.code == "TFG900"]
    fix = fix_for(source, f)
    assert fix is not None
    out = apply_edits(source, fix.edits)
    assert out == "import tensorflow as tf\n" + expected
    ast.parse(out)
    assert not [f for f in analyze(out, "case.py", TFG900).findings if f.code == "TFG900"]


def test_tfg900_fix_keeps_the_used_code():
    source = src("  # gradls: ignore[TFG001, TFG003]")
    (f,) = [f for f in analyze(source, "case.py", TFG900).findings if f.code == "TFG900"]
    out = apply_edits(source, fix_for(source, f).edits)
    assert "np.sum(w * w)  # gradls: ignore[TFG001]\n" in out
    assert codes(out, TFG900) == []


def test_tfg900_fix_on_own_line_comment_removes_the_line():
    source = "import tensorflow as tf\n# gradls: ignore[TFG001]\nx = 1\n"
    (f,) = [f for f in analyze(source, "case.py", TFG900).findings if f.code == "TFG900"]
    assert apply_edits(source, fix_for(source, f).edits) == "import tensorflow as tf\nx = 1\n"


def test_tfg900_respects_ignore_file():
    source = "# gradls: ignore-file\nimport tensorflow as tf\nx = 1  # gradls: ignore[TFG001]\n"
    assert codes(source, TFG900) == []


def test_crlf_source():
    source = src("  # gradls: ignore[TFG003]").replace("\n", "\r\n")
    (f,) = [f for f in analyze(source, "case.py", TFG900).findings if f.code == "TFG900"]
    out = apply_edits(source, fix_for(source, f).edits)
    assert "# gradls" not in out and "\r\n" in out
