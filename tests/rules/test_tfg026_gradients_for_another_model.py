"""TFG026 gradients-for-another-model: gradients for a model the loss never ran, or applied to another model."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg026_actor_gradient_of_a_critic_only_loss",
        "none",
        """
        import tensorflow as tf

        actor = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])
        critic = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        actor.build((None, 4))
        critic.build((None, 4))
        states = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            values = critic(states)
            actor_loss = -tf.reduce_mean(values)
        grads = tape.gradient(actor_loss, actor.trainable_variables)  # <- TFG026
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg026_critic_fed_the_actor_output",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        actor = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])
        critic = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        states = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            actions = actor(states)
            values = critic(tf.concat([states, actions], axis=-1))
            actor_loss = -tf.reduce_mean(values)
        grads = tape.gradient(actor_loss, actor.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg026_actor_run_inside_a_helper_function",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        actor = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])
        critic = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])


        def q_of_policy(s):
            return critic(tf.concat([s, actor(s)], axis=-1))


        states = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            actor_loss = -tf.reduce_mean(q_of_policy(states))
        grads = tape.gradient(actor_loss, actor.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg026_loss_from_the_layers_the_model_holds",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        dense1 = tf.keras.layers.Dense(8, activation="relu")
        dense2 = tf.keras.layers.Dense(1)
        model = tf.keras.Sequential([dense1, dense2])
        model.build((None, 4))
        x = tf.random.normal((8, 4))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(dense2(dense1(x)) - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg026_loss_from_a_model_holding_the_encoder",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        encoder = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu")])
        head = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        full = tf.keras.Sequential([encoder, head])
        x = tf.random.normal((8, 4))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(full(x) - y))
        RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables))
    """,
    ),
    case(
        "tfg026_head_gradients_zipped_with_encoder_variables",
        "raises:InvalidArgumentError",
        """
        import tensorflow as tf

        encoder = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu")])
        head = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        encoder.build((None, 4))
        head.build((None, 8))
        opt = tf.keras.optimizers.Adam(1e-3)
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(head(encoder(x)) - y))
        grads = tape.gradient(loss, head.trainable_variables)
        opt.apply_gradients(zip(grads, encoder.trainable_variables))  # <- TFG026
    """,
    ),
    case(
        "tfg026_gradients_zipped_with_their_own_variables",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        encoder = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu")])
        head = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.Adam(1e-3)
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(head(encoder(x)) - y))
        grads = tape.gradient(loss, head.trainable_variables)
        opt.apply_gradients(zip(grads, head.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    # keras-team/keras#10819: the VAE loss reduced to the KL term: the decoder runs under the tape, its output
    # never reaches the loss, and its weights are among `self.trainable_weights`.
    case(
        "tfg026_vae_loss_without_the_decoder_term",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class VAE(keras.Model):
            def __init__(self):
                super().__init__()
                self.encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
                self.decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])

            def gradients(self, data):
                with tf.GradientTape() as tape:
                    h = self.encoder(data)
                    z_mean, z_log_var = h[:, :2], h[:, 2:]
                    reconstruction = self.decoder(z_mean)
                    reconstruction_loss = tf.reduce_mean(tf.square(data - reconstruction))
                    kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
                    vae_loss = tf.reduce_mean(kl_loss)
                return tape.gradient(vae_loss, self.trainable_weights)  # <- TFG026

        RESULT = gradient_status(VAE().gradients(np.linspace(0.1, 0.8, 8, dtype=np.float32).reshape(2, 4)))
    """,
    ),
    case(
        "tfg026_ok_vae_loss_with_the_reconstruction_term",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class VAE(keras.Model):
            def __init__(self):
                super().__init__()
                self.encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
                self.decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])

            def gradients(self, data):
                with tf.GradientTape() as tape:
                    h = self.encoder(data)
                    z_mean, z_log_var = h[:, :2], h[:, 2:]
                    reconstruction = self.decoder(z_mean)
                    reconstruction_loss = tf.reduce_mean(tf.square(data - reconstruction))
                    kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
                    vae_loss = reconstruction_loss + tf.reduce_mean(kl_loss)
                return tape.gradient(vae_loss, self.trainable_weights)

        RESULT = gradient_status(VAE().gradients(np.linspace(0.1, 0.8, 8, dtype=np.float32).reshape(2, 4)))
    """,
    ),
    # The keras-io shape of the same VAE: encoder and decoder models handed to the constructor.
    case(
        "tfg026_vae_models_passed_to_constructor_loss_without_decoder",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
        decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])

        class VAE(keras.Model):
            def __init__(self, encoder, decoder):
                super().__init__()
                self.encoder = encoder
                self.decoder = decoder

            def gradients(self, data):
                with tf.GradientTape() as tape:
                    h = self.encoder(data)
                    reconstruction = self.decoder(h[:, :2])
                    reconstruction_loss = tf.reduce_mean(tf.square(data - reconstruction))
                    vae_loss = tf.reduce_mean(tf.square(h))
                return tape.gradient(vae_loss, self.trainable_weights)  # <- TFG026

        vae = VAE(encoder, decoder)
        RESULT = gradient_status(vae.gradients(np.linspace(0.1, 0.8, 8, dtype=np.float32).reshape(2, 4)))
    """,
    ),
    case(
        "tfg026_ok_vae_models_passed_to_constructor_full_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])
        decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])

        class VAE(keras.Model):
            def __init__(self, encoder, decoder):
                super().__init__()
                self.encoder = encoder
                self.decoder = decoder

            def gradients(self, data):
                with tf.GradientTape() as tape:
                    h = self.encoder(data)
                    reconstruction = self.decoder(h[:, :2])
                    reconstruction_loss = tf.reduce_mean(tf.square(data - reconstruction))
                    vae_loss = reconstruction_loss + tf.reduce_mean(tf.square(h))
                return tape.gradient(vae_loss, self.trainable_weights)

        vae = VAE(encoder, decoder)
        RESULT = gradient_status(vae.gradients(np.linspace(0.1, 0.8, 8, dtype=np.float32).reshape(2, 4)))
    """,
    ),
    # Held-out round C (tensorflow#34335): first-order MAML applies the gradients of a weight copy of the meta
    # model (set_weights(get_weights()) in a helper) to the meta model on purpose; the shapes match and TF trains.
    case(
        "tfg026_first_order_maml_copy_gradients_applied_to_meta_model",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def make_model():
            return keras.Sequential([keras.layers.Dense(5, activation="relu"), keras.layers.Dense(1)])

        def copy_model(model, x):
            copied = make_model()
            copied(x)
            copied.set_weights(model.get_weights())
            return copied

        x = np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(8, 1)
        y = np.sin(x)
        meta_model = make_model()
        meta_model(x)
        model_copy = copy_model(meta_model, x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - model_copy(x)))
        grads = tape.gradient(loss, model_copy.trainable_variables)
        keras.optimizers.SGD(0.01).apply_gradients(zip(grads, meta_model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    # Issue 10 (tensorflow#34335, second-order MAML as reported): a helper that only copies its model parameter's
    # weights (get_weights) does not run it; the outer loss runs the copy only, so the meta model gets None.
    case(
        "tfg026_helper_copies_weights_of_meta_model_only",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def make_model():
            return keras.Sequential([keras.layers.Dense(5, activation="relu"), keras.layers.Dense(1)])

        def copy_model(model, x):
            copied = make_model()
            copied(x)
            copied.set_weights(model.get_weights())
            return copied

        def compute_loss(model, x, y):
            return tf.reduce_mean(tf.square(y - model(x)))

        x = np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(8, 1)
        y = np.sin(x)
        meta_model = make_model()
        meta_model(x)
        with tf.GradientTape() as tape:
            model_copy = copy_model(meta_model, x)
            loss = compute_loss(model_copy, x, y)
        grads = tape.gradient(loss, meta_model.trainable_variables)  # <- TFG026
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg026_helper_runs_its_model_parameter",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def make_model():
            return keras.Sequential([keras.layers.Dense(5, activation="relu"), keras.layers.Dense(1)])

        def predict_and_copy(model, x):
            out = model(x)
            copied = make_model()
            copied(x)
            copied.set_weights(model.get_weights())
            return out, copied

        def compute_loss(pred, y):
            return tf.reduce_mean(tf.square(y - pred))

        x = np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(8, 1)
        y = np.sin(x)
        meta_model = make_model()
        meta_model(x)
        with tf.GradientTape() as tape:
            pred, model_copy = predict_and_copy(meta_model, x)
            loss = compute_loss(pred, y)
        grads = tape.gradient(loss, meta_model.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    # Issue 10 (engine: per-function summaries beyond module functions). A GAN's generator loss computed by a
    # method of a base class of this module that runs only the discriminator on real data: the generator never
    # runs, its gradients are all None.
    case(
        "tfg026_gan_loss_method_of_base_class_runs_only_discriminator",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        class GANBase(keras.Model):
            def critic_score(self, images):
                return tf.reduce_mean(self.discriminator(images))

        class GAN(GANBase):
            def __init__(self):
                super().__init__()
                self.generator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
                self.discriminator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])

            def generator_step(self, real, z):
                with tf.GradientTape() as tape:
                    g_loss = -self.critic_score(real)
                return tape.gradient(g_loss, self.generator.trainable_variables)  # <- TFG026

        gan = GAN()
        gan.generator.build((None, 2))
        gan.discriminator.build((None, 3))
        RESULT = gradient_status(gan.generator_step(tf.random.normal((8, 3)), tf.random.normal((8, 2))))
    """,
    ),
    case(
        "tfg026_gan_loss_method_runs_the_generator",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        tf.random.set_seed(0)

        class GAN(keras.Model):
            def __init__(self):
                super().__init__()
                self.generator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
                self.discriminator = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])

            def fake_score(self, z):
                fake = self.generator(z, training=True)
                return tf.reduce_mean(self.discriminator(fake))

            def generator_step(self, z):
                with tf.GradientTape() as tape:
                    g_loss = -self.fake_score(z)
                return tape.gradient(g_loss, self.generator.trainable_variables)

        gan = GAN()
        RESULT = gradient_status(gan.generator_step(tf.random.normal((8, 2))))
    """,
    ),
    # A helper method that only copies its model parameter's weights into a fresh model and runs the copy (MAML
    # inside a class): the outer loss never runs the meta model.
    case(
        "tfg026_helper_method_runs_a_weight_copy_of_the_meta_model",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def make_model():
            return keras.Sequential([keras.layers.Dense(5, activation="relu"), keras.layers.Dense(1)])

        class MetaLearner:
            def __init__(self, x):
                self.meta_model = make_model()
                self.meta_model(x)

            def predict_with_copy(self, model, x):
                copied = make_model()
                copied(x)
                copied.set_weights(model.get_weights())
                return copied(x)

            def outer_step(self, x, y):
                with tf.GradientTape() as tape:
                    pred = self.predict_with_copy(self.meta_model, x)
                    loss = tf.reduce_mean(tf.square(y - pred))
                return tape.gradient(loss, self.meta_model.trainable_variables)  # <- TFG026

        x = np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(8, 1)
        learner = MetaLearner(x)
        RESULT = gradient_status(learner.outer_step(x, np.sin(x)))
    """,
    ),
    case(
        "tfg026_helper_method_runs_its_model_parameter",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        tf.random.set_seed(0)

        def make_model():
            return keras.Sequential([keras.layers.Dense(5, activation="relu"), keras.layers.Dense(1)])

        class MetaLearner:
            def __init__(self, x):
                self.meta_model = make_model()
                self.meta_model(x)
                self.backup = make_model()
                self.backup(x)

            def predict_and_back_up(self, model, x):
                self.backup.set_weights(model.get_weights())
                return model(x)

            def outer_step(self, x, y):
                with tf.GradientTape() as tape:
                    pred = self.predict_and_back_up(self.meta_model, x)
                    loss = tf.reduce_mean(tf.square(y - pred))
                return tape.gradient(loss, self.meta_model.trainable_variables)

        x = np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(8, 1)
        learner = MetaLearner(x)
        RESULT = gradient_status(learner.outer_step(x, np.sin(x)))
    """,
    ),
    # A nested `def loss_fn()` / a `loss = lambda: ...` reading a prediction the tape recorded: the closure is
    # followed to the captured value (before: TFG026 claimed the loss never ran the model).
    case(
        "tfg026_nested_loss_fn_reads_a_taped_prediction",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))

        def train_step(x, y):
            with tf.GradientTape() as tape:
                pred = model(x, training=True)

                def loss_fn():
                    return tf.reduce_mean(tf.square(pred - y))

                loss = loss_fn()
            return tape.gradient(loss, model.trainable_variables)

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
    case(
        "tfg026_lambda_loss_reads_a_taped_prediction",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))

        def train_step(x, y):
            with tf.GradientTape() as tape:
                pred = model(x, training=True)
                loss_fn = lambda: tf.reduce_mean(tf.square(pred - y))
                loss = loss_fn()
            return tape.gradient(loss, model.trainable_variables)

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
    case(
        "tfg026_lambda_loss_runs_only_the_other_model",
        "none",
        """
        import tensorflow as tf

        actor = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])
        critic = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
        actor.build((None, 4))
        states = tf.random.normal((8, 4))

        def actor_step(states):
            critic_value = lambda s: critic(s)
            with tf.GradientTape() as tape:
                actor_loss = -tf.reduce_mean(critic_value(states))
            return tape.gradient(actor_loss, actor.trainable_variables)  # <- TFG026

        RESULT = gradient_status(actor_step(states))
    """,
    ),
    # The loss helper reads `self.out`, which another method set from the model under the tape: state left on
    # `self` by a step is not followed (silent; TF 2.21 trains every weight).
    case(
        "tfg026_loss_method_reads_state_another_method_set",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)

        class Agent:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])

            def forward(self, x):
                self.out = self.model(x)

            def loss(self, y):
                return tf.reduce_mean(tf.square(self.out - y))

            def step(self, x, y):
                with tf.GradientTape() as tape:
                    self.forward(x)
                    value = self.loss(y)
                return tape.gradient(value, self.model.trainable_variables)

        agent = Agent()
        RESULT = gradient_status(agent.step(tf.random.normal((8, 3)), tf.random.normal((8, 1))))
    """,
    ),
]


