"""TFG021 layer-or-optimizer-created-in-step: Keras layers, models, optimizers built on every step."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg021_dense_inline_in_model_call_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Head(keras.Model):
            def __init__(self):
                super().__init__()
                self.body = keras.layers.Dense(8, activation="relu")

            def call(self, x):
                return keras.layers.Dense(1)(self.body(x))  # <- TFG021

        model = Head()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((2, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg021_local_dense_in_layer_call_sequential",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Block(keras.layers.Layer):
            def call(self, x):
                dense = keras.layers.Dense(4)  # <- TFG021
                return tf.nn.relu(dense(x))

        model = keras.Sequential([keras.Input((3,)), Block(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((2, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg021_dense_in_tf_function",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        @tf.function
        def forward(x):
            layer = keras.layers.Dense(2)  # <- TFG021
            return layer(x)

        x = tf.ones((2, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(forward(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg021_optimizer_in_tf_function_step",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])

        @tf.function
        def train_step(x, y):
            opt = keras.optimizers.Adam(1e-3)  # <- TFG021
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x) - y) ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return grads

        for _ in range(2):
            grads = train_step(tf.ones((4, 3)), tf.ones((4, 1)))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg021_dropout_in_call_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(4)
                self.out = keras.layers.Dense(1)

            def call(self, x, training=False):
                h = keras.layers.Dropout(0.5)(self.hidden(x), training=training)  # <- TFG021
                return self.out(h)

        model = Net()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg021_guarded_sublayer_in_call_still_raises",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Proj(keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.units = units
                self.dense = None

            def call(self, x):
                if self.dense is None:
                    self.dense = keras.layers.Dense(self.units)  # <- TFG021
                return self.dense(x)

        layer = Proj(2)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.ones((2, 3))))
    """,
    ),
    case(
        "tfg021_dense_in_train_step",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Probe(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    proj = keras.layers.Dense(1)  # <- TFG021
                    loss = tf.reduce_mean((proj(self(x)) - y) ** 2)
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        model = Probe()
        model.compile(optimizer="sgd")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg021_model_factory_called_in_tf_function",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        def make_head(units):
            return keras.Sequential([keras.layers.Dense(units)])

        @tf.function
        def predict(x):
            head = make_head(2)  # <- TFG021
            return head(x)

        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(predict(tf.ones((2, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, head.trainable_variables))
    """,
    ),
    case(
        "tfg021_layer_in_eager_training_loop",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        body = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        opt = keras.optimizers.SGD(0.1)
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 1))
        for step in range(3):
            with tf.GradientTape() as tape:
                head = keras.layers.Dense(1)  # <- TFG021
                loss = tf.reduce_mean((head(body(x)) - y) ** 2)
            params = body.trainable_variables + head.trainable_variables
            grads = tape.gradient(loss, params)
            opt.apply_gradients(zip(grads, params))
        RESULT = gradient_status(grads)
    """,
    ),
    # No error here: the program runs and the gradients are fine, but the optimizer restarts every step.
    # RESULT measures that: `iterations - 1` after three steps is zero (it would be 2 with one optimizer).
    case(
        "tfg021_optimizer_in_eager_training_loop",
        "zero",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 1))
        for step in range(3):
            opt = keras.optimizers.Adam(1e-2)  # <- TFG021
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x) - y) ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads + [tf.cast(opt.iterations, tf.float32) - 1.0])
    """,
    ),
    # ----- near misses
    case(
        "tfg021_ok_sublayers_in_init_and_build",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Proj(keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.units = units
                self.norm = keras.layers.LayerNormalization()

            def build(self, input_shape):
                self.dense = keras.layers.Dense(self.units)
                self.dense.build(input_shape)

            def call(self, x):
                return self.norm(self.dense(x))

        model = keras.Sequential([keras.Input((3,)), Proj(2), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg021_ok_guarded_optimizer_in_trainer_tf_function",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Trainer:
            def __init__(self, model):
                self.model = model
                self.opt = None

            @tf.function
            def step(self, x, y):
                if self.opt is None:
                    self.opt = keras.optimizers.Adam(1e-3)
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((self.model(x) - y) ** 2)
                grads = tape.gradient(loss, self.model.trainable_variables)
                self.opt.apply_gradients(zip(grads, self.model.trainable_variables))
                return grads

        trainer = Trainer(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]))
        for _ in range(2):
            grads = trainer.step(tf.ones((4, 3)), tf.ones((4, 1)))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg021_ok_guarded_layer_in_tf_module",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Head(tf.Module):
            def __init__(self):
                self.dense = None

            @tf.function
            def __call__(self, x):
                if self.dense is None:
                    self.dense = keras.layers.Dense(1)
                return self.dense(x)

        head = Head()
        x = tf.ones((2, 3))
        head(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(head(x))
        RESULT = gradient_status(tape.gradient(loss, head.dense.trainable_variables))
    """,
    ),
    case(
        "tfg021_ok_model_builder_called_once_then_eager_loop",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        def build_model(units):
            return keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)])

        model = build_model(8)
        opt = keras.optimizers.Adam(1e-2)
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 1))
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x) - y) ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg021_ok_weightless_layers_in_call_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(4)
                self.out = keras.layers.Dense(1)

            def call(self, x):
                h = keras.layers.ReLU()(self.hidden(x))
                h = keras.layers.Flatten()(h)
                h = keras.layers.Concatenate()([h, keras.layers.Activation("tanh")(h)])
                return self.out(h)

        model = Net()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg021_ok_loss_object_in_tf_function_step",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        opt = keras.optimizers.SGD(0.1)

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = keras.losses.MeanSquaredError()(y, model(x))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return grads

        for _ in range(2):
            grads = step(tf.ones((4, 3)), tf.ones((4, 1)))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg021_ok_keras2_lazy_sublayer_in_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import tf_keras

        class LazyProj(tf_keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.units = units
                self._proj = None

            def call(self, x):
                if self._proj is None:
                    with tf.init_scope():
                        self._proj = tf_keras.layers.Dense(self.units)
                return self._proj(x)

        model = tf_keras.Sequential([tf_keras.Input((3,)), LazyProj(2), tf_keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg021_ok_fresh_model_per_fold",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        for fold in range(2):
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.Adam(1e-2)
            for step in range(3):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((model(x) - y) ** 2)
                grads = tape.gradient(loss, model.trainable_variables)
                opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    # The shape of keras-hub 0.32.0 `deeplab_v3_layers.py` (SpatialPyramidPooling.call): a `Resizing` layer built
    # in `call` to the input's size. It owns no variable, so `fit` traces it without error and the model trains.
    case(
        "tfg021_ok_resizing_constructed_in_call_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras
        from keras import ops

        class SpatialPyramidPooling(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.pool = keras.layers.GlobalAveragePooling2D(keepdims=True)
                self.conv = keras.layers.Conv2D(4, 1)

            def call(self, inputs):
                pooled = self.conv(self.pool(inputs))
                shape = ops.shape(inputs)
                pooled = keras.layers.Resizing(shape[1], shape[2], interpolation="bilinear")(pooled)
                return ops.concatenate([inputs, pooled], axis=-1)

        inp = keras.Input((8, 8, 4))
        model = keras.Model(inp, SpatialPyramidPooling()(inp))
        model.compile(optimizer="sgd", loss="mse")
        x = np.random.rand(8, 8, 8, 4).astype("float32")
        model.fit(x, np.random.rand(8, 8, 8, 8).astype("float32"), batch_size=4, epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        # https://github.com/suinleelab/attributionpriors/issues/6
        "tfg021_fresh_optimizer_per_run_handed_to_one_tf_function",
        "raises:ValueError",
        """
        import tensorflow as tf

        x = tf.random.normal((8, 4))
        y = tf.random.normal((8, 1))


        @tf.function
        def train_step(inputs, labels, model, optimizer):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(inputs) - labels))
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            return loss


        for run in range(2):
            model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
            optimizer = tf.keras.optimizers.Adam(1e-3)  # <- TFG021
            train_step(x, y, model, optimizer)
    """,
    ),
    case(
        "tfg021_ok_fresh_optimizer_per_run_with_its_own_tf_function",
        "ok",
        """
        import tensorflow as tf

        x = tf.random.normal((8, 4))
        y = tf.random.normal((8, 1))


        def train_step(inputs, labels, model, optimizer):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(inputs) - labels))
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            return gradients


        for run in range(2):
            model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
            optimizer = tf.keras.optimizers.Adam(1e-3)
            step = tf.function(train_step)
            RESULT = gradient_status(step(x, y, model, optimizer))
    """,
    ),
]

# keras-team/keras-applications#168 (held-out round E): layers built inside the function a Lambda layer runs.
CASES += [
    case(
        "tfg021_sequential_built_in_nested_lambda_wrapper",
        "raises:ValueError",
        """
        import numpy as np
        from tensorflow import keras

        class Wrapper:
            def __init__(self):
                def lambda_wrapper(x):
                    inner = keras.Sequential()  # <- TFG021
                    inner.add(keras.layers.Dense(4))
                    return inner(x)

                self.model = keras.Sequential(
                    [keras.Input((3,)), keras.layers.Lambda(lambda x: lambda_wrapper(x)), keras.layers.Dense(1)]
                )

        model = Wrapper().model
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg021_dense_built_in_module_function_of_lambda",
        "raises:ValueError",
        """
        import numpy as np
        from tensorflow import keras

        def project(x):
            return keras.layers.Dense(4)(x)  # <- TFG021

        model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(project), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg021_ok_lambda_of_ops_and_layers_built_once",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def make_block():
            block = keras.Sequential()
            block.add(keras.layers.Dense(4))
            return block

        def scale(x):
            return tf.nn.l2_normalize(x, axis=-1) * 2.0

        model = keras.Sequential([keras.Input((3,)), make_block(), keras.layers.Lambda(scale), keras.layers.Dense(1)])
        x = np.random.rand(8, 3).astype("float32")
        y = np.random.rand(8, 1).astype("float32")
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# GouravWadhwa/Hypergraphs-Image-Inpainting#3 (held-out round V): a Conv2D made in a layer's `call`, the layer in a
# functional model trained only by an eager GradientTape loop. The symbolic build passes (measured: no singleton
# error there); eagerly every call makes a fresh, untracked layer that never trains. A second model of the same shape
# trained by `fit` raises the singleton ValueError.
CASES += [
    case(
        "tfg021_layer_in_call_functional_model_eager_loop",
        "none",
        """
        import keras
        import tensorflow as tf

        class Head(keras.layers.Layer):
            def call(self, x):
                return keras.layers.Dense(2)(x)  # <- TFG021

        inp = keras.Input((4,))
        model = keras.Model(inp, Head()(keras.layers.Dense(4)(inp)))
        optimizer = keras.optimizers.SGD(0.1)
        for step in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(model(tf.ones((3, 4))))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
        # only the first Dense is tracked: the head's Dense is not among the weights that train
        RESULT = gradient_status(grads) + ["none" if len(model.trainable_variables) < 4 else "ok"]
    """,
    ),
    case(
        "tfg021_layer_in_call_functional_model_fit",
        "raises:ValueError",
        """
        import keras
        import numpy as np

        class Head(keras.layers.Layer):
            def call(self, x):
                return keras.layers.Dense(2)(x)  # <- TFG021

        inp = keras.Input((4,))
        model = keras.Model(inp, Head()(keras.layers.Dense(4)(inp)))
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((3, 4)), np.ones((3, 2)), verbose=0)
    """,
    ),
]

# `strategy.run(step_fn, ...)` in a `@tf.function` traces `step_fn` as if the step called it (issue 10, domain
# round 4: a custom tf.distribute loop whose optimizer is made in the replica step; missed before).
_STRATEGY_STEP = """
    import tensorflow as tf
    from tensorflow import keras

    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        {outer}
    x = tf.ones((8, 4))
    y = tf.ones((8, 1))

    def step_fn(xb, yb):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(tf.square(model(xb) - yb), global_batch_size=8)
        grads = tape.gradient(loss, model.trainable_variables)
        {inner}
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def train_step(xb, yb):
        per_replica = strategy.run(step_fn, args=(xb, yb))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    train_step(x, y)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
"""
CASES += [
    case(
        "tfg021_optimizer_in_strategy_run_step_fn",
        "raises:ValueError",
        _STRATEGY_STEP.format(outer="pass", inner="optimizer = keras.optimizers.SGD(0.01)  # <- TFG021"),
    ),
    case(
        "tfg021_optimizer_under_strategy_scope_step_fn_ok",
        "ok",
        _STRATEGY_STEP.format(outer="optimizer = keras.optimizers.SGD(0.01)", inner="pass"),
    ),
]


def test_message_tells_eager_only_from_fit():
    from gradls.analysis import analyze

    def msg(name: str) -> str:
        src = next(c.source for c in CASES if c.name == name)
        (f,) = [f for f in analyze(src).findings if f.code == "TFG021"]
        return f.message

    eager = msg("tfg021_layer_in_call_functional_model_eager_loop")
    assert "fresh, untrained layer on every call" in eager and "under a traced `fit`" in eager
    assert "which Keras traces" in msg("tfg021_layer_in_call_functional_model_fit")


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG021"}) == c.expected


_FIXABLE = [
    "tfg021_dense_inline_in_model_call_fit",
    "tfg021_local_dense_in_layer_call_sequential",
    "tfg021_dense_in_tf_function",
    "tfg021_optimizer_in_tf_function_step",
    "tfg021_layer_in_eager_training_loop",
    "tfg021_optimizer_in_eager_training_loop",
    "tfg021_model_factory_called_in_tf_function",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG021") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    src = FIXED[name]
    ast.parse(src)
    assert not findings_of(src, {"TFG021", "TFG007"})


def test_fix_moves_the_layer_to_init():
    src = FIXED["tfg021_dense_inline_in_model_call_fit__fixed"]
    assert "        self.dense = keras.layers.Dense(1)\n" in src
    assert "return self.dense(self.body(x))" in src
    src = FIXED["tfg021_local_dense_in_layer_call_sequential__fixed"]
    assert "    def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)\n" in src
    assert "        self.dense = keras.layers.Dense(4)\n" in src
    assert "return tf.nn.relu(self.dense(x))" in src


def test_fix_hoists_out_of_the_step_and_the_loop():
    src = FIXED["tfg021_optimizer_in_tf_function_step__fixed"]
    assert src.index("opt = keras.optimizers.Adam(1e-3)") < src.index("@tf.function")
    src = FIXED["tfg021_layer_in_eager_training_loop__fixed"]
    assert src.index("head = keras.layers.Dense(1)") < src.index("for step in range(3):")


@pytest.mark.parametrize(
    "name",
    [
        "tfg021_dropout_in_call_fit",  # inline in an expression: becomes `self.dropout(...)`
        "tfg021_guarded_sublayer_in_call_still_raises",
        "tfg021_dense_in_train_step",
    ],
)
def test_fix_offered_only_where_safe(name):
    from gradls.analysis import analyze
    from gradls.fixes import fix_for

    src = next(c.source for c in CASES if c.name == name)
    (f,) = [f for f in analyze(src).findings if f.code == "TFG021"]
    fix = fix_for(src, f)
    if name == "tfg021_dropout_in_call_fit":
        assert fix is not None and "self.dropout" in "".join(e.new_text for e in fix.edits)
    else:
        assert fix is None
