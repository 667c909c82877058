"""TFG028 optimizer-shared-across-models: one Keras optimizer instance applied to two models' variables."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg028_gan_generator_and_discriminator_share_optimizer",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        g = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        optimizer = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))
        with tf.GradientTape() as gt, tf.GradientTape() as dt:
            fake = g(x)
            d_loss = tf.reduce_mean(d(fake) ** 2)
            g_loss = -tf.reduce_mean(d(fake))
        g_grads = gt.gradient(g_loss, g.trainable_variables)
        d_grads = dt.gradient(d_loss, d.trainable_variables)
        optimizer.apply_gradients(zip(g_grads, g.trainable_variables))
        optimizer.apply_gradients(zip(d_grads, d.trainable_variables))  # <- TFG028
        RESULT = gradient_status(g_grads + d_grads)
    """,
    ),
    case(
        "tfg028_ok_one_optimizer_per_model",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        g = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        g_opt = keras.optimizers.Adam(1e-3)
        d_opt = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))
        with tf.GradientTape() as gt, tf.GradientTape() as dt:
            fake = g(x)
            d_loss = tf.reduce_mean(d(fake) ** 2)
            g_loss = -tf.reduce_mean(d(fake))
        g_grads = gt.gradient(g_loss, g.trainable_variables)
        d_grads = dt.gradient(d_loss, d.trainable_variables)
        g_opt.apply_gradients(zip(g_grads, g.trainable_variables))
        d_opt.apply_gradients(zip(d_grads, d.trainable_variables))
        RESULT = gradient_status(g_grads + d_grads)
    """,
    ),
    case(
        "tfg028_ok_same_model_every_step",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        g = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        optimizer = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))
        for _ in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(g(x) ** 2)
            grads = tape.gradient(loss, g.trainable_variables)
            optimizer.apply_gradients(zip(grads, g.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    # tensorflow/tensorflow#27120 (a comment): one traced step helper given a second model and the same optimizer.
    case(
        "tfg028_step_helper_called_with_second_model",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.function
        def train_step(inputs, model, optimizer):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(inputs, training=True)))
            grads = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            return loss

        train_model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        eval_model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        optimizer = tf.keras.optimizers.SGD(0.1)
        x = tf.ones((4, 3))
        train_step(x, train_model, optimizer)
        train_step(x, eval_model, optimizer)  # <- TFG028
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg028_ok_step_helper_called_with_each_models_optimizer",
        "ok",
        """
        import tensorflow as tf

        def train_step(inputs, model, optimizer):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(inputs, training=True)))
            grads = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            return grads

        train_model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        eval_model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        train_opt = tf.keras.optimizers.SGD(0.1)
        eval_opt = tf.keras.optimizers.SGD(0.1)
        x = tf.ones((4, 3))
        g1 = train_step(x, train_model, train_opt)
        g2 = train_step(x, eval_model, eval_opt)
        RESULT = gradient_status(list(g1) + list(g2))
    """,
    ),
]

# Held-out round E: lovedlim/tensorflow#40 (the model's variables through a name, `vars = m.trainable_variables`)
# and chiamp/muzero-cartpole#2 (three networks held by a plain object, one optimizer applied to each in turn).
CASES += [
    case(
        "tfg028_variables_through_a_name_second_student",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        s_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        s_model_2 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        opt = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))
        for e in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(s_model(x) ** 2)
            vars = s_model.trainable_variables
            grad = tape.gradient(loss, vars)
            opt.apply_gradients(zip(grad, vars))
        for e in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(s_model_2(x) ** 2)
            vars = s_model_2.trainable_variables
            grad = tape.gradient(loss, vars)
            opt.apply_gradients(zip(grad, vars))  # <- TFG028
        RESULT = gradient_status(grad)
    """,
    ),
    case(
        "tfg028_ok_variables_through_a_name_same_model",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        s_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        s_model_2 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        opt = keras.optimizers.Adam(1e-3)
        opt_2 = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))
        for e in range(2):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(s_model(x) ** 2)
            vars = s_model.trainable_variables
            grad = tape.gradient(loss, vars)
            opt.apply_gradients(zip(grad, vars))
        vars = s_model_2.trainable_variables
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(s_model_2(x) ** 2)
        grad = tape.gradient(loss, vars)
        opt_2.apply_gradients(zip(grad, vars))
        RESULT = gradient_status(grad)
    """,
    ),
    case(
        "tfg028_networks_of_a_plain_object_in_turn",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Networks:
            def __init__(self):
                self.representation = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
                self.dynamics = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])

        nets = Networks()
        optimizer = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))

        def train(nets, optimizer):
            with tf.GradientTape(persistent=True) as tape:
                loss = tf.reduce_mean(nets.dynamics(nets.representation(x)) ** 2)
            g0 = tape.gradient(loss, nets.representation.trainable_variables)
            g1 = tape.gradient(loss, nets.dynamics.trainable_variables)
            optimizer.apply_gradients(zip(g0, nets.representation.trainable_variables))
            optimizer.apply_gradients(zip(g1, nets.dynamics.trainable_variables))  # <- TFG028
            return g0 + g1

        RESULT = gradient_status(train(nets, optimizer))
    """,
    ),
    case(
        "tfg028_ok_networks_of_a_plain_object_one_apply",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Networks:
            def __init__(self):
                self.representation = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
                self.dynamics = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])

        nets = Networks()
        optimizer = keras.optimizers.Adam(1e-3)
        rep_optimizer = keras.optimizers.Adam(1e-3)
        x = tf.ones((4, 3))

        def train(nets, optimizer):
            params = nets.representation.trainable_variables + nets.dynamics.trainable_variables
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(nets.dynamics(nets.representation(x)) ** 2)
            grads = tape.gradient(loss, params)
            optimizer.apply_gradients(zip(grads, params))
            return grads

        grads = train(nets, optimizer)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(nets.representation(x) ** 2)
        g = tape.gradient(loss, nets.representation.trainable_variables)
        rep_optimizer.apply_gradients(zip(g, nets.representation.trainable_variables))
        RESULT = gradient_status(grads + g)
    """,
    ),
    case(
        "tfg028_ok_optimizer_built_for_every_network",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        optimizer = keras.optimizers.Adam(1e-3)
        optimizer.build(a.trainable_variables + b.trainable_variables)
        x = tf.ones((4, 3))
        with tf.GradientTape(persistent=True) as tape:
            la = tf.reduce_mean(a(x) ** 2)
            lb = tf.reduce_mean(b(x) ** 2)
        ga = tape.gradient(la, a.trainable_variables)
        gb = tape.gradient(lb, b.trainable_variables)
        optimizer.apply_gradients(zip(ga, a.trainable_variables))
        optimizer.apply_gradients(zip(gb, b.trainable_variables))
        RESULT = gradient_status(ga + gb)
    """,
    ),
]


