"""TFG011 loss-outside-tape: a gradient target computed where the tape does not record gives None."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg011_loss_after_block_optimizer",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        opt = keras.optimizers.Adam(1e-3)
        x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
        loss = tf.reduce_mean(tf.square(pred - y))
        grads = tape.gradient(loss, model.trainable_variables)  # <- TFG011
        opt.apply_gradients(zip(grads, model.trainable_variables))
    """,
    ),
    case(
        "tfg011_keras_loss_object_after_block",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        x, y = tf.random.normal((8, 4)), tf.constant([0, 1, 2, 0, 1, 2, 0, 1])
        for epoch in range(2):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
            loss = loss_fn(y, logits)
            grads = tape.gradient(loss, model.trainable_variables)  # <- TFG011
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg011_forward_after_empty_block_tf_function",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 1)))
        b = tf.Variable(0.0)

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                tape.watch(w)
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
            return tape.gradient(loss, [w, b])  # <- TFG011

        RESULT = gradient_status(step(tf.ones((4, 3)), tf.zeros((4, 1))))
    """,
    ),
    case(
        "tfg011_regulariser_added_after",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, -2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w * 3.0)
        loss += 0.01 * tf.reduce_sum(w ** 2)
        RESULT = gradient_status([tape.gradient(loss, w)])  # <- TFG011
    """,
    ),
    case(
        "tfg011_target_expression_in_call",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            per_example = w * tf.constant([3.0, 4.0])
        g = tape.gradient(tf.reduce_mean(per_example), w)  # <- TFG011
        RESULT = gradient_status([g])
    """,
    ),
    case(
        "tfg011_computed_before_block",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        x = tf.constant(3.0)
        y = w * x
        with tf.GradientTape() as tape:
            z = w + 1.0
        RESULT = gradient_status([tape.gradient(y, w)])  # <- TFG011
    """,
    ),
    case(
        "tfg011_inner_tape_target_outside_inner_block",
        "none",
        """
        import tensorflow as tf

        x = tf.Variable(2.0)
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                y = x ** 3
            z = y * 2.0
            dz = inner.gradient(z, x)  # <- TFG011
        RESULT = gradient_status([dz])
    """,
    ),
    # ----- near misses
    case(
        "tfg011_ok_loss_inside",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        opt = keras.optimizers.Adam(1e-3)
        x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            loss = tf.reduce_mean(tf.square(pred - y))
        loss_value = loss
        grads = tape.gradient(loss_value, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        print("loss", float(loss))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg011_ok_gradient_inside_block",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w ** 2)
            grads = tape.gradient(loss, w)
        RESULT = gradient_status([grads])
    """,
    ),
    case(
        "tfg011_ok_second_order",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable(3.0)
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                y = x ** 3
            dy = inner.gradient(y, x)
            penalty = dy * dy
        RESULT = gradient_status([dy, outer.gradient(penalty, x)])
    """,
    ),
    case(
        "tfg011_ok_metrics_after_block",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        acc = keras.metrics.SparseCategoricalAccuracy()
        x, y = tf.random.normal((8, 4)), tf.constant([0, 1, 2, 0, 1, 2, 0, 1])

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                loss = loss_fn(y, logits)
            grads = tape.gradient(loss, model.trainable_variables)
            acc.update_state(y, logits)
            report = loss * 1.0
            return grads, report

        grads, _ = train_step(x, y)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg011_ok_recomputed_inside_later",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        loss = w * 3.0
        print("initial loss", float(loss))
        with tf.GradientTape() as tape:
            loss = w * 3.0
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    case(
        "tfg011_ok_persistent_two_losses",
        "ok",
        """
        import tensorflow as tf

        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        with tf.GradientTape(persistent=True) as tape:
            la = a * b
            lb = la + b ** 2
        ga = tape.gradient(la, a)
        gb = tape.gradient(lb, b)
        del tape
        RESULT = gradient_status([ga, gb])
    """,
    ),
    case(
        "tfg011_ok_unpacked_outputs",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])

        def forward():
            h = w * 2.0
            return tf.reduce_sum(h), h

        with tf.GradientTape() as tape:
            outputs = forward()
        loss, hidden = outputs
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    # The forward pass ran before the tape opened; only the final reduction is inside it.
    case(
        "tfg011_forward_pass_before_the_tape",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = tf.ones((4, 3))
        y = tf.ones((4, 1))
        logits = model(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(logits - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))  # <- TFG011
        """,
    ),
    # Near miss: the encoder ran before the tape, but the head runs inside it and is what is trained.
    case(
        "tfg011_frozen_features_before_the_tape",
        "ok",
        """
        import tensorflow as tf

        encoder = tf.keras.layers.Dense(4)
        head = tf.keras.layers.Dense(1)
        x = tf.ones((2, 3))
        features = encoder(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(head(features))
        RESULT = gradient_status(tape.gradient(loss, head.trainable_variables))
        """,
    ),
    # Near miss: the pre-computed value is combined with a weight read inside the tape.
    case(
        "tfg011_precomputed_input_times_variable",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        base = tf.constant(3.0) * w
        with tf.GradientTape() as tape:
            loss = base * w
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    case(
        "tfg011_gan_fake_images_made_before_both_tapes",
        "none",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        generator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4)])
        discriminator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)


        def train_step(real):
            noise = tf.random.normal((16, 2))
            fake = generator(noise, training=True)
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                real_out = discriminator(real, training=True)
                fake_out = discriminator(fake, training=True)
                gen_loss = bce(tf.ones_like(fake_out), fake_out)
                disc_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
            g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)  # <- TFG011
            d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
            return g_grads + d_grads


        RESULT = gradient_status(train_step(tf.random.normal((16, 4))))
    """,
    ),
    case(
        "tfg011_gan_fake_images_inside_the_tapes",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        generator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4)])
        discriminator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)


        def train_step(real):
            noise = tf.random.normal((16, 2))
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                fake = generator(noise, training=True)
                real_out = discriminator(real, training=True)
                fake_out = discriminator(fake, training=True)
                gen_loss = bce(tf.ones_like(fake_out), fake_out)
                disc_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
            g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
            d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
            return g_grads + d_grads


        RESULT = gradient_status(train_step(tf.random.normal((16, 4))))
    """,
    ),
    case(
        "tfg011_generator_run_by_a_helper_before_the_tape_in_tf_function",
        "none",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        generator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4)])
        discriminator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)


        def generate(n):
            return generator(tf.random.normal((n, 2)), training=True)


        @tf.function
        def gen_step():
            fake = generate(16)
            with tf.GradientTape() as tape:
                out = discriminator(fake, training=True)
                loss = bce(tf.ones_like(out), out)
            return tape.gradient(loss, generator.trainable_variables)  # <- TFG011


        RESULT = gradient_status(gen_step())
    """,
    ),
    case(
        "tfg011_vae_encoder_run_before_the_tape_sum_of_variable_lists",
        "none",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        encoder = tf.keras.Sequential([tf.keras.layers.Dense(4)])
        decoder = tf.keras.Sequential([tf.keras.layers.Dense(8)])


        def train_step(x):
            z = encoder(x)
            with tf.GradientTape() as tape:
                recon = decoder(z)
                loss = tf.reduce_mean(tf.square(recon - x))
            return tape.gradient(loss, encoder.trainable_variables + decoder.trainable_variables)  # <- TFG011


        RESULT = gradient_status(train_step(tf.random.normal((8, 8))))
    """,
    ),
    case(
        "tfg011_subclassed_gan_train_step_fake_made_before_the_tape",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras


        class GAN(keras.Model):
            def __init__(self):
                super().__init__()
                self.generator = keras.Sequential([keras.layers.Dense(4)])
                self.discriminator = keras.Sequential([keras.layers.Dense(1)])
                self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

            def compile(self, g_opt):
                super().compile()
                self.g_opt = g_opt

            def train_step(self, data):
                noise = tf.random.normal((tf.shape(data)[0], 2))
                fake = self.generator(noise)
                with tf.GradientTape() as tape:
                    out = self.discriminator(fake)
                    g_loss = self.bce(tf.ones_like(out), out)
                grads = tape.gradient(g_loss, self.generator.trainable_variables)  # <- TFG011
                self.g_opt.apply_gradients(zip(grads, self.generator.trainable_variables))
                return {"g_loss": g_loss}


        gan = GAN()
        gan.compile(keras.optimizers.Adam(1e-3))
        gan.fit(tf.random.normal((32, 4)), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg011_subclassed_gan_train_step_generator_in_its_tape",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras


        class GAN(keras.Model):
            def __init__(self):
                super().__init__()
                self.generator = keras.Sequential([keras.layers.Dense(4)])
                self.discriminator = keras.Sequential([keras.layers.Dense(1)])
                self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

            def compile(self, d_opt, g_opt):
                super().compile()
                self.d_opt = d_opt
                self.g_opt = g_opt

            def train_step(self, data):
                noise = tf.random.normal((tf.shape(data)[0], 2))
                fake = self.generator(noise)
                with tf.GradientTape() as d_tape:
                    d_loss = self.bce(tf.zeros_like(data[:, :1]), self.discriminator(fake)) + self.bce(
                        tf.ones_like(data[:, :1]), self.discriminator(data)
                    )
                d_grads = d_tape.gradient(d_loss, self.discriminator.trainable_variables)
                self.d_opt.apply_gradients(zip(d_grads, self.discriminator.trainable_variables))
                with tf.GradientTape() as g_tape:
                    out = self.discriminator(self.generator(noise))
                    g_loss = self.bce(tf.ones_like(out), out)
                g_grads = g_tape.gradient(g_loss, self.generator.trainable_variables)
                self.g_opt.apply_gradients(zip(g_grads, self.generator.trainable_variables))
                return {"d_loss": d_loss, "g_loss": g_loss}


        gan = GAN()
        gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
        gan.fit(tf.random.normal((32, 4)), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg011_combined_model_built_from_the_generator_runs_in_the_tape",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        generator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(4)])
        discriminator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        gan = tf.keras.Sequential([generator, discriminator])
        bce = tf.keras.losses.BinaryCrossentropy(from_logits=True)
        noise = tf.random.normal((16, 2))
        preview = generator(noise)
        with tf.GradientTape() as tape:
            out = gan(noise, training=True)
            loss = bce(tf.ones_like(out), out) + 0.0 * tf.reduce_sum(preview)
        RESULT = gradient_status(tape.gradient(loss, generator.trainable_variables))
    """,
    ),
    case(
        # https://github.com/tensorflow/tensorflow/issues/42167
        "tfg011_minimize_of_a_lambda_returning_a_precomputed_cost",
        "raises:ValueError",
        """
        import tensorflow as tf

        y_N = tf.Variable([1.0, 2.0, 3.0], name="dd")
        cost = -tf.reduce_mean(tf.reduce_sum(tf.math.log(y_N), axis=0))
        loss = lambda: cost
        tf.compat.v1.train.AdamOptimizer(0.5).minimize(loss, var_list=[y_N])  # <- TFG011
    """,
    ),
    case(
        "tfg011_ok_minimize_of_a_lambda_computing_the_cost",
        "ok",
        """
        import tensorflow as tf

        y_N = tf.Variable([1.0, 2.0, 3.0], name="dd")
        before = y_N.numpy().copy()
        scale = tf.constant(2.0)
        loss = lambda: -tf.reduce_mean(tf.reduce_sum(tf.math.log(y_N * scale), axis=0))
        tf.compat.v1.train.AdamOptimizer(0.5).minimize(loss, var_list=[y_N])
        RESULT = ["ok" if (y_N.numpy() != before).all() else "zero"]
    """,
    ),
    case(
        # https://github.com/tensorflow/tensorflow/issues/51489 (shape, not the report's names)
        "tfg011_minimize_of_a_def_reading_a_precomputed_output",
        "raises:ValueError",
        """
        import tensorflow as tf

        def fit_once(w, b, features):
            prediction = tf.matmul(features, w) + b
            target = tf.zeros((3, 2))

            def objective():
                err = target - prediction
                return tf.reduce_mean(err * err)

            tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(objective, var_list=[w, b])  # <- TFG011

        w = tf.Variable(tf.ones((4, 2)))
        b = tf.Variable(tf.zeros((2,)))
        fit_once(w, b, tf.ones((3, 4)))
    """,
    ),
    case(
        # https://github.com/tensorflow/tensorflow/issues/29942 (shape): the gradient asked for is w.r.t. the
        # tensor computed before the tape, not the weights: None because it is never watched (TFG009's finding)
        "tfg011_silent_when_the_source_is_the_pre_tape_tensor",
        "none",
        """
        import tensorflow as tf

        v = tf.Variable(0.5)
        h = v * 2.0
        with tf.GradientTape() as tape:
            out = h + 1.0
        RESULT = gradient_status([tape.gradient(out, h)])
    """,
    ),
    case(
        "tfg011_ok_minimize_of_a_def_reading_the_variable_itself",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        target = tf.constant([3.0, 1.5]) * 2.0

        def loss_fn():
            return tf.reduce_sum(tf.square(w - target))

        before = w.numpy().copy()
        tf.compat.v1.train.AdamOptimizer(0.5).minimize(loss_fn, var_list=[w])
        RESULT = ["ok" if (w.numpy() != before).all() else "zero"]
    """,
    ),
    case(
        "tfg011_ok_minimize_of_a_def_running_the_model",
        "ok",
        """
        import tensorflow as tf

        class Affine:
            def __init__(self):
                self.w = tf.Variable(tf.ones((4, 2)))

            def __call__(self, x):
                return tf.matmul(x, self.w)

        dense = Affine()
        features = tf.ones((3, 4))
        target = tf.zeros((3, 2)) + 1.0

        def loss_fn():
            err = target - dense(features)
            return tf.reduce_mean(err * err)

        before = dense.w.numpy().copy()
        tf.compat.v1.train.AdamOptimizer(0.5).minimize(loss_fn, var_list=[dense.w])
        RESULT = ["ok" if (dense.w.numpy() != before).all() else "zero"]
    """,
    ),
    # Held-out round C (keras-team/keras-io#406): the actor-critic episode runs the model and appends to history
    # lists before the tape opens; the loss is built inside the block from those lists only.
    case(
        "tfg011_actor_critic_histories_appended_before_tape",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inputs = keras.Input((4,))
        common = keras.layers.Dense(8, activation="relu")(inputs)
        action = keras.layers.Dense(2, activation="softmax")(common)
        critic = keras.layers.Dense(1)(common)
        model = keras.Model(inputs, [action, critic])
        probs_history = []
        value_history = []
        for step in range(3):
            state = tf.constant([[0.1, 0.2, 0.3, 0.4]]) * (step + 1)
            probs, value = model(state)
            probs_history.append(tf.math.log(probs[0, 0]))
            value_history.append(value[0, 0])
        with tf.GradientTape() as tape:
            losses = []
            for log_prob, value in zip(probs_history, value_history):
                losses.append(-log_prob * (1.0 - value) + tf.square(1.0 - value))
            loss_value = sum(losses)
        RESULT = gradient_status(tape.gradient(loss_value, model.trainable_variables))  # <- TFG011
    """,
    ),
    case(
        "tfg011_actor_critic_histories_appended_inside_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inputs = keras.Input((4,))
        common = keras.layers.Dense(8, activation="relu")(inputs)
        action = keras.layers.Dense(2, activation="softmax")(common)
        critic = keras.layers.Dense(1)(common)
        model = keras.Model(inputs, [action, critic])
        probs_history = []
        value_history = []
        with tf.GradientTape() as tape:
            for step in range(3):
                state = tf.constant([[0.1, 0.2, 0.3, 0.4]]) * (step + 1)
                probs, value = model(state)
                probs_history.append(tf.math.log(probs[0, 0]))
                value_history.append(value[0, 0])
            losses = []
            for log_prob, value in zip(probs_history, value_history):
                losses.append(-log_prob * (1.0 - value) + tf.square(1.0 - value))
            loss_value = sum(losses)
        RESULT = gradient_status(tape.gradient(loss_value, model.trainable_variables))
    """,
    ),
    # Issue 10 (engine: per-function summaries beyond module functions): the model runs before the tape, and
    # what runs inside it is a nested def, a lambda or a method that only reads the captured prediction.
    case(
        "tfg011_nested_loss_fn_captures_a_prediction_made_before_the_tape",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))

        def train_step(x, y):
            pred = model(x, training=True)

            def loss_fn():
                return tf.reduce_mean(tf.square(pred - y))

            with tf.GradientTape() as tape:
                loss = loss_fn()
            return tape.gradient(loss, model.trainable_variables)  # <- TFG011

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
    case(
        "tfg011_lambda_loss_captures_a_prediction_made_before_the_tape",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))

        def train_step(x, y):
            pred = model(x, training=True)
            loss = lambda: tf.reduce_mean(tf.square(pred - y))
            with tf.GradientTape() as tape:
                value = loss()
            return tape.gradient(value, model.trainable_variables)  # <- TFG011

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
    case(
        "tfg011_nested_loss_fn_runs_the_model_itself",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))

        def train_step(x, y):
            pred = model(x, training=True)  # a forward pass for logging only

            def loss_fn():
                return tf.reduce_mean(tf.square(model(x, training=True) - y))

            with tf.GradientTape() as tape:
                loss = loss_fn()
            return tape.gradient(loss, model.trainable_variables)

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
    # A custom train_step whose forward pass runs before the tape, and the loss helper method only reads it:
    # `fit` raises `No gradients provided for any variable`.
    case(
        "tfg011_train_step_loss_method_reads_a_prediction_made_before_the_tape",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(1)

            def call(self, x):
                return self.d2(self.d1(x))

            def compute_loss_parts(self, y, y_pred):
                return tf.reduce_mean(tf.square(y - y_pred))

            def train_step(self, data):
                x, y = data
                y_pred = self(x, training=True)
                with tf.GradientTape() as tape:
                    loss = self.compute_loss_parts(y, y_pred)
                grads = tape.gradient(loss, self.trainable_variables)  # <- TFG011
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        net = Net()
        net.compile(optimizer="sgd")
        net.fit(np.random.rand(16, 3).astype("float32"), np.random.rand(16, 1).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg011_train_step_loss_method_runs_the_model",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(1)

            def call(self, x):
                return self.d2(self.d1(x))

            def compute_loss_parts(self, x, y):
                y_pred = self(x, training=True)
                return tf.reduce_mean(tf.square(y - y_pred))

            def train_step(self, data):
                x, y = data
                y_pred = self(x, training=False)  # for the metrics only
                with tf.GradientTape() as tape:
                    loss = self.compute_loss_parts(x, y)
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss, "mean_pred": tf.reduce_mean(y_pred)}

        net = Net()
        net.compile(optimizer="sgd")
        net.fit(np.random.rand(16, 3).astype("float32"), np.random.rand(16, 1).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg011_gan_fake_made_before_the_tape_scored_by_a_method",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        class GAN(keras.Model):
            def __init__(self):
                super().__init__()
                self.generator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
                self.discriminator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])

            def generator_loss(self, fake):
                return -tf.reduce_mean(self.discriminator(fake))

            def generator_step(self, z):
                fake = self.generator(z, training=True)
                with tf.GradientTape() as tape:
                    g_loss = self.generator_loss(fake)
                return tape.gradient(g_loss, self.generator.trainable_variables)  # <- TFG011

        gan = GAN()
        gan.discriminator.build((None, 3))
        RESULT = gradient_status(gan.generator_step(tf.random.normal((8, 2))))
    """,
    ),
    # A script: the prediction is made at module level before the tape, and the module-level lambda run inside
    # it only reads it.
    case(
        "tfg011_module_lambda_loss_reads_a_prediction_made_before_the_tape",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        pred = model(x)
        loss_fn = lambda: tf.reduce_mean(tf.square(pred - y))
        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, model.trainable_variables)  # <- TFG011
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg011_module_lambda_loss_runs_the_model",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        pred = model(x)  # for logging
        loss_fn = lambda: tf.reduce_mean(tf.square(model(x) - y))
        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
]

