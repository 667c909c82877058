"""`gradls check` / `gradls rule` as a user runs them: real files, real process exit codes."""

import json
import shutil
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
    # each rule's own default severity (declared with the rule): TFG0xx warning, TFG900 information (note)
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert levels["TFG001"] == "warning" and levels["TFG900"] == "note"


def test_select_and_ignore(project):
    assert gradls("check", "--ignore", "TFG001", "pkg", cwd=project).returncode == 0
    assert gradls("check", "--select", "TFG003", "pkg", cwd=project).returncode == 0
    assert gradls("check", "--select", "TFG0", "pkg", cwd=project).returncode == 1


def test_bad_files_reported_rest_still_checked(project):
    (project / "pkg" / "broken.py").write_text("def f(:\n    pass\n")
    (project / "pkg" / "latin1.py").write_bytes(b"x = '\xe9t\xe9'\n")
    r = gradls("check", "pkg", cwd=project)
    assert r.returncode == 1  # the buggy file is still reported
    lines = r.stdout.splitlines()
    assert "pkg/broken.py:1:7: E999 syntax error: invalid syntax" in lines
    assert "pkg/latin1.py:1:1: E902 not valid UTF-8 (byte 5)" in lines
    assert any(line.startswith("pkg/buggy.py:7:26: TFG001 ") for line in lines)
    assert "2 files could not be checked" in r.stderr


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("broken.py", b"def f(:\n    pass\n", "E999"),
        ("latin1.py", b"x = '\xe9t\xe9'\n", "E902"),
        ("nul.py", b"x = 1\x00\n", "E999"),
    ],
)
def test_a_file_that_cannot_be_checked_fails_in_every_format(tmp_path, name, content, code):
    """ruff's way: an unparsable file is an error finding and exit 1, never a silent pass."""
    (tmp_path / name).write_bytes(content)
    r = gradls("check", name, cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith(f"{name}:1:") and f" {code} " in r.stdout
    assert "All checks passed" not in r.stderr

    r = gradls("check", "--output-format", "json", name, cwd=tmp_path)
    assert r.returncode == 1
    (item,) = json.loads(r.stdout)
    assert item["code"] == code and item["filename"] == name and item["severity"] == "error"
    assert item["location"]["row"] == 1 and item["fix"] is None

    r = gradls("check", "--output-format", "sarif", name, cwd=tmp_path)
    assert r.returncode == 1
    run = json.loads(r.stdout)["runs"][0]
    (res,) = run["results"]
    assert res["ruleId"] == code and res["level"] == "error"
    assert code in {rule["id"] for rule in run["tool"]["driver"]["rules"]}

    r = gradls("check", "--fix", name, cwd=tmp_path)
    assert r.returncode == 1 and f" {code} " in r.stdout
    assert (tmp_path / name).read_bytes() == content


def test_sarif_levels_follow_configured_severity(project):
    (project / "pkg" / "tape.py").write_text(
        "import tensorflow as tf\n"
        "x = tf.constant(1.0)\n"
        "with tf.GradientTape() as tape:\n"
        "    y = x * x\n"
        "tape.gradient(y, x)\n"
    )
    (project / "pyproject.toml").write_text('[tool.gradls]\nseverity = { "TFG001" = "error", "TFG0" = "hint" }\n')
    r = gradls("check", "--output-format", "sarif", "pkg", cwd=project)
    levels = {res["ruleId"]: res["level"] for res in json.loads(r.stdout)["runs"][0]["results"]}
    assert levels == {"TFG001": "error", "TFG009": "note"}, levels
    r = gradls("check", "--output-format", "json", "pkg", cwd=project)
    assert {item["code"]: item["severity"] for item in json.loads(r.stdout)} == {"TFG001": "error", "TFG009": "hint"}
    (project / "pyproject.toml").unlink()
    r = gradls("check", "--output-format", "sarif", "pkg", cwd=project)
    assert {res["level"] for res in json.loads(r.stdout)["runs"][0]["results"]} == {"warning"}


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
    assert "Found 1 finding (1 fixed, 0 remaining)." in r.stderr
    after = (project / "pkg" / "buggy.py").read_text()
    assert "np.dot" not in after and "tf." in after
    compile(after, "buggy.py", "exec")


NESTED = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    w = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        loss = tf.convert_to_tensor(np.mean(np.square(w * 2.0)))
    grads = tape.gradient(loss, [w])
""")
IF_IN_CALL = textwrap.dedent("""\
    import tensorflow as tf


    class Clip(tf.keras.layers.Layer):
        def call(self, x):
            if tf.reduce_sum(x) > 0:
                return x * 2.0
            return x
""")


def test_fix_runs_to_a_fixpoint_and_counts_the_truth(tmp_path):
    """`np.mean(np.square(t))`: only `np.square` is on a tensor at first; once it is `tf.square`,
    `np.mean` is, and it is fixed too. What cannot be fixed safely is counted as remaining."""
    (tmp_path / "nested.py").write_text(NESTED)
    (tmp_path / "layer.py").write_text(IF_IN_CALL)
    r = gradls("check", "nested.py", "layer.py", cwd=tmp_path)
    assert r.returncode == 1 and "Found 2 findings (1 fixable" in r.stderr, r.stderr
    r = gradls("check", "--diff", "nested.py", "layer.py", cwd=tmp_path)
    assert r.returncode == 1 and "tf.reduce_mean(tf.square(" in r.stdout
    assert "Would fix 2 findings (1 would remain)." in r.stderr, r.stderr
    r = gradls("check", "--fix", "nested.py", "layer.py", cwd=tmp_path)
    assert r.returncode == 1
    assert "Found 3 findings (2 fixed, 1 remaining; 1 appeared only once another was fixed)." in r.stderr, r.stderr
    assert [line.split(": ")[1].split()[0] for line in r.stdout.splitlines()] == ["TFG003"]
    assert "tf.reduce_mean(tf.square(w * 2.0))" in (tmp_path / "nested.py").read_text()
    r = gradls("check", "nested.py", "layer.py", cwd=tmp_path)
    # The TFG003 rewrite to tf.cond exists but is not safe: --fix leaves it for the editor.
    assert r.returncode == 1 and "Found 1 finding (1 with a fix to review in the editor)." in r.stderr, r.stderr


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_folders_respect_gitignore_explicit_files_do_not(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("generated/\n*_gen.py\n")
    for rel in ("src/a.py", "src/b_gen.py", "generated/deep/c.py", "node_modules/d.py", "sub/e.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(BUGGY)
    (tmp_path / "sub" / ".gitignore").write_text("e.py\n")

    def reported(*args, cwd=tmp_path):
        r = gradls("check", *args, cwd=cwd)
        return sorted(line.split(":")[0] for line in r.stdout.splitlines())

    assert reported() == ["src/a.py"]
    assert reported("src") == ["src/a.py"]
    assert reported("src/b_gen.py") == ["src/b_gen.py"]  # named explicitly: checked
    assert reported(".", cwd=tmp_path / "generated") == ["deep/c.py"]  # the folder named is ignored, not its files
    assert reported("--no-respect-gitignore") == ["generated/deep/c.py", "src/a.py", "src/b_gen.py", "sub/e.py"]
    # Outside a git work tree: no ignore file is read (only the built-in skip list applies).
    (tmp_path / ".git").rename(tmp_path / "not-git")
    assert "src/b_gen.py" in reported()


def test_force_exclude_applies_exclude_to_explicit_files(project):
    (project / "pyproject.toml").write_text('[tool.gradls]\nexclude = ["pkg/buggy.py"]\n')
    assert gradls("check", "pkg", cwd=project).returncode == 0  # walked: excluded
    assert gradls("check", "pkg/buggy.py", cwd=project).returncode == 1  # named: checked
    r = gradls("check", "--force-exclude", "pkg/buggy.py", "pkg/clean.py", cwd=project)
    assert r.returncode == 0 and r.stdout == "", r.stdout


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
