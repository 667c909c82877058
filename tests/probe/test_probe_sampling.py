"""Probe overhead (issue 13): inside tf.function, a probe of many steps reports every step up to 20,
then every 10th, the last ones and any step whose gradients held a NaN/Inf (checked in the graph at
every step); the steps in between are counted, not reported, and the stop after --steps still lands
on the right step. Single gradient sites, GAN-style steps (two optimizers, an inner tape) and
loss-scaled steps alike. Real TensorFlow on CPU; one probe process per program."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradls.probe.html import render_html
from gradls.probe.launcher import run_probe
from gradls.probe.report import format_text
from gradls.probe.schema import ProbeReport
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")

pytestmark = pytest.mark.timeout(180)


def _graph_steps(rep: dict, line: int) -> list[int]:
    return [c["step"] for c in rep["gradient_calls"] if c["line"] == line and c["mode"] == "graph"]


def test_a_long_tf_function_loop_is_sampled_counted_and_stopped_on_time():
    rep = run_probe(str(PROGRAMS / "sampled_loop.py"), interpreter=tf_python(), steps=45, device="cpu", timeout=150)
    assert rep["status"] == "ok" and rep["stopped_after_steps"], rep["message"]
    assert rep["steps_observed"] == 45
    reported = [(c["step"], c["mode"]) for c in rep["gradient_calls"]]
    # 1..20 each, then every 10th (the NaN at 30), 31 run eagerly to look for the NaN's origin
    # (see test_probe_causes), the NaN at 37 (not a sampled step: caught by the in-graph check),
    # the last one.
    graph = list(range(1, 21)) + [30, 37, 40, 45]
    assert reported == sorted([(s, "graph") for s in graph] + [(31, "eager")]), reported
    nan = [p for p in rep["problems"] if p["status"] == "nan"]
    assert len(nan) == 1 and nan[0]["steps"] == [30, 37] and nan[0]["verdict"] == "watch"
    sampling = rep["sampling"]
    assert (sampling["every_step_until"], sampling["every"], sampling["from_step"]) == (20, 10, 45)
    assert sampling["reported_steps"] == sorted(graph + [31])
    # 45 steps: 24 reported in the graph, one run eagerly, the other 20 counted
    assert sampling["unreported_runs"] == 20
    shown = "statistics reported at steps 1-20, 30-31, 37, 40, 45"
    assert shown in format_text(rep) and shown in render_html(rep)
    typed = ProbeReport.from_json(rep)
    assert typed.sampling is not None and typed.sampling.reported_steps == sampling["reported_steps"]
    assert typed.to_json() == rep


def test_a_gan_step_in_one_tf_function_is_sampled_without_losing_its_none_or_nan(tmp_path):
    completed = tmp_path / "completed.txt"
    rep = run_probe(
        str(PROGRAMS / "sampled_gan.py"),
        interpreter=tf_python(),
        steps=50,
        device="cpu",
        timeout=150,
        args=(str(completed),),
    )
    assert rep["stopped_after_steps"] and rep["steps_observed"] == 50, rep["message"]
    assert completed.read_text().strip() == "49"  # step 50 ran; the loop was stopped before step 51
    sampled = list(range(1, 21)) + [30, 40, 50]
    # gradient penalty (29), discriminator tape (32), generator tape (37), generator update (39):
    # every site at the same sampled steps; the generator's NaN at step 43 (unsampled) caught, then
    # step 44 run eagerly (the NaN's origin).
    assert _graph_steps(rep, 29) == _graph_steps(rep, 32) == _graph_steps(rep, 39) == sampled
    assert _graph_steps(rep, 37) == sorted(sampled + [43])
    assert [c["step"] for c in rep["gradient_calls"] if c["mode"] == "eager"] == [44] * 4
    updates = [(c["line"], c["step"], c["optimizer"]) for c in rep["gradient_calls"] if c["role"] == "update"]
    assert all(opt == ("d_opt#1" if line == 32 else "g_opt#2") for line, _, opt in updates), updates
    problems = {(p["line"], p["source"], p["status"]): p for p in rep["problems"]}
    none = problems[(32, "unused_scale", "none")]
    assert none["verdict"] == "broken" and none["steps"] == sorted(sampled + [44])
    nan = [p for key, p in problems.items() if key[0] == 37 and key[2] == "nan"]
    assert {p["source"] for p in nan} == {"sequential/dense/kernel", "sequential/dense/bias"}
    assert all(p["steps"] == [43] and p["verdict"] == "watch" for p in nan)
    assert rep["sampling"]["reported_steps"] == sorted(sampled + [43, 44])
    assert rep["status"] == "gradient-problems"  # the None is broken


def test_a_loss_scaled_tf_function_loop_is_sampled_and_its_skipped_step_caught():
    rep = run_probe(
        str(PROGRAMS / "sampled_loss_scaled.py"), interpreter=tf_python(), steps=40, device="cpu", timeout=150
    )
    assert rep["status"] == "ok" and rep["stopped_after_steps"] and rep["steps_observed"] == 40, rep["message"]
    sampled = list(range(1, 21)) + [30, 40]
    # The scaled tape (22) is the update; the NaN batch of step 27 (unsampled) makes the optimizer
    # skip that update: reported, as skipped. The inner optimizer's apply (23) did not run then.
    assert _graph_steps(rep, 22) == sorted(sampled + [27])
    assert _graph_steps(rep, 23) == sampled
    assert {c["role"] for c in rep["gradient_calls"] if c["line"] == 23} == {"attached"}
    assert all(c["scaled"] for c in rep["gradient_calls"] if c["line"] == 22)
    skipped = [p for p in rep["problems"] if p["status"] == "skipped"]
    assert len(skipped) == 4 and all(p["steps"] == [27] and p["verdict"] == "watch" for p in skipped)
    assert not [p for p in rep["problems"] if p["verdict"] == "broken"]
    assert rep["sampling"]["reported_steps"] == sorted(sampled + [27])


def test_a_call_running_several_steps_reports_its_last_run_and_a_nan_inside_it():
    rep = run_probe(str(PROGRAMS / "sampled_chunks.py"), interpreter=tf_python(), steps=50, device="cpu", timeout=150)
    assert rep["status"] == "ok" and rep["stopped_after_steps"] and rep["steps_observed"] == 50, rep["message"]
    # Five steps per call: each call's last run when its step is due (5-20, 30, 50); the NaN of
    # step 33 (unsampled, inside the call of steps 31-35) at that call's last run; the next call
    # (36-40) run eagerly to look for the NaN's origin.
    graph = [5, 10, 15, 20, 30, 35, 50]
    reported = [(c["step"], c["mode"]) for c in rep["gradient_calls"]]
    assert reported == sorted([(s, "graph") for s in graph] + [(s, "eager") for s in range(36, 41)]), reported
    nan = [p for p in rep["problems"] if p["status"] == "nan"]
    assert len(nan) == 1 and nan[0]["steps"] == [35] and nan[0]["verdict"] == "watch"
    assert rep["sampling"]["unreported_runs"] == 38


def test_functions_traced_differently_are_counted_exactly(tmp_path):
    # After a call, the sampled sites' runs are counted by plan (no read of the probe's counters)
    # only for a function whose calls run its sites once each. Here: a function whose second trace
    # (a Python flag) computes no gradient, a function with no gradient, and a gradient inside a
    # tf.cond at every other call; the NaN of step 37 (unsampled) is caught, the stop lands on 50.
    completed = tmp_path / "completed.txt"
    rep = run_probe(
        str(PROGRAMS / "sampled_mixed_calls.py"),
        interpreter=tf_python(),
        steps=50,
        device="cpu",
        timeout=150,
        args=(str(completed),),
    )
    assert rep["status"] == "ok" and rep["stopped_after_steps"] and rep["steps_observed"] == 50, rep["message"]
    # step() is gradient computation i + (i - 1) // 2 of iteration i, every_other() the next one
    # at even i: iteration 34 computes step 50, and the loop stops before writing it.
    assert completed.read_text().strip() == "33"
    conditional = [3, 6, 9, 12, 15, 18, 30]
    assert _graph_steps(rep, 37) == conditional
    assert _graph_steps(rep, 22) == sorted(set(range(1, 21)) - set(conditional)) + [37, 40, 50]
    assert [c["step"] for c in rep["gradient_calls"] if c["mode"] == "eager"] == [38]  # the NaN's origin
    nan = [p for p in rep["problems"] if p["status"] == "nan"]
    assert len(nan) == 1 and nan[0]["steps"] == [37] and nan[0]["verdict"] == "watch"


def test_a_call_that_raises_after_its_gradient_ran_is_still_counted(tmp_path):
    completed = tmp_path / "completed.txt"
    rep = run_probe(
        str(PROGRAMS / "sampled_raising_call.py"),
        interpreter=tf_python(),
        steps=45,
        device="cpu",
        timeout=150,
        args=(str(completed),),
    )
    assert rep["status"] == "ok" and rep["stopped_after_steps"] and rep["steps_observed"] == 45, rep["message"]
    assert completed.read_text().strip() == "44"  # step 45 ran; the loop was stopped before writing it
    assert _graph_steps(rep, 17) == list(range(1, 21)) + [30, 40, 45]
    assert rep["sampling"]["unreported_runs"] == 22
