"""`gradls check` on all cores and with its cache: the output never depends on either.

Real processes, as a user runs them; no TensorFlow (a stand-in that refuses to import is first on the
path), no timing asserts.  Whether a file was analysed again is read from its cache entry: a hit never
rewrites its entry, so an entry whose mtime was set to the epoch and stays there was served from the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BUGGY = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    w{i} = tf.Variable([[1.0], [2.0]])
    x = tf.constant([[3.0, 4.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(np.multiply(x, w{i}))
    grads = tape.gradient(loss, [w{i}])
""")
LAYER = textwrap.dedent("""\
    import tensorflow as tf


    class Layer{i}(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.ones((3, 1)))

        def call(self, x):
            return tf.matmul(x, self.w)
""")
CLEAN = "import tensorflow as tf\n\nprint(tf.constant({i}.0) * 2)\n"

MODEL = textwrap.dedent("""\
    import tensorflow as tf


    class Base(tf.keras.layers.Layer):
        pass
""")
CROSS = textwrap.dedent("""\
    import tensorflow as tf
    from model import Base


    class L(Base):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.ones((3, 1)))

        def call(self, x):
            return tf.matmul(x, self.w)
""")


@pytest.fixture(scope="module")
def no_tf(tmp_path_factory) -> str:
    """A folder whose `tensorflow` raises when imported: put first on the path, no gradls process may use it."""
    d = tmp_path_factory.mktemp("no_tf")
    (d / "tensorflow").mkdir()
    (d / "tensorflow" / "__init__.py").write_text("raise RuntimeError('gradls imported TensorFlow')\n")
    return str(d)


