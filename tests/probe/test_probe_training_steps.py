"""Steps are training steps (issue 13): gradient computations grouped by optimizer update, per
replica, counted under XLA too; verdicts "broken" (exit 1) vs "watch" (by-design zeros, skipped
loss-scale overflows: exit 0). Real TensorFlow on CPU; the five programs are probed concurrently.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from gradls.probe import cli as probe_cli
from gradls.probe import report as probe_report
from gradls.probe.launcher import run_probe_async
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")
TF_PYTHON = tf_python()
NAMES = ("gan_two_optimizers.py", "mirrored.py", "jit_fit.py", "mixed_precision.py", "lora.py")

pytestmark = pytest.mark.timeout(240)


def case_line(name: str, marker: str) -> int:
    for i, text in enumerate((PROGRAMS / name).read_text().splitlines(), 1):
        if text.rstrip().endswith("# CASE: " + marker):
            return i
    raise AssertionError(f"no `# CASE: {marker}` in {name}")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[dict, Path]]:
    out = tmp_path_factory.mktemp("steps")

    async def all_of_them():
        return await asyncio.gather(
            *(
                run_probe_async(
                    str(PROGRAMS / name),
                    interpreter=TF_PYTHON,
                    steps=3,
                    device="cpu",
                    timeout=150,
                    args=[str(out / (name + ".txt"))],
                )
                for name in NAMES
            )
        )

    return {name: (rep, out / (name + ".txt")) for name, rep in zip(NAMES, asyncio.run(all_of_them()))}


def steps_of(rep: dict, line: int, replica=None) -> list:
    return [c["step"] for c in rep["gradient_calls"] if c["line"] == line and c["replica"] == replica]


def test_gan_two_optimizers_and_an_inner_tape_are_one_training_step(runs):
    name = "gan_two_optimizers.py"
    rep, completed = runs[name]
    assert rep["status"] == "ok" and rep["stopped_after_steps"], rep["message"]
    assert probe_cli.exit_code(rep) == 0
    # Three full steps (discriminator + generator updates), then stopped before the fourth began.
    assert completed.read_text() == "3\n" and rep["steps_observed"] == 3
    for marker in ("penalty", "d grad", "g grad"):
        assert steps_of(rep, case_line(name, marker)) == [1, 2, 3], marker
    assert "stopped after 3 training steps" in rep["message"]


def test_mirrored_strategy_on_two_logical_cpus_reports_each_replica(runs):
    rep, completed = runs["mirrored.py"]
    assert rep["status"] == "ok" and rep["stopped_after_steps"], rep["message"]
    by_replica: dict = {}
    for call in rep["gradient_calls"]:
        by_replica.setdefault(call["replica"], []).append(call["step"])
        assert {s["name"] for s in call["sources"]} == {"sequential/dense/kernel", "sequential/dense/bias"}
    assert by_replica == {0: [1, 2, 3], 1: [1, 2, 3]}  # 3 training steps, not 3 gradient calls
    # The interrupt arrives as the third step's tf.function call returns, like Ctrl+C during it.
    assert completed.read_text() == "2\n"


def test_jit_compiled_fit_is_counted_and_its_none_gradient_is_broken(runs):
    name = "jit_fit.py"
    rep, _ = runs[name]
    assert rep["status"] == "gradient-problems" and rep["stopped_after_steps"], rep["message"]
    assert probe_cli.exit_code(rep) == 1
    calls = rep["gradient_calls"]
    assert [c["step"] for c in calls] == [1, 2, 3] and {c["mode"] for c in calls} == {"xla"}
    (problem,) = rep["problems"]
    assert problem["source"] == "sequential/with_unused/unused" and problem["status"] == "none"
    assert problem["verdict"] == "broken" and problem["steps"] == [1, 2, 3]
    assert problem["created_at"]["line"] == case_line(name, "unused")


def test_mixed_precision_skipped_overflow_is_not_a_nan_alarm(runs):
    rep, _ = runs["mixed_precision.py"]
    assert rep["status"] == "ok" and probe_cli.exit_code(rep) == 0, rep["message"]
    updates = [c for c in rep["gradient_calls"] if c["role"] == "update"]
    assert [c["step"] for c in updates] == [1, 2, 3] and all(c["scaled"] for c in updates)
    assert [c["sources"][0]["status"] for c in updates] == ["skipped", "ok", "ok"]
    # The inner optimizer's unscaled gradients, only on the steps it really applied.
    inner = [c for c in rep["gradient_calls"] if c["role"] == "attached"]
    assert [c["step"] for c in inner] == [2, 3] and {c["sources"][0]["status"] for c in inner} == {"ok"}
    (watch,) = rep["problems"]
    assert watch["status"] == "skipped" and watch["verdict"] == "watch" and watch["steps"] == [1]
    assert not any(s["status"] in ("nan", "inf") for c in rep["gradient_calls"] for s in c["sources"])
    text = probe_report.format_text(rep)
    assert "## To watch (not failing)" in text and "update skipped by the loss-scale optimizer" in text


def test_lora_zero_at_step_one_only_is_watch_and_exits_zero(runs):
    name = "lora.py"
    rep, _ = runs[name]
    assert rep["status"] == "ok" and probe_cli.exit_code(rep) == 0, rep["message"]
    (watch,) = rep["problems"]
    assert watch["source"] == "sequential/lo_ra_dense/lora_a" and watch["status"] == "zero"
    assert watch["verdict"] == "watch" and watch["steps"] == [1] and watch["observed"] == 3
    assert watch["created_at"]["line"] == case_line(name, "lora_a")
    assert "to watch, not failing" in rep["message"] and "lose" not in rep["message"]
    assert "## Gradient problems" not in probe_report.format_text(rep)


def test_verdicts_on_folded_reports():
    """The verdict rules on hand-made event streams (no TF): persistence decides."""

    def call(step, status, role="update"):
        src = {"name": "w", "kind": "tf.Variable", "shape": [1], "dtype": "float32", "created_at": None}
        return {
            "event": "gradient",
            "kind": "tape.gradient",
            "file": os.path.abspath("t.py"),
            "line": 3,
            "caller": None,
            "step": step,
            "mode": "eager",
            "role": role,
            "optimizer": "sgd#1",
            "sources": [dict(src, status=status, norm=None)],
        }

    def verdicts(statuses):
        rep = probe_report.new_report("t.py", "python", 3, "cpu")
        probe_report.apply_events(rep, [call(i + 1, st) for i, st in enumerate(statuses)])
        return {(p["status"], p["verdict"]) for p in rep["problems"]}

    assert verdicts(["none", "none", "none"]) == {("none", "broken")}
    assert verdicts(["ok", "none", "ok"]) == {("none", "watch")}
    assert verdicts(["zero", "zero", "zero"]) == {("zero", "broken")}
    assert verdicts(["zero", "ok", "ok"]) == {("zero", "watch")}
    assert verdicts(["ok", "nan", "nan"]) == {("nan", "broken")}  # persists to the end
    assert verdicts(["inf", "ok", "ok"]) == {("inf", "watch")}  # a transient overflow
    assert verdicts(["nan"]) == {("nan", "broken")}  # a one-step run cannot tell: it fails