# Issue 10 (engine: a Keras model calling itself): `self(x)` in a train_step runs the class's `call`, which reads only
# some of its sub-models; the gradient taken for another one is None for every variable.
CASES += [
    case(
        "tfg026_train_step_self_call_runs_student_gradient_for_teacher",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Distiller(keras.Model):
            def __init__(self):
                super().__init__()
                self.student = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
                self.teacher = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3)])

            def call(self, x):
                return self.student(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = self(x, training=True)
                    loss = tf.reduce_mean(tf.square(y_pred[:, 0] - y))
                grads = tape.gradient(loss, self.teacher.trainable_variables)  # <- TFG026
                self.optimizer.apply_gradients(zip(grads, self.teacher.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Distiller()
        model.teacher(x[:1])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg026_ok_train_step_self_call_gradient_for_student",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Distiller(keras.Model):
            def __init__(self):
                super().__init__()
                self.student = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
                self.teacher = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3)])

            def call(self, x):
                return self.student(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = self(x, training=True)
                    loss = tf.reduce_mean(tf.square(y_pred[:, 0] - y))
                grads = tape.gradient(loss, self.student.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.student.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Distiller()
        model.teacher(x[:1])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg026_ok_train_step_self_call_reads_teacher_through_a_method",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Distiller(keras.Model):
            def __init__(self):
                super().__init__()
                self.student = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
                self.teacher = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3)])

            def features(self, x):
                return self.teacher(x)

            def call(self, x):
                return self.student(x) + 0.1 * self.features(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    y_pred = self(x, training=True)
                    loss = tf.reduce_mean(tf.square(y_pred[:, 0] - y))
                grads = tape.gradient(loss, self.teacher.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.teacher.trainable_variables))
                return {"loss": loss}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Distiller()
        model.teacher(x[:1])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
]