def gradls(*args: str, cwd: Path, no_tf: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([no_tf, *filter(None, [os.environ.get("PYTHONPATH")])]),
        # Other edits to gradls's own sources while the test runs would start a new cache: not what is tested.
        GRADLS_CACHE_FINGERPRINT="test",
    )
    return subprocess.run(
        [sys.executable, "-m", "gradls", "check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=180,
    )


def _out(r: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return r.returncode, r.stdout, r.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    src = tmp_path / "src"
    sub = src / "sub"
    sub.mkdir(parents=True)
    for i in range(8):
        (src / f"buggy_{i:02d}.py").write_text(BUGGY.format(i=i))
    for i in range(6):
        (sub / f"layer_{i:02d}.py").write_text(LAYER.format(i=i))
    for i in range(4):
        (src / f"clean_{i:02d}.py").write_text(CLEAN.format(i=i))
    (src / "broken.py").write_text("def f(:\n    pass\n")
    (sub / "latin1.py").write_bytes(b"x = '\xe9'\n")
    (src / "model.py").write_text(MODEL)
    (src / "layer.py").write_text(CROSS)
    return tmp_path


def _entries(cache: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in cache.rglob("*.json")}


def _age(cache: Path) -> None:
    for p in cache.rglob("*.json"):
        os.utime(p, ns=(0, 0))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_parallel_and_cached_output_is_the_serial_output(project, no_tf, fmt):
    serial = gradls("src", "--output-format", fmt, "--jobs", "1", "--no-cache", cwd=project, no_tf=no_tf)
    assert serial.returncode == 1, serial.stderr
    assert "E999" in serial.stdout and "E902" in serial.stdout and "TFG001" in serial.stdout
    assert "TFG014" in serial.stdout and "Traceback" not in serial.stderr
    parallel = gradls("src", "--output-format", fmt, "--jobs", "4", "--no-cache", cwd=project, no_tf=no_tf)
    assert _out(parallel) == _out(serial)
    assert not (project / ".gradls_cache").exists()  # --no-cache writes nothing

    cold = gradls("src", "--output-format", fmt, "--jobs", "4", cwd=project, no_tf=no_tf)
    assert _out(cold) == _out(serial)
    cache = project / ".gradls_cache"  # beside the nearest pyproject.toml
    assert len(_entries(cache)) == 21  # every file but the unreadable one
    _age(cache)
    warm = gradls("src", "--output-format", fmt, cwd=project, no_tf=no_tf)
    assert _out(warm) == _out(serial)
    assert set(_entries(cache).values()) == {0}, "a hit must not analyse (nor rewrite) again"
    if fmt == "text":
        warm_serial = gradls("src", "--output-format", fmt, "--jobs", "1", cwd=project, no_tf=no_tf)
        assert _out(warm_serial) == _out(serial)


def test_editing_a_file_invalidates_only_its_entry(project, no_tf):
    cache = project / "c"
    first = gradls("src", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert first.returncode == 1
    assert not (project / ".gradls_cache").exists()  # --cache-dir: only there
    _age(cache)
    (project / "src" / "buggy_03.py").write_text(CLEAN.format(i=3))
    second = gradls("src", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert "buggy_03.py" in first.stdout and "buggy_03.py" not in second.stdout
    fresh = [p for p, t in _entries(cache).items() if t != 0]
    assert len(fresh) == 1
    assert second.stdout == gradls("src", "--no-cache", "-j", "1", cwd=project, no_tf=no_tf).stdout


def test_editing_an_imported_module_invalidates_the_importer(project, no_tf):
    cache = project / "c"
    r = gradls("src/layer.py", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert r.returncode == 1 and "TFG014" in r.stdout, r.stdout + r.stderr
    # Base is no longer a Keras layer: layer.py's own text is the same, its result is not.
    (project / "src" / "model.py").write_text("class Base:\n    pass\n")
    r = gradls("src/layer.py", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert r.returncode == 0 and r.stdout == "", r.stdout
    # An edit of model.py that leaves its summary alone keeps the entry.
    _age(cache)
    (project / "src" / "model.py").write_text("class Base:\n    pass\n\n\ndef unrelated():\n    return 1\n")
    r = gradls("src/layer.py", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert r.returncode == 0 and set(_entries(cache).values()) == {0}
    # An imported module that did not exist yet: resolving the import differently invalidates too.
    (project / "src" / "model.py").unlink()
    (project / "src" / "model").mkdir()
    (project / "src" / "model" / "__init__.py").write_text(MODEL)
    r = gradls("src/layer.py", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert r.returncode == 1 and "TFG014" in r.stdout


def test_a_package_init_naming_legacy_keras_invalidates_its_modules(project, no_tf):
    """A module's Keras version follows the `__init__` of its package (ProjectIndex.legacy_keras_package): the
    entries of the package's modules hold while that `__init__` does not name TF_USE_LEGACY_KERAS (an unrelated edit
    of it keeps them), and are analysed again when it comes to name it."""
    cache = project / "c"
    init = project / "src" / "sub" / "__init__.py"
    init.write_text("import os\n")
    first = gradls("src/sub", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert first.returncode == 1 and first.stdout.count("TFG014") == 6, first.stdout + first.stderr
    _age(cache)
    init.write_text("import os\n\nVERSION = 2\n")
    again = gradls("src/sub", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert _out(again) == _out(first)
    assert len([t for t in _entries(cache).values() if t != 0]) == 1  # the edited `__init__`'s own entry only
    init.write_text('import os\n\nos.environ.setdefault("TF_USE_LEGACY_KERAS", "1")\n')
    legacy = gradls("src/sub", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert "TFG014" not in legacy.stdout, legacy.stdout
    assert _out(legacy) == _out(gradls("src/sub", "--no-cache", cwd=project, no_tf=no_tf))


def test_a_dependency_pin_to_keras_2_invalidates_the_project_modules(project, no_tf):
    """A module's Keras version follows the project's dependency pins (ProjectIndex.pinned_keras2): pinning
    `tensorflow<2.16` in requirements.txt analyses the modules again, as Keras 2 code (a raw tf.Variable on a layer
    is tracked there: no TFG014)."""
    cache = project / "c"
    (project / "requirements.txt").write_text("numpy\ntensorflow>=2.16\n")
    first = gradls("src/sub", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert first.returncode == 1 and first.stdout.count("TFG014") == 6, first.stdout + first.stderr
    (project / "requirements.txt").write_text("numpy\ntensorflow>=2.13,<2.16\n")
    pinned = gradls("src/sub", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert "TFG014" not in pinned.stdout, pinned.stdout
    assert _out(pinned) == _out(gradls("src/sub", "--no-cache", cwd=project, no_tf=no_tf))


def test_a_corrupt_cache_entry_is_ignored(project, no_tf):
    cache = project / "c"
    good = gradls("src", "--output-format", "json", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    entries = sorted(_entries(cache))
    garbage = [b"", b"{not json", b"[]", json.dumps({"format": 1, "content": "x"}).encode(), b"\x00\xff"]
    for i, p in enumerate(entries):
        content = json.loads(p.read_text())
        if i % 2:
            content["findings"] = [["TFG001"]]  # the right text, a damaged body
            p.write_text(json.dumps(content))
        else:
            p.write_bytes(garbage[i % len(garbage)])
    again = gradls("src", "--output-format", "json", "--cache-dir", str(cache), cwd=project, no_tf=no_tf)
    assert _out(again) == _out(good)
    for p in entries:  # rewritten whole
        assert json.loads(p.read_text())["format"] == 1
    assert not [p for p in cache.rglob("*") if p.name.startswith(".tmp-")]


def test_fix_and_diff_still_work_in_parallel(project, no_tf):
    diff = gradls("src", "--diff", "--jobs", "4", cwd=project, no_tf=no_tf)
    assert diff.returncode == 1 and diff.stdout.startswith("--- a/src/"), diff.stderr
    assert diff.stdout == gradls("src", "--diff", "--jobs", "1", "--no-cache", cwd=project, no_tf=no_tf).stdout
    fix = gradls("src", "--fix", "--jobs", "4", cwd=project, no_tf=no_tf)
    assert "fixed" in fix.stderr
    after = gradls("src", "--jobs", "4", cwd=project, no_tf=no_tf)
    assert after.stdout == gradls("src", "--jobs", "1", "--no-cache", cwd=project, no_tf=no_tf).stdout


def test_jobs_must_be_positive(project, no_tf):
    r = gradls("src", "--jobs", "0", cwd=project, no_tf=no_tf)
    assert r.returncode == 2 and "--jobs" in r.stderr


def test_the_cache_is_per_gradls_and_python_version(monkeypatch):
    monkeypatch.delenv("GRADLS_CACHE_FINGERPRINT", raising=False)
    from gradls import __version__
    from gradls.cache import fingerprint

    assert fingerprint().startswith(f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-")