# One optimizer object given to two models' compile() (the Keras 2 GAN recipe's single `optimizer`), both trained.
_GAN_CLASS = """
import numpy as np
from keras.layers import Dense, Input
from keras.models import Model, Sequential
from keras.optimizers import Adam


class GAN:
    def __init__(self):
        optimizer = Adam(0.0002, 0.5)
        self.discriminator = Sequential([Input((2,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
        self.discriminator.compile(loss="binary_crossentropy", optimizer=optimizer)
        self.generator = Sequential([Input((4,)), Dense(2)])
        z = Input(shape=(4,))
        self.discriminator.trainable = False
        self.combined = Model(z, self.discriminator(self.generator(z)))
        self.combined.compile(loss="binary_crossentropy", optimizer=optimizer)

    def train(self, epochs, batch_size=8):
        for epoch in range(epochs):
            noise = np.random.normal(0, 1, (batch_size, 4))
            TOGGLE_ON
            self.discriminator.train_on_batch(np.random.rand(batch_size, 2), np.ones((batch_size, 1)))
            TOGGLE_OFF
            self.combined.train_on_batch(noise, np.ones((batch_size, 1)))MARK


GAN().train(epochs=2)
RESULT = ["ok"]
"""
CASES += [
    case(
        "tfg028_compile_shared_both_fit",
        "raises:ValueError",
        """
        import numpy as np
        import keras

        opt = keras.optimizers.Adam()
        a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        a.compile(optimizer=opt, loss="mse")
        b.compile(optimizer=opt, loss="mse")
        x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
        a.fit(x, y, verbose=0)
        b.fit(x, y, verbose=0)  # <- TFG028
        RESULT = ["ok"]
        """,
    ),
    # The Keras 3 form of the GAN recipe (flag toggled per phase) still sharing the recipe's one optimizer.
    case(
        "tfg028_gan_recipe_toggled_one_optimizer",
        "raises:ValueError",
        _GAN_CLASS.replace("TOGGLE_ON", "self.discriminator.trainable = True")
        .replace("TOGGLE_OFF", "self.discriminator.trainable = False")
        .replace("MARK", "  # <- TFG028"),
    ),
    # Near misses: only one of the two models is trained; the discriminator frozen for good (it never trains, so the
    # combined model builds the optimizer: TFG037's bug, not this one); each model its own optimizer.
    case(
        "tfg028_compile_shared_one_trained",
        "ok",
        """
        import numpy as np
        import keras

        opt = keras.optimizers.Adam()
        a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        a.compile(optimizer=opt, loss="mse")
        b.compile(optimizer=opt, loss="mse")
        a.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), verbose=0)
        print(b.predict(np.ones((2, 3), "float32"), verbose=0))
        RESULT = ["ok"]
        """,
    ),
    case(
        "tfg028_gan_recipe_frozen_for_good",
        "ok",
        _GAN_CLASS.replace("TOGGLE_ON", "pass").replace("TOGGLE_OFF", "pass").replace("MARK", ""),
    ),
    case(
        "tfg028_compile_own_optimizers",
        "ok",
        """
        import numpy as np
        import keras

        a = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        b = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        a.compile(optimizer=keras.optimizers.Adam(), loss="mse")
        b.compile(optimizer=keras.optimizers.Adam(), loss="mse")
        x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
        a.fit(x, y, verbose=0)
        b.fit(x, y, verbose=0)
        RESULT = ["ok"]
        """,
    ),
]


