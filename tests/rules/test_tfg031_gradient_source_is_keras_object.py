"""TFG031 gradient-source-is-keras-object: `tape.gradient(loss, model)` raises AttributeError."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    # keras-team/keras#14287: the model, taken from a list of models, given as the sources.
    case(
        "tfg031_model_from_list_of_models",
        "raises:AttributeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        models = [keras.Sequential([keras.layers.Dense(4)]) for _ in range(2)]
        state = tf.random.normal((3, 4))
        training_model = models[0]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(training_model(state) - state))
        grads = tape.gradient(loss, training_model)  # <- TFG031
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg031_layer_in_a_list",
        "raises:AttributeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        dense = keras.layers.Dense(2)
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(dense(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, [dense]))  # <- TFG031
        """,
    ),
    case(
        "tfg031_model_layers",
        "raises:AttributeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, model.layers))  # <- TFG031
        """,
    ),
    case(
        "tfg031_self_in_train_step",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(1)

            def call(self, x):
                return self.d(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
                grads = tape.gradient(loss, self)  # <- TFG031
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}


        net = Net()
        net.compile(optimizer="sgd")
        net.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        RESULT = gradient_status([net.trainable_variables[0]])
        """,
    ),
    # Near misses: the model's weights, a layer's kernel, a list of weights.
    case(
        "tfg031_trainable_variables_of_model_from_list",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        models = [keras.Sequential([keras.layers.Dense(4)]) for _ in range(2)]
        state = tf.random.normal((3, 4))
        training_model = models[0]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(training_model(state) - state))
        grads = tape.gradient(loss, training_model.trainable_variables)
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg031_layer_kernel_and_bias",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        dense = keras.layers.Dense(2)
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(dense(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, [dense.kernel, dense.bias]))
        """,
    ),
    case(
        "tfg031_list_of_variables_indexed",
        "ok",
        """
        import tensorflow as tf

        ws = [tf.Variable(1.0), tf.Variable(2.0)]
        w = ws[0]
        with tf.GradientTape() as tape:
            y = w * ws[1]
        RESULT = gradient_status([tape.gradient(y, w)])
        """,
    ),
]

_FIXABLE = ["tfg031_model_from_list_of_models", "tfg031_layer_in_a_list", "tfg031_model_layers"]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG031") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG031"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG031"]


def test_fix_texts():
    assert "tape.gradient(loss, training_model.trainable_variables)" in FIXED["tfg031_model_from_list_of_models__fixed"]
    assert "tape.gradient(y, [*dense.trainable_variables])" in FIXED["tfg031_layer_in_a_list__fixed"]
    assert "tape.gradient(y, model.trainable_variables)" in FIXED["tfg031_model_layers__fixed"]


def test_message_states_the_tf_error():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg031_model_from_list_of_models")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG031"]
    assert "object has no attribute '_id'" in f.message and "training_model.trainable_variables" in f.message
