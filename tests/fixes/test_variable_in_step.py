"""TFG007 fix: a variable created on every step is created once (Keras build()/add_weight, tf.function hoist/guard).

Every case runs original and fixed program in ONE batched TensorFlow process: the original raises, the fixed
one trains (every trainable variable gets a gradient, two optimizer steps change the weight, and a Keras layer
lists it in `trainable_variables`)."""

from __future__ import annotations

import time

import pytest
from gradls.analysis.model import Span
from gradls.fixes import apply_edits, fix_for
from tfharness import run_programs

from fixes.fixkit import check_fix, findings, only_finding, src


def _fix(source: str, safe: bool = True) -> str:
    f = only_finding(source, "TFG007")
    fix = fix_for(source, f)
    assert fix is not None, f
    assert fix.safe is safe, fix
    whole = Span(1, 0, len(source.splitlines()) + 1, 0)
    new = check_fix(source, f, fix, whole)
    assert findings(new, "TFG007") == [], new
    return new


# Driver appended to the Keras cases: fit first (the original raises there), then two eager optimizer steps.
LAYER_DRIVER = """
x = tf.random.normal((8, 3))
y = tf.random.normal((8, 1))
model = keras.Sequential([keras.Input((3,)), LAYER])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, epochs=1, verbose=0)
opt = keras.optimizers.SGD(0.1)
before = {v.path: v.numpy().copy() for v in LAYER.trainable_variables}
for _ in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
RESULT = {
    "status": gradient_status(grads),
    "paths": sorted(before),
    "changed": sorted(v.path for v in LAYER.trainable_variables if not (v.numpy() == before[v.path]).all()),
}
"""

KERAS_CASES = {
    # local variable, shape from the input: a build() is added; initializer "ones"
    "shape_from_input": (
        """
        import tensorflow as tf
        from tensorflow import keras


        class LearnedScale(keras.layers.Layer):
            def call(self, inputs):
                scale = tf.Variable(tf.ones((inputs.shape[-1],)), name="scale")
                return tf.reduce_sum(inputs * scale, axis=-1, keepdims=True)


        LAYER = LearnedScale()
        """,
        1,
    ),
    # self.<attr> with an existing build(): appended before its super().build(); random init kept as a lambda
    "self_attr_existing_build": (
        """
        import tensorflow as tf
        import keras


        class Gated(keras.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units

            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
                super().build(input_shape)

            def call(self, x):
                self.gate = tf.Variable(tf.random.normal((self.units,), stddev=0.1))
                h = tf.matmul(x, self.kernel) * self.gate
                return tf.reduce_sum(h, axis=-1, keepdims=True)


        LAYER = Gated(2)
        """,
        2,
    ),
    # self.add_weight in call moves as it is
    "add_weight_in_call": (
        """
        import tensorflow as tf
        import keras


        class Bias(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1), initializer="ones")

            def call(self, x):
                b = self.add_weight(shape=(1,), initializer="zeros", name="bias")
                return tf.matmul(x, self.w) + b


        LAYER = Bias()
        """,
        2,
    ),
    # a Model with a sub-layer; float list literal -> constant_initializer; subclass of Dense keeps Dense.build
    "model_and_dense_subclass": (
        """
        import tensorflow as tf
        import keras


        class ScaledDense(keras.layers.Dense):
            def call(self, inputs):
                gain = tf.Variable([0.5], name="gain")
                return super().call(inputs) * gain


        LAYER = ScaledDense(1)
        """,
        3,
    ),
}

