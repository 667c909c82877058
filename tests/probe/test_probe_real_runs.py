"""The probe runs a program the way people really run it (issue 13): stopped after N steps as
Ctrl+C would stop it, TensorFlow imported when the program imports it, the shell's working
directory, `-m package.module`, each error once, concurrent probes independent. Real TF on CPU.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest
from gradls.probe import cli as probe_cli
from gradls.probe.launcher import run_probe_async
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")
TF_PYTHON = tf_python()
CPU_ONLY = {"CUDA_VISIBLE_DEVICES": "-1"}

pytestmark = pytest.mark.timeout(180)


def case_line(path: Path, marker: str) -> int:
    for i, text in enumerate(path.read_text().splitlines(), 1):
        if text.rstrip().endswith("# CASE: " + marker):
            return i
    raise AssertionError(f"no `# CASE: {marker}` in {path}")


def cli_json(capsys, argv: list[str]) -> tuple[int, dict]:
    code = probe_cli.main(["--python", TF_PYTHON, "--device", "cpu", "--output-format", "json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_stopped_like_ctrl_c_in_the_shells_cwd_with_the_scripts_own_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "train.log"
    started = time.monotonic()
    code, rep = cli_json(capsys, ["--steps", "3", str(PROGRAMS / "real_run.py"), "--", str(log)])
    assert code == 0 and rep["status"] == "ok", rep["message"]
    assert rep["stopped_after_steps"] and rep["exit"]["reason"] == "stopped-after-steps"
    assert [c["step"] for c in rep["gradient_calls"]] == [1, 2, 3]
    # The non-daemon thread that never ends did not keep the run alive until the timeout.
    assert time.monotonic() - started < 100
    lines = log.read_text().splitlines()
    assert lines[0] == "cwd %s" % os.path.realpath(tmp_path)  # the shell's working directory
    # KERAS_HOME and TF_USE_LEGACY_KERAS set at the top of the script won: TensorFlow and Keras were
    # imported when the script imported them, not before.
    assert lines[1] == "keras floatx float64, tf.keras from tf_keras"
    # Three steps ran, the fourth gradient never started; the interrupt was not swallowed by
    # `except Exception`; finally ran, then atexit; the never-closed file was flushed.
    assert lines[2:] == ["step 0", "step 1", "step 2", "finally ran", "atexit ran"]


def test_module_run_with_relative_imports(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(PROGRAMS)
    out = tmp_path / "module.txt"
    code, rep = cli_json(capsys, ["--steps", "2", "-m", "probe_pkg.train", "--", str(out)])
    train = PROGRAMS / "probe_pkg" / "train.py"
    assert code == 1 and rep["status"] == "gradient-problems", rep["message"]
    assert rep["file"] == str(train.resolve()) and rep["module"] == "probe_pkg.train"
    assert out.read_text().splitlines() == ["cwd %s" % os.path.realpath(PROGRAMS), "name __main__"]
    (problem,) = rep["problems"]
    assert problem["source"] == "frozen" and problem["status"] == "none" and problem["steps"] == [1, 2]
    assert problem["line"] == case_line(train, "module gradient")
    assert {c["line"] for c in rep["gradient_calls"]} == {problem["line"]}
    helper = rep["gradient_calls"][0]["sources"][0]
    assert helper["name"] == "helper_weight" and helper["created_at"]["file"].endswith("probe_pkg/helper.py")
    # A module that does not exist: a clear message, exit 2.
    code, rep = cli_json(capsys, ["-m", "probe_pkg.missing"])
    assert code == 2 and rep["status"] == "error" and "No module named probe_pkg.missing" in rep["message"]


def test_two_probes_from_one_process_are_independent(tmp_path):
    """The first probe to finish cleans up orphans it adopted: it must not take the other's runner."""
    slow = tmp_path / "slow.py"
    slow.write_text(
        "import time\nimport tensorflow as tf\ntime.sleep(4)\nw = tf.Variable(1.0)\n"
        "for _ in range(5):\n    with tf.GradientTape() as t:\n        y = w * w\n    t.gradient(y, w)\n"
    )

    async def both():
        return await asyncio.gather(
            run_probe_async(
                str(PROGRAMS / "real_run.py"), interpreter=TF_PYTHON, env=CPU_ONLY, args=[str(tmp_path / "a.log")]
            ),
            run_probe_async(str(slow), interpreter=TF_PYTHON, env=CPU_ONLY, steps=2),
        )

    fast_rep, slow_rep = asyncio.run(both())
    assert fast_rep["status"] == "ok" and fast_rep["stopped_after_steps"], fast_rep["message"]
    assert slow_rep["status"] == "ok" and slow_rep["steps_observed"] == 2, slow_rep["message"]
    assert slow_rep["exit"]["reason"] == "stopped-after-steps"


def test_uncaught_error_once_without_runner_frames(tmp_path, capsys):
    script = tmp_path / "twice.py"
    script.write_text(
        "import tensorflow as tf\nw = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    loss = w * 2\n"
        "tape.gradient(loss, w)\ntape.gradient(loss, w)\n"
    )
    code = probe_cli.main(["--python", TF_PYTHON, "--device", "cpu", str(script)])
    text = capsys.readouterr().out
    assert code == 1
    message = "A non-persistent GradientTape can only be used to compute one set of gradients"
    # Once in the headline, once in the program's own traceback (stderr), not again under "## Errors".
    report_part, stderr_part = text.split("## Program stderr", 1)
    assert report_part.count(message) == 1 and "## Errors" not in report_part
    assert stderr_part.count("Traceback (most recent call last)") == 1
    assert 'twice.py", line 6, in <module>' in stderr_part
    assert "runner" not in stderr_part and "wrapper" not in stderr_part
