"""TFG002 fix: drop the tensor -> Python/NumPy conversion (or cast) where a tensor is what the code needs.

Original and fixed programs run in ONE batched TensorFlow process: the original raises or loses the gradient,
the fixed one gives every trainable variable a gradient."""

from __future__ import annotations

import time

import pytest
from gradls.analysis.model import Finding, Span
from gradls.fixes import apply_edits, fix_for, span_of_offsets
from tfharness import run_programs

from fixes.fixkit import check_fix, findings, only_finding, src


def _fix(source: str, safe: bool = True) -> str:
    f = only_finding(source, "TFG002")
    fix = fix_for(source, f)
    assert fix is not None, f
    assert fix.safe is safe, fix
    whole = Span(1, 0, len(source.splitlines()) + 1, 0)
    new = check_fix(source, f, fix, whole)
    assert findings(new, "TFG002") == [], new
    return new


# name -> (program, expected failure of the original: "none" gradient or an exception type, safe)
CASES = {
    "float_loss_eager": (
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = float(tf.reduce_mean(tf.square(model(x) - y)))
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
        """,
        "TypeError",
        True,
    ),
    "numpy_in_tape": (
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            pred = model(x, training=True).numpy()
            loss = tf.reduce_mean(tf.square(tf.convert_to_tensor(pred) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
        """,
        "none",
        True,
    ),
    "float_in_train_step_fit": (
        """
        import numpy as np
        import tensorflow as tf


        class Model(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    pred = self(x, training=True)
                    spread = float(tf.math.reduce_std(pred)) + 1.0
                    loss = tf.reduce_mean((pred - y) ** 2) * spread
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}


        m = Model()
        m.compile(optimizer="sgd")
        rng = np.random.default_rng(0)
        m.fit(rng.normal(size=(8, 3)).astype("float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(m(tf.constant(rng.normal(size=(2, 3)), tf.float32)) ** 2)
        RESULT = gradient_status(tape.gradient(loss, m.trainable_variables))
        """,
        "TypeError",
        True,
    ),
    "constant_of_numpy_in_layer": (
        """
        import numpy as np
        import tensorflow as tf


        class Projection(tf.keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.w = self.add_weight(shape=(4, units), initializer="ones")

            def call(self, inputs):
                h = tf.matmul(inputs, self.w)
                return tf.constant(h.numpy()) + 1.0


        layer = Projection(2)
        x = tf.random.normal((3, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) ** 2)
        status = gradient_status(tape.gradient(loss, layer.trainable_variables))
        model = tf.keras.Sequential([tf.keras.Input((4,)), Projection(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        RESULT = status
        """,
        "AttributeError",
        True,
    ),
    "asarray_dtype_in_tf_function": (
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, -2.0])


        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                h = x * w
                loss = tf.reduce_sum(np.asarray(h, dtype=np.float32) * 2.0)
            return tape.gradient(loss, [w])


        RESULT = gradient_status(step(tf.constant([1.0, 3.0])))
        """,
        "NotImplementedError",
        True,
    ),
    "numpy_item_not_certainly_scalar": (
        """
        import tensorflow as tf

        w = tf.Variable([[1.0, 2.0]])
        b = tf.Variable(0.5)
        with tf.GradientTape() as tape:
            s = tf.reduce_sum(w * w, axis=1).numpy().item()
            loss = s * b * b
        RESULT = gradient_status(tape.gradient(loss, [w, b]))
        """,
        "none",
        False,
    ),
}


@pytest.fixture(scope="module")
def tf_runs():
    programs, fixed = {}, {}
    for name, (prog, _, safe) in CASES.items():
        prog = src(prog)
        fixed[name] = _fix(prog, safe)
        programs[f"orig:{name}"] = prog
        programs[f"fixed:{name}"] = fixed[name]
    t = time.perf_counter()
    results = run_programs(programs)
    print(f"TF batch of {len(programs)} programs: {time.perf_counter() - t:.1f}s")
    return results, fixed


@pytest.mark.parametrize("name", sorted(CASES))
def test_original_fails_fixed_trains(tf_runs, name):
    results, fixed = tf_runs
    orig, new = results[f"orig:{name}"], results[f"fixed:{name}"]
    failure = CASES[name][1]
    if failure == "none":
        assert orig.ok and "none" in orig.result, (orig.error, orig.result)
    else:
        assert orig.error_type == failure, (orig.error, orig.result)
    assert new.ok, f"{new.error}\n{fixed[name]}"
    assert new.result and all(s == "ok" for s in new.result), (new.result, fixed[name])


def test_exact_texts():
    assert "    pred = model(x, training=True)\n" in _fix(src(CASES["numpy_in_tape"][0]))
    assert "    loss = tf.cast(tf.reduce_mean(tf.square(model(x) - y)), tf.float32)\n" in _fix(
        src(CASES["float_loss_eager"][0])
    )
    assert "        return h + 1.0\n" in _fix(src(CASES["constant_of_numpy_in_layer"][0]))
    assert "loss = tf.reduce_sum(tf.cast(h, tf.float32) * 2.0)" in _fix(src(CASES["asarray_dtype_in_tf_function"][0]))
    assert "    s = tf.reduce_sum(w * w, axis=1)\n" in _fix(
        src(CASES["numpy_item_not_certainly_scalar"][0]), safe=False
    )


def _finding(source: str, call: str, kind: str, arg: str, mode: str = "eager") -> Finding:
    i = source.index(call)
    sp = span_of_offsets(source, i, i + len(call))
    j = source.index(arg, i)
    ap = span_of_offsets(source, j, j + len(arg))
    return Finding(
        "TFG002",
        "m",
        sp,
        {
            "call": list(sp.__dict__.values()),
            "kind": kind,
            "arg": list(ap.__dict__.values()),
            "tf_alias": None,
            "mode": mode,
        },
    )


def test_parenthesises_and_adds_import():
    s = "import numpy as np\n\n\ndef f(a, b):\n    return np.asarray(a + b) * 2.0\n"
    fix = fix_for(s, _finding(s, "np.asarray(a + b)", "np", "a + b"))
    assert apply_edits(s, fix.edits) == "import numpy as np\n\n\ndef f(a, b):\n    return (a + b) * 2.0\n"
    s = "import numpy as np\n\n\ndef f(t, w):\n    y = float(t) * w\n    return y\n"
    fix = fix_for(s, _finding(s, "float(t)", "float", "t"))
    assert apply_edits(s, fix.edits) == (
        "import numpy as np\nimport tensorflow as tf\n\n\ndef f(t, w):\n    y = tf.cast(t, tf.float32) * w\n    return y\n"
    )
    assert not fix.safe  # t is not certainly a scalar


@pytest.mark.parametrize(
    "body,call,kind,arg",
    [
        ("n = int(h)\n    return h * n", "int(h)", "int", "h"),  # an integer has no gradient either way
        ("n = float(h)\n    return tf.zeros((n, 2))", "float(h)", "float", "h"),  # a shape
        ("for i in range(float(h)):\n        pass\n    return h", "float(h)", "float", "h"),
        ("v = h.numpy()\n    return np.dot(v, h)", "h.numpy()", "numpy", "h"),  # NumPy again: TFG001's business
        ("v = h.numpy()\n    print(v)\n    return h", "h.numpy()", "numpy", "h"),
        ("v = h.numpy()\n    return v.sum()", "h.numpy()", "numpy", "h"),  # an ndarray method
        ("return np.array(h, copy=True) * 2", "np.array(h, copy=True)", "np", "h"),
        ("return np.asarray(h, dtype=np.int32) * 2", "np.asarray(h, dtype=np.int32)", "np", "h"),
        ("if float(h) > 0:\n        return h\n    return -h", "float(h)", "float", "h"),
        ("v = h.numpy()\n    return h[v]", "h.numpy()", "numpy", "h"),
        ("return tf.Variable(h.numpy())", "h.numpy()", "numpy", "h"),
        ("self.v = h.numpy()\n    return h", "h.numpy()", "numpy", "h"),
        ("a, b = h.numpy()\n    return a * b", "h.numpy()", "numpy", "h"),
        ('return f"{float(h)}"', "float(h)", "float", "h"),
        ("return tf.constant(h.numpy() * 2)", "h.numpy()", "numpy", "h"),  # tf.constant of a symbolic tensor raises
    ],
)
def test_refusals(body, call, kind, arg):
    s = f"import numpy as np\nimport tensorflow as tf\n\n\ndef f(self, h):\n    {body}\n"
    assert fix_for(s, _finding(s, call, kind, arg)) is None


def test_stale_finding_refused():
    s = "import tensorflow as tf\n\n\ndef f(h):\n    return h * 2\n"
    f = Finding(
        "TFG002",
        "m",
        Span(5, 11, 5, 20),
        {"call": [5, 11, 5, 20], "kind": "numpy", "arg": [5, 11, 5, 12], "tf_alias": "tf", "mode": "eager"},
    )
    assert fix_for(s, f) is None
