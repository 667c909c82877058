"""TFG024 fix: `print(...)` in traced code -> `tf.print(...)`.

Original and fixed programs run in ONE TensorFlow process.  Each program captures what it prints itself
(Python's `print` through `sys.stdout`, `tf.print` through file descriptor 2, where it writes) and hands back
the lines that carry its own label: the original prints a symbolic `Tensor(...)` once per trace, not per step;
the fixed one prints every step's value."""

from __future__ import annotations

import pytest
from gradls.fixes import fix_for
from tfharness import run_programs

from fixes.fixkit import check_fix, findings, only_finding, src

# Runs the program's `run()` with stdout and fd 2 captured, keeps the lines starting with LABEL.
CAPTURE = """
import contextlib as _contextlib
import io as _io
import os as _os
import sys as _sys
import tempfile as _tempfile

_out = _io.StringIO()
_fd, _path = _tempfile.mkstemp()
_sys.stderr.flush()
_saved = _os.dup(2)
_os.dup2(_fd, 2)
try:
    with _contextlib.redirect_stdout(_out):
        run()
finally:
    _sys.stderr.flush()
    _os.dup2(_saved, 2)
    _os.close(_saved)
    _os.close(_fd)
with open(_path, encoding="utf-8") as _fh:
    _err = _fh.read()
_os.remove(_path)
RESULT = [line for line in (_out.getvalue() + _err).splitlines() if line.startswith(LABEL)]
"""

CASES = {
    "plain_print_in_tf_function": (
        """
        import tensorflow as tf

        LABEL = "loss"


        @tf.function
        def train_step(x):
            loss = tf.reduce_sum(x * x)
            print("loss", loss)
            return loss


        def run():
            for i in range(3):
                train_step(tf.constant([float(i)]))
        """,
        ["loss 0", "loss 1", "loss 4"],
    ),
    "sep_and_end_kept": (
        """
        import tensorflow as tf

        LABEL = "step"


        @tf.function
        def train_step(step, x):
            print("step", step, x, sep=" | ", end=" ;\\n")
            return x


        def run():
            for i in range(2):
                train_step(tf.constant(i), tf.constant(2.5))
        """,
        ["step | 0 | 2.5 ;", "step | 1 | 2.5 ;"],
    ),
    "keras_call_under_fit_with_other_alias": (
        """
        import numpy as np
        import keras
        import tensorflow as tensorflow_api

        LABEL = "batch mean"


        class Probe(keras.layers.Layer):
            def call(self, x):
                print("batch mean", tensorflow_api.reduce_mean(x))
                return x


        def run():
            model = keras.Sequential([keras.Input((1,)), Probe(), keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            x = np.array([[1.0], [1.0], [3.0], [3.0], [5.0], [5.0], [7.0], [7.0]], "float32")
            model.fit(x, np.zeros((8, 1), "float32"), batch_size=2, epochs=1, shuffle=False, verbose=0)
        """,
        ["batch mean 1", "batch mean 3", "batch mean 5", "batch mean 7"],
    ),
}


@pytest.fixture(scope="module")
def runs():
    programs = {}
    for name, (source, _) in CASES.items():
        original = src(source)
        programs[f"{name}/original"] = original + CAPTURE
        programs[f"{name}/fixed"] = _fixed(original) + CAPTURE
    return run_programs(programs)


def _fixed(source: str) -> str:
    finding = only_finding(source, "TFG024")
    fix = fix_for(source, finding)
    assert fix is not None, finding
    assert fix.safe
    new = check_fix(source, finding, fix, finding.fix_data.func)
    assert findings(new, "TFG024") == [], new
    return new


def test_the_fix_rewrites_only_the_callee():
    source = src(CASES["sep_and_end_kept"][0])
    assert 'tf.print("step", step, x, sep=" | ", end=" ;\\n")' in _fixed(source)
    other_alias = src(CASES["keras_call_under_fit_with_other_alias"][0])
    assert 'tensorflow_api.print("batch mean", tensorflow_api.reduce_mean(x))' in _fixed(other_alias)


@pytest.mark.parametrize("name", sorted(CASES))
def test_original_prints_symbolic_tensors_once_per_trace(name, runs):
    r = runs[f"{name}/original"]
    assert r.error is None, r.error
    # Keras traces `call` twice (building the model, then fit's step); a tf.function once.
    assert 1 <= len(r.result) < len(CASES[name][1]) and all("Tensor(" in line for line in r.result), r.result


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_program_prints_every_steps_value(name, runs):
    r = runs[f"{name}/fixed"]
    assert r.error is None, r.error
    assert r.result == CASES[name][1]


@pytest.mark.parametrize(
    "call",
    [
        'print("loss", loss, file=sys.stderr)',
        'print("loss", loss, flush=True)',
        'print(f"loss {loss}")',
        'print("loss %s" % loss)',
        'print("loss {}".format(loss))',
        "print(*parts)",
    ],
)
def test_no_fix_where_tf_print_would_differ(call):
    source = src(
        f"""
        import sys

        import tensorflow as tf


        @tf.function
        def train_step(x):
            loss = tf.reduce_sum(x)
            parts = [loss]
            {call}
            return loss
        """
    )
    finding = only_finding(source, "TFG024")
    assert fix_for(source, finding) is None