# Issue 10 (engine): `self.<attr>` set by a method the step calls (`self.scores = self.critic(x)` in `score`) is
# followed into that method: scores of the real batch only (None x4 for the generator) or of generated samples.
CASES += [
    case(
        "tfg026_score_method_sets_self_attr_from_critic_only",
        "none",
        """
        import tensorflow as tf

        class GAN:
            def __init__(self):
                self.generator = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(3)])
                self.critic = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])

            def score(self, x):
                self.scores = self.critic(x)

            def gen_loss(self):
                return -tf.reduce_mean(self.scores)

            def step(self, real, z):
                with tf.GradientTape() as tape:
                    self.score(real)
                    value = self.gen_loss()
                return tape.gradient(value, self.generator.trainable_variables)  # <- TFG026

        gan = GAN()
        gan.generator(tf.zeros((1, 2)))
        RESULT = gradient_status(gan.step(tf.random.normal((8, 3)), tf.random.normal((8, 2))))
    """,
    ),
    case(
        "tfg026_score_method_sets_self_attr_from_generated_samples",
        "ok",
        """
        import tensorflow as tf

        class GAN:
            def __init__(self):
                self.generator = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(3)])
                self.critic = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])

            def score(self, z):
                self.scores = self.critic(self.generator(z))

            def gen_loss(self):
                return -tf.reduce_mean(self.scores)

            def step(self, real, z):
                with tf.GradientTape() as tape:
                    self.score(z)
                    value = self.gen_loss()
                return tape.gradient(value, self.generator.trainable_variables)

        gan = GAN()
        RESULT = gradient_status(gan.step(tf.random.normal((8, 3)), tf.random.normal((8, 2))))
    """,
    ),
]


