"""TFG035 keras-optimizer-minimize: Keras 3 optimizers have no `minimize`."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow/tensorflow#27386 (held-out round E): the TF 2 docs' Optimizer.minimize on a Keras optimizer.
    case(
        "tfg035_module_level_adam_minimize",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf

        network = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
        optim = tf.keras.optimizers.Adam()
        states = np.random.rand(8, 4).astype("float32")

        def loss():
            return tf.reduce_mean(network(states) ** 2)

        optim.minimize(loss, var_list=network.trainable_variables)  # <- TFG035
        RESULT = ["ok"]
    """,
    ),
    # tensorflow/tensorflow#42183 (held-out round E): an Adam made and asked to minimize inside a tf.function.
    case(
        "tfg035_adam_minimize_in_tf_function",
        "raises:AttributeError",
        """
        import tensorflow as tf

        y_N = tf.Variable([1.0, 2.0, 3.0])

        @tf.function
        def loss():
            return -tf.reduce_mean(tf.math.log(y_N))

        @tf.function
        def run():
            tf.keras.optimizers.Adam(0.5).minimize(loss, var_list=[y_N])  # <- TFG035

        run()
        RESULT = ["ok"]
    """,
    ),
    # The optimizer reaches `minimize` through a helper's parameter, or a plain class's attribute (shared engine:
    # analysis/optimizers.py, the same answer TFG033 uses).
    case(
        "tfg035_optimizer_through_parameter_and_attribute",
        "raises:AttributeError",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, -1.0])


        def fit_step(opt):
            opt.minimize(lambda: tf.reduce_sum(w**2), var_list=[w])  # <- TFG035


        class Trainer:
            def __init__(self):
                self.opt = tf.keras.optimizers.SGD(0.1)

            def step(self):
                self.opt.minimize(lambda: tf.reduce_sum(w**2), var_list=[w])  # <- TFG035


        try:
            Trainer().step()
        except AttributeError:
            pass
        fit_step(tf.keras.optimizers.Adam())
        RESULT = ["ok"]
    """,
    ),
    # Keras 2 / TF 1 code asking the optimizer for the gradients (Grad-CAM helpers, custom training utilities).
    case(
        "tfg035_get_gradients_of_keras_optimizer",
        "raises:AttributeError",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, -1.0])
        opt = tf.keras.optimizers.Adam()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w**2)
        grads = opt.get_gradients(loss, [w])  # <- TFG035
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg035_compute_gradients_of_keras_optimizer",
        "raises:AttributeError",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, -1.0])
        opt = tf.keras.optimizers.SGD(0.1)
        pairs = opt.compute_gradients(lambda: tf.reduce_sum(w**2), [w])  # <- TFG035
        RESULT = ["ok"]
    """,
    ),
    # A train_step written for tf.keras 2: self.optimizer.minimize(loss, vars, tape=tape), run by fit().
    case(
        "tfg035_train_step_self_optimizer_minimize",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
                self.optimizer.minimize(loss, self.trainable_variables, tape=tape)  # <- TFG035
                return {"loss": loss}

        model = Net()
        model.compile(optimizer="adam")
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    # google-deepmind/open_spiel#1207 (held-out round H): RCFR's training function in a module that imports
    # `tensorflow.compat.v1 as tf`; in TF 2.21 `tf.compat.v1.keras` is Keras 3 (its Adam is keras.optimizers.Adam).
    case(
        "tfg035_compat_v1_keras_adam_minimize_in_tf_function",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow.compat.v1 as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        model.build((None, 3))
        data = tf.data.Dataset.from_tensor_slices(
            (np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"))
        ).batch(4)
        optimizer = tf.keras.optimizers.Adam(learning_rate=0.01, amsgrad=True)

        @tf.function
        def _train():
            for x, y in data:
                optimizer.minimize(  # <- TFG035
                    lambda: tf.losses.huber_loss(y, model(x), delta=0.01), model.trainable_variables
                )

        _train()
        RESULT = ["ok"]
    """,
    ),
    # The same alias, TF 1's optimizer: `tf.compat.v1.train` optimizers keep `minimize` (trains).
    case(
        "tfg035_ok_compat_v1_alias_train_optimizer_minimize",
        "ok",
        """
        import tensorflow.compat.v1 as tf

        w = tf.Variable([1.0, 2.0])
        opt = tf.train.AdamOptimizer(0.1)
        before = w.numpy().copy()
        opt.minimize(lambda: tf.reduce_sum(w ** 2), var_list=[w])
        RESULT = ["ok" if (w.numpy() != before).all() else "zero"]
    """,
    ),
    case(
        "tfg035_ok_compat_v1_optimizer_minimize",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        opt = tf.compat.v1.train.AdamOptimizer(0.1)
        before = w.numpy().copy()
        opt.minimize(lambda: tf.reduce_sum(w ** 2), var_list=[w])
        RESULT = ["ok" if (w.numpy() != before).all() else "zero"]
    """,
    ),
    case(
        "tfg035_ok_apply_gradients_and_own_minimize",
        "ok",
        """
        import tensorflow as tf

        class LineSearch:
            def minimize(self, f, x):
                return x

        w = tf.Variable([1.0, 2.0])
        opt = tf.keras.optimizers.Adam(0.1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w ** 2)
        grads = tape.gradient(loss, [w])
        opt.apply_gradients(zip(grads, [w]))
        LineSearch().minimize(None, w)
        RESULT = gradient_status(grads)
    """,
    ),
    # tensorflow/tensorflow#26098 (held-out round J): a DDPG actor update written for Keras 2,
    # `optimizer.get_updates(params=actor.trainable_weights, loss=...)`: Keras 3 optimizers have no get_updates.
    case(
        "tfg035_ddpg_actor_get_updates_keywords",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf

        actor = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2, activation="tanh")])
        critic = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(1)])
        optimizer_actor = tf.keras.optimizers.Adam(1e-3)
        states = tf.constant(np.random.rand(8, 4), tf.float32)
        loss = -tf.reduce_mean(critic(tf.concat([states, actor(states)], axis=1)))
        updates = optimizer_actor.get_updates(params=actor.trainable_weights, loss=loss)  # <- TFG035
        RESULT = ["ok"]
    """,
    ),
    # tensorflow/tensorflow#27568 (held-out round J): an A3C actor keeps its RMSprop on self and calls the Keras 2
    # signature get_updates(params, constraints, loss).
    case(
        "tfg035_a3c_self_rmsprop_get_updates_positional",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras.optimizers import RMSprop

        class Actor:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2, activation="softmax")])
                self.rms_optimizer = RMSprop(learning_rate=1e-3, epsilon=0.1, rho=0.99)

            def optimizer(self, states):
                loss = -tf.reduce_sum(tf.math.log(self.model(states) + 1e-10))
                return self.rms_optimizer.get_updates(self.model.trainable_weights, [], loss)  # <- TFG035

        Actor().optimizer(tf.constant(np.random.rand(8, 4), tf.float32))
        RESULT = ["ok"]
    """,
    ),
    # Near-miss: an object of the program's own with a get_updates method, beside a Keras optimizer that is given
    # gradients from a tape (trains).
    case(
        "tfg035_ok_own_get_updates_and_apply_gradients",
        "ok",
        """
        import tensorflow as tf

        class Schedule:
            def get_updates(self, params, constraints, loss):
                return []

        w = tf.Variable([1.0, 2.0])
        opt = tf.keras.optimizers.RMSprop(0.1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w ** 2)
        grads = tape.gradient(loss, [w])
        opt.apply_gradients(zip(grads, [w]))
        Schedule().get_updates([w], [], loss)
        RESULT = gradient_status(grads)
    """,
    ),
    # tensorflow/adanet#137 (held-out round O): a subnetwork builder keeps the optimizer its constructor is given;
    # every construction of the class passes a Keras 3 optimizer, so `self._optimizer.minimize(...)` is Keras 3's.
    case(
        "tfg035_constructor_parameter_stored_on_self",
        "raises:AttributeError",
        """
        import tensorflow as tf

        class Builder:
            def __init__(self, optimizer, units):
                self._optimizer = optimizer
                self._dense = tf.keras.layers.Dense(units)

            def train_op(self, x):
                loss = tf.reduce_mean(self._dense(x) ** 2)
                return self._optimizer.minimize(loss=loss, var_list=self._dense.trainable_variables)  # <- TFG035

        builder = Builder(tf.keras.optimizers.Adam(1e-3), 2)
        builder.train_op(tf.ones((4, 3)))
        RESULT = ["ok"]
    """,
    ),
    # Near-miss: the same builder constructed with a tf.compat.v1.train optimizer (keeps minimize, runs eagerly with a
    # callable loss), and a class whose constructions do not all pass a Keras optimizer (one leaves the default).
    case(
        "tfg035_ok_constructor_parameter_v1_optimizer_or_open",
        "ok",
        """
        import tensorflow as tf

        class Builder:
            def __init__(self, optimizer, units):
                self._optimizer = optimizer
                self._w = tf.Variable(tf.ones((3, units)))

            def train_op(self, x):
                return self._optimizer.minimize(lambda: tf.reduce_mean(tf.matmul(x, self._w) ** 2), var_list=[self._w])

        class Stepper:
            def __init__(self, optimizer=None):
                self.optimizer = optimizer or tf.compat.v1.train.GradientDescentOptimizer(0.1)

            def step(self, w):
                return self.optimizer.minimize(lambda: tf.reduce_sum(w**2), var_list=[w])

        builder = Builder(tf.compat.v1.train.AdamOptimizer(1e-3), 2)
        x = tf.ones((4, 3))
        builder.train_op(x)
        w = tf.Variable([1.0, 2.0])
        Stepper().step(w)
        Stepper(tf.compat.v1.train.GradientDescentOptimizer(0.5)).step(w)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.matmul(x, builder._w) ** 2)
        RESULT = gradient_status(tape.gradient(loss, [builder._w]))
    """,
    ),
    # Fixed: the builder computes the loss under a tape and hands the gradients to the Keras optimizer.
    case(
        "tfg035_fixed_constructor_parameter_apply_gradients",
        "ok",
        """
        import tensorflow as tf

        class Builder:
            def __init__(self, optimizer, units):
                self._optimizer = optimizer
                self._dense = tf.keras.layers.Dense(units)

            def train_op(self, x):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(self._dense(x) ** 2)
                grads = tape.gradient(loss, self._dense.trainable_variables)
                self._optimizer.apply_gradients(zip(grads, self._dense.trainable_variables))
                return grads

        builder = Builder(tf.keras.optimizers.Adam(1e-3), 2)
        RESULT = gradient_status(builder.train_op(tf.ones((4, 3))))
    """,
    ),
    # whyisyoung/CADE#3 (held-out round P): a plain (non-Keras) class keeps its Keras 3 Adam as `self.optimizer` and
    # a training method calls `self.optimizer.minimize(loss=lambda: loss, ...)`. Outside a Keras model `optimizer`
    # is an ordinary attribute.
    case(
        "tfg035_plain_class_self_optimizer_attribute_minimize",
        "raises:AttributeError",
        """
        import tensorflow as tf

        class Trainer:
            def __init__(self, learning_rate):
                self.model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
                self.optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)

            def train(self, x):
                loss = tf.reduce_mean(self.model(x) ** 2)
                self.optimizer.minimize(loss=lambda: loss, var_list=self.model.trainable_variables)  # <- TFG035

        Trainer(1e-3).train(tf.ones((4, 3)))
        RESULT = ["ok"]
    """,
    ),
    # Near-miss: the same class keeping a tf.compat.v1.train optimizer as `self.optimizer` (keeps minimize; the
    # callable runs under minimize's own tape and trains).
    case(
        "tfg035_ok_plain_class_self_optimizer_v1_optimizer",
        "ok",
        """
        import tensorflow as tf

        class Trainer:
            def __init__(self, learning_rate):
                self.w = tf.Variable(tf.ones((3, 2)))
                self.optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate)

            def train(self, x):
                self.optimizer.minimize(lambda: tf.reduce_mean(tf.matmul(x, self.w) ** 2), var_list=[self.w])

        trainer = Trainer(1e-3)
        before = trainer.w.numpy().copy()
        trainer.train(tf.ones((4, 3)))
        RESULT = gradient_status([trainer.w - before])
    """,
    ),
    # Fixed: the plain class records the loss on a tape and hands the gradients to its Keras optimizer.
    case(
        "tfg035_fixed_plain_class_self_optimizer_apply_gradients",
        "ok",
        """
        import tensorflow as tf

        class Trainer:
            def __init__(self, learning_rate):
                self.model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
                self.optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)

            def train(self, x):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(self.model(x) ** 2)
                grads = tape.gradient(loss, self.model.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
                return grads

        RESULT = gradient_status(Trainer(1e-3).train(tf.ones((4, 3))))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG035"}) == c.expected
