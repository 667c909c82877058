"""The typed probe options and report (gradls.probe.schema): JSON round trips, backward
compatibility with older and newer reports, and the options' own checks. No TensorFlow."""

from __future__ import annotations

import pytest
from gradls.probe import launcher
from gradls.probe.report import new_report
from gradls.probe.schema import ProbeOptions, ProbeReport, normalised


def test_options_from_keyword_arguments_and_back():
    opts = ProbeOptions.from_kwargs("train.py", steps=5, args=["--epochs", "2"], env={"A": "1"}, warm=True)
    assert opts.args == ("--epochs", "2") and opts.steps == 5 and opts.warm and opts.device == "auto"
    assert ProbeOptions.from_json(opts.to_json()) == opts
    assert opts.to_json()["args"] == ["--epochs", "2"]
    with pytest.raises(TypeError, match="unknown probe option"):
        ProbeOptions.from_kwargs("train.py", stepz=3)
    assert ProbeOptions("t.py", device="tpu", steps=0).problems() == [
        "unknown device 'tpu': use one of auto, cpu, gpu",
        "steps must be at least 1 (got 0)",
    ]


def test_launcher_takes_options_or_keywords_not_both(tmp_path):
    with pytest.raises(TypeError):
        launcher.run_probe(str(tmp_path / "x.py"), options=ProbeOptions("y.py"))
    # Bad options come back as an error report (no process started), typed and as a dict alike.
    rep = launcher.run_probe(options=ProbeOptions(str(tmp_path / "missing.py"), steps=0))
    assert rep["status"] == "error" and "steps must be at least 1" in rep["message"]
    typed = launcher.probe(ProbeOptions(str(tmp_path / "missing.py")))
    assert typed.status == "error" and "no such file" in typed.message and typed.gradient_calls == []


def test_an_old_report_gains_the_new_keys_and_a_newer_one_keeps_its_unknown_keys():
    old = new_report("/x/train.py", "/usr/bin/python3", 3, "auto")
    old["gradient_calls"] = [
        {
            "kind": "tape.gradient",
            "file": "/x/train.py",
            "line": 9,
            "caller": None,
            "step": 1,
            "mode": "eager",
            "replica": None,
            "role": "bare",
            "optimizer": None,
            "scaled": False,
            "sources": [
                {
                    "name": "w",
                    "kind": "tf.Variable",
                    "shape": [2],
                    "dtype": "float32",
                    "created_at": {"file": "/x/train.py", "line": 3, "kind": "variable"},
                    "status": "none",
                    "norm": None,
                    "from_the_future": {"x": 1},
                }
            ],
            "new_call_key": 7,
        }
    ]
    old["future_top_level"] = [1, 2]
    out = normalised(old)
    src = out["gradient_calls"][0]["sources"][0]
    assert src["update_ratio"] is None and src["layer"] is None  # added keys, documented defaults
    assert src["from_the_future"] == {"x": 1} and out["gradient_calls"][0]["new_call_key"] == 7
    assert out["future_top_level"] == [1, 2]
    assert "module" not in out and "threads" not in out and "causes" not in out  # only some reports have them
    assert ProbeReport.from_json(out).to_json() == out