# A model reloaded from a `.keras` file (or cloned) has variables of its own: the optimizer that trained the
# original refuses them (TF 2.21: `ValueError: Unknown variable`); a fresh optimizer for the reloaded model trains.
_RELOADED = """
import os
import tempfile
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
opt = keras.optimizers.Adam(1e-3)
x = tf.ones((4, 4))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(x) ** 2)
opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
path = os.path.join(tempfile.mkdtemp(), "m.keras")
model.save(path)
restored = keras.models.{load}
{new_opt}
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(restored(x) ** 2)
grads = tape.gradient(loss, restored.trainable_variables)
opt.apply_gradients(zip(grads, restored.trainable_variables)){mark}
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg028_optimizer_reused_for_reloaded_model",
        "raises:ValueError",
        _RELOADED.format(load="load_model(path, compile=False)", new_opt="", mark="  # <- TFG028"),
    ),
    case(
        "tfg028_optimizer_reused_for_cloned_model",
        "raises:ValueError",
        _RELOADED.format(load="clone_model(model)", new_opt="", mark="  # <- TFG028"),
    ),
    case(
        "tfg028_ok_fresh_optimizer_for_reloaded_model",
        "ok",
        _RELOADED.format(load="load_model(path, compile=False)", new_opt="opt = keras.optimizers.Adam(1e-3)", mark=""),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG028"}) == c.expected