# Issue 10 (engine): `self.<attr>` set by a method while the step runs (`self.out = self.model(x)` in `forward`) is
# followed to where the step called that method: before the tape (None x4) or inside it (trains).
CASES += [
    case(
        "tfg011_forward_method_sets_self_out_before_tape",
        "none",
        """
        import tensorflow as tf

        class Agent:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])

            def forward(self, x):
                self.out = self.model(x)

            def loss(self, y):
                return tf.reduce_mean(tf.square(self.out - y))

            def step(self, x, y):
                self.forward(x)
                with tf.GradientTape() as tape:
                    value = self.loss(y)
                return tape.gradient(value, self.model.trainable_variables)  # <- TFG011

        agent = Agent()
        RESULT = gradient_status(agent.step(tf.random.normal((8, 3)), tf.random.normal((8, 1))))
    """,
    ),
    case(
        "tfg011_step_sets_self_out_inside_tape_loss_method_reads_it",
        "ok",
        """
        import tensorflow as tf

        class Agent:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])

            def loss(self, y):
                return tf.reduce_mean(tf.square(self.out - y))

            def step(self, x, y):
                with tf.GradientTape() as tape:
                    self.out = self.model(x)
                    value = self.loss(y)
                return tape.gradient(value, self.model.trainable_variables)

        agent = Agent()
        RESULT = gradient_status(agent.step(tf.random.normal((8, 3)), tf.random.normal((8, 1))))
    """,
    ),
]