TF_FUNCTION_CASES = {
    "hoisted": (
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        opt = tf.keras.optimizers.SGD(0.1)


        @tf.function
        def train_step(x, y):
            w = tf.Variable(tf.random.normal((3, 1)))
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
            grads = tape.gradient(loss, [w])
            opt.apply_gradients(zip(grads, [w]))
            return grads, w


        x, y = tf.random.normal((4, 3)), tf.random.normal((4, 1))
        grads, var = train_step(x, y)
        first = var.numpy().copy()
        grads, var = train_step(x, y)
        RESULT = {"status": gradient_status(grads), "changed": bool((var.numpy() != first).any())}
        """,
        True,
    ),
    "guarded": (
        """
        import tensorflow as tf

        opt = tf.keras.optimizers.SGD(0.1)


        @tf.function
        def train_step(x):
            \"\"\"One step.\"\"\"
            w = tf.Variable(tf.ones_like(x))
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum((x * w - 1.0) ** 2)
            grads = tape.gradient(loss, [w])
            opt.apply_gradients(zip(grads, [w]))
            return grads, w


        x = tf.constant([1.0, 2.0])
        grads, var = train_step(x)
        first = var.numpy().copy()
        grads, var = train_step(x)
        RESULT = {"status": gradient_status(grads), "changed": bool((var.numpy() != first).any())}
        """,
        False,
    ),
}


@pytest.fixture(scope="module")
def tf_runs():
    programs, fixed = {}, {}
    for name, (prog, _) in KERAS_CASES.items():
        prog = src(prog)
        fixed[name] = _fix(prog)
        programs[f"orig:{name}"] = prog + src(LAYER_DRIVER)
        programs[f"fixed:{name}"] = fixed[name] + src(LAYER_DRIVER)
    for name, (prog, safe) in TF_FUNCTION_CASES.items():
        prog = src(prog)
        fixed[name] = _fix(prog, safe)
        programs[f"orig:{name}"] = prog
        programs[f"fixed:{name}"] = fixed[name]
    t = time.perf_counter()
    results = run_programs(programs)
    print(f"TF batch of {len(programs)} programs: {time.perf_counter() - t:.1f}s")
    return results, fixed


@pytest.mark.parametrize("name", sorted(KERAS_CASES))
def test_keras_layer_fixed_trains(tf_runs, name):
    results, fixed = tf_runs
    orig, new = results[f"orig:{name}"], results[f"fixed:{name}"]
    assert orig.error_type == "ValueError", (orig.error, orig.result)
    assert new.ok, f"{new.error}\n{fixed[name]}"
    assert new.result["status"] and all(s == "ok" for s in new.result["status"]), new.result
    # the moved weight is tracked by the layer and trained with the others
    assert len(new.result["paths"]) == KERAS_CASES[name][1], new.result
    assert new.result["changed"] == new.result["paths"], new.result


@pytest.mark.parametrize("name", sorted(TF_FUNCTION_CASES))
def test_tf_function_fixed_trains(tf_runs, name):
    results, fixed = tf_runs
    orig, new = results[f"orig:{name}"], results[f"fixed:{name}"]
    assert orig.error_type == "ValueError" and "singleton" in orig.error, orig.error
    assert new.ok, f"{new.error}\n{fixed[name]}"
    assert new.result == {"status": ["ok"], "changed": True}, new.result


def test_exact_text_new_build():
    s = src(KERAS_CASES["shape_from_input"][0])
    assert _fix(s) == src("""
        import tensorflow as tf
        from tensorflow import keras


        class LearnedScale(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
                super().build(input_shape)

            def call(self, inputs):
                return tf.reduce_sum(inputs * self.scale, axis=-1, keepdims=True)


        LAYER = LearnedScale()
        """)


def test_exact_text_existing_build_and_lambda_initializer():
    s = src(KERAS_CASES["self_attr_existing_build"][0])
    out = _fix(s)
    assert out == s.replace(
        "                self.gate = tf.Variable(tf.random.normal((self.units,), stddev=0.1))\n", ""
    ).replace(
        "        super().build(input_shape)\n",
        "        self.gate = self.add_weight(shape=(self.units,), initializer=lambda shape, dtype=None: "
        "tf.random.normal((self.units,), stddev=0.1))\n        super().build(input_shape)\n",
    ).replace(
        "    def call(self, x):\n        self.gate = tf.Variable(tf.random.normal((self.units,), stddev=0.1))\n",
        "    def call(self, x):\n",
    )


def test_exact_text_tf_function_hoist_and_guard():
    s = src(TF_FUNCTION_CASES["hoisted"][0])
    out = _fix(s)
    assert (
        "w = tf.Variable(tf.random.normal((3, 1)))\n\n\n@tf.function\ndef train_step(x, y):\n    with tf.GradientTape()"
        in out
    )
    s = src("""
        import tensorflow as tf


        @tf.function
        def scaled(x):
            w = tf.Variable(tf.ones_like(x))
            return tf.reduce_sum(x * w)
        """)
    assert _fix(s, safe=False) == src("""
        import tensorflow as tf


        w = None


        @tf.function
        def scaled(x):
            global w
            if w is None:
                w = tf.Variable(tf.ones_like(x))
            return tf.reduce_sum(x * w)
        """)


def test_tf_function_name_taken_elsewhere_gets_fresh_name():
    s = src("""
        import tensorflow as tf

        w = 3


        @tf.function
        def step(x):
            w = tf.Variable(2.0)
            return x * w
        """)
    out = _fix(s)
    assert "step_w = tf.Variable(2.0)\n\n\n@tf.function\ndef step(x):\n    return x * step_w\n" in out


def test_local_name_reserved_by_keras_is_renamed():
    s = src("""
        import tensorflow as tf


        class L(tf.keras.layers.Layer):
            def call(self, x):
                weights = tf.Variable(tf.zeros((x.shape[1], 2)))
                return tf.matmul(x, weights)
        """)
    out = _fix(s)
    assert 'self.weights_weight = self.add_weight(shape=(input_shape[1], 2), initializer="zeros")' in out
    assert "return tf.matmul(x, self.weights_weight)" in out


@pytest.mark.parametrize(
    "body",
    [
        "w = tf.Variable(tf.ones_like(x))\n        return x * w",  # depends on the input itself
        "w = tf.Variable(tf.ones((x.shape[0], 2)))\n        return x * w",  # the batch dimension
        "n = x.shape[-1]\n        w = tf.Variable(tf.ones((n,)))\n        return x * w",  # a call local
        "w = tf.Variable(3)\n        return x * tf.cast(w, tf.float32)",  # integer variable
        "w = tf.Variable(tf.ones((2,)), validate_shape=False)\n        return x * w",
        "return x * tf.Variable(2.0)",  # not a statement of its own
        "for i in range(2):\n            w = tf.Variable(2.0)\n        return x * w",  # inside a loop
        "w = tf.Variable(2.0)\n        w = w * 2\n        return x * w",  # the name is stored again
        "w = tf.Variable(2.0); y = x * w\n        return y",  # shares its line
        "w = tf.Variable(tf.ones((2,)) * self.scale)\n        return x * w",  # self.scale not set in __init__
    ],
)
def test_keras_refusals(body):
    s = f"import tensorflow as tf\n\n\nclass L(tf.keras.layers.Layer):\n    def call(self, x, training=False):\n        {body}\n"
    fs = findings(s, "TFG007")
    assert fs, s
    for f in fs:
        assert fix_for(s, f) is None, (s, apply_edits(s, fix_for(s, f).edits))


def test_other_contexts_refused():
    eager_loop = src("""
        import tensorflow as tf

        x = tf.random.normal((4, 3))
        for step in range(3):
            with tf.GradientTape() as tape:
                w = tf.Variable(tf.zeros((3, 1)))
                loss = tf.reduce_sum(tf.matmul(x, w))
            tape.gradient(loss, [w])
        """)
    helper = src("""
        import tensorflow as tf


        def project(inputs, units):
            kernel = tf.Variable(tf.random.normal((inputs.shape[-1], units)))
            return tf.matmul(inputs, kernel)


        class Block(tf.keras.layers.Layer):
            def call(self, x):
                return tf.nn.relu(project(x, 4))
        """)
    method = src("""
        import tensorflow as tf


        class M(tf.Module):
            @tf.function
            def __call__(self, x):
                w = tf.Variable(2.0)
                return x * w
        """)
    for s in (eager_loop, helper, method):
        f = only_finding(s, "TFG007")
        assert fix_for(s, f) is None, s
