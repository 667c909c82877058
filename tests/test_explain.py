"""`gradls explain`: what the engine says at a position agrees with what TensorFlow does when the program runs.

Each program ends with `RESULT = {...}` recording, per gradient call, the status of every gradient
(`gradient_status`), and the dtype / trainable flag of variables and whether a function ran eagerly.
All programs run in one TF process (tests/tfharness.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from gradls.analysis.explain import GRADIENT, NONE, UNKNOWN, Explanation, explain_source
from tfharness import run_programs

CUTS = """\
import numpy as np
import tensorflow as tf

w = tf.Variable(tf.ones((3, 2)))
b = tf.Variable(tf.zeros(2))
step = tf.Variable(0)
frozen = tf.Variable(1.0, trainable=False)
x = tf.random.normal((4, 3))
c = tf.constant(2.0)
u = tf.Variable(1.0)
v = tf.Variable(3.0)

with tf.GradientTape(persistent=True) as tape:
    scores = tf.matmul(x, w) + b
    pred = tf.argmax(scores, axis=1)
    loss = tf.reduce_mean(tf.cast(pred, tf.float32)) + tf.reduce_sum(b) * frozen * c
    loss2 = loss + tf.cast(step, tf.float32)
    z = tf.stop_gradient(v * 2.0) + tf.reduce_sum(scores)
    q = np.square(u.numpy()) + z
late = tf.reduce_sum(scores)

g1 = tape.gradient(loss2, [w, b, step, frozen, c])  # g1
g2 = tape.gradient(z, [w, v])  # g2
g3 = tape.gradient(q, [u, w])  # g3
g4 = tape.gradient(late, [w, b])  # g4
RESULT = {
    "g1": gradient_status(g1), "g2": gradient_status(g2), "g3": gradient_status(g3), "g4": gradient_status(g4),
    "step": [step.dtype.name, step.trainable], "frozen": [frozen.dtype.name, frozen.trainable],
}
"""

KERAS = """\
import tensorflow as tf
import keras


class Bucket(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(3, 1), initializer="ones")

    def call(self, x):
        return tf.matmul(x, self.w)


model = keras.Sequential([keras.layers.Dense(4), keras.layers.BatchNormalization(), keras.layers.Dense(1)])
layer = Bucket()
x = tf.random.normal((8, 3))
y = tf.random.normal((8, 1))
model(x)
layer(x)
seen = {}


@tf.function
def train_step(x, y):
    seen["train_step"] = tf.executing_eagerly()
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean((pred - y) ** 2)
    return tape.gradient(loss, model.variables)  # gm


def bucket_step(x):
    seen["bucket_step"] = tf.executing_eagerly()
    with tf.GradientTape() as tape:
        out = layer(x)
        loss = tf.reduce_sum(tf.cast(tf.cast(out, tf.int32), tf.float32))
        kept = tf.reduce_sum(out)
    return tape.gradient(loss, layer.trainable_variables), tape  # gb


