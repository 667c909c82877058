"""TFG006 stop-gradient-on-trainable-path: stop_gradient on the only path from trained weights to the loss."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg006_stop_gradient_on_variable",
        "none",
        """
        import tensorflow as tf

        x = tf.Variable(1.0)
        y = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            z = tf.stop_gradient(x) * y  # <- TFG006
            loss = z * z
        RESULT = gradient_status(tape.gradient(loss, [x, y]))
    """,
    ),
    case(
        "tfg006_layer_call_output",
        "none",
        """
        import tensorflow as tf

        class Projection(tf.keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.w = self.add_weight(shape=(5, units), initializer="random_normal")

            def call(self, inputs):
                output = tf.matmul(inputs, self.w)
                stopped = tf.stop_gradient(output)  # <- TFG006
                return stopped

        layer = Projection(3)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.random.normal((2, 5))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg006_encoder_output_in_tf_function",
        "none",
        """
        import tensorflow as tf

        encoder = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu")])
        decoder = tf.keras.Sequential([tf.keras.layers.Dense(6)])
        x = tf.random.normal((8, 6))
        encoder(x)
        decoder(tf.zeros((1, 4)))

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                z = tf.stop_gradient(encoder(x))  # <- TFG006
                recon = decoder(z)
                loss = tf.reduce_mean((recon - x) ** 2)
            return tape.gradient(loss, encoder.trainable_variables + decoder.trainable_variables)

        RESULT = gradient_status(step(x))
    """,
    ),
    case(
        "tfg006_model_call_under_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        class Regressor(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = tf.keras.layers.Dense(8, activation="relu")
                self.out = tf.keras.layers.Dense(1)

            def call(self, x):
                h = self.hidden(x)
                return tf.stop_gradient(self.out(h))  # <- TFG006

        model = Regressor()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # ----- near misses
    case(
        "tfg006_ok_straight_through_estimator",
        "ok",
        """
        import tensorflow as tf

        class QuantDense(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 2), initializer="glorot_uniform")

            def call(self, x):
                k = self.kernel
                k_q = k + tf.stop_gradient(tf.round(k * 4.0) / 4.0 - k)
                return tf.matmul(x, k_q)

        layer = QuantDense()
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg006_ok_dqn_target_network",
        "ok",
        """
        import tensorflow as tf

        def make_q():
            return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])

        q_net = make_q()
        target_net = make_q()
        opt = tf.keras.optimizers.Adam(1e-3)
        s, s2 = tf.random.normal((6, 4)), tf.random.normal((6, 4))
        r = tf.random.uniform((6,))
        a = tf.constant([0, 1, 1, 0, 1, 0])
        with tf.GradientTape() as tape:
            q = tf.reduce_sum(q_net(s) * tf.one_hot(a, 2), axis=1)
            td_target = r + 0.99 * tf.reduce_max(tf.stop_gradient(target_net(s2)), axis=1)
            loss = tf.reduce_mean((td_target - q) ** 2)
        grads = tape.gradient(loss, q_net.trainable_variables)
        opt.apply_gradients(zip(grads, q_net.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg006_ok_simsiam_symmetric_loss",
        "ok",
        """
        import tensorflow as tf

        encoder = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4)])
        predictor = tf.keras.Sequential([tf.keras.layers.Dense(4)])

        def d(p, z):
            p = tf.math.l2_normalize(p, axis=1)
            z = tf.math.l2_normalize(z, axis=1)
            return -tf.reduce_mean(tf.reduce_sum(p * z, axis=1))

        x1, x2 = tf.random.normal((8, 5)), tf.random.normal((8, 5))
        with tf.GradientTape() as tape:
            z1, z2 = encoder(x1), encoder(x2)
            p1, p2 = predictor(z1), predictor(z2)
            loss = d(p1, tf.stop_gradient(z2)) / 2 + d(p2, tf.stop_gradient(z1)) / 2
        variables = encoder.trainable_variables + predictor.trainable_variables
        RESULT = gradient_status(tape.gradient(loss, variables))
    """,
    ),
    case(
        "tfg006_ok_gan_discriminator_step",
        "ok",
        """
        import tensorflow as tf

        generator = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4)])
        discriminator = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
        real = tf.random.normal((8, 4))
        noise = tf.random.normal((8, 3))

        @tf.function
        def d_step(real, noise):
            with tf.GradientTape() as tape:
                fake = tf.stop_gradient(generator(noise, training=True))
                real_logits = discriminator(real, training=True)
                fake_logits = discriminator(fake, training=True)
                loss = bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
            return tape.gradient(loss, discriminator.trainable_variables)

        RESULT = gradient_status(d_step(real, noise))
    """,
    ),
    case(
        "tfg006_ok_actor_critic_advantage",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        s = tf.random.normal((5, 4))
        returns = tf.random.normal((5,))
        actions = tf.constant([0, 1, 0, 1, 1])
        with tf.GradientTape() as tape:
            out = model(s)
            logits, values = out[:, :2], out[:, 2]
            logp = -tf.nn.sparse_softmax_cross_entropy_with_logits(labels=actions, logits=logits)
            advantage = tf.stop_gradient(returns - values)
            loss = -tf.reduce_mean(logp * advantage) + 0.5 * tf.reduce_mean((returns - values) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg006_ok_stable_softmax_and_unused",
        "ok",
        """
        import tensorflow as tf

        class Head(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 3), initializer="random_normal")

            def call(self, x):
                logits = tf.matmul(x, self.w)
                shifted = logits - tf.stop_gradient(tf.reduce_max(logits, axis=-1, keepdims=True))
                frozen_copy = tf.stop_gradient(logits)
                tf.debugging.check_numerics(frozen_copy, "logits")
                return tf.nn.log_softmax(shifted)

        head = Head()
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(head(tf.random.normal((4, 5)))[:, 0])
        RESULT = gradient_status(tape.gradient(loss, head.trainable_variables))
    """,
    ),
    case(
        "tfg006_ok_byol_target_encoder",
        "ok",
        """
        import tensorflow as tf

        online = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(4)])
        predictor = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(4)])
        target_encoder = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(4)])
        x1, x2 = tf.random.normal((8, 5)), tf.random.normal((8, 5))
        with tf.GradientTape() as tape:
            p = tf.math.l2_normalize(predictor(online(x1)), axis=1)
            z = tf.math.l2_normalize(tf.stop_gradient(target_encoder(x2)), axis=1)
            loss = 2 - 2 * tf.reduce_mean(tf.reduce_sum(p * z, axis=1))
        RESULT = gradient_status(tape.gradient(loss, online.trainable_variables + predictor.trainable_variables))
    """,
    ),
    # A plain class (tf.Module) called through its instance: its `__call__` runs under the tape.
    case(
        "tfg006_stop_gradient_in_tf_module_call",
        "none",
        """
        import tensorflow as tf

        class Net(tf.Module):
            def __init__(self):
                self.w = tf.Variable(tf.ones([3, 1]))

            def __call__(self, x):
                return tf.stop_gradient(tf.matmul(x, self.w))  # <- TFG006

        net = Net()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(tf.ones([2, 3])))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
        """,
    ),
    case(
        "tfg006_stop_gradient_on_other_weight_in_tf_module_near_miss",
        "ok",
        """
        import tensorflow as tf

        class Net(tf.Module):
            def __init__(self):
                self.w = tf.Variable(tf.ones([3, 1]))
                self.b = tf.Variable(tf.zeros([1]))

            def __call__(self, x):
                return tf.matmul(x, self.w) + tf.stop_gradient(self.b)

        net = Net()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(tf.ones([2, 3])))
        RESULT = gradient_status(tape.gradient(loss, [net.w]))
        """,
    ),
    # `add_loss` is another path to the loss when the losses are collected (`model.losses`, `fit`).
    case(
        "tfg006_add_loss_keeps_codebook_trained_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        class Codebook(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 4), initializer="ones")

            def call(self, x):
                q = tf.matmul(x, self.w)
                self.add_loss(tf.reduce_mean(tf.square(q - tf.stop_gradient(x[:, :1]))))
                return tf.stop_gradient(q)

        inp = keras.Input((3,))
        out = keras.layers.Dense(1)(Codebook()(inp))
        model = keras.Model(inp, out)
        with tf.GradientTape() as tape:
            y = model(tf.ones([2, 3]))
            loss = tf.reduce_sum(y) + tf.add_n(model.losses)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg006_add_loss_dropped_by_custom_loop",
        "none",
        """
        import tensorflow as tf
        import keras

        class Codebook(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 4), initializer="ones")

            def call(self, x):
                q = tf.matmul(x, self.w)
                self.add_loss(tf.reduce_mean(tf.square(q - tf.stop_gradient(x[:, :1]))))
                return tf.stop_gradient(q)  # <- TFG006

        inp = keras.Input((3,))
        out = keras.layers.Dense(1)(Codebook()(inp))
        model = keras.Model(inp, out)
        with tf.GradientTape() as tape:
            y = model(tf.ones([2, 3]))
            loss = tf.reduce_sum(y)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Facts, not names: a model whose weights are copied (`set_weights`) is not trained by gradients, whatever
    # it is called; a value called `target` that is the only path from the weights is still cut.
    case(
        "tfg006_copied_network_in_sources_by_design",
        "none",
        """
        import tensorflow as tf

        def make_q():
            return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])

        online = make_q()
        lagged = make_q()
        lagged.set_weights(online.get_weights())
        s, s2 = tf.random.normal((6, 4)), tf.random.normal((6, 4))
        with tf.GradientTape() as tape:
            q = online(s)
            goal = 1.0 + 0.9 * tf.stop_gradient(lagged(s2))
            loss = tf.reduce_mean((goal - q) ** 2)
        RESULT = gradient_status(tape.gradient(loss, online.trainable_variables + lagged.trainable_variables))
        """,
    ),
    case(
        "tfg006_only_path_named_target",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x, y = tf.random.normal((4, 3)), tf.random.normal((4, 1))
        with tf.GradientTape() as tape:
            target = tf.stop_gradient(model(x))  # <- TFG006
            loss = tf.reduce_mean((target - y) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Branches: the stop_gradient in `else` sees only the value made in `else`, not the weight used in `if`.
    case(
        "tfg006_stop_gradient_in_other_branch_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        class Queries(keras.layers.Layer):
            def __init__(self, learned):
                super().__init__()
                self.learned = learned
                self.embed = keras.layers.Embedding(4, 3)

            def call(self, memory):
                if self.learned:
                    target = self.embed(tf.range(4))
                else:
                    target = memory[:, :4]
                    target = tf.stop_gradient(target)
                return target

        layer = Queries(learned=True)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.ones([2, 6, 3])))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
        """,
    ),
    case(
        "tfg006_backend_stop_gradient_in_lambda_after_conv",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, Lambda
        from tensorflow.keras.models import Model

        tf.keras.utils.set_random_seed(0)
        inp = Input((6, 6, 2))
        x = Conv2D(4, 3, activation="tanh")(inp)
        x = Lambda(lambda t: K.stop_gradient(t))(x)  # <- TFG006
        out = Dense(2)(Flatten()(x))
        model = Model(inp, out)
        data = np.random.rand(3, 6, 6, 2).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(data) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg006_stop_gradient_lambda_in_sequential_model_add",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh")])
        model.add(keras.layers.Lambda(tf.stop_gradient))  # <- TFG006
        model.add(keras.layers.Lambda(lambda h: tf.stop_gradient(h) * 2.0))  # <- TFG006
        model.add(keras.layers.Dense(1))
        x = np.random.randn(5, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg006_ok_stop_gradient_lambda_branch_beside_the_live_path",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import Concatenate, Conv2D, Dense, Flatten, Input, Lambda
        from tensorflow.keras.models import Model

        tf.keras.utils.set_random_seed(0)
        inp = Input((6, 6, 2))
        x = Conv2D(4, 3, activation="tanh")(inp)
        frozen = Lambda(lambda t: K.stop_gradient(t))(x)
        x = Concatenate()([Flatten()(x), Flatten()(frozen)])
        out = Dense(2)(x)
        model = Model(inp, out)
        data = np.random.rand(3, 6, 6, 2).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(data) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Issue 10 (engine: a Keras model calling itself): `tf.stop_gradient(self(x))` in a train_step cuts the model's weights.
CASES += [
    case(
        "tfg006_train_step_stop_gradient_of_self_call",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = tf.stop_gradient(self(x, training=True))  # <- TFG006
                    loss = tf.reduce_mean(tf.square(y_pred[:, 0] - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg006_ok_train_step_stop_gradient_on_self_target",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = self(x, training=True)
                    target = tf.stop_gradient(self(x * 0.5, training=False))
                    loss = tf.reduce_mean(tf.square(y_pred - target)) + tf.reduce_mean(tf.square(y_pred[:, 0] - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg006_compute_loss_override_stop_gradient_of_y_pred",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
                p = tf.stop_gradient(y_pred)  # <- TFG006
                return tf.reduce_mean(tf.square(p[:, 0] - y))

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg006_ok_train_step_stop_gradient_self_call_target_encoder_path",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Siamese(keras.Model):
            def __init__(self):
                super().__init__()
                self.encoder = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])

            def call(self, x):
                return self.encoder(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    z = self.encoder(x + 0.1)
                    target = tf.stop_gradient(self(x, training=False))
                    loss = tf.reduce_mean(tf.square(z - target))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Siamese()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg006_ok_train_step_stop_gradient_self_call_target_method_path",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Siamese(keras.Model):
            def __init__(self):
                super().__init__()
                self.encoder = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])

            def call(self, x):
                return self.encoder(x)

            def embed(self, x):
                return self(x + 0.1, training=True)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    z = self.embed(x)
                    target = tf.stop_gradient(self(x, training=False))
                    loss = tf.reduce_mean(tf.square(z - target))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Siamese()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
]


# Issue 10 (engine): gradients for one sub-layer (`self.d1.trainable_variables`) of a model whose `self(x)` is cut.
CASES += [
    case(
        "tfg006_gradient_for_sublayer_self_call_stopped",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8)
                self.d2 = keras.layers.Dense(1)

            def call(self, x):
                return self.d2(self.d1(x))

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    pred = tf.stop_gradient(self(x, training=True))  # <- TFG006
                    loss = tf.reduce_mean(tf.square(pred[:, 0] - y))
                grads = tape.gradient(loss, self.d1.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.d1.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
]


# Layers kept in a dict or list attribute and run as `self.blocks[name](h)`: a stop_gradient after them cuts every
# block's weights off (measured: None).  Near miss: the features detached only for an auxiliary head, the main head
# reads them directly.  Fixed: no stop_gradient.
_BLOCKS = """
import numpy as np
import tensorflow as tf
import keras


class Tower(keras.Model):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.order = ["a", "b"]

    def build(self, input_shape):
        self.blocks = {name: keras.layers.Dense(8, activation="relu") for name in self.order}
        self.stages = [keras.layers.Dense(8), keras.layers.Dense(8)]
        self.head = keras.layers.Dense(1)
        self.aux = keras.layers.Dense(1)

    def call(self, x):
        h = x
        for name in self.order:
            h = self.blocks[name](h)
        for i in range(2):
            h = self.stages[i](h)
        BODY


model = Tower()
x = np.random.rand(8, 4).astype("float32")
model(x)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
grads = tape.gradient(loss, model.blocks["a"].trainable_variables + model.stages[0].trainable_variables)
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg006_stop_gradient_after_layers_kept_in_dict_and_list",
        "none",
        _BLOCKS.replace("BODY", "return self.head(tf.stop_gradient(h))  # <- TFG006"),
    ),
    case(
        "tfg006_layers_kept_in_dict_detached_for_aux_head_only",
        "ok",
        _BLOCKS.replace("BODY", "return self.head(h) + 0.0 * self.aux(tf.stop_gradient(h))"),
    ),
    case("tfg006_layers_kept_in_dict_no_stop_gradient", "ok", _BLOCKS.replace("BODY", "return self.head(h)")),
]


# Near miss: the features detached only inside an `add_loss` penalty, while the layer's output is also returned (the
# weights train through the return; with `fit` the penalty is summed into the same loss, in this loop it is unused).
CASES += [
    case(
        "tfg006_detached_only_inside_add_loss_penalty_output_returned",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras


        class Encoder(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.blk = keras.layers.Dense(8, activation="relu")
                self.head = keras.layers.Dense(1)

            def call(self, x):
                h = self.blk(x)
                self.add_loss(1e-3 * tf.reduce_mean(tf.square(tf.stop_gradient(h))))
                return self.head(h)


        model = Encoder()
        x = np.random.rand(8, 4).astype("float32")
        y = np.random.rand(8, 1).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.blk.trainable_variables)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, epochs=1, verbose=0)
        RESULT = gradient_status(grads)
        """,
    ),
]


# A TF 1 graph: the prediction wrapped whole in stop_gradient, so minimize finds no gradient (TF 2.21: ValueError).
CASES += [
    case(
        "tfg006_stop_gradient_on_a_tf1_graph_prediction",
        "raises:ValueError",
        """
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 3])
            y = tf.compat.v1.placeholder(tf.float32, [None, 1])
            w = tf.Variable(tf.ones([3, 1]))
            pred = tf.stop_gradient(tf.matmul(x, w))  # <- TFG006
            loss = tf.reduce_mean((pred - y) ** 2)
            train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)
        RESULT = ["ok"]
        """,
    ),
    case(
        "tfg006_ok_tf1_graph_target_stopped",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 3])
            w = tf.Variable(tf.ones([3, 1]))
            target = tf.stop_gradient(tf.matmul(x, w) * 0.9)
            loss = tf.reduce_mean((tf.matmul(x, w) - target) ** 2)
            train_op = tf.compat.v1.train.AdamOptimizer().minimize(loss)
            grads = tf.gradients(loss, [w])
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                RESULT = gradient_status(sess.run(grads, {x: np.random.rand(4, 3)}))
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG006"}) == c.expected


def test_message_names_the_stop_gradient_as_written():
    from gradls.analysis import analyze

    src = """
import tensorflow as tf
import keras
from keras import ops


class Head(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(1)

    def call(self, x):
        return ops.stop_gradient(self.d(x))
"""
    (f,) = [f for f in analyze(src).findings if f.code == "TFG006"]
    assert f.message.startswith("`ops.stop_gradient` cuts the only path")
