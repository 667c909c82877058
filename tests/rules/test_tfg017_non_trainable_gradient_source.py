"""TFG017 non-trainable-gradient-source: `model.variables` / `weights` hold non-trainable weights."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg017_batchnorm_sequential_variables",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
        )
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
        grads = tape.gradient(loss, model.variables)  # <- TFG017
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_functional_weights_apply_gradients",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((3,))
        h = keras.layers.Dense(4)(inp)
        h = keras.layers.BatchNormalization()(h)
        out = keras.layers.Dense(1)(keras.layers.ReLU()(h))
        model = keras.Model(inp, out)
        opt = keras.optimizers.Adam(1e-2)
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
            grads = tape.gradient(loss, model.weights)  # <- TFG017
            opt.apply_gradients(zip(grads, model.weights))  # <- TFG017
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_add_weight_trainable_false",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        class CountingScale(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")
                self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False)

            def call(self, x):
                self.calls.assign_add(1.0)
                return x * self.scale

        layer = CountingScale()
        x = tf.random.normal((4, 3))
        layer(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.weights))  # <- TFG017
    """,
    ),
    case(
        "tfg017_subclassed_tf_function_step",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(4)
                self.bn = keras.layers.BatchNormalization()
                self.out = keras.layers.Dense(1)

            def call(self, x, training=False):
                return self.out(tf.nn.relu(self.bn(self.dense(x), training=training)))

        keras.utils.set_random_seed(0)
        model = Net()
        opt = keras.optimizers.SGD(0.01)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
            params = model.variables  # <- TFG017
            grads = tape.gradient(loss, params)
            opt.apply_gradients(zip(grads, params))
            return grads

        RESULT = gradient_status(train_step(tf.random.normal((8, 3)), tf.random.normal((8, 1))))
    """,
    ),
    case(
        "tfg017_frozen_base_trains_anyway",
        "raises:AssertionError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        base = keras.layers.Dense(4, activation="relu")
        model = keras.Sequential([keras.Input((3,)), base, keras.layers.Dense(1)])
        base.trainable = False
        frozen_before = base.kernel.numpy().copy()
        opt = keras.optimizers.SGD(0.1)
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.variables)  # <- TFG017
        opt.apply_gradients(zip(grads, model.variables))  # <- TFG017
        assert (base.kernel.numpy() == frozen_before).all(), "the frozen layer was trained"
        RESULT = gradient_status(grads)
    """,
    ),
    # ----- near misses: TF computes every gradient it is asked for
    case(
        "tfg017_ok_trainable_variables_with_batchnorm",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
        )
        opt = keras.optimizers.Adam()
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        print([v.path for v in model.variables])
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_ok_variables_without_non_trainable_state",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
        opt = keras.optimizers.Adam()
        x = tf.random.normal((8, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.variables)
        opt.apply_gradients(zip(grads, model.variables))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_ok_head_weights_in_batchnorm_model",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        head = keras.layers.Dense(1)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(), head])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
        RESULT = gradient_status(tape.gradient(loss, head.weights))
    """,
    ),
    case(
        "tfg017_ok_variables_only_saved_and_copied",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization()])
        target = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization()])
        for t, s in zip(target.variables, model.variables):
            t.assign(s)
        ckpt = tf.train.Checkpoint(weights=model.weights)
        x = tf.random.normal((8, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x, training=True) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_weights))
    """,
    ),
    case(
        "tfg017_ok_tf_module_variables",
        "ok",
        """
        import tensorflow as tf

        class Affine(tf.Module):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(2.0)
                self.b = tf.Variable(1.0)

        m = Affine()
        with tf.GradientTape() as tape:
            loss = (m.w * 3.0 + m.b) ** 2
        RESULT = gradient_status(tape.gradient(loss, m.variables))
    """,
    ),
    case(
        "tfg017_non_trainable_tf_variable_as_the_only_source",
        "none",
        """
        import tensorflow as tf

        scale = tf.Variable(1.0, trainable=False)
        x = tf.random.normal((8,))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(scale * x - 1.0))
        grads = tape.gradient(loss, [scale])  # <- TFG017
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_every_layer_frozen_after_build",
        "raises:ValueError",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        model.build((None, 4))
        for layer in model.layers:
            layer.trainable = False
        opt = tf.keras.optimizers.Adam(1e-3)
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)  # <- TFG017
        opt.apply_gradients(zip(grads, model.trainable_variables))
    """,
    ),
    case(
        "tfg017_all_but_the_last_layer_frozen",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        model.build((None, 4))
        for layer in model.layers[:-1]:
            layer.trainable = False
        opt = tf.keras.optimizers.Adam(1e-3)
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_discriminator_frozen_whole_then_trained_in_a_function",
        "raises:ValueError",
        """
        import tensorflow as tf

        discriminator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        discriminator.build((None, 4))
        discriminator.trainable = False
        d_opt = tf.keras.optimizers.Adam(1e-3)
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)


        def d_step(real):
            with tf.GradientTape() as tape:
                out = discriminator(real)
                loss = bce(tf.ones_like(out), out)
            grads = tape.gradient(loss, discriminator.trainable_variables)  # <- TFG017
            d_opt.apply_gradients(zip(grads, discriminator.trainable_variables))


        d_step(tf.random.normal((8, 4)))
    """,
    ),
    case(
        "tfg017_non_trainable_bias_beside_a_trainable_weight",
        "none",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        w = tf.Variable(tf.random.normal((3, 1)))
        b = tf.Variable(tf.zeros((1,)), trainable=False)
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(x @ w + b - y))
        grads = tape.gradient(loss, [w, b])  # <- TFG017
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg017_non_trainable_tf_variable_watched_explicitly",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        scale = tf.Variable(1.0, trainable=False)
        x = tf.random.normal((8,))
        with tf.GradientTape() as tape:
            tape.watch(scale)
            loss = tf.reduce_mean(tf.square(scale * x - 1.0))
        grads = tape.gradient(loss, [scale])
        RESULT = gradient_status(grads)
    """,
    ),
]

_FIXABLE = [
    "tfg017_batchnorm_sequential_variables",
    "tfg017_functional_weights_apply_gradients",
    "tfg017_add_weight_trainable_false",
    "tfg017_subclassed_tf_function_step",
    "tfg017_frozen_base_trains_anyway",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG017") for n in _FIXABLE}

# A custom layer whose learnable gain was made with add_weight(..., trainable=False) by mistake, trained with a tape
# over `gain.trainable_weights`: an empty list (TF 2.21: `tape.gradient` returns [], the optimizer's zip unpacking
# raises ValueError). Dropping trainable=False is the fix; a layer keeping a frozen statistic beside a trainable
# weight stays quiet.
_GAIN = """
import numpy as np
import tensorflow as tf
from tensorflow import keras