# Two models made by the same factory function are two objects: a DQN whose loss takes its Q-values from the target
# network gives None for every Q-network weight.  Near misses: a factory that hands back one module-level model
# (the same object each time), and a MAML step that writes into a second factory-made model under the tape
# (TFG012's finding there).  Fixed: the Q-values from the Q-network.
_DQN = """
import numpy as np
import tensorflow as tf
import keras


def make_q():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)])


q_net = make_q()
target_net = make_q()
target_net.set_weights(q_net.get_weights())
s = np.random.rand(8, 4).astype("float32")
a = np.random.randint(0, 2, size=(8,))
s2 = np.random.rand(8, 4).astype("float32")
target = 1.0 + 0.99 * tf.reduce_max(target_net(s2), axis=1)
with tf.GradientTape() as tape:
    q = tf.reduce_sum(QNET(s) * tf.one_hot(a, 2), axis=1)
    loss = tf.reduce_mean(tf.square(target - q))
grads = tape.gradient(loss, q_net.trainable_variables)  MARK
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg026_dqn_q_values_from_factory_made_target_network",
        "none",
        _DQN.replace("QNET", "target_net").replace("MARK", "# <- TFG026"),
    ),
    case("tfg026_dqn_q_values_from_factory_made_q_network", "ok", _DQN.replace("QNET", "q_net").replace("  MARK", "")),
    case(
        "tfg026_factory_returns_one_shared_model",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        _shared = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])


        def get_model():
            return _shared


        model = get_model()
        alias = get_model()
        x = np.random.rand(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(alias(x)))
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg026_maml_assign_into_second_factory_model_left_to_tfg012",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras


        def make_model():
            return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])


        model = make_model()
        updated = make_model()
        x = np.random.rand(8, 4).astype("float32")
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                train_loss = tf.reduce_mean(tf.square(model(x)))
            grads = inner.gradient(train_loss, model.trainable_variables)
            for new_w, w, g in zip(updated.trainable_variables, model.trainable_variables, grads):
                new_w.assign(w - 0.01 * g)
            val_loss = tf.reduce_mean(tf.square(updated(x)))
        meta = outer.gradient(val_loss, model.trainable_variables)
        RESULT = gradient_status(meta)
        """,
    ),
]

