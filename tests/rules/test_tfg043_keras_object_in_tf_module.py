"""TFG043 keras-object-in-tf-module: `tf.Module.trainable_variables` leaves Keras 3 objects' weights out."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow#84019 (held-out round K): Keras 3 variables on a tf.Module; the list is empty.
    case(
        "tfg043_keras_variables_on_tf_module",
        "raises:ValueError",
        """
        import tensorflow as tf

        class MockLayer(tf.Module):
            def __init__(self):
                super().__init__()
                self.m = tf.keras.Variable(tf.random.normal([5, 5]), name="m")  # <- TFG043
                self.w = tf.keras.Variable(tf.random.normal([5, 5]), name="w")

            def __call__(self, inputs):
                return self.m * inputs + self.w

        layer = MockLayer()
        opt = tf.keras.optimizers.SGD(0.1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(tf.ones([5, 5])))
        grads = tape.gradient(loss, layer.trainable_variables)
        opt.apply_gradients(zip(grads, layer.trainable_variables))
    """,
    ),
    # tensorflow#27046 / #74297: Keras 3 layers and a Sequential on a tf.Module.
    case(
        "tfg043_keras_layers_on_tf_module",
        "raises:ValueError",
        """
        import keras
        import tensorflow as tf

        class Net(tf.Module):
            def __init__(self):
                super().__init__()
                self.body = keras.Sequential([keras.layers.Dense(4)])  # <- TFG043
                self.head = keras.layers.Dense(1)

            def __call__(self, x):
                return self.head(self.body(x))

        net = Net()
        opt = keras.optimizers.Adam(1e-2)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(tf.ones((2, 3))))
        grads = tape.gradient(loss, net.trainable_variables)
        opt.apply_gradients(zip(grads, net.trainable_variables))
    """,
    ),
    # With a tf.Variable of its own the list is not empty: the Keras layer is left out, silently.
    case(
        "tfg043_keras_layer_beside_tf_variable_never_trains",
        "zero",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class Scaled(tf.Module):
            def __init__(self):
                super().__init__()
                self.scale = tf.Variable(1.0)
                self.dense = keras.layers.Dense(2)  # <- TFG043

            def __call__(self, x):
                return self.dense(x) * self.scale

        m = Scaled()
        x = tf.ones((4, 3))
        m(x)
        before = m.dense.kernel.numpy().copy()
        opt = keras.optimizers.SGD(0.1)
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(m(x) - 1.0))
            grads = tape.gradient(loss, m.trainable_variables)
            opt.apply_gradients(zip(grads, m.trainable_variables))
        RESULT = ["zero" if np.allclose(before, m.dense.kernel.numpy()) else "ok"]
    """,
    ),
    # Layers appended to a list in __init__ (the tf.Module is asked from one of its own methods).
    case(
        "tfg043_keras_layers_in_list_self_trainable_variables",
        "raises:ValueError",
        """
        import keras
        import tensorflow as tf

        class Stack(tf.Module):
            def __init__(self):
                super().__init__()
                self.blocks = []
                for _ in range(2):
                    self.blocks.append(keras.layers.Dense(3))  # <- TFG043
                self.opt = keras.optimizers.SGD(0.1)

            def __call__(self, x):
                for b in self.blocks:
                    x = b(x)
                return x

            def train(self, x):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(self(x))
                grads = tape.gradient(loss, self.trainable_variables)
                self.opt.apply_gradients(zip(grads, self.trainable_variables))

        Stack().train(tf.ones((2, 3)))
    """,
    ),
    # Near-misses: tf_keras (Keras 2) layers are tf.Modules and are collected; the Keras layer's own weights
    # differentiated (tensorflow#74297's fix); a keras.Model instead of a tf.Module (the fix).
    case(
        "tfg043_ok_tf_keras_layers_on_tf_module",
        "ok",
        """
        import tensorflow as tf
        import tf_keras

        class Net(tf.Module):
            def __init__(self):
                super().__init__()
                self.head = tf_keras.layers.Dense(1)

            def __call__(self, x):
                return self.head(x)

        net = Net()
        net(tf.ones((2, 3)))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
    """,
    ),
    case(
        "tfg043_ok_keras_layer_own_variables_differentiated",
        "ok",
        """
        import tensorflow as tf

        class X(tf.Module):
            def __init__(self):
                super().__init__()
                self.xxx = tf.keras.Sequential([tf.keras.layers.Dense(4)])

            def __call__(self, x):
                return self.xxx(x)

        x = X()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(x(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, x.xxx.trainable_variables))
    """,
    ),
    case(
        "tfg043_ok_keras_model_instead_of_tf_module",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.scale = keras.Variable(1.0)
                self.head = keras.layers.Dense(1)

            def call(self, x):
                return self.head(x) * self.scale

        net = Net()
        net(tf.ones((2, 3)))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
    """,
    ),
    # Keras objects handed in to the constructor: the same as built there (a name bound to a Sequential, and a
    # layer passed by keyword; the list is empty).
    case(
        "tfg043_keras_objects_passed_to_tf_module_constructor",
        "raises:ValueError",
        """
        import keras
        import tensorflow as tf

        class Wrapper(tf.Module):
            def __init__(self, encoder, head):
                super().__init__()
                self.encoder = encoder  # <- TFG043
                self.head = head

            def __call__(self, x):
                return self.head(self.encoder(x))

        enc = keras.Sequential([keras.layers.Dense(4, activation="relu")])
        model = Wrapper(enc, head=keras.layers.Dense(1))
        opt = keras.optimizers.Adam(1e-2)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((2, 3))))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
    """,
    ),
    # Beside the module's own tf.Variable, a Keras layer handed in never trains.
    case(
        "tfg043_keras_layer_passed_in_beside_tf_variable_never_trains",
        "zero",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class Scaled(tf.Module):
            def __init__(self, layer):
                super().__init__()
                self.scale = tf.Variable(1.0)
                self.layer = layer  # <- TFG043

            def __call__(self, x):
                return self.layer(x) * self.scale

        m = Scaled(keras.layers.Dense(2))
        x = tf.ones((4, 3))
        m(x)
        before = m.layer.kernel.numpy().copy()
        opt = keras.optimizers.SGD(0.1)
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(m(x) - 1.0))
            grads = tape.gradient(loss, m.trainable_variables)
            opt.apply_gradients(zip(grads, m.trainable_variables))
        RESULT = ["zero" if np.allclose(before, m.layer.kernel.numpy()) else "ok"]
    """,
    ),
    # Near-miss: a tf.Variable and a tf.Module handed in are collected.
    case(
        "tfg043_ok_tf_variable_and_tf_module_passed_in",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Block(tf.Module):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(tf.ones((3, 1)))

            def __call__(self, x):
                return tf.matmul(x, self.w)

        class Wrapper(tf.Module):
            def __init__(self, scale, block):
                super().__init__()
                self.scale = scale
                self.block = block

            def __call__(self, x):
                return self.block(x) * self.scale

        model = Wrapper(tf.Variable(2.0), block=Block())
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((2, 3))))
        grads = tape.gradient(loss, model.trainable_variables)
        keras.optimizers.SGD(0.1).apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG043"}) == c.expected