class Gain(keras.layers.Layer):
    def build(self, input_shape):
        self.g = self.add_weight(shape=(input_shape[-1],), initializer="ones"{trainable}, name="g")
{extra}
    def call(self, x):
        return x * self.g


gain = Gain()
gain.build((None, 4))
opt = keras.optimizers.SGD(0.1)
x = np.random.randn(8, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(gain(x) - 3.0 * x))
grads = tape.gradient(loss, gain.trainable_weights){mark}
opt.apply_gradients(zip(grads, gain.trainable_weights))
RESULT = gradient_status(grads)
"""
_STAT = '        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")\n'
CASES += [
    case(
        "tfg017_layer_whose_every_weight_is_trainable_false",
        "raises:ValueError",
        _GAIN.format(trainable=", trainable=False", extra="", mark="  # <- TFG017"),
    ),
    case(
        "tfg017_layer_whose_every_weight_is_trainable_false_fixed",
        "ok",
        _GAIN.format(trainable="", extra="", mark=""),
    ),
    case(
        "tfg017_ok_layer_with_a_frozen_statistic_beside_a_trainable_weight",
        "ok",
        _GAIN.format(trainable="", extra=_STAT, mark=""),
    ),
]
# A functional model applying a named sub-model that holds BatchNormalization (`x = base(x)`, a keras.applications
# backbone or a Sequential block), updated by hand over `model.weights`: the moving statistics get None and
# `lr * g` raises TypeError (issue 10, domain round 4: transfer learning with a hand-written SGD; missed before).
_BASE = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

base = keras.Sequential([keras.layers.Dense(8, activation="relu"){bn}])
inputs = keras.Input((4,))
x = base(inputs, training=True)
outputs = keras.layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
xs = np.random.randn(16, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(xs, training=True) - 1.0))
grads = tape.gradient(loss, model.{attr}){mark}
for w, g in zip(model.{attr}, grads):
    w.assign_sub(0.01 * g)
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg017_functional_model_named_base_with_batchnorm_hand_sgd",
        "raises:TypeError",
        _BASE.format(bn=", keras.layers.BatchNormalization()", attr="weights", mark="  # <- TFG017"),
    ),
    case(
        "tfg017_functional_model_named_base_with_batchnorm_hand_sgd_fixed",
        "ok",
        _BASE.format(bn=", keras.layers.BatchNormalization()", attr="trainable_weights", mark=""),
    ),
    case(
        "tfg017_ok_functional_model_named_base_without_batchnorm",
        "ok",
        _BASE.format(bn="", attr="weights", mark=""),
    ),
]
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG017"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG017"]


def test_keras_optimizer_warns_about_the_batchnorm_statistics(tf_verdicts):
    bug = tf_verdicts["tfg017_functional_weights_apply_gradients"]
    assert any("Gradients do not exist for variables" in w and "moving_mean" in w for w in bug.warnings), bug.warnings
    fixed = tf_verdicts["tfg017_functional_weights_apply_gradients__fixed"]
    assert not any("Gradients do not exist" in w for w in fixed.warnings), fixed.warnings


def test_fix_texts_and_messages():
    from gradls.analysis import analyze

    assert "tape.gradient(loss, model.trainable_variables)" in FIXED["tfg017_batchnorm_sequential_variables__fixed"]
    assert "zip(grads, model.trainable_weights)" in FIXED["tfg017_functional_weights_apply_gradients__fixed"]
    src = next(c.source for c in CASES if c.name == "tfg017_frozen_base_trains_anyway")
    msgs = [f.message for f in analyze(src).findings if f.code == "TFG017"]
    assert msgs and all("base.trainable = False" in m and "trains anyway" in m for m in msgs)
    src = next(c.source for c in CASES if c.name == "tfg017_batchnorm_sequential_variables")
    (m,) = [f.message for f in analyze(src).findings if f.code == "TFG017"]
    assert "BatchNormalization" in m and "Gradients do not exist for variables" in m