gm = train_step(x, y)
gb, _ = bucket_step(x)
RESULT = {
    "gm": dict(zip([v.path for v in model.variables], gradient_status(gm))),
    "gb": gradient_status(gb),
    "seen": seen,
}
"""


def at(src: str, marker: str, token: str) -> tuple[int, int]:
    """(1-based line, 0-based column) of `token` on the line that holds `marker`."""
    for i, text in enumerate(src.splitlines(), 1):
        if marker in text and token in text:
            return i, text.index(token)
    raise AssertionError(f"{marker!r}/{token!r} not in the program")


def explain(src: str, marker: str, token: str, anywhere: bool = True) -> Explanation:
    line, col = at(src, marker, token)
    found = explain_source(src, line, col, project=False, anywhere=anywhere)
    assert found is not None, f"nothing explained at {marker}"
    return found


def verdicts(e: Explanation) -> list[str]:
    return [s.verdict for s in e.sources]


@pytest.fixture(scope="module")
def ran():
    results = run_programs({"cuts": CUTS, "keras": KERAS})
    for name, r in results.items():
        assert r.ok, f"{name}: {r.error}"
    return {name: r.result for name, r in results.items()}


def _status(verdict: str) -> str:
    return {GRADIENT: "ok", NONE: "none"}[verdict]


def test_sources_cut_by_argmax_int_dtype_frozen_unwatched_tensor_match_tensorflow(ran):
    e = explain(CUTS, "# g1", "gradient")
    assert e.kind == "gradient-call"
    assert [s.source for s in e.sources] == ["w", "b", "step", "frozen", "c"]
    assert verdicts(e) == [NONE, GRADIENT, NONE, NONE, NONE]
    assert [_status(v) for v in verdicts(e)] == ran["cuts"]["g1"]
    w, _, step, frozen, c = e.sources
    assert "tf.argmax(scores, axis=1)" in w.reason and w.line == 15
    assert "int32" in step.reason and "tf.Variable(0)" in step.reason and step.line == 6
    assert "trainable=False" in frozen.reason and frozen.line == 7
    assert "tape.watch(c)" in c.reason and c.line == 9


def test_stop_gradient_numpy_and_target_outside_the_tape_match_tensorflow(ran):
    g2 = explain(CUTS, "# g2", "gradient")
    assert verdicts(g2) == [GRADIENT, NONE]
    assert "stop_gradient" in g2.sources[1].reason and g2.sources[1].line == 18
    g3 = explain(CUTS, "# g3", "gradient")
    assert verdicts(g3) == [NONE, GRADIENT]
    assert "u.numpy()" in g3.sources[0].reason and g3.sources[0].line == 19
    g4 = explain(CUTS, "# g4", "gradient")
    assert verdicts(g4) == [NONE, NONE]
    assert "outside the `with` block" in g4.sources[0].reason and g4.sources[0].line == 20
    for name, e in (("g2", g2), ("g3", g3), ("g4", g4)):
        assert [_status(v) for v in verdicts(e)] == ran["cuts"][name], name


def test_variable_dtype_trainable_creation_and_watching_tapes_match_tensorflow(ran):
    step = explain(CUTS, "step = tf.Variable(0)", "step")
    assert step.kind == "variable"
    assert (step.facts["dtype"], step.facts["trainable"]) == tuple(ran["cuts"]["step"])
    assert step.facts["created_line"] == 6
    assert any("watched by tape `tape` (line 13)" in d for d in step.details)
    frozen = explain(CUTS, "* frozen", "frozen")
    assert (frozen.facts["dtype"], frozen.facts["trainable"]) == tuple(ran["cuts"]["frozen"])
    w = explain(KERAS, "tf.matmul(x, self.w)", "w)")  # the attribute of `self.w`
    assert w.kind == "variable" and w.facts["created_line"] == 7
    assert "a Keras weight" in w.details[0]


def test_model_variables_include_batch_norm_statistics_that_get_none(ran):
    e = explain(KERAS, "# gm", "gradient")
    assert [s.verdict for s in e.sources] == [GRADIENT, NONE]
    assert "moving_mean/moving_variance" in e.sources[1].source
    none = sorted(path.rsplit("/", 1)[-1] for path, s in ran["keras"]["gm"].items() if s == "none")
    assert none == ["moving_mean", "moving_variance"]
    assert any(d.startswith("TFG017") for d in e.details)  # the finding on this call, beside the facts


def test_integer_cast_on_a_layer_output_cuts_its_weights(ran):
    e = explain(KERAS, "# gb", "gradient")
    assert len(e.sources) == 1 and e.sources[0].verdict == NONE
    assert "tf.cast(out, tf.int32)" in e.sources[0].reason and "integer cast" in e.sources[0].reason
    assert ran["keras"]["gb"] == ["none"]


def test_how_a_function_runs_matches_tf_executing_eagerly(ran):
    traced = explain(KERAS, "def train_step", "train_step")
    assert traced.kind == "function" and traced.facts["modes"] == ["autograph"]
    assert "@tf.function" in traced.title
    eager = explain(KERAS, "def bucket_step", "bucket_step")
    assert eager.facts["modes"] == ["eager"]
    assert ran["keras"]["seen"] == {"train_step": False, "bucket_step": True}


def test_hover_mode_explains_nothing_where_the_engine_knows_nothing():
    # Inside a function body, on a name that is no variable: the CLI falls back to the function, the hover not.
    assert explain_source(KERAS, *at(KERAS, "pred - y", "pred - y"), project=False, anywhere=False) is None
    assert explain(KERAS, "pred - y", "pred - y").kind == "tape-block"
    assert explain_source("import os\nx = 1\n", 2, 0, project=False) is None
    assert explain_source("def broken(:\n", 1, 4, project=False) is None
    plain = explain("def f(a):\n    return a + 1\n", "def f", "f")
    assert plain.facts["modes"] == [] and "plain Python" in plain.title


def test_unknown_is_said_when_the_value_cannot_be_followed():
    src = (
        "import tensorflow as tf\n"
        "w = tf.Variable(1.0)\n"
        "def forward(x):\n"
        "    return x * w\n"
        "with tf.GradientTape() as tape:\n"
        "    loss = forward(2.0)\n"
        "g = tape.gradient(loss, [w])\n"
    )
    e = explain(src, "g = tape", "gradient")
    assert verdicts(e) == [UNKNOWN]


def test_cli_explain_text_json_and_bad_locations(tmp_path):
    prog = tmp_path / "train.py"
    prog.write_text(CUTS)
    line, col = at(CUTS, "# g2", "gradient")
    run = [sys.executable, "-m", "gradls.cli", "explain"]
    out = subprocess.run([*run, f"{prog}:{line}:{col + 1}"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith(f"{prog}:{line}:") and "tape.gradient" in first
    assert "None v: `v` reaches `z` only through `tf.stop_gradient(v * 2.0)` (line 18)" in out.stdout
    js = subprocess.run(
        [*run, f"{prog}:{line}:{col + 1}", "--output-format", "json"], capture_output=True, text=True, timeout=60
    )
    data = json.loads(js.stdout)["explanation"]
    assert [s["verdict"] for s in data["sources"]] == ["gradient", "none"]
    assert data["sources"][1]["line"] == 18
    for bad in (f"{prog}", f"{prog}:999", f"{tmp_path / 'missing.py'}:1"):
        r = subprocess.run([*run, bad], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "gradls: error:" in r.stderr, bad
    nothing = subprocess.run([*run, f"{prog}:1:1"], capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 0 and "knows nothing" in nothing.stdout
