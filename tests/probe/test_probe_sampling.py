"""Probe overhead (issue 13): inside tf.function, a program with one gradient site probed for many
steps reports every step up to 20, then every 10th and its last ones; the steps in between are
counted, not observed (the stop after --steps still lands on the right step). Real TensorFlow on CPU."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradls.probe.launcher import run_probe
from tfharness import tf_python

PROGRAM = Path(__file__).with_name("programs") / "sampled_loop.py"

pytestmark = pytest.mark.timeout(180)


def test_a_long_tf_function_loop_is_sampled_counted_and_stopped_on_time():
    rep = run_probe(str(PROGRAM), interpreter=tf_python(), steps=45, device="cpu", timeout=150)
    assert rep["status"] == "ok" and rep["stopped_after_steps"], rep["message"]
    assert rep["steps_observed"] == 45
    reported = [(c["step"], c["mode"]) for c in rep["gradient_calls"]]
    # 1..20 each, then every 10th (the NaN at 30), 31 run eagerly to look for the NaN's origin
    # (see test_probe_causes), the last one.
    graph = list(range(1, 21)) + [30, 40, 45]
    assert reported == sorted([(s, "graph") for s in graph] + [(31, "eager")]), reported
    nan = [p for p in rep["problems"] if p["status"] == "nan"]
    assert len(nan) == 1 and nan[0]["steps"] == [30] and nan[0]["verdict"] == "watch"
    assert "cause" not in nan[0]  # the NaN was gone at the recorded step