_FIXABLE = [
    "tfg011_loss_after_block_optimizer",
    "tfg011_keras_loss_object_after_block",
    "tfg011_forward_after_empty_block_tf_function",
    "tfg011_regulariser_added_after",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG011") for n in _FIXABLE}


def _with_result(src: str) -> str:
    # The optimizer case checks the fixed gradients too.
    if "RESULT" not in src:
        src += "RESULT = gradient_status(grads)\n"
    return src


FIXED = {k: _with_result(v) for k, v in FIXED.items()}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


# tensorflow/tensorflow#45234 (round G): a Hessian from two batch_jacobians of one persistent tape, the first taken
# after the block. TF 2.21 (eagerly and in a tf.function): batch_jacobian of an unrecorded target is all zeros,
# gradient and jacobian give None.
CASES += [
    case(
        "tfg011_hessian_second_batch_jacobian_of_unrecorded_first",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(8, activation="tanh"), tf.keras.layers.Dense(3)])
        x = tf.constant(np.random.rand(4, 2).astype("float32"))
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = model(x)
        grads = tape.batch_jacobian(y, x)
        hessian = tape.batch_jacobian(grads, x)  # <- TFG011
        RESULT = gradient_status([hessian])
    """,
    ),
]


# datascience.stackexchange 57878 (held-out round P): the model runs once before the tape on inputs a comprehension
# over itertools builds; the loss inside the block reads only that output, through a list of pairwise norms.
# Comprehension loop variables are the comprehension's own (bound from its iterable), and itertools/random build
# plain Python data: neither hides a model run.
CASES += [
    case(
        "tfg011_model_run_before_tape_on_comprehension_inputs",
        "none",
        """
        import itertools

        import numpy as np
        import tensorflow as tf

        net = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(3, activation="sigmoid")])
        bits = np.array([list(k) for k in itertools.product([0, 1], repeat=2)], dtype=np.float32)
        code = net(bits)
        with tf.GradientTape() as tape:
            distances = []
            for i in range(3):
                for j in range(i + 1, 3):
                    distances.append(tf.linalg.norm(code[i] - code[j]))
            loss = -tf.reduce_min(distances)
        grads = tape.gradient(loss, net.trainable_variables)  # <- TFG011
        RESULT = gradient_status(grads)
    """,
    ),
    # Near-miss: the comprehension's loop variable shadows nothing the slice needs; the model runs inside the
    # block on each comprehension-built row (recorded).
    case(
        "tfg011_ok_model_run_in_tape_on_comprehension_rows",
        "ok",
        """
        import itertools

        import numpy as np
        import tensorflow as tf

        net = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(3, activation="sigmoid")])
        bits = np.array([list(k) for k in itertools.product([0, 1], repeat=2)], dtype=np.float32)
        with tf.GradientTape() as tape:
            codes = [net(bits[k : k + 1]) for k in range(4)]
            loss = -tf.reduce_min([tf.linalg.norm(codes[0] - c) for c in codes[1:]])
        grads = tape.gradient(loss, net.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    # Fixed: the model runs inside the block.
    case(
        "tfg011_fixed_model_run_in_tape_on_comprehension_inputs",
        "ok",
        """
        import itertools

        import numpy as np
        import tensorflow as tf

        net = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(3, activation="sigmoid")])
        bits = np.array([list(k) for k in itertools.product([0, 1], repeat=2)], dtype=np.float32)
        with tf.GradientTape() as tape:
            code = net(bits)
            distances = []
            for i in range(3):
                for j in range(i + 1, 3):
                    distances.append(tf.linalg.norm(code[i] - code[j]))
            loss = -tf.reduce_min(distances)
        grads = tape.gradient(loss, net.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
]


# Gradient accumulation over micro-batches: each loss appended to a list under its own tape, the sum taken after the
# loop; no tape recorded the sum (measured: None for every weight).  Near miss: the sum taken inside the one tape
# that covers the loop, and losses appended as floats for logging only.  Fixed: gradients taken per micro-batch
# and summed.
CASES += [
    case(
        "tfg011_micro_batch_losses_summed_after_the_tapes",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        x = np.random.rand(32, 4).astype("float32")
        y = np.random.rand(32, 1).astype("float32")
        micro_losses = []
        for i in range(4):
            with tf.GradientTape() as tape:
                pred = model(x[i * 8 : (i + 1) * 8])
                micro_losses.append(tf.reduce_mean(tf.square(pred - y[i * 8 : (i + 1) * 8])))
        total = tf.add_n(micro_losses) / 4.0
        grads = tape.gradient(total, model.trainable_variables)  # <- TFG011
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg011_micro_batch_losses_summed_inside_one_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        x = np.random.rand(32, 4).astype("float32")
        y = np.random.rand(32, 1).astype("float32")
        micro_losses = []
        logged = []
        with tf.GradientTape() as tape:
            for i in range(4):
                pred = model(x[i * 8 : (i + 1) * 8])
                micro_losses.append(tf.reduce_mean(tf.square(pred - y[i * 8 : (i + 1) * 8])))
                logged.append(float(micro_losses[-1]))
            total = tf.add_n(micro_losses) / 4.0
        grads = tape.gradient(total, model.trainable_variables)
        mean_logged = sum(logged) / len(logged)
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg011_micro_batch_gradients_accumulated",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        x = np.random.rand(32, 4).astype("float32")
        y = np.random.rand(32, 1).astype("float32")
        accum = [tf.zeros_like(v) for v in model.trainable_variables]
        for i in range(4):
            with tf.GradientTape() as tape:
                pred = model(x[i * 8 : (i + 1) * 8])
                loss = tf.reduce_mean(tf.square(pred - y[i * 8 : (i + 1) * 8])) / 4.0
            grads = tape.gradient(loss, model.trainable_variables)
            accum = [a + g for a, g in zip(accum, grads)]
        RESULT = gradient_status(accum)
        """,
    ),
]


