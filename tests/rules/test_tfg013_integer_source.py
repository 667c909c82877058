"""TFG013 integer-source: gradients w.r.t. integer variables/tensors are None without any message."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg013_int_list_variable",
        "none",
        """
        import tensorflow as tf

        offsets = tf.Variable([0, 0, 0])  # <- TFG013
        x = tf.constant([1.0, 2.0, 3.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(x + tf.cast(offsets, tf.float32) - 2.0))
        RESULT = gradient_status(tape.gradient(loss, [offsets]))
    """,
    ),
    case(
        "tfg013_scalar_int_variable",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)
        k = tf.Variable(3)  # <- TFG013
        with tf.GradientTape() as tape:
            y = w * tf.cast(k, tf.float32) ** 2
        RESULT = gradient_status(tape.gradient(y, [w, k]))
    """,
    ),
    case(
        "tfg013_explicit_int64_dtype",
        "none",
        """
        import tensorflow as tf

        bias = tf.Variable([1, 2], dtype=tf.int64)  # <- TFG013
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.cast(bias, tf.float32) * 2.0)
        RESULT = gradient_status([tape.gradient(y, bias)])
    """,
    ),
    case(
        "tfg013_watched_int_constant",
        "none",
        """
        import tensorflow as tf

        counts = tf.constant([[1, 2], [3, 4]])  # <- TFG013
        with tf.GradientTape() as tape:
            tape.watch(counts)
            y = tf.reduce_sum(tf.square(tf.cast(counts, tf.float32)))
        RESULT = gradient_status([tape.gradient(y, counts)])
    """,
    ),
    case(
        "tfg013_int_variable_in_tf_function",
        "none",
        """
        import tensorflow as tf

        shift = tf.Variable([-1, 1])  # <- TFG013
        w = tf.Variable([0.5, 0.5])

        @tf.function
        def grads(x):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(w * (x + tf.cast(shift, tf.float32)))
            return tape.gradient(y, [w, shift])

        RESULT = gradient_status(grads(tf.constant([1.0, 2.0])))
    """,
    ),
    case(
        "tfg013_source_list_alias",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)
        n_steps = tf.Variable(4)  # <- TFG013
        trainable = [w, n_steps]
        with tf.GradientTape() as tape:
            y = w * tf.cast(n_steps, tf.float32)
        RESULT = gradient_status(tape.gradient(y, trainable))
    """,
    ),
    # ----- near misses
    case(
        "tfg013_ok_float_literal",
        "ok",
        """
        import tensorflow as tf

        offsets = tf.Variable([0., 0., 0.])
        x = tf.constant([1.0, 2.0, 3.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(x + offsets - 2.0))
        RESULT = gradient_status(tape.gradient(loss, [offsets]))
    """,
    ),
    case(
        "tfg013_ok_int_counter_not_a_source",
        "ok",
        """
        import tensorflow as tf

        step = tf.Variable(0)
        w = tf.Variable(2.0)
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = (w - 1.0) ** 2
            g = tape.gradient(loss, w)
            w.assign_sub(0.1 * g)
            step.assign_add(1)
        RESULT = gradient_status([g])
    """,
    ),
    case(
        "tfg013_ok_int_literal_with_float_dtype",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1, 2, 3], dtype=tf.float32)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(w * w)
        RESULT = gradient_status([tape.gradient(y, w)])
    """,
    ),
    case(
        "tfg013_ok_int_labels_float_inputs",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        labels = tf.constant([0, 2, 1])
        x = tf.random.normal((3, 4))
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(labels, model(x))
        RESULT = gradient_status(tape.gradient(loss, [x] + model.trainable_variables))
    """,
    ),
    case(
        "tfg013_ok_cast_to_float_then_watched",
        "ok",
        """
        import tensorflow as tf

        counts = tf.cast(tf.constant([1, 2, 3]), tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(counts)
            y = tf.reduce_sum(counts ** 2)
        RESULT = gradient_status([tape.gradient(y, counts)])
    """,
    ),
    # A trainable integer weight from add_weight: in trainable_variables, never trained by fit.
    case(
        "tfg013_integer_add_weight_trained_by_fit",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        class Quantized(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1), dtype="int32", initializer="ones")  # <- TFG013
                self.b = self.add_weight(shape=(1,), initializer="zeros")

            def call(self, x):
                return tf.matmul(x, tf.cast(self.w, tf.float32)) + self.b

        layer = Quantized()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
        before = layer.w.numpy().copy()
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), verbose=0)
        RESULT = ["zero" if np.array_equal(before, layer.w.numpy()) else "ok"]
        """,
    ),
    case(
        "tfg013_integer_add_weight_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Quantized(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1), dtype="float32", initializer="ones")
                self.b = self.add_weight(shape=(1,), initializer="zeros")

            def call(self, x):
                return tf.matmul(x, tf.cast(self.w, tf.float32)) + self.b

        layer = Quantized()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
        before = layer.w.numpy().copy()
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), verbose=0)
        RESULT = ["zero" if np.array_equal(before, layer.w.numpy()) else "ok"]
        """,
    ),
    # Near miss: an integer counter the layer keeps as non-trainable state.
    case(
        "tfg013_integer_add_weight_non_trainable_counter",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Counting(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))
                self.calls = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False)

            def call(self, x):
                self.calls.assign_add(1)
                return tf.matmul(x, self.w)

        layer = Counting()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
        before = layer.w.numpy().copy()
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), verbose=0)
        RESULT = ["zero" if np.allclose(before, layer.w.numpy()) else "ok"]
        """,
    ),
]

