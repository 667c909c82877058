"""Cause, not just symptom (issue 13): a None gradient's cut line (gradls' static verdict when it has
one, else the op path recorded at run time), dead ReLU units and zero-initialised factors for
zeros, and the op and line of the first NaN without stopping the program. Real TensorFlow on CPU;
the four programs are probed concurrently."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from gradls.probe.launcher import probe_async, run_probe_async
from gradls.probe.report import format_text
from gradls.probe.schema import ProbeOptions, ProbeReport
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")
NAMES = ("none_causes.py", "nan_origin.py", "dead_relu.py", "lora.py", "fit_lost_kernel.py")

pytestmark = pytest.mark.timeout(240)


def case_line(name: str, marker: str) -> int:
    for i, text in enumerate((PROGRAMS / name).read_text().splitlines(), 1):
        if text.rstrip().endswith("# CASE: " + marker):
            return i
    raise AssertionError(f"no `# CASE: {marker}` in {name}")


@pytest.fixture(scope="module")
def runs() -> dict[str, dict]:
    async def typed(name: str) -> dict:  # the typed API: ProbeOptions in, ProbeReport out
        options = ProbeOptions(str(PROGRAMS / name), interpreter=tf_python(), steps=3, device="cpu", timeout=150)
        report = await probe_async(options)
        assert isinstance(report, ProbeReport)
        return report.to_json()

    async def all_of_them():
        return await asyncio.gather(
            typed(NAMES[0]),
            *(
                run_probe_async(str(PROGRAMS / name), interpreter=tf_python(), steps=3, device="cpu", timeout=150)
                for name in NAMES[1:]
            ),
        )

    return dict(zip(NAMES, asyncio.run(all_of_them())))


def problem(rep: dict, source: str, status: str) -> dict:
    found = [p for p in rep["problems"] if p["source"] == source and p["status"] == status]
    assert len(found) == 1, (source, status, rep["problems"])
    return found[0]


def test_none_gets_the_static_verdict_and_its_cut_line(runs):
    rep = runs["none_causes.py"]
    name = "none_causes.py"
    for source, marker, rule, words in (
        ("w_argmax", "argmax", "TFG008", "tf.argmax"),
        ("w_numpy", "numpy", "TFG002", ".numpy()"),
        ("w_stop", "stop", "TFG006", "stop_gradient"),
    ):
        p = problem(rep, source, "none")
        assert p["verdict"] == "broken"
        cause = p["cause"]
        assert cause["origin"] == "static" and cause["rule"] == rule, cause
        assert cause["line"] == case_line(name, marker) and words in cause["message"]
    # The runtime recording agrees and is kept beside it: ArgMax on that same line.
    runtime = problem(rep, "w_argmax", "none")["runtime_cause"]
    assert runtime["op"] == "ArgMax" and runtime["line"] == case_line(name, "argmax")
    assert problem(rep, "w_stop", "none")["runtime_cause"]["op"] == "StopGradient"
    assert "cause [TFG008]:" in format_text(rep)


def test_none_the_analysis_cannot_see_gets_the_last_op_recorded_at_run_time(runs):
    rep = runs["none_causes.py"]
    cause = problem(rep, "w_helper", "none")["cause"]
    # `getattr(tf, "round")` hides the op from the static analysis; the recorded path shows it.
    assert cause["origin"] == "runtime" and cause["op"] == "Round"
    assert cause["line"] == case_line("none_causes.py", "helper cut")
    assert "runtime_cause" not in problem(rep, "w_helper", "none")
    assert rep["stopped_after_steps"] and rep["steps_observed"] == 3


def test_none_in_a_traced_fit_step_is_explained_from_the_traced_graph(runs):
    rep = runs["fit_lost_kernel.py"]
    cause = problem(rep, "sequential/frozen/kernel", "none")["cause"]
    # Found while tracing (no eager re-run): the StopGradient inside the layer's call.
    assert cause["origin"] == "runtime" and cause["op"] == "StopGradient", cause
    assert cause["line"] == case_line("fit_lost_kernel.py", "cut")
    assert {c["mode"] for c in rep["gradient_calls"]} == {"graph"}


def test_first_nan_names_the_op_and_line_without_stopping_the_program(runs):
    rep = runs["nan_origin.py"]
    p = problem(rep, "w_nan", "nan")
    assert p["verdict"] == "broken" and p["steps"] == [1, 2, 3]
    assert p["cause"]["op"] == "Sqrt" and p["cause"]["line"] == case_line("nan_origin.py", "sqrt")
    assert "from finite inputs" in p["cause"]["message"]
    # The run went on (the probe stopped it after 3 steps itself); the step after the NaN was
    # recorded eagerly, the others ran as the traced function.
    assert rep["stopped_after_steps"] and not rep["errors"]
    assert [c["mode"] for c in rep["gradient_calls"]] == ["graph", "eager", "graph"]


def test_zero_gradients_of_a_dead_relu_layer_say_how_many_units_are_inactive(runs):
    rep = runs["dead_relu.py"]
    line = case_line("dead_relu.py", "dead")
    for source in ("sequential/dense/kernel", "sequential/dense/bias"):
        cause = problem(rep, source, "zero")["cause"]
        assert cause["message"].startswith("ReLU layer dense: 32/32 units inactive at step 1"), cause
        assert cause["line"] == line
    after = problem(rep, "sequential/dense_1/kernel", "zero")["cause"]
    assert "ReLU layer dense before it has 32/32 units inactive" in after["message"]


def test_lora_zero_at_step_one_points_at_the_zero_initialised_factor(runs):
    rep = runs["lora.py"]
    lora_a = [p for p in rep["problems"] if p["source"].endswith("lora_a") and p["status"] == "zero"]
    assert len(lora_a) == 1 and lora_a[0]["verdict"] == "watch" and lora_a[0]["steps"] == [1]
    cause = lora_a[0]["cause"]
    assert "lora_b` is all zeros at step 1 (a zero-initialised factor)" in cause["message"], cause


def test_every_report_survives_the_typed_model_unchanged(runs):
    for name, rep in runs.items():
        typed = ProbeReport.from_json(rep)
        assert typed.to_json() == rep, name
    typed = ProbeReport.from_json(runs["none_causes.py"])
    argmax = next(p for p in typed.broken() if p.source == "w_argmax")
    assert argmax.cause is not None and argmax.cause.rule == "TFG008"
    assert argmax.created_at is not None and argmax.created_at.line == case_line("none_causes.py", "w_argmax")
    dead = ProbeReport.from_json(runs["dead_relu.py"])
    bias = next(s for s in dead.gradient_calls[0].sources if s.name == "sequential/dense/bias")
    assert bias.layer is not None and bias.layer.activation == "relu" and bias.zero_entries == 32
    kernel = next(s for s in dead.gradient_calls[0].sources if s.name == "sequential/dense/kernel")
    assert kernel.zero_entries is None  # counted for vectors (biases) only
