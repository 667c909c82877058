"""The wheel a `pip install gradls` user gets: built from `server/`, installed into a fresh venv, run.

The editable install in .venv reads everything from the checkout, so it hides package-data
mistakes (rule pages missing from the wheel made `gradls rule TFG001` print only its one-line
fallback). Here gradls comes from the wheel alone; its dependencies (pygls, lsprotocol, libcst)
come from this interpreter's site-packages through a `.pth` file, so nothing is downloaded when
setuptools >= 77 is installed here (the `test` extra); otherwise pip builds in isolation (PyPI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "server"

BUGGY = (
    "import numpy as np\n"
    "import tensorflow as tf\n"
    "\n"
    "w = tf.Variable([[1.0], [2.0]])\n"
    "with tf.GradientTape() as tape:\n"
    "    loss = tf.reduce_sum(np.multiply(tf.constant([[3.0, 4.0]]), w))\n"
    "grads = tape.gradient(loss, [w])\n"
)

pytestmark = pytest.mark.timeout(300)


def _setuptools_here() -> bool:
    try:
        from importlib.metadata import version

        return int(version("setuptools").split(".")[0]) >= 77
    except Exception:
        return False


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, **kw)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy: setuptools writes build/ and *.egg-info beside pyproject.toml.
    src = tmp_path_factory.mktemp("src")
    shutil.copy(SERVER / "pyproject.toml", src)
    shutil.copytree(SERVER / "gradls", src / "gradls", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    isolation = ["--no-build-isolation"] if _setuptools_here() else []
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", str(out), str(src)])
    assert r.returncode == 0, r.stdout + r.stderr
    (whl,) = out.glob("gradls-*.whl")
    return whl


def test_wheel_carries_rule_docs_probe_runner_and_py_typed(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_modules = sorted((SERVER / "gradls" / "analysis" / "rules").glob("tfg*.md"))
    assert rule_modules
    for md in rule_modules:
        assert f"gradls/analysis/rules/{md.name}" in names
    assert "gradls/py.typed" in names
    assert "gradls/probe/runner.py" in names and "gradls/probe/warm_worker.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_installed_wheel_runs_rule_and_check(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    r = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)])
    assert r.returncode == 0, r.stdout + r.stderr
    # The dependencies from here, after the venv's own site-packages (so gradls is the wheel's).
    # A .pth line only adds the folder: the editable gradls finder in it is not run.
    (purelib / "zz_gradls_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = _run([str(py), "-c", "import gradls; print(gradls.__file__)"], cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(purelib), where.stdout + where.stderr

    gradls = str(env_dir / "bin" / "gradls")
    r = _run([gradls, "rule", "TFG001"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = (SERVER / "gradls" / "analysis" / "rules" / "tfg001_numpy_on_tensor.md").read_text(encoding="utf-8")
    assert r.stdout.startswith("# TFG001 numpy-on-tensor")
    assert "## Why" in r.stdout and r.stdout.strip() == doc.strip()  # the page, not the one-line fallback

    (tmp_path / "buggy.py").write_text(BUGGY)
    r = _run([gradls, "check", "buggy.py"], cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.startswith("buggy.py:6:") and " TFG001 " in r.stdout
    assert "Found 1 finding" in r.stderr
    # The fix builder is found in the installed package (by its rule's module name), not only in the checkout.
    r = _run([gradls, "check", "--fix", "buggy.py"], cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "np." not in (tmp_path / "buggy.py").read_text().split("import tensorflow as tf", 1)[1]


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_root_pyproject_agrees_with_server_and_builds_the_same_wheel(wheel, tmp_path):
    """pre-commit installs a hook repository with `pip install .` at its root: the root copy must
    describe the same package (server/pyproject.toml is the one edited)."""
    root, server = _toml(SERVER.parent / "pyproject.toml"), _toml(SERVER / "pyproject.toml")
    for key in ("name", "version", "description", "requires-python", "license", "dependencies", "scripts"):
        assert root["project"][key] == server["project"][key], key
    assert root["build-system"] == server["build-system"]
    assert root["tool"]["setuptools"]["package-data"] == server["tool"]["setuptools"]["package-data"]

    shutil.copy(SERVER.parent / "pyproject.toml", tmp_path)
    shutil.copy(SERVER.parent / "LICENSE", tmp_path)
    (tmp_path / "server").mkdir()
    shutil.copytree(SERVER / "gradls", tmp_path / "server" / "gradls", ignore=shutil.ignore_patterns("__pycache__"))
    isolation = ["--no-build-isolation"] if _setuptools_here() else []
    out = tmp_path / "dist"
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *isolation, "-w", str(out), str(tmp_path)])
    assert r.returncode == 0, r.stdout + r.stderr
    (root_wheel,) = out.glob("gradls-*.whl")

    def files(whl: Path) -> set[str]:
        return {n for n in zipfile.ZipFile(whl).namelist() if ".dist-info/" not in n}

    assert files(root_wheel) == files(wheel)


def test_pre_commit_hook_definition():
    yaml = pytest.importorskip("yaml")
    (hook,) = yaml.safe_load((SERVER.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "gradls" and hook["language"] == "python" and hook["types_or"] == ["python", "pyi", "jupyter"]
    assert hook["entry"].split()[:2] == ["gradls", "check"]
    # pre-commit names files explicitly: the configured `exclude` must still apply to them.
    assert "--force-exclude" in hook["entry"].split()