# A source variable the block never reads: only a value computed from it before the block opened is read there
# (`sigma = tf.exp(log_sigma)` before the loop of steps). The tape records from its block on: `None` for
# `log_sigma` while `mu` trains. Near-misses: the same value also read inside the block (a prior on `log_sigma`),
# and a helper run in the block that reads the variable itself; fixed: `sigma` computed inside the block.
CASES += [
    case(
        "tfg011_source_variable_read_only_before_the_tape",
        "none",
        """
        import tensorflow as tf

        mu = tf.Variable(0.0)
        log_sigma = tf.Variable(0.0)
        sigma = tf.exp(log_sigma)
        x = tf.random.normal((64,), seed=1)
        grads = None
        for step in range(3):
            with tf.GradientTape() as tape:
                nll = tf.reduce_mean(tf.math.log(sigma) + 0.5 * tf.square((x - mu) / sigma))
            grads = tape.gradient(nll, [mu, log_sigma])  # <- TFG011
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg011_source_variable_read_only_before_the_tape_in_tf_function",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([[0.5], [0.5]])
        scale = tf.Variable(1.0)

        @tf.function
        def step(x, y):
            w_scaled = w * scale
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, w_scaled) + w[0, 0] - y))
            return tape.gradient(loss, [w, scale])  # <- TFG011

        RESULT = gradient_status(step(tf.ones((4, 2)), tf.zeros((4, 1))))
        """,
    ),
    case(
        "tfg011_ok_source_variable_also_read_inside_the_tape",
        "ok",
        """
        import tensorflow as tf

        mu = tf.Variable(0.0)
        log_sigma = tf.Variable(0.0)
        sigma = tf.exp(log_sigma)
        x = tf.random.normal((64,), seed=1)

        def prior():
            return 0.01 * tf.square(log_sigma - 1.0)

        with tf.GradientTape() as tape:
            nll = tf.reduce_mean(0.5 * tf.square((x - mu) / sigma)) + prior()
        g1 = tape.gradient(nll, [mu, log_sigma])
        with tf.GradientTape() as tape2:
            nll2 = tf.reduce_mean(0.5 * tf.square((x - mu) / sigma)) + 0.01 * log_sigma
        g2 = tape2.gradient(nll2, [mu, log_sigma])
        RESULT = gradient_status(g1) + gradient_status(g2)
        """,
    ),
    # Near-miss: containers and objects made before the block hold the variables themselves; reading them in the
    # block reads the variables (HEAD 8cab799 reported this as a forward pass before the tape).
    case(
        "tfg011_ok_variables_held_in_a_list_and_a_dict_made_before_the_tape",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([[0.5], [0.5]])
        b = tf.Variable(0.0)
        params = [w, b]
        named = {"w": w}
        x = tf.ones((4, 2))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.matmul(x, params[0]) + params[1]) + tf.reduce_sum(named["w"])
        RESULT = gradient_status(tape.gradient(loss, [w, b]))
        """,
    ),
    case(
        "tfg011_source_variable_read_only_before_the_tape_fixed",
        "ok",
        """
        import tensorflow as tf

        mu = tf.Variable(0.0)
        log_sigma = tf.Variable(0.0)
        x = tf.random.normal((64,), seed=1)
        grads = None
        for step in range(3):
            with tf.GradientTape() as tape:
                sigma = tf.exp(log_sigma)
                nll = tf.reduce_mean(tf.math.log(sigma) + 0.5 * tf.square((x - mu) / sigma))
            grads = tape.gradient(nll, [mu, log_sigma])
        RESULT = gradient_status(grads)
        """,
    ),
]


# `with tape.stop_recording():` pauses the tape: a forward pass (or the whole loss) computed in its body is not on
# the tape, so every weight gets `None` (measured under TF 2.21). Near-miss: the pause used as meant, for a target
# network's values and a metric, while the trained model runs recorded.
CASES += [
    case(
        "tfg011_forward_pass_under_stop_recording",
        "none",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
        x = tf.random.normal((8, 3), seed=1)
        y = tf.random.normal((8, 1), seed=2)
        with tf.GradientTape() as tape:
            with tape.stop_recording():
                pred = model(x)
            loss = tf.reduce_mean(tf.square(pred - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))  # <- TFG011
        """,
    ),
    case(
        "tfg011_loss_under_stop_recording",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([[1.0], [2.0]])
        x = tf.ones((4, 2))
        with tf.GradientTape() as tape:
            with tape.stop_recording():
                loss = tf.reduce_sum(tf.matmul(x, w))
        RESULT = gradient_status([tape.gradient(loss, w)])  # <- TFG011
        """,
    ),
    case(
        "tfg011_ok_stop_recording_for_targets_and_metrics",
        "ok",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
        target_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        x = tf.random.normal((8, 3), seed=1)
        with tf.GradientTape() as tape:
            with tape.stop_recording():
                target = 0.9 * target_model(x)
            pred = model(x)
            loss = tf.reduce_mean(tf.square(pred - target))
            with tape.stop_recording():
                mae = tf.reduce_mean(tf.abs(pred - target))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
]


# A method whose tape asks for an encoder's weights, handed the encoder's output by the class's own step
# (keras-io#796, the GauGAN example: `mean, variance = self.encoder(image)` in `train_step`, then
# `train_generator(..., mean, variance)` opens the tape). The caller computed its arguments before the tape
# existed: `None` for every encoder weight (TF 2.21).
_ENC_GEN_HEAD = """
import tensorflow as tf
import keras


def build_encoder():
    x = keras.Input((6,))
    return keras.Model(x, keras.layers.Dense(2)(x))


def build_decoder():
    z = keras.Input((2,))
    return keras.Model(z, keras.layers.Dense(6)(z))


def build_critic(encoder):
    x = keras.Input((6,))
    return keras.Model(x, keras.layers.Dense(1)(encoder(x)))
"""

CASES += [
    case(
        "tfg011_encoder_output_handed_to_the_method_that_opens_the_tape",
        "none",
        _ENC_GEN_HEAD
        + """

class VAE(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = build_encoder()
        self.decoder = build_decoder()

    def generator_step(self, x, mean):
        with tf.GradientTape() as tape:
            recon = self.decoder(mean)
            loss = tf.reduce_mean(tf.square(recon - x)) + 0.1 * tf.reduce_mean(tf.square(mean))
        all_vars = self.decoder.trainable_variables + self.encoder.trainable_variables
        return tape.gradient(loss, all_vars)  # <- TFG011

    def step(self, x):
        mean = self.encoder(x)
        return self.generator_step(x, mean)


RESULT = gradient_status(VAE().step(tf.random.normal((4, 6), seed=1)))
""",
    ),
    case(
        "tfg011_ok_encoder_model_handed_to_the_method_that_runs_it_in_the_tape",
        "ok",
        _ENC_GEN_HEAD
        + """

class VAE(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = build_encoder()
        self.decoder = build_decoder()

    def generator_step(self, x, encoder):
        with tf.GradientTape() as tape:
            mean = encoder(x)
            loss = tf.reduce_mean(tf.square(self.decoder(mean) - x))
        all_vars = self.decoder.trainable_variables + self.encoder.trainable_variables
        return tape.gradient(loss, all_vars)

    def step(self, x):
        return self.generator_step(x, self.encoder)


RESULT = gradient_status(VAE().step(tf.random.normal((4, 6), seed=1)))
""",
    ),
    case(
        "tfg011_ok_critic_built_by_a_factory_handed_the_encoder",
        "ok",
        _ENC_GEN_HEAD
        + """

class GAN(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = build_encoder()
        self.critic = build_critic(self.encoder)

    def critic_step(self, x, noise):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(self.critic(x + noise))
        return tape.gradient(loss, self.encoder.trainable_variables)

    def step(self, x):
        noise = 0.1 * tf.random.normal(tf.shape(x), seed=2)
        return self.critic_step(x, noise)


RESULT = gradient_status(GAN().step(tf.random.normal((4, 6), seed=1)))
""",
    ),
    case(
        "tfg011_encoder_output_handed_to_the_method_that_opens_the_tape__fixed",
        "ok",
        _ENC_GEN_HEAD
        + """

class VAE(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = build_encoder()
        self.decoder = build_decoder()

    def generator_step(self, x):
        with tf.GradientTape() as tape:
            mean = self.encoder(x)
            recon = self.decoder(mean)
            loss = tf.reduce_mean(tf.square(recon - x)) + 0.1 * tf.reduce_mean(tf.square(mean))
        all_vars = self.decoder.trainable_variables + self.encoder.trainable_variables
        return tape.gradient(loss, all_vars)

    def step(self, x):
        return self.generator_step(x)


RESULT = gradient_status(VAE().step(tf.random.normal((4, 6), seed=1)))
""",
    ),
]


# A MAML inner loop: the weight list is read before the inner tape opens, and the functional forward pass that uses
# those variables runs inside it, so the inner tape records them (TF 2.21: every gradient ok). Reading
# `model.trainable_variables` is not a run of the model.
CASES += [
    case(
        "tfg011_ok_maml_weight_list_read_before_the_inner_tape",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])


        def forward(x, params):
            w1, b1, w2, b2 = params
            return tf.nn.relu(x @ w1 + b1) @ w2 + b2


        x_s = tf.random.normal((10, 1))
        x_q = tf.random.normal((10, 1))
        with tf.GradientTape() as outer:
            params = model.trainable_variables
            with tf.GradientTape() as inner:
                inner_loss = tf.reduce_mean((forward(x_s, params) - tf.sin(x_s)) ** 2)
            g = inner.gradient(inner_loss, params)
            fast = [p - 0.01 * gi for p, gi in zip(params, g)]
            outer_loss = tf.reduce_mean((forward(x_q, fast) - tf.sin(x_q)) ** 2)
        RESULT = gradient_status(g + outer.gradient(outer_loss, model.trainable_variables))
        """,
    ),
]


# The keras.io GAN train_step: images generated before both tapes, the discriminator (handed to __init__) run on them
# inside its tape (TF 2.21: its gradients exist), while the generator step reuses them (None for every generator
# weight, `No gradients provided`). Only the generator step is reported; generating inside its tape is the fix.
_GAN = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

discriminator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])


class GAN(keras.Model):
    def __init__(self, discriminator, generator):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator

    def step(self, real):
        z = tf.random.normal((4, 2))
        fake = self.generator(z)
        with tf.GradientTape() as tape:
            d_loss = tf.reduce_mean(self.discriminator(fake) ** 2) - tf.reduce_mean(self.discriminator(real))
        d_grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        with tf.GradientTape() as tape:
{gen}
            g_loss = -tf.reduce_mean(self.discriminator(fake))
        g_grads = tape.gradient(g_loss, self.generator.trainable_weights){mark}
        return d_grads + g_grads


RESULT = gradient_status(GAN(discriminator, generator).step(np.random.rand(4, 4).astype("float32")))
"""
CASES += [
    case(
        "tfg011_keras_gan_generator_step_reuses_images_made_before_its_tape",
        "none",
        _GAN.format(gen="            pass", mark="  # <- TFG011"),
    ),
    case(
        "tfg011_keras_gan_generator_step_generates_in_its_tape_fixed",
        "ok",
        _GAN.format(gen="            fake = self.generator(z)", mark=""),
    ),
]

# An input derivative (PINN residual) taken under the loss tape from outputs a first tape computed before the loss
# tape opened: the loss reaches the weights only through values computed before the block (TF 2.21: None for every
# weight). Running the forward pass inside the loss tape is the fix.
_JAC = """
import numpy as np
import tensorflow as tf

net = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(4, activation="tanh"), tf.keras.layers.Dense(2)])
t = tf.constant(np.linspace(0, 1, 8)[:, None], tf.float32)
{before}
    with tf.GradientTape() as g:
        g.watch(t)
        y = net(t)
{after}
    dy_dt = g.gradient(y, t)
    residual = dy_dt - y[:, 1:2]
    loss = tf.reduce_mean(tf.square(residual))
