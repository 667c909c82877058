"""TFG033 loss-scale-optimizer-keras2-method: the tf.keras 2 mixed precision guide's `get_scaled_loss` /
`get_unscaled_gradients` on a Keras 3 optimizer raise AttributeError (keras-team/keras#20894)."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    # keras-team/keras#20894: the TF mixed precision guide's custom training loop, run under Keras 3.
    case(
        "tfg033_guide_loop_in_tf_function",
        "raises:AttributeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.mixed_precision.set_global_policy("mixed_float16")
        model = keras.Sequential([keras.layers.Dense(4), keras.layers.Activation("linear", dtype="float32")])
        optimizer = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam())
        loss_object = keras.losses.MeanSquaredError()
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 4))


        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                predictions = model(x)
                loss = loss_object(y, predictions)
                scaled_loss = optimizer.get_scaled_loss(loss)  # <- TFG033
            scaled_gradients = tape.gradient(scaled_loss, model.trainable_variables)
            gradients = optimizer.get_unscaled_gradients(scaled_gradients)  # <- TFG033
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            return scaled_gradients


        RESULT = gradient_status(train_step(x, y))
        """,
    ),
    case(
        "tfg033_unscaled_gradients_eager",
        "raises:AttributeError",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        opt = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.1))
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
            scaled = opt.scale_loss(loss)
        grads = tape.gradient(scaled, model.trainable_variables)
        opt.apply_gradients(zip(opt.get_unscaled_gradients(grads), model.trainable_variables))  # <- TFG033
        RESULT = gradient_status(grads)
        """,
    ),
    # The optimizer compile() set, read in a Keras 3 model's train_step under fit.
    case(
        "tfg033_self_optimizer_in_train_step",
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
                    scaled_loss = self.optimizer.get_scaled_loss(loss)  # <- TFG033
                grads = tape.gradient(scaled_loss, self.trainable_variables)
                grads = self.optimizer.get_unscaled_gradients(grads)  # <- TFG033
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}


        net = Net()
        net.compile(optimizer=keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam()))
        net.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        RESULT = gradient_status([net.trainable_variables[0]])
        """,
    ),
    # The optimizer handed to a step function as a parameter.
    case(
        "tfg033_optimizer_parameter",
        "raises:AttributeError",
        """
        import tensorflow as tf
        import keras


        def step(model, opt, x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(model(x) ** 2)
                scaled = opt.get_scaled_loss(loss)  # <- TFG033
            grads = tape.gradient(scaled, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return grads


        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        opt = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam())
        RESULT = gradient_status(step(model, opt, tf.random.normal((4, 3))))
        """,
    ),
    # The unscaled gradients are clipped before they are applied: no rewrite keeps that (the fix would clip the
    # scaled ones), so the finding comes without a fix.
    case(
        "tfg033_unscaled_gradients_clipped",
        "raises:AttributeError",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        opt = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam())
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            scaled = opt.scale_loss(tf.reduce_mean(model(x) ** 2))
        grads = opt.get_unscaled_gradients(tape.gradient(scaled, model.trainable_variables))  # <- TFG033
        grads, _ = tf.clip_by_global_norm(grads, 1.0)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
        """,
    ),
    # Near misses: tf_keras (Keras 2) has both methods; the Keras 3 form; an object of the program's own class.
    case(
        "tfg033_tf_keras_guide_loop",
        "ok",
        """
        import tensorflow as tf
        import tf_keras

        model = tf_keras.Sequential([tf_keras.layers.Dense(2)])
        optimizer = tf_keras.mixed_precision.LossScaleOptimizer(tf_keras.optimizers.Adam())
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
            scaled_loss = optimizer.get_scaled_loss(loss)
        scaled_gradients = tape.gradient(scaled_loss, model.trainable_variables)
        gradients = optimizer.get_unscaled_gradients(scaled_gradients)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        RESULT = gradient_status(gradients)
        """,
    ),
    case(
        "tfg033_keras3_scale_loss",
        "ok",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        opt = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam())
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            scaled = opt.scale_loss(tf.reduce_mean(model(x) ** 2))
        grads = tape.gradient(scaled, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg033_own_class_with_the_method",
        "ok",
        """
        import tensorflow as tf


        class Scaler:
            def get_scaled_loss(self, loss):
                return loss * 128.0

            def get_unscaled_gradients(self, grads):
                return [g / 128.0 for g in grads]


        w = tf.Variable([1.0, 2.0])
        opt = Scaler()
        with tf.GradientTape() as tape:
            scaled = opt.get_scaled_loss(tf.reduce_sum(w**2))
        RESULT = gradient_status(opt.get_unscaled_gradients(tape.gradient(scaled, [w])))
        """,
    ),
]

_FIXABLE = [
    "tfg033_guide_loop_in_tf_function",
    "tfg033_unscaled_gradients_eager",
    "tfg033_self_optimizer_in_train_step",
    "tfg033_optimizer_parameter",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG033") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]

# TF_USE_LEGACY_KERAS=1 makes `tf.keras` Keras 2 only when set before TensorFlow is imported, which the case runner
# cannot do (it imports TensorFlow first): run by hand under TF 2.21 + tf_keras 2.21, it trains.
_LEGACY_ENV = """
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
optimizer = tf.keras.mixed_precision.LossScaleOptimizer(tf.keras.optimizers.Adam())
x = tf.random.normal((4, 3))
with tf.GradientTape() as tape:
    scaled_loss = optimizer.get_scaled_loss(tf.reduce_mean(model(x) ** 2))
grads = optimizer.get_unscaled_gradients(tape.gradient(scaled_loss, model.trainable_variables))
optimizer.apply_gradients(zip(grads, model.trainable_variables))
"""


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG033"}) == c.expected


def test_legacy_keras_environment_is_silent():
    assert findings_of(_LEGACY_ENV, {"TFG033"}) == set()


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG033"]


def test_fix_texts():
    guide = FIXED["tfg033_guide_loop_in_tf_function__fixed"]
    assert "scaled_loss = optimizer.scale_loss(loss)" in guide
    assert "gradients = scaled_gradients\n" in guide
    eager = FIXED["tfg033_unscaled_gradients_eager__fixed"]
    assert "opt.apply_gradients(zip(grads, model.trainable_variables))" in eager
    assert "get_unscaled_gradients" not in FIXED["tfg033_self_optimizer_in_train_step__fixed"]
    assert "grads = grads" not in FIXED["tfg033_self_optimizer_in_train_step__fixed"]


def test_clipped_gradients_get_no_fix():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg033_unscaled_gradients_clipped")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG033"]
    assert f.fix_data is None


def test_message_states_the_tf_error():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg033_guide_loop_in_tf_function")
    msgs = [f.message for f in analyze(src).findings if f.code == "TFG033"]
    assert any("object has no attribute 'get_scaled_loss'" in m and "optimizer.scale_loss(loss)" in m for m in msgs)
    assert any("object has no attribute 'get_unscaled_gradients'" in m for m in msgs)
