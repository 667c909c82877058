"""`gradls check` / `gradls rule` as a user runs them: real files, real process exit codes."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BUGGY = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    w = tf.Variable([[1.0], [2.0]])
    x = tf.constant([[3.0, 4.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(np.multiply(x, w))
    grads = tape.gradient(loss, [w])
""")
CLEAN = "import tensorflow as tf\nprint(tf.constant(1.0) * 2)\n"


def gradls(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "gradls", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "buggy.py").write_text(BUGGY)
    (tmp_path / "pkg" / "clean.py").write_text(CLEAN)
    return tmp_path


def test_text_output_and_exit_code(project):
    r = gradls("check", "pkg", cwd=project)
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines() == ["pkg/buggy.py:7:26: TFG001 " + r.stdout.split("TFG001 ", 1)[1].splitlines()[0]]
    assert "Found 1 finding" in r.stderr


def test_clean_exit_zero(project):
    r = gradls("check", "pkg/clean.py", cwd=project)
    assert r.returncode == 0
    assert r.stdout == ""
    assert "All checks passed" in r.stderr


def test_json_output_shape(project):
    r = gradls("check", "--output-format", "json", "pkg", cwd=project)
    data = json.loads(r.stdout)
    assert len(data) == 1
    item = data[0]
    assert item["code"] == "TFG001"
    assert item["filename"].endswith("buggy.py")
    assert item["location"] == {"row": 7, "column": 26}
    assert item["end_location"]["row"] == 7
    assert item["fix"]["edits"], item["fix"]
    assert "tf." in item["fix"]["edits"][0]["content"]


def test_sarif_output(project):
    r = gradls("check", "--output-format", "sarif", "pkg", cwd=project)
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [res["ruleId"] for res in results] == ["TFG001"]
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


def test_select_and_ignore(project):
    assert gradls("check", "--ignore", "TFG001", "pkg", cwd=project).returncode == 0
    assert gradls("check", "--select", "TFG003", "pkg", cwd=project).returncode == 0
    assert gradls("check", "--select", "TFG0", "pkg", cwd=project).returncode == 1


def test_bad_files_reported_rest_still_checked(project):
    (project / "pkg" / "broken.py").write_text("def f(:\n    pass\n")
    (project / "pkg" / "latin1.py").write_bytes(b"x = '\xe9t\xe9'\n")
    r = gradls("check", "pkg", cwd=project)
    assert r.returncode == 1  # the buggy file is still reported
    assert "broken.py: 1:7: syntax error" in r.stderr
    assert "latin1.py: not valid UTF-8" in r.stderr
    assert "TFG001" in r.stdout


def test_missing_path_is_usage_error(project):
    r = gradls("check", "nope.py", cwd=project)
    assert r.returncode == 2
    assert "no such file" in r.stderr


def test_diff_does_not_write_and_fix_does(project):
    before = (project / "pkg" / "buggy.py").read_text()
    r = gradls("check", "--diff", "pkg", cwd=project)
    assert r.returncode == 1
    assert "-    loss = tf.reduce_sum(np.multiply(x, w))" in r.stdout
    assert (project / "pkg" / "buggy.py").read_text() == before
    r = gradls("check", "--fix", "pkg", cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    after = (project / "pkg" / "buggy.py").read_text()
    assert "np.dot" not in after and "tf." in after
    compile(after, "buggy.py", "exec")


def test_pyproject_config_and_bad_key(project):
    (project / "pyproject.toml").write_text('[tool.gradls]\nignore = ["TFG001"]\nbogus = 1\n')
    r = gradls("check", "pkg", cwd=project)
    assert r.returncode == 0
    assert "bogus: unknown key" in r.stderr
    # CLI flags beat the file
    assert gradls("check", "--select", "TFG001", "--ignore", "", "pkg", cwd=project).returncode == 1


def test_broken_pyproject_is_reported_not_fatal(project):
    (project / "pyproject.toml").write_text("[tool.gradls\nselect = [")
    r = gradls("check", "pkg", cwd=project)
    assert r.returncode == 1
    assert "invalid TOML" in r.stderr
    assert "Traceback" not in r.stderr


def test_rule_docs():
    r = gradls("rule", "TFG001")
    assert r.returncode == 0
    assert r.stdout.startswith("# TFG001 numpy-on-tensor")
    assert "Cannot convert a symbolic tf.Tensor" in r.stdout
    assert gradls("rule", "TFG999").returncode == 2
    listing = gradls("rule", "--all").stdout
    assert "TFG003  python-control-flow-on-tensor" in listing
