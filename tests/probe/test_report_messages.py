"""The probe report's `message`: sentences a person reads first (CLI first line, editor summary).

Pure Python, no TensorFlow: the launcher's `_finish` is fed reports as the runner leaves them.
"""

from __future__ import annotations

import pytest
from gradls.probe import launcher
from gradls.probe import report as probe_report

NO_GRADS = "No gradients provided for any variable."


def report_with(errors=(), calls=(), stopped=False, code=1):
    rep = probe_report.new_report("/w/train.py", "python3", 3, "cpu")
    rep["errors"] = [
        {"type": t, "message": m, "file": "/w/train.py", "line": 7, "category": c, "during": "program", "step": 1}
        for t, m, c in errors
    ]
    rep["gradient_calls"] = list(calls)
    rep["stopped_after_steps"] = stopped
    rep["exit"]["code"] = code
    rep["exit"]["reason"] = "finished"
    return rep


CALL = {
    "kind": "tape.gradient",
    "file": "/w/train.py",
    "line": 5,
    "caller": None,
    "step": 1,
    "mode": "eager",
    "sources": [
        {
            "name": "w",
            "kind": "variable",
            "shape": [2],
            "dtype": "float32",
            "created_at": None,
            "status": "ok",
            "norm": 1.0,
        }
    ],
}


@pytest.mark.parametrize(
    ("rep", "kill"),
    [
        (report_with([("ValueError", NO_GRADS, "program")]), None),
        (report_with([("ValueError", NO_GRADS, "gradient")]), None),
        (report_with([("ValueError", NO_GRADS, "program")], [CALL]), "timeout"),
        (report_with([("ValueError", NO_GRADS, "program")], [CALL], stopped=True, code=0), None),
        (report_with([("RuntimeError", "Stopped...", "program")]), None),
        (report_with([], [CALL], code=3), None),
    ],
)
def test_messages_end_in_one_full_stop(rep, kill):
    launcher._finish(rep, kill, rep["exit"]["code"], 60, None, 0, 16)
    msg = rep["message"]
    assert msg[:1].isupper(), msg
    assert msg.endswith(".") and ".." not in msg.replace("Stopped...", ""), msg
    assert ".;" not in msg and ". (" not in msg, msg
    assert probe_report.format_text(rep).count("..") == probe_report.format_text(rep).count("Stopped...")


def test_the_error_text_is_kept():
    rep = report_with([("ValueError", NO_GRADS, "program")])
    launcher._finish(rep, None, 1, 60, None, 0, 16)
    assert (
        rep["message"]
        == "No gradient computation was observed; the program raised ValueError at train.py:7: " + NO_GRADS
    )


def test_sentence():
    assert probe_report.sentence("all gradients ok") == "All gradients ok."
    assert probe_report.sentence("raised X: boom.") == "Raised X: boom."
    assert probe_report.sentence("wait…", capitalize=False) == "wait…"
    assert probe_report.sentence("  ") == ""
