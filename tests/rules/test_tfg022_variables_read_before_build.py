"""TFG022 variables-read-before-build: a snapshot of a lazily built model's variables is an empty list."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg022_subclassed_model_snapshot_before_first_call",
        "raises:ValueError",
        """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.d = tf.keras.layers.Dense(1)

            def call(self, x):
                return self.d(x)

        model = Net()
        params = model.trainable_variables  # <- TFG022
        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.ones((4, 3))
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(model(x) ** 2)
            grads = tape.gradient(loss, params)
            opt.apply_gradients(zip(grads, params))
        """,
    ),
    case(
        "tfg022_layer_snapshot_trained_by_hand",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        def train():
            layer = tf.keras.layers.Dense(1)
            params = layer.trainable_weights  # <- TFG022
            x = tf.ones((4, 3))
            first = None
            for _ in range(3):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(layer(x) ** 2)
                if first is None:
                    first = layer.kernel.numpy().copy()
                grads = tape.gradient(loss, params)
                for g, v in zip(grads, params):
                    v.assign_sub(0.1 * g)
            return "zero" if np.allclose(first, layer.kernel.numpy()) else "ok"

        RESULT = [train()]
        """,
    ),
    # Near misses: built before the read, built at construction, or the list read where it is used.
    case(
        "tfg022_snapshot_after_first_call",
        "ok",
        """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.d = tf.keras.layers.Dense(1)

            def call(self, x):
                return self.d(x)

        model = Net()
        model(tf.ones((1, 3)))
        params = model.trainable_variables
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        grads = tape.gradient(loss, params)
        RESULT = gradient_status(grads) if grads else ["none"]
        """,
    ),
    case(
        "tfg022_sequential_with_input_is_built",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        params = model.trainable_variables
        opt = tf.keras.optimizers.SGD(0.1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        grads = tape.gradient(loss, params)
        opt.apply_gradients(zip(grads, params))
        RESULT = gradient_status(grads) if grads else ["none"]
        """,
    ),
    case(
        "tfg022_model_called_in_init",
        "ok",
        """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.d = tf.keras.layers.Dense(1)
                self(tf.zeros((1, 3)))

            def call(self, x):
                return self.d(x)

        model = Net()
        params = model.trainable_variables
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        grads = tape.gradient(loss, params)
        RESULT = gradient_status(grads) if grads else ["none"]
        """,
    ),
    # Keras 3's default Model.build creates no sub-layer weights: build() without an own build() is no help.
    case(
        "tfg022_default_build_of_a_subclassed_model",
        "none",
        """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.d = tf.keras.layers.Dense(1)

            def call(self, x):
                return self.d(x)

        model = Net()
        model.build((None, 3))
        params = model.trainable_variables  # <- TFG022
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        grads = tape.gradient(loss, params)
        RESULT = gradient_status(grads) if grads else ["none"]
        """,
    ),
]


# The snapshot one call away: a trainer class keeps `model.trainable_variables` in `__init__` and is made with a
# model not built yet (measured: `apply_gradients(zip(grads, self.variables))` raises ValueError: not enough values
# to unpack).  Near misses: the model built first (an Input), and a trainer whose `__init__` runs the model on a
# sample batch before taking the list.  Fixed: the step reads `self.model.trainable_variables` each time.
_TRAINER = """
import numpy as np
import tensorflow as tf
import keras


class Trainer:
    def __init__(self, model, sample=None):
        self.model = model
        self.opt = keras.optimizers.SGD(0.01)
        INIT_EXTRA
        self.params = model.trainable_variables  MARK

    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.model(x) - y))
        grads = tape.gradient(loss, PARAMS)
        self.opt.apply_gradients(zip(grads, PARAMS))
        return grads


model = keras.Sequential([FIRST keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
x = np.random.rand(8, 3).astype("float32")
y = np.random.rand(8, 1).astype("float32")
trainer = Trainer(model, SAMPLE)
RESULT = gradient_status(trainer.train_step(x, y))
"""


def _trainer(first: str = "", init_extra: str = "pass", sample: str = "None", params: str = "self.params", mark=""):
    src = _TRAINER.replace("FIRST", first).replace("INIT_EXTRA", init_extra).replace("SAMPLE", sample)
    return src.replace("PARAMS", params).replace("  MARK", mark)


CASES += [
    case("tfg022_trainer_class_keeps_variables_of_unbuilt_model", "raises:ValueError", _trainer(mark="  # <- TFG022")),
    case("tfg022_trainer_class_given_model_built_on_input", "ok", _trainer(first="keras.Input(shape=(3,)),")),
    case(
        "tfg022_trainer_class_runs_model_before_taking_variables",
        "ok",
        _trainer(init_extra="model(sample)", sample="x"),
    ),
    case(
        "tfg022_trainer_class_reads_variables_in_step",
        "ok",
        _trainer(params="self.model.trainable_variables"),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG022"}) == c.expected
