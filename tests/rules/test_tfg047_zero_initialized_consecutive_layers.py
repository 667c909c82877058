"""TFG047 zero-initialized-consecutive-layers: two chained layers whose kernels both start at zero (the first one's
output 0 at the start): both kernels get exactly zero gradients at every step."""

import pytest

from rules.casekit import case, check_verdict, findings_of

# Two SGD steps; RESULT says whether each kernel moved ("zero": it is still where it started).
_SEQUENTIAL = """
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([
    keras.Input((4,)),
    keras.layers.Dense(8, activation="{act}", kernel_initializer="zeros"),{mark}
    keras.layers.Dropout(0.1),
    keras.layers.Dense(1, kernel_initializer="{second}"),
])
opt = keras.optimizers.SGD(0.1)
x = tf.random.normal((16, 4))
y = tf.random.normal((16, 1))
kernels = [model.layers[0].kernel, model.layers[2].kernel]
before = [k.numpy().copy() for k in kernels]
for _ in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
RESULT = gradient_status([k.numpy() - b for k, b in zip(kernels, before)])
"""

CASES = [
    case(
        "tfg047_relu_mlp_with_zero_kernels",
        "zero",
        _SEQUENTIAL.format(act="relu", second="zeros", mark="  # <- TFG047"),
    ),
    case(
        "tfg047_tanh_mlp_with_zero_kernels",
        "zero",
        _SEQUENTIAL.format(act="tanh", second="zeros", mark="  # <- TFG047"),
    ),
    # Near-misses: a sigmoid hidden layer outputs 0.5, so the next kernel gets a gradient at the first step; a random
    # second kernel sends the error back at once.
    case(
        "tfg047_ok_sigmoid_hidden_layer",
        "ok",  # the first kernel's gradient is zero at the first step only (the second kernel is still 0)
        _SEQUENTIAL.format(act="sigmoid", second="zeros", mark=""),
    ),
    case(
        "tfg047_ok_random_second_kernel",
        "ok",
        _SEQUENTIAL.format(act="relu", second="glorot_uniform", mark="").replace(
            'activation="relu", kernel_initializer="zeros"', 'activation="tanh", kernel_initializer="zeros"'
        ),
    ),
    # Functional model, trained by fit: the kernels stay at zero.
    case(
        "tfg047_functional_zero_kernels_under_fit",
        "zero",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((4,))
        h = keras.layers.Dense(8, activation="relu", kernel_initializer="zeros")(inp)  # <- TFG047
        out = keras.layers.Dense(1, kernel_initializer=keras.initializers.Zeros())(h)
        model = keras.Model(inp, out)
        model.compile("adam", "mse")
        model.fit(np.random.rand(16, 4), np.random.rand(16, 1), epochs=2, verbose=0)
        RESULT = gradient_status([model.layers[1].kernel.numpy(), model.layers[2].kernel.numpy()])
        """,
    ),
    # Hand-written weights under a tape.
    case(
        "tfg047_hand_written_mlp_with_zero_weights",
        "zero",
        """
        import tensorflow as tf

        w1 = tf.Variable(tf.zeros((4, 8)))
        b1 = tf.Variable(tf.zeros((8,)))
        w2 = tf.Variable(tf.zeros((8, 1)))  # <- TFG047
        b2 = tf.Variable(tf.zeros((1,)))
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16, 1))
        with tf.GradientTape() as tape:
            h = tf.nn.relu(x @ w1 + b1)
            loss = tf.reduce_mean((h @ w2 + b2 - y) ** 2)
        RESULT = gradient_status(tape.gradient(loss, [w1, b1, w2]))
        """,
    ),
    case(
        "tfg047_ok_softmax_regression_with_zero_weights",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.zeros((4, 3)))
        b = tf.Variable(tf.zeros((3,)))
        x = tf.random.normal((16, 4))
        y = tf.one_hot(tf.random.uniform((16,), 0, 3, tf.int32), 3)
        with tf.GradientTape() as tape:
            logits = x @ w + b
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(y, logits))
        RESULT = gradient_status(tape.gradient(loss, [w, b]))
        """,
    ),
    case(
        "tfg047_hand_written_mlp_fixed",
        "ok",
        """
        import tensorflow as tf

        w1 = tf.Variable(tf.random.normal((4, 8), stddev=0.1))
        b1 = tf.Variable(tf.zeros((8,)))
        w2 = tf.Variable(tf.random.normal((8, 1), stddev=0.1))
        b2 = tf.Variable(tf.zeros((1,)))
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16, 1))
        with tf.GradientTape() as tape:
            h = tf.nn.relu(x @ w1 + b1)
            loss = tf.reduce_mean((h @ w2 + b2 - y) ** 2)
        RESULT = gradient_status(tape.gradient(loss, [w1, w2]))
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG047"}) == c.expected