# DDPG: the actor and its target made by one factory that reads module constants (`state_dim = 3`), the actor loss
# running the target actor (TF 2.21: None for every actor weight). A module name bound only to a literal holds no
# model, so it does not tie the two together; the loss running the actor itself is the fix.
_DDPG = """
import numpy as np
import tensorflow as tf

state_dim, action_dim = 3, 1


def get_actor():
    inp = tf.keras.layers.Input(shape=(state_dim,))
    return tf.keras.Model(inp, tf.keras.layers.Dense(action_dim, activation="tanh")(inp))


def get_critic():
    s = tf.keras.layers.Input(shape=(state_dim,))
    a = tf.keras.layers.Input(shape=(action_dim,))
    x = tf.keras.layers.Concatenate()([s, a])
    return tf.keras.Model([s, a], tf.keras.layers.Dense(1)(x))


actor_model = get_actor()
target_actor = get_actor()
critic_model = get_critic()
target_actor.set_weights(actor_model.get_weights())
states = tf.constant(np.ones((4, state_dim), "float32"))
with tf.GradientTape() as tape:
    actions = {runs}(states, training=True)
    actor_loss = -tf.reduce_mean(critic_model([states, actions], training=True))
grads = tape.gradient(actor_loss, actor_model.trainable_variables){mark}
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg026_ddpg_actor_loss_runs_target_actor_of_same_factory",
        "none",
        _DDPG.format(runs="target_actor", mark="  # <- TFG026"),
    ),
    case("tfg026_ddpg_actor_loss_runs_actor_fixed", "ok", _DDPG.format(runs="actor_model", mark="")),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG026"}) == c.expected