grads = tape.gradient(loss, net.trainable_variables){mark}
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg011_input_gradient_in_loss_tape_of_outputs_computed_before_it",
        "none",
        _JAC.format(before="if True:", after="with tf.GradientTape() as tape:", mark="  # <- TFG011"),
    ),
    case(
        "tfg011_input_gradient_of_outputs_computed_in_loss_tape_fixed",
        "ok",
        _JAC.format(before="with tf.GradientTape() as tape:", after="    pass", mark=""),
    ),
]

# A Keras VAE whose train_step runs the handed-in encoder before the tape and the decoder inside it, with the
# gradient taken for self.trainable_weights (TF 2.21 under fit: "Gradients do not exist" for the encoder, which
# never changes). Quiet when the encoder runs in the block (the fix), and when the sub-model run in the block is
# built from the encoder's graph (it runs the encoder's layers).
_VAE = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

enc_in = keras.Input((4,))
h = keras.layers.Dense(2)(enc_in)
encoder = keras.Model(enc_in, h)
dec_in = keras.Input((2,))
decoder = keras.Model(dec_in, keras.layers.Dense(4)(dec_in))
{extra}

class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def train_step(self, data):
{body}
            loss = tf.reduce_mean(tf.square(data - self.decoder(z)))
        grads = tape.gradient(loss, self.trainable_weights){mark}
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {{"loss": loss}}


