"""TFG019 loss-returns-none-or-ignores-prediction: a custom Keras loss returning None, or never reading y_pred."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg019_loss_without_return",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def weighted_mse(y_true, y_pred):  # <- TFG019
            err = tf.square(y_true - y_pred)
            loss = tf.reduce_mean(err * 2.0)

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=weighted_mse)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = weighted_mse(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
    # tensorflow-addons' SequenceLoss: `__call__` overridden with the real loss, `call` left as `pass`: Keras never
    # runs `call`, and the model trains.
    case(
        "tfg019_loss_class_overriding_dunder_call_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class SequenceLoss(keras.losses.Loss):
            def __call__(self, y_true, y_pred, sample_weight=None):
                return tf.reduce_mean(tf.square(y_true - y_pred))

            def call(self, y_true, y_pred):
                pass

        loss_fn = SequenceLoss()
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=loss_fn)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = loss_fn(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
    case(
        "tfg019_loss_class_call_without_return",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class HuberLike(keras.losses.Loss):
            def call(self, y_true, y_pred):  # <- TFG019
                err = tf.abs(y_true - y_pred)
                tf.reduce_mean(tf.where(err < 1.0, 0.5 * err**2, err - 0.5), axis=-1)

        loss_fn = HuberLike()
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=loss_fn)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = loss_fn(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
    case(
        "tfg019_loss_falls_through_for_single_output",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def auto_loss(y_true, y_pred):  # <- TFG019
            if y_pred.shape[-1] > 1:
                return keras.losses.categorical_crossentropy(y_true, y_pred)

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss=auto_loss)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg019_loss_bare_return_on_a_path",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def masked_mse(y_true, y_pred):
            if y_true.shape.rank != 3:
                return  # <- TFG019
            mask = tf.cast(y_true[..., :1] > 0, y_pred.dtype)
            return tf.reduce_mean(mask * tf.square(y_true - y_pred))

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=masked_mse)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg019_loss_ignores_prediction",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def centered_mse(y_true, y_pred):  # <- TFG019
            centered = y_true - tf.reduce_mean(y_true)
            return tf.reduce_mean(tf.square(centered))

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=centered_mse)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg019_loss_class_ignores_prediction",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class ScaledL1(keras.losses.Loss):
            def __init__(self, scale=1.0):
                super().__init__()
                self.scale = scale

            def call(self, y_true, prediction):  # <- TFG019
                return self.scale * tf.reduce_mean(tf.abs(y_true), axis=-1)

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=ScaledL1(2.0))
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg019_loss_factory_closure_ignores_prediction",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def make_loss(weight):
            def loss(y_true, y_pred):  # <- TFG019
                return weight * tf.reduce_mean(tf.square(y_true))
            return loss

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=make_loss(0.5))
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # ----- near misses
    case(
        "tfg019_ok_prediction_through_helper",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def _squared_error(a, b):
            return tf.square(a - b)

        def helper_mse(y_true, y_pred):
            return tf.reduce_mean(_squared_error(y_true, y_pred))

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=helper_mse)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = helper_mse(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
    case(
        "tfg019_ok_del_y_true",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def activity_penalty(y_true, y_pred):
            del y_true  # unused: the penalty only looks at the output
            return tf.reduce_mean(tf.square(y_pred))

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=activity_penalty)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = activity_penalty(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
    case(
        "tfg019_ok_branches_all_return",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class FlexibleLoss(keras.losses.Loss):
            def call(self, y_true, y_pred):
                if y_pred.shape[-1] > 1:
                    return keras.losses.categorical_crossentropy(y_true, y_pred)
                elif y_pred.shape[-1] == 1:
                    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
                else:
                    raise ValueError("empty output")

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=FlexibleLoss())
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = FlexibleLoss()(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
    case(
        "tfg019_ok_dummy_loss_with_add_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Regularized(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)

            def call(self, x):
                y = self.dense(x)
                self.add_loss(tf.reduce_mean(tf.square(y - 1.0)))
                return y

        def zero_loss(y_true, y_pred):
            return tf.zeros_like(y_true[:, 0])

        model = Regularized()
        model.compile(optimizer="sgd", loss=zero_loss)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg019_ok_loss_with_try_and_early_raise",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def checked_mae(y_true, y_pred):
            if y_true.shape[-1] != y_pred.shape[-1]:
                raise ValueError("shape mismatch")
            try:
                return tf.reduce_mean(tf.abs(y_true - y_pred))
            except TypeError:
                return tf.reduce_mean(tf.abs(tf.cast(y_true, y_pred.dtype) - y_pred))

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=checked_mae)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        # the shape of a translated Stack Overflow question (xue-jishu.com, "why must a Keras loss depend on the
        # network's output"): the loss reads weights without y_pred; TF gives them gradients and fit trains
        "tfg019_ok_loss_reads_model_weights_not_y_pred",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])

        def weight_decay_only(y_true, y_pred):
            return tf.add_n([tf.reduce_sum(tf.square(w)) for w in model.trainable_weights])

        model.compile(optimizer="sgd", loss=weight_decay_only)
        before = model.layers[0].kernel.numpy().copy()
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), epochs=1, verbose=0)
        RESULT = ["ok" if (model.layers[0].kernel.numpy() != before).all() else "zero"]
    """,
    ),
    case(
        # tensorflow/tensorflow#42386's shape: a custom training loop's loss function that computes the value and
        # falls off its end; TF 2.21: TypeError: Argument `target` should be a list or nested structure of
        # Tensors, Variables or CompositeTensors to be differentiated, but received None.
        "tfg019_custom_loop_loss_without_return",
        "raises:TypeError",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam(1e-3)

        def get_loss(y_true, y_pred):  # <- TFG019
            loss = tf.reduce_mean(tf.square(y_true - y_pred))

        x = np.ones((8, 4), "float32")
        y = np.ones((8, 1), "float32")
        with tf.GradientTape() as tape:
            loss = get_loss(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
    """,
    ),
    case(
        "tfg019_gradient_of_helper_call_without_return",
        "raises:TypeError",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 1)))

        def compute_loss(x, y):  # <- TFG019
            err = tf.matmul(x, w) - y
            tf.print("loss", tf.reduce_mean(err * err))

        x = np.ones((4, 3), "float32")
        y = np.zeros((4, 1), "float32")
        with tf.GradientTape() as tape:
            grads = tape.gradient(compute_loss(x, y), [w])
    """,
    ),
    case(
        "tfg019_ok_custom_loop_loss_returned_and_logger_without_return",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam(1e-3)
        history = []

        def get_loss(y_true, y_pred):
            return tf.reduce_mean(tf.square(y_true - y_pred))

        def log_step(loss):
            history.append(float(loss))

        x = np.ones((8, 4), "float32")
        y = np.ones((8, 1), "float32")
        with tf.GradientTape() as tape:
            loss = get_loss(y, model(x))
        log_step(loss)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
]

# Issue 10 (realistic programs, third wave): a `train_step` that hands `compute_loss` a tensor of the batch as
# `y_pred` (the target twice): the loss reads no weight. The model's output there, or the input as the target of an
# autoencoder, trains.
_STEP_MODEL = """
        import numpy as np
        import tensorflow as tf
        import keras

        class Regressor(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(8, activation="relu")
                self.out = keras.layers.Dense({units})

            def call(self, x):
                return self.out(self.hidden(x))

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = self(x, training=True)
                    loss = {loss}
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {{"loss": loss}}

        model = Regressor()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16, {units}).astype("float32"), verbose=0)
        RESULT = ["ok"]
    """
CASES += [
    case(
        "tfg019_compute_loss_given_the_target_as_prediction",
        "raises:ValueError",
        _STEP_MODEL.format(units=1, loss="self.compute_loss(x=x, y=y, y_pred=y)  # <- TFG019"),
    ),
    case(
        "tfg019_compute_loss_positional_target_twice",
        "raises:ValueError",
        _STEP_MODEL.format(units=1, loss="self.compute_loss(x, y, y)  # <- TFG019"),
    ),
    case(
        "tfg019_ok_compute_loss_autoencoder_input_as_target",
        "ok",
        _STEP_MODEL.format(units=4, loss="self.compute_loss(x=x, y=x, y_pred=y_pred)"),
    ),
    case(
        "tfg019_compute_loss_given_the_target_as_prediction_fixed",
        "ok",
        _STEP_MODEL.format(units=1, loss="self.compute_loss(x=x, y=y, y_pred=y_pred)"),
    ),
]

_FIXABLE = [
    "tfg019_loss_without_return",
    "tfg019_loss_class_call_without_return",
    "tfg019_custom_loop_loss_without_return",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG019") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG019"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    src = FIXED[name]
    ast.parse(src)
    assert not findings_of(src, {"TFG019"})


def test_fix_returns_what_the_loss_computed():
    assert "    loss = tf.reduce_mean(err * 2.0)\n    return loss\n" in FIXED["tfg019_loss_without_return__fixed"]
    assert "        return tf.reduce_mean(tf.where(" in FIXED["tfg019_loss_class_call_without_return__fixed"]


def test_no_fix_for_a_loss_that_ignores_y_pred():
    from gradls.analysis import analyze
    from gradls.fixes import fix_for

    src = next(c.source for c in CASES if c.name == "tfg019_loss_ignores_prediction")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG019"]
    assert fix_for(src, f) is None
    assert "No gradients provided for any variable" in f.message
