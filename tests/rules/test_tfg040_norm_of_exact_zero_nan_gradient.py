"""TFG040 norm-of-exact-zero-nan-gradient: the Euclidean norm of a value that is exactly zero by construction has
a NaN gradient; an epsilon, a masked diagonal or a nonzero start trains."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # Issue 10, held-out round I (tensorflow#12071): tf.norm over rows, one row all zeros.
    case(
        "tfg040_norm_of_literal_zero_row",
        "nan",
        """
        import numpy as np
        import tensorflow as tf

        X_ = np.array([[1.0], [0.0], [2.0]], dtype=np.float32)
        X = tf.Variable(X_)
        with tf.GradientTape() as tape:
            Z = tf.norm(X, ord="euclidean", axis=1)  # <- TFG040
            loss = tf.reduce_sum(Z)
        RESULT = gradient_status([tape.gradient(loss, X)])
    """,
    ),
    case(
        "tfg040_norm_penalty_of_zero_initialized_variable",
        "nan",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 2)))
        shift = tf.Variable(tf.zeros((2,)))
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            pred = tf.matmul(x, w) + shift
            loss = tf.reduce_mean(tf.square(pred)) + 0.01 * tf.norm(shift)  # <- TFG040
        RESULT = gradient_status(tape.gradient(loss, [w, shift]))
    """,
    ),
    case(
        "tfg040_pairwise_self_distance_norm_mean",
        "nan",
        """
        import tensorflow as tf
        from tensorflow import keras

        encoder = keras.layers.Dense(2)
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            emb = encoder(x)
            dist = tf.norm(tf.expand_dims(emb, 1) - tf.expand_dims(emb, 0), axis=-1)  # <- TFG040
            loss = -tf.reduce_mean(dist)
        RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables))
    """,
    ),
    case(
        "tfg040_pairwise_self_distance_sqrt_sum_in_loss_function",
        "nan",
        """
        import tensorflow as tf
        from tensorflow import keras

        def spread_loss(emb):
            diff = emb[:, None, :] - emb[None, :, :]
            return tf.reduce_mean(tf.exp(-tf.sqrt(tf.reduce_sum(tf.square(diff), axis=-1))))  # <- TFG040

        encoder = keras.layers.Dense(2)
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            loss = spread_loss(encoder(x))
        RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables))
    """,
    ),
    case(
        "tfg040_ok_pairwise_distance_with_epsilon",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        encoder = keras.layers.Dense(2)
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            emb = encoder(x)
            d2 = tf.reduce_sum(tf.square(emb[:, None, :] - emb[None, :, :]), axis=-1)
            loss = -tf.reduce_mean(tf.sqrt(d2 + 1e-12))
        RESULT = gradient_status(tape.gradient(loss, [encoder.kernel]))  # pairwise distances ignore the bias: 0
    """,
    ),
    case(
        "tfg040_ok_pairwise_distance_diagonal_masked",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        encoder = keras.layers.Dense(2)
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            emb = encoder(x)
            dist = tf.norm(tf.expand_dims(emb, 1) - tf.expand_dims(emb, 0), axis=-1)
            loss = -tf.reduce_mean((1.0 - tf.eye(6)) * dist)
        RESULT = gradient_status(tape.gradient(loss, [encoder.kernel]))  # pairwise distances ignore the bias: 0
    """,
    ),
    case(
        "tfg040_ok_l1_norm_of_zero_initialized_variable",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 2)))
        shift = tf.Variable(tf.zeros((2,)))
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            pred = tf.matmul(x, w) + shift
            loss = tf.reduce_mean(tf.square(pred - 1.0)) + 0.01 * tf.norm(shift, ord=1)
        RESULT = gradient_status(tape.gradient(loss, [w, shift]))
    """,
    ),
    case(
        "tfg040_ok_zero_variable_assigned_before_the_tape",
        "ok",
        """
        import tensorflow as tf

        shift = tf.Variable(tf.zeros((2,)))
        shift.assign([0.5, -0.5])
        with tf.GradientTape() as tape:
            loss = tf.norm(shift)
        RESULT = gradient_status([tape.gradient(loss, shift)])
    """,
    ),
    case(
        "tfg040_ok_zero_variable_not_a_gradient_source",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 2)))
        anchor = tf.Variable(tf.zeros((2,)), trainable=False)
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            pred = tf.matmul(x, w)
            loss = tf.reduce_mean(tf.square(pred - 1.0)) + tf.norm(anchor)
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    case(
        "tfg040_ok_norm_of_literal_row_without_zero",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        X = tf.Variable(np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.norm(X, axis=1))
        RESULT = gradient_status([tape.gradient(loss, X)])
    """,
    ),
]

# An elementwise square root of a product with a literal coefficient that has an exact 0 entry (tensorflow#4914):
# there the derivative is 0 * 0.5 / sqrt(0), NaN (measured under TF 2.21), for the factor and what is behind it.
CASES += [
    case(
        "tfg040_sqrt_of_product_with_zero_literal_coefficient",
        "nan",
        """
        import tensorflow as tf

        w = tf.Variable([2.0, 3.0, 5.0])
        c = tf.constant([1.0, 0.0, 4.0])
        with tf.GradientTape() as tape:
            h = w * 2.0
            loss = tf.reduce_sum(tf.sqrt(h * c))  # <- TFG040
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    # Near-miss: no zero among the coefficients.
    case(
        "tfg040_ok_sqrt_of_product_with_nonzero_coefficients",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([2.0, 3.0, 5.0])
        c = tf.constant([1.0, 0.5, 4.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.sqrt(c * w))
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    # Fixed: the product is floored away from zero before the root.
    case(
        "tfg040_ok_sqrt_of_zero_coefficient_product_floored",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([2.0, 3.0, 5.0])
        c = tf.constant([1.0, 0.0, 4.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.sqrt(tf.maximum(c * w, 1e-12)))
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG040"}) == c.expected