vae = VAE(encoder, {second})
vae.compile(optimizer=keras.optimizers.SGD(0.1))
before = [w.numpy().copy() for w in encoder.trainable_weights]
vae.fit(np.random.rand(16, 4).astype("float32"), epochs=1, batch_size=8, verbose=0)
RESULT = ["ok" if not np.allclose(b, w.numpy()) else "zero" for b, w in zip(before, encoder.trainable_weights)]
"""
_BEFORE = "        z = self.encoder(data)\n        with tf.GradientTape() as tape:"
_INSIDE = "        with tf.GradientTape() as tape:\n            z = self.encoder(data)"
CASES += [
    case(
        "tfg011_train_step_handed_in_encoder_run_before_tape",
        "zero",
        _VAE.format(extra="", body=_BEFORE, mark="  # <- TFG011", second="decoder"),
    ),
    case(
        "tfg011_train_step_handed_in_encoder_run_in_tape_fixed",
        "ok",
        _VAE.format(extra="", body=_INSIDE, mark="", second="decoder"),
    ),
    case(
        "tfg011_ok_train_step_encoder_before_tape_second_model_built_on_it",
        "ok",
        _VAE.format(
            extra="full = keras.Model(enc_in, decoder(h))",
            body=_BEFORE.replace("z = self.encoder(data)", "z = self.encoder(data)\n        x = data"),
            mark="",
            second="full",
        ).replace("self.decoder(z)))", "self.decoder(x))) + 0.01 * tf.reduce_mean(tf.square(z))"),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG011"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG011"]


def test_fix_indents_the_statements_into_the_block():
    src = FIXED["tfg011_keras_loss_object_after_block__fixed"]
    assert "        logits = model(x, training=True)\n        loss = loss_fn(y, logits)\n    grads =" in src


def test_no_fix_when_the_target_is_built_in_the_call():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg011_target_expression_in_call")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG011"]
    assert f.fix_data is None


def test_batch_jacobian_of_unrecorded_target_is_zeros_not_none():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg011_hessian_second_batch_jacobian_of_unrecorded_first")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG011"]
    assert "all zeros" in f.message and "No gradients provided" not in f.message