# A name bound several times in straight-line code: the last binding before the gradient call is the source
# (issue 10, domain round 4: a saliency map of an image cast to uint8 after it was made a tensor; missed before).
_REBOUND = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
pixels = np.random.randint(0, 256, (3, 4)).astype("float32")
img = tf.convert_to_tensor(pixels[:1])
img = tf.cast(img, {dtype}){mark}
with tf.GradientTape() as tape:
    tape.watch(img)
    score = model(tf.cast(img, tf.float32))[0, 1]
RESULT = gradient_status([tape.gradient(score, img)])
"""
CASES += [
    case("tfg013_rebound_name_cast_to_uint8", "none", _REBOUND.format(dtype="tf.uint8", mark="  # <- TFG013")),
    case("tfg013_rebound_name_cast_to_uint8_fixed", "ok", _REBOUND.format(dtype="tf.float32", mark="")),
    case(
        "tfg013_ok_rebound_name_cast_back_to_float",
        "ok",
        _REBOUND.format(dtype="tf.uint8)\nimg = tf.cast(img, tf.float32", mark=""),
    ),
]

_FIXABLE = [
    "tfg013_int_list_variable",
    "tfg013_scalar_int_variable",
    "tfg013_watched_int_constant",
    "tfg013_int_variable_in_tf_function",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG013") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


# A TF 1 graph: tf.gradients with respect to an integer variable is None there too (TF 2.21).
CASES += [
    case(
        "tfg013_tf1_graph_gradients_of_an_int_variable",
        "none",
        """
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 3])
            w = tf.Variable([[1], [2], [3]])  # <- TFG013
            loss = tf.reduce_mean(tf.matmul(x, tf.cast(w, tf.float32)) ** 2)
            grads = tf.gradients(loss, [w])
        RESULT = ["none" if g is None else "ok" for g in grads]
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG013"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG013"]


def test_fix_makes_the_literal_float():
    assert "offsets = tf.Variable([0.0, 0.0, 0.0])" in FIXED["tfg013_int_list_variable__fixed"]
    assert "shift = tf.Variable([-1.0, 1.0])" in FIXED["tfg013_int_variable_in_tf_function__fixed"]


def test_explicit_int_dtype_fix_is_offered_as_unsafe():
    from gradls.analysis import analyze
    from gradls.fixes import apply_edits, fix_for

    src = next(c.source for c in CASES if c.name == "tfg013_explicit_int64_dtype")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG013"]
    fix = fix_for(src, f)
    assert fix is not None and not fix.safe
    assert "dtype=tf.float32" in apply_edits(src, fix.edits)


def test_integer_add_weight_fix_is_the_fixed_case():
    from gradls.analysis import analyze
    from gradls.fixes import apply_edits, fix_for

    buggy = next(c for c in CASES if c.name == "tfg013_integer_add_weight_trained_by_fit")
    fixed = next(c for c in CASES if c.name == "tfg013_integer_add_weight_fixed")
    (finding,) = [f for f in analyze(buggy.source).findings if f.code == "TFG013"]
    fix = fix_for(buggy.source, finding)
    assert fix is not None and not fix.safe
    assert apply_edits(buggy.source, fix.edits).replace("  # <- TFG013", "") == fixed.source
