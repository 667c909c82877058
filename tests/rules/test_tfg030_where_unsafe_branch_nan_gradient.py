"""TFG030 where-unsafe-branch-nan-gradient: a `tf.where` branch that is NaN or infinite where it is not kept
makes the gradient NaN; the guarded-input form trains."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg030_log_of_the_guarded_tensor",
        "nan",
        """
        import numpy as np
        import tensorflow as tf

        x = tf.constant(np.linspace(-1.0, 1.0, 8, dtype=np.float32))
        alpha = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            s = tf.where(x >= 0, alpha * tf.math.log(x), tf.zeros_like(x))  # <- TFG030
        RESULT = gradient_status(tape.gradient(s, [alpha]))
    """,
    ),
    case(
        "tfg030_weight_times_log_in_a_keras_layer",
        "nan",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class LogGain(keras.layers.Layer):
            def build(self, input_shape):
                self.gain = self.add_weight(name="gain", shape=(), initializer="ones")

            def call(self, x):
                return tf.where(tf.greater(x, 0.0), self.gain * tf.math.log(x), tf.zeros_like(x))  # <- TFG030

        layer = LogGain()
        x = tf.constant(np.linspace(-1.0, 1.0, 8, dtype=np.float32))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg030_sqrt_of_a_weight_product_alone",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        x = tf.constant(np.linspace(-1.0, 1.0, 8, dtype=np.float32))
        w = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            z = w * x
            y = tf.reduce_sum(tf.where(z > 0, tf.sqrt(z), tf.zeros_like(z)))
        RESULT = gradient_status([tape.gradient(y, w)])
    """,
    ),
    case(
        "tfg030_pow_of_exp_past_the_threshold",
        "nan",
        """
        import tensorflow as tf

        a = tf.Variable(10.0)
        with tf.GradientTape() as tape:
            out = tf.where(a < 15.0, a, tf.math.pow(10.0, tf.math.exp(a)))  # <- TFG030
        RESULT = gradient_status([tape.gradient(out, a)])
    """,
    ),
    case(
        "tfg030_log_of_a_guarded_copy",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        x = tf.constant(np.linspace(-1.0, 1.0, 8, dtype=np.float32))
        alpha = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            safe_x = tf.where(x > 0, x, tf.ones_like(x))
            s = tf.where(x > 0, alpha * tf.math.log(safe_x), tf.zeros_like(x))
        RESULT = gradient_status(tape.gradient(s, [alpha]))
    """,
    ),
    case(
        "tfg030_elu_exp_branch",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        x = tf.constant(np.linspace(-2.0, 2.0, 8, dtype=np.float32))
        w = tf.Variable(1.5)
        with tf.GradientTape() as tape:
            z = w * x
            y = tf.where(z > 0, z, tf.exp(z) - 1.0)
        RESULT = gradient_status([tape.gradient(y, w)])
    """,
    ),
    case(
        "tfg030_log_of_another_tensor_than_the_compared_one",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        mask = tf.constant(np.linspace(-1.0, 1.0, 8, dtype=np.float32))
        p = tf.Variable(np.full(8, 0.5, dtype=np.float32))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.where(mask > 0, -tf.math.log(p), tf.zeros_like(p)))
        RESULT = gradient_status([tape.gradient(loss, p)])
    """,
    ),
    case(
        "tfg030_reciprocal_guarded_by_equality",
        "nan",
        """
        import tensorflow as tf

        x = tf.Variable([0.0, 1.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.where(x == 0.0, 0.0, 1.0 / x))  # <- TFG030
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg030_log_guarded_by_tf_equal",
        "nan",
        """
        import tensorflow as tf

        x = tf.Variable([0.0, 1.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.where(tf.equal(x, 0.0), tf.zeros_like(x), tf.math.log(x)))  # <- TFG030
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg030_reciprocal_kept_below_one_docs_form",
        "nan",
        """
        import tensorflow as tf

        x = tf.Variable([0.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.where(x < 1.0, 0.0, 1.0 / x))  # <- TFG030
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg030_weight_divided_by_counts_guarded_positive",
        "nan",
        """
        import tensorflow as tf

        counts = tf.constant([0.0, 1.0, 2.0])
        a = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.where(counts > 0.0, a / counts, 0.0))  # <- TFG030
        RESULT = gradient_status([tape.gradient(y, a)])
    """,
    ),
    case(
        "tfg030_reciprocal_of_a_guarded_copy_by_equality",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable([0.0, 1.0, 2.0])
        with tf.GradientTape() as tape:
            safe = tf.where(x == 0.0, tf.ones_like(x), x)
            y = tf.reduce_sum(tf.where(x == 0.0, 0.0, 1.0 / safe))
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg030_sqrt_guarded_by_equality_at_zero",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable([0.0, 1.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.where(x == 0.0, x, tf.sqrt(x)))
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # tensorflow-ranking's padded list mean and graph pooling's segment mean: sums and counts scattered into slots
    # by the same indices; an empty slot got nothing of `x`, so its NaN gradient is never gathered back.
    case(
        "tfg030_segment_mean_of_scattered_sums_near_miss",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable([1.0, 2.0, 3.0])
        idx = tf.constant([[0], [0], [2]])
        ids = tf.constant([0, 0, 2])
        with tf.GradientTape() as tape:
            sums = tf.scatter_nd(idx, x, [4])
            counts = tf.scatter_nd(idx, tf.ones_like(x), [4])
            mean = tf.where(tf.math.greater(counts, 0.0), sums / counts, 0.0)
            seg = tf.math.unsorted_segment_sum(x * 2.0, ids, 4)
            n = tf.math.unsorted_segment_sum(tf.ones_like(x), ids, 4)
            pooled = tf.where(n > 0, seg / n, 0.0)
            y = tf.reduce_sum(mean) + tf.reduce_sum(pooled)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # The counts scattered by other indices than the sums: a slot empty in the counts holds part of `x`.
    case(
        "tfg030_sums_and_counts_scattered_by_different_indices",
        "nan",
        """
        import tensorflow as tf

        x = tf.Variable([1.0, 2.0, 3.0])
        idx = tf.constant([[0], [1], [2]])
        other = tf.constant([[0], [0], [2]])
        with tf.GradientTape() as tape:
            sums = tf.scatter_nd(idx, x, [4])
            counts = tf.scatter_nd(other, tf.ones_like(x), [4])
            mean = tf.where(counts > 0.0, sums / counts, 0.0)  # <- TFG030
            y = tf.reduce_sum(mean)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # A helper's log kept where the prediction is positive: NaN (not infinite) below 0, where its derivative is
    # finite; infinite at 0, which a ReLU output reaches, and the weights' gradient is NaN.
    case(
        "tfg030_helper_log_of_a_relu_prediction",
        "nan",
        """
        import numpy as np
        import tensorflow as tf

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, activation="relu")])
        x = tf.constant(np.random.randn(16, 3).astype("float32"))

        def safe_log_loss(pred):
            return tf.reduce_mean(tf.where(pred > 0.0, tf.math.log(pred), tf.zeros_like(pred)))  # <- TFG030

        with tf.GradientTape() as tape:
            loss = safe_log_loss(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg030_helper_log_of_a_relu_prediction_guarded_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, activation="relu")])
        x = tf.constant(np.random.randn(16, 3).astype("float32"))

        def safe_log_loss(pred):
            positive = tf.where(pred > 0.0, pred, tf.ones_like(pred))
            return tf.reduce_mean(tf.where(pred > 0.0, tf.math.log(positive), tf.zeros_like(pred)))

        with tf.GradientTape() as tape:
            loss = safe_log_loss(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # The square root of the same ReLU prediction: its derivative is infinite at 0 too, but under `tf.where`'s zero
    # TF 2.21 gives a finite gradient there.
    case(
        "tfg030_helper_sqrt_of_a_relu_prediction_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, activation="relu")])
        x = tf.constant(np.random.randn(16, 3).astype("float32"))

        def root_loss(pred):
            return tf.reduce_mean(tf.where(pred > 0.0, tf.sqrt(pred), tf.zeros_like(pred)))

        with tf.GradientTape() as tape:
            loss = root_loss(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG030"}) == c.expected
