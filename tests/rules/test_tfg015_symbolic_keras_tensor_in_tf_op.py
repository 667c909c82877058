"""TFG015 symbolic-keras-tensor-in-tf-op: Keras 3 refuses symbolic Keras tensors in TensorFlow functions."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

# Appended to the cases that build `model`: every trainable variable must get a gradient once it is fixed.
_TRAIN = """
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
"""

CASES = [
    case(
        "tfg015_reduce_sum_on_input",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        h = keras.layers.Dense(3)(inp)
        total = tf.reduce_sum(inp, axis=1, keepdims=True)  # <- TFG015
        model = keras.Model(inp, keras.layers.Concatenate()([h, total]))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_relu_on_layer_output",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inputs = keras.Input(shape=(4,))
        x = keras.layers.Dense(8)(inputs)
        x = tf.nn.relu(x)  # <- TFG015
        outputs = keras.layers.Dense(1)(x)
        model = keras.Model(inputs, outputs)
    """
        + _TRAIN,
    ),
    case(
        "tfg015_concat_two_inputs",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers

        keras.utils.set_random_seed(0)
        left = layers.Input((2,))
        right = layers.Input((2,))
        merged = tf.concat([left, right], axis=-1)  # <- TFG015
        model = keras.Model([left, right], layers.Dense(1)(merged))
        a, b = tf.random.normal((8, 2)), tf.random.normal((8, 2))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model([a, b]) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg015_model_outputs_softmax",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        logits = keras.layers.Dense(3)(keras.layers.Dense(8, activation="relu")(inp))
        base = keras.Model(inp, logits)
        probs = tf.nn.softmax(base.outputs[0])  # <- TFG015
        model = keras.Model(base.inputs, probs)
    """
        + _TRAIN,
    ),
    case(
        "tfg015_tf_keras_input_only_tf_imported",
        "raises:ValueError",
        """
        import tensorflow as tf

        tf.keras.utils.set_random_seed(0)
        inp = tf.keras.Input(shape=(4,))
        h = tf.keras.layers.Dense(4, activation="relu")(inp)
        h = tf.math.log(h + 1.0)  # <- TFG015
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(h))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_helper_block_applied_to_input",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        def block(t, units):
            t = keras.layers.Dense(units)(t)
            return tf.tanh(t)  # <- TFG015

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        model = keras.Model(inp, keras.layers.Dense(1)(block(inp, 8)))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_vae_sampling_function",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        def sampling(args):
            mean, log_var = args
            eps = tf.random.normal(tf.shape(mean))  # <- TFG015
            return mean + tf.exp(0.5 * log_var) * eps  # <- TFG015

        inp = keras.Input((4,))
        z_mean = keras.layers.Dense(2)(inp)
        z_log_var = keras.layers.Dense(2)(inp)
        z = sampling([z_mean, z_log_var])
        encoder = keras.Model(inp, z)
    """,
    ),
    case(
        "tfg015_loss_closure_captures_input",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((4,))
        out = keras.layers.Dense(1)(inp)
        model = keras.Model(inp, out)

        def penalised_mse(y_true, y_pred):
            return tf.reduce_mean(tf.square(y_true - y_pred)) + 0.01 * tf.reduce_mean(tf.square(inp))  # <- TFG015

        model.compile(optimizer="adam", loss=penalised_mse)
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg015_loss_factory_closure",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def vae_loss(z_mean, z_log_var):
            def loss(y_true, y_pred):
                recon = tf.reduce_mean(tf.square(y_true - y_pred))
                kl = -0.5 * tf.reduce_mean(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))  # <- TFG015
                return recon + kl

            return loss

        inp = keras.Input((4,))
        z_mean = keras.layers.Dense(2)(inp)
        z_log_var = keras.layers.Dense(2)(inp)
        model = keras.Model(inp, keras.layers.Dense(4)(z_mean))
        model.compile(optimizer="adam", loss=vae_loss(z_mean, z_log_var))
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 4), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg015_gradient_wrt_model_inputs",
        "raises:AttributeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((4,))
        model = keras.Model(inp, keras.layers.Dense(1)(inp))
        x = tf.random.normal((2, 4))
        with tf.GradientTape() as tape:
            y = model(x)
        saliency = tape.gradient(y, model.inputs)  # <- TFG015
    """,
    ),
    case(
        "tfg015_watch_model_inputs",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((4,))
        model = keras.Model(inp, keras.layers.Dense(1)(inp))
        x = tf.random.normal((2, 4))
        with tf.GradientTape() as tape:
            tape.watch(model.inputs)  # <- TFG015
            y = model(x)
        saliency = tape.gradient(y, model.inputs)  # <- TFG015
    """,
    ),
    # ----- near misses: TF runs them
    case(
        "tfg015_ok_keras_ops_and_operators",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        h = keras.layers.Dense(8)(inp)
        h = keras.ops.tanh(h) * 2.0 + 1.0
        total = keras.ops.sum(inp, axis=1, keepdims=True)
        model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Concatenate()([h, total])))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_ok_lambda_layer_wraps_tf_op",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        h = keras.layers.Dense(8)(inp)
        h = keras.layers.Lambda(lambda t: tf.nn.relu(t) + tf.reduce_mean(t, axis=1, keepdims=True))(h)
        model = keras.Model(inp, keras.layers.Dense(1)(h))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_ok_tf_ops_in_layer_call",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        class L2Normalize(keras.layers.Layer):
            def call(self, x):
                return tf.math.l2_normalize(x, axis=-1) * tf.cast(tf.shape(x)[-1], x.dtype)

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        h = L2Normalize()(keras.layers.Dense(8)(inp))
        model = keras.Model(inp, keras.layers.Dense(1)(h))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_ok_input_name_rebound_to_batch",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        x = keras.Input((4,))
        model = keras.Model(x, keras.layers.Dense(1)(x))
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_mean(tf.square(model(x) * x))
        RESULT = gradient_status(tape.gradient(loss, [x] + model.trainable_variables))
    """,
    ),
    case(
        "tfg015_ok_tf_on_model_called_eagerly",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        conv_out = keras.layers.Dense(6, activation="relu", name="features")(inp)
        model = keras.Model(inp, keras.layers.Dense(2)(conv_out))
        grad_model = keras.Model(model.inputs, [model.get_layer("features").output, model.output])
        image = tf.random.normal((1, 4))
        with tf.GradientTape() as tape:
            features, preds = grad_model(image)
            score = tf.reduce_sum(preds[:, 0])
        RESULT = gradient_status([tape.gradient(score, features)])
    """,
    ),
    case(
        "tfg015_ok_shape_and_print",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        tf.print(inp)
        zeros = tf.zeros((inp.shape[-1],))
        model = keras.Model(inp, keras.layers.Dense(1)(inp))
    """
        + _TRAIN,
    ),
    case(
        "tfg015_ok_loss_closure_without_capture",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((4,))
        model = keras.Model(inp, keras.layers.Dense(1)(inp))
        weight = 0.5

        def weighted_mse(y_true, y_pred):
            return weight * tf.reduce_mean(tf.square(y_true - y_pred))

        model.compile(optimizer="adam", loss=weighted_mse)
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # The shape of tf-models-official `recommendation/neumf_model.py` (Keras 2): `tf.reshape` on the output of a
    # `tf_keras` model built by a helper. Keras 2 turns the op into a `TFOpLambda` layer; the model trains.
    case(
        "tfg015_ok_tf_keras_model_output_in_tf_op",
        "ok",
        """
        import tensorflow as tf
        import tf_keras

        def construct_model(user_input, item_input):
            user = tf_keras.layers.Embedding(10, 4)(user_input)
            item = tf_keras.layers.Embedding(10, 4)(item_input)
            vector = tf_keras.layers.multiply([user, item])
            logits = tf_keras.layers.Dense(1)(tf_keras.layers.Flatten()(vector))
            return tf_keras.models.Model([user_input, item_input], logits)

        user_input = tf_keras.layers.Input(shape=(1,), dtype=tf.int32)
        item_input = tf_keras.layers.Input(shape=(1,), dtype=tf.int32)
        logits = construct_model(user_input, item_input).output
        logits_by_user = tf.reshape(logits, (-1, 4))
        model = tf_keras.Model([user_input, item_input], logits_by_user)
        ids = tf.constant([[1], [2], [3], [4], [5], [6], [7], [8]])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model([ids, ids]) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Importing `tf_keras` does not make a `tf.keras` (Keras 3) model a Keras 2 one.
    case(
        "tfg015_tf_keras_imported_but_model_is_tf_keras_attr",
        "raises:ValueError",
        """
        import tensorflow as tf
        import tf_keras

        inp = tf.keras.Input((4,))
        base = tf.keras.Model(inp, tf.keras.layers.Dense(4)(inp))
        flat = tf.reshape(base.output, (-1, 2, 2))  # <- TFG015
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(tf.keras.layers.Flatten()(flat)))
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        del tf_keras
    """,
    ),
    case(
        "tfg015_backend_argmax_on_model_passed_as_parameter",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import Dense, Input, Reshape
        from tensorflow.keras.models import Model, Sequential

        generator = Sequential([Input((6,)), Dense(24), Reshape((6, 4))])
        discriminator = Sequential([Input((6,)), Dense(1, activation="sigmoid")])


        def define_gan(g_model, d_model, timestep):
            a = Input(shape=(timestep,))
            b = g_model(a)
            c = K.argmax(b, axis=-1)  # <- TFG015
            return Model(a, d_model(c))


        gan = define_gan(generator, discriminator, 6)
    """,
    ),
    case(
        "tfg015_ok_softmax_layer_on_model_passed_as_parameter",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import Dense, Flatten, Input, Reshape, Softmax
        from tensorflow.keras.models import Model, Sequential

        tf.keras.utils.set_random_seed(0)
        generator = Sequential([Input((6,)), Dense(24), Reshape((6, 4))])
        discriminator = Sequential([Input((6, 4)), Flatten(), Dense(1, activation="sigmoid")])


        def define_gan(g_model, d_model, timestep):
            a = Input(shape=(timestep,))
            b = g_model(a)
            c = Softmax(axis=-1)(b)
            return Model(a, d_model(c))


        gan = define_gan(generator, discriminator, 6)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(gan(np.random.randn(3, 6).astype("float32")))
        RESULT = gradient_status(tape.gradient(loss, generator.trainable_variables))
    """,
    ),
    # tensorflow/tensorflow#38119: the factory's result is bound to a name and that name is compiled.
    case(
        "tfg015_loss_factory_result_named_then_compiled",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        def loss_wrapper(X, lambda_):
            def custom_loss(y_true, y_pred):
                return tf.reduce_mean(tf.square(y_true - y_pred)) + lambda_ * tf.reduce_mean(X)  # <- TFG015
            return custom_loss

        inputs = tf.keras.Input((4,))
        model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(inputs))
        modloss = loss_wrapper(model.input, 0.1)
        model.compile(optimizer="adam", loss=modloss)
        model.fit(np.ones((4, 4), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg015_ok_loss_factory_result_named_with_constant",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        def loss_wrapper(X, lambda_):
            def custom_loss(y_true, y_pred):
                return tf.reduce_mean(tf.square(y_true - y_pred)) + lambda_ * tf.reduce_mean(X)
            return custom_loss

        tf.keras.utils.set_random_seed(0)
        inputs = tf.keras.Input((4,))
        model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(inputs))
        modloss = loss_wrapper(tf.constant([1.0, 2.0]), 0.1)
        model.compile(optimizer="adam", loss=modloss)
        x = np.arange(16, dtype="float32").reshape(4, 4) / 16 + 0.1
        before = [w.numpy().copy() for w in model.trainable_weights]
        model.fit(x, np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
    """,
    ),
    # tensorflow#50741 / #43916: a @tf.custom_gradient (or @tf.function) function is a TensorFlow function; called
    # on a keras Input while the functional model is built, Keras 3 raises ValueError.
    case(
        "tfg015_custom_gradient_function_called_on_keras_input",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def identity(x):
            def grad_fn(grad_y):
                return grad_y

            return x, grad_fn

        inp = tf.keras.Input(shape=(2,))
        out = identity(inp)  # <- TFG015
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(out))
    """,
    ),
    case(
        "tfg015_tf_function_called_on_keras_input",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.function
        def double(x):
            return x * 2.0

        inp = tf.keras.Input(shape=(2,))
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(double(inp)))  # <- TFG015
    """,
    ),
    case(
        "tfg015_ok_custom_gradient_function_in_lambda_layer",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        @tf.custom_gradient
        def identity(x):
            def grad_fn(grad_y):
                return grad_y

            return x, grad_fn

        inp = tf.keras.Input(shape=(2,))
        out = tf.keras.layers.Lambda(identity)(tf.keras.layers.Dense(2)(inp))
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(out))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.array([[0.5, 1.5]], np.float32)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Issue 10, held-out round F (tensorflow#36436): the Keras 2 WGAN-GP recipe binds a symbolic tensor (the
    # interpolated batch) to a loss parameter with functools.partial; Keras 3 calls the loss with it still symbolic.
    case(
        "tfg015_partial_binds_layer_output_to_loss_parameter",
        "raises:ValueError",
        """
        from functools import partial

        import numpy as np
        import tensorflow as tf

        def penalty_loss(y_true, y_pred, averaged_samples):
            grads = tf.gradients(y_pred, averaged_samples)[0]  # <- TFG015
            return tf.reduce_mean(tf.square(1.0 - tf.norm(grads, axis=1)))

        inp = tf.keras.Input((4,))
        mixed = tf.keras.layers.Dense(4)(inp)
        critic = tf.keras.layers.Dense(1)
        model = tf.keras.Model(inp, critic(mixed))
        model.compile(optimizer="rmsprop", loss=partial(penalty_loss, averaged_samples=mixed))
        model.train_on_batch(np.ones((4, 4), "float32"), np.zeros((4, 1), "float32"))
    """,
    ),
    case(
        "tfg015_partial_named_then_compiled_in_list",
        "raises:ValueError",
        """
        from functools import partial

        import numpy as np
        import tensorflow as tf

        def weighted_loss(y_true, y_pred, inputs, scale):
            return tf.reduce_mean(tf.square(y_true - y_pred)) + scale * tf.reduce_mean(inputs)  # <- TFG015

        inp = tf.keras.Input((4,))
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))
        my_loss = partial(weighted_loss, inputs=inp, scale=0.1)
        my_loss.__name__ = "weighted_loss"
        model.compile(optimizer="adam", loss=[my_loss])
        model.fit(np.ones((4, 4), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg015_ok_partial_binds_constants_to_loss_parameters",
        "ok",
        """
        from functools import partial

        import numpy as np
        import tensorflow as tf

        def weighted_loss(y_true, y_pred, weights, scale):
            return scale * tf.reduce_mean(weights * tf.square(y_true - y_pred))

        inp = tf.keras.Input((4,))
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(inp))
        loss = partial(weighted_loss, weights=tf.constant([[2.0]]), scale=0.5)
        model.compile(optimizer="adam", loss=loss)
        x = np.arange(16, dtype="float32").reshape(4, 4) / 16 + 0.1
        before = [w.numpy().copy() for w in model.trainable_weights]
        model.fit(x, np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
    """,
    ),
    # Issue 10, held-out round I (bnsreenu/python_for_microscopists#32): a VAE's loss layer computes the KL term
    # from the encoder's z_mu / z_sigma read from the module scope, not from its inputs.
    case(
        "tfg015_loss_layer_method_reads_module_keras_tensor",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((8,))
        z_mu = keras.layers.Dense(2)(inp)
        z_sigma = keras.layers.Dense(2)(inp)
        decoded = keras.layers.Dense(8)(z_mu)

        class KLLayer(keras.layers.Layer):
            def kl(self):
                return -0.5 * tf.reduce_mean(1 + z_sigma - tf.square(z_mu) - tf.exp(z_sigma))  # <- TFG015

            def call(self, inputs):
                x, x_dec = inputs
                self.add_loss(tf.reduce_mean(tf.square(x - x_dec)) + self.kl())
                return x_dec

        out = KLLayer()([inp, decoded])
        model = keras.Model(inp, out)
        model.compile(optimizer="adam")
        model.fit(np.ones((4, 8), "float32"), None, epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg015_module_function_called_reads_module_keras_tensor",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((8,))
        z = keras.layers.Dense(2)(inp)

        def kl_term():
            return tf.reduce_mean(tf.square(z))  # <- TFG015

        penalty = kl_term()
        model = keras.Model(inp, z)
    """,
    ),
    case(
        "tfg015_ok_loss_layer_gets_keras_tensors_as_inputs",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((8,))
        z_mu = keras.layers.Dense(2)(inp)
        z_sigma = keras.layers.Dense(2)(inp)
        decoded = keras.layers.Dense(8)(z_mu)

        class KLLayer(keras.layers.Layer):
            def kl(self, z_mu, z_sigma):
                return -0.5 * tf.reduce_mean(1 + z_sigma - tf.square(z_mu) - tf.exp(z_sigma))

            def call(self, inputs):
                x, x_dec, z_mu, z_sigma = inputs
                self.add_loss(tf.reduce_mean(tf.square(x - x_dec)) + self.kl(z_mu, z_sigma))
                return x_dec

        out = KLLayer()([inp, decoded, z_mu, z_sigma])
        model = keras.Model(inp, out)
        model.compile(optimizer="adam")
        before = [w.numpy().copy() for w in model.trainable_weights]
        model.fit(np.ones((4, 8), "float32"), None, epochs=1, verbose=0)
        RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
    """,
    ),
    # Issue 10, held-out round M (keras-team/keras#13050): a Lambda's function reads a symbolic Keras tensor of the
    # model being built from outside its inputs (here through a helper that takes tf.gradients with respect to it).
    case(
        "tfg015_lambda_function_reads_input_through_helper",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        def input_derivative(y, x):
            return tf.gradients(y, x, unconnected_gradients="zero")[0]


        x = keras.Input((1,))
        t = keras.layers.Dense(1)(keras.layers.Dense(8, activation="tanh")(x))
        dt_dx = keras.layers.Lambda(lambda f: input_derivative(f, x))(t)  # <- TFG015
        model = keras.Model(x, keras.layers.Dense(1)(dt_dx))
        RESULT = ["ok"]
    """,
    ),
    # The same capture with an `output_shape` (the model is built; fit raises), and with keras.ops (still a
    # placeholder at run time).
    case(
        "tfg015_lambda_function_reads_input_with_output_shape",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        x = keras.Input((3,))
        h = keras.layers.Dense(3)(x)
        scaled = keras.layers.Lambda(
            lambda t: t * tf.reduce_mean(x, axis=1, keepdims=True), output_shape=(3,)  # <- TFG015
        )(h)
        model = keras.Model(x, keras.layers.Dense(1)(scaled))
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg015_lambda_function_reads_input_with_keras_ops",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        x = keras.Input((3,))
        h = keras.layers.Dense(3)(x)
        scaled = keras.layers.Lambda(lambda t: t * keras.ops.mean(x, axis=1, keepdims=True))(h)  # <- TFG015
        model = keras.Model(x, keras.layers.Dense(1)(scaled))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.ones((4, 3), "float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # tensorflow#14359's shape: the second tower's output goes in through `arguments=`.
    case(
        "tfg015_lambda_arguments_hold_layer_output",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        def merge(t, y):
            return tf.add(t, y)


        a = keras.Input((5,))
        b = keras.Input((5,))
        ta = keras.layers.Dense(5)(a)
        tb = keras.layers.Dense(5)(b)
        merged = keras.layers.Lambda(merge, arguments={"y": tb})(ta)  # <- TFG015
        model = keras.Model([a, b], keras.layers.Dense(1)(merged))
        RESULT = ["ok"]
    """,
    ),
    # Near miss: a Lambda reading a constant tensor from outside (by closure and through `arguments=`).
    case(
        "tfg015_ok_lambda_reads_constant_tensor",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        scale = tf.constant([1.0, 2.0, 3.0])
        x = keras.Input((3,))
        h = keras.layers.Dense(3)(x)
        scaled = keras.layers.Lambda(lambda t, s: tf.multiply(t, s), arguments={"s": scale})(h)
        shifted = keras.layers.Lambda(lambda t: tf.add(t, scale))(scaled)
        model = keras.Model(x, keras.layers.Dense(1)(shifted))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.ones((4, 3), "float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Issue 10 (names.module_alias_assignments): `keras = tf.keras` at module level, as the TF docs write it, names
    # the same module as an import would; the Lambda of tensorflow#14359 was silent when reached through it.
    case(
        "tfg015_lambda_arguments_through_module_alias",
        "raises:NotImplementedError",
        """
        import tensorflow as tf

        keras = tf.keras


        def func(x, y):
            return tf.add(x, y)


        a = keras.layers.Input(shape=(64,))
        b = keras.layers.Dense(5)(a)
        c = keras.layers.Dense(5)(a)
        d = keras.layers.Lambda(func, arguments={"y": c})(b)  # <- TFG015
        model = keras.models.Model(a, d)
        RESULT = ["ok"]
    """,
    ),
    # Near miss: through the alias and a function-local `layers = keras.layers`, the Lambda gets a constant.
    case(
        "tfg015_ok_alias_rebound_in_a_function",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        keras = tf.keras


        def build():
            layers = keras.layers
            x = keras.Input((3,))
            h = layers.Dense(3)(x)
            scaled = layers.Lambda(lambda t, s: tf.multiply(t, s), arguments={"s": tf.constant(2.0)})(h)
            return keras.Model(x, layers.Dense(1)(scaled))


        model = build()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.ones((4, 3), "float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Fixed: through the alias, both towers are the Lambda's inputs.
    case(
        "tfg015_ok_lambda_takes_both_towers_through_module_alias",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        keras = tf.keras


        def func(tensors):
            x, y = tensors
            return tf.add(x, y)


        a = keras.layers.Input(shape=(64,))
        b = keras.layers.Dense(5)(a)
        c = keras.layers.Dense(5)(a)
        d = keras.layers.Lambda(func)([b, c])
        model = keras.models.Model(a, d)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(np.random.rand(8, 64).astype("float32"))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_weights))
    """,
    ),
    # Fixed: both tensors are the Lambda's inputs.
    case(
        "tfg015_ok_lambda_takes_both_tensors",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        x = keras.Input((3,))
        h = keras.layers.Dense(3)(x)
        scaled = keras.layers.Lambda(lambda ts: ts[0] * tf.reduce_mean(ts[1], axis=1, keepdims=True))([h, x])
        model = keras.Model(x, keras.layers.Dense(1)(scaled))
        model.compile(optimizer="sgd", loss="mse")
        before = [w.numpy().copy() for w in model.trainable_weights]
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
    """,
    ),
    case(
        "tfg015_ok_module_keras_tensor_read_by_function_never_called",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        inp = keras.Input((8,))
        z = keras.layers.Dense(2)(inp)

        def kl_term():
            return tf.reduce_mean(tf.square(z))

        model = keras.Model(inp, z)
        x = tf.ones((4, 8))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # eriklindernoren/Keras-GAN#215 (held-out round O): the Keras 2 WGAN-GP recipe run with tf_keras. Keras 2 accepts
    # `tf.*` ops on its symbolic tensors while a model is built, but a compiled loss that `fit` runs cannot read one
    # (a partial's bound parameter or a free name): TypeError, whatever op reads it.
    case(
        "tfg015_tf_keras_partial_gradient_penalty_loss",
        "raises:TypeError",
        """
        from functools import partial

        import numpy as np
        import tf_keras as keras
        from tf_keras import backend as K

        def gradient_penalty_loss(y_true, y_pred, averaged_samples):
            gradients = K.gradients(y_pred, averaged_samples)[0]  # <- TFG015
            return K.mean(K.square(1 - K.sqrt(K.sum(K.square(gradients), axis=1))))

        critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        real = keras.Input((4,))
        fake = keras.Input((4,))
        mixed = keras.layers.Average()([real, fake])
        gp = partial(gradient_penalty_loss, averaged_samples=mixed)
        gp.__name__ = "gradient_penalty"
        model = keras.Model([real, fake], [critic(real), critic(mixed)])
        model.compile(loss=["mse", gp], optimizer="rmsprop")
        x = np.random.rand(8, 4).astype("float32")
        model.train_on_batch([x, x], [np.ones((8, 1)), np.zeros((8, 1))])
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg015_tf_keras_lambda_loss_reads_input",
        "raises:TypeError",
        """
        import numpy as np
        import tf_keras as keras
        from tf_keras import backend as K

        inp = keras.Input((3,))
        out = keras.layers.Dense(3)(inp)
        model = keras.Model(inp, out)
        model.compile(optimizer="sgd", loss=lambda y_true, y_pred: K.mean(K.square(y_pred - inp)))  # <- TFG015
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 3), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    # Near-miss: a tf_keras model built with `tf.*` ops on its inputs (TFOpLambda layers), trained with a compiled
    # loss that reads a constant tensor from outside its arguments.
    case(
        "tfg015_ok_tf_keras_tf_op_layers_and_constant_in_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import tf_keras as keras

        inp = keras.Input((3,))
        h = tf.nn.relu(keras.layers.Dense(4)(inp))
        out = keras.layers.Dense(1)(tf.concat([h, inp], axis=-1))
        model = keras.Model(inp, out)
        scale = tf.constant(2.0)
        model.compile(optimizer="sgd", loss=lambda y_true, y_pred: tf.reduce_mean(tf.square(y_true - y_pred)) * scale)
        before = [w.numpy().copy() for w in model.trainable_weights]
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
    """,
    ),
    # Fixed: the gradient penalty taken with a GradientTape in the critic's step, on interpolates made there.
    case(
        "tfg015_fixed_tf_keras_gradient_penalty_with_tape",
        "ok",
        """
        import tensorflow as tf
        import tf_keras as keras

        critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        real = tf.random.uniform((8, 4))
        fake = tf.random.uniform((8, 4))
        alpha = tf.random.uniform((8, 1))
        mixed = alpha * real + (1 - alpha) * fake
        with tf.GradientTape() as tape:
            with tf.GradientTape() as gp_tape:
                gp_tape.watch(mixed)
                score = critic(mixed)
            grads = gp_tape.gradient(score, mixed)
            penalty = tf.reduce_mean(tf.square(1 - tf.norm(grads, axis=1)))
            loss = tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real)) + 10 * penalty
        RESULT = gradient_status(tape.gradient(loss, critic.trainable_variables[:-1]))
    """,
    ),
    # The Keras 2 VAE recipe ("Generative Deep Learning", linux-blog.anracom.com VAE III): the encoder's `mu` and
    # `log_var` outputs are kept on the instance, and the loss compiled in another method adds the KL term through a
    # helper defined beside it. Keras 3 raises when `fit` first calls the loss.
    case(
        "tfg015_vae_loss_helper_reads_instance_keras_tensors",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class VAE:
            def __init__(self):
                inp = keras.Input((4,))
                h = keras.layers.Dense(8, activation="relu")(inp)
                self.mu = keras.layers.Dense(2)(h)
                self.log_var = keras.layers.Dense(2)(h)
                z = keras.layers.Add()([self.mu, self.log_var])
                self.model = keras.Model(inp, keras.layers.Dense(4)(z))
                self.r_loss_factor = 10.0

            def compile(self):
                def kl_loss(y_true, y_pred):
                    return -0.5 * tf.reduce_sum(1 + self.log_var - tf.square(self.mu), axis=1)  # <- TFG015

                def vae_loss(y_true, y_pred):
                    r_loss = self.r_loss_factor * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
                    return r_loss + kl_loss(y_true, y_pred)

                self.model.compile(optimizer="adam", loss=vae_loss)


        vae = VAE()
        vae.compile()
        x = np.random.rand(8, 4).astype("float32")
        vae.model.fit(x, x, epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
    # Near-miss: the loss reads only plain attributes of the instance (a float factor, a Keras variable), and
    # `self.code` holds a Keras tensor only until `call` rebinds it to a real one: nothing symbolic reaches `fit`.
    case(
        "tfg015_loss_reads_instance_floats_and_rebound_attribute",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class Trainer:
            def __init__(self):
                inp = keras.Input((4,))
                self.code = keras.layers.Dense(2)(inp)
                self.model = keras.Model(inp, keras.layers.Dense(4)(self.code))
                self.factor = 10.0
                self.scale = keras.Variable(0.5)

            def probe(self, x):
                self.code = self.model(x)
                return self.code

            def compile(self):
                def loss(y_true, y_pred):
                    return self.factor * self.scale * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

                self.model.compile(optimizer="adam", loss=loss)


        t = Trainer()
        t.compile()
        x = np.random.rand(8, 4).astype("float32")
        before = t.model.layers[-1].kernel.numpy().copy()
        t.model.fit(x, x, epochs=1, verbose=0)
        RESULT = ["ok" if np.abs(t.model.layers[-1].kernel.numpy() - before).sum() > 0 else "zero"]
        """,
    ),
    # Fixed: the KL term is added by a layer of the model from its inputs, the compiled loss is the reconstruction.
    case(
        "tfg015_vae_kl_term_added_by_a_layer",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class KL(keras.layers.Layer):
            def call(self, inputs):
                mu, log_var = inputs
                self.add_loss(tf.reduce_mean(-0.5 * tf.reduce_sum(1 + log_var - tf.square(mu), axis=1)))
                return keras.ops.add(mu, log_var)


        class VAE:
            def __init__(self):
                inp = keras.Input((4,))
                h = keras.layers.Dense(8, activation="relu")(inp)
                self.mu = keras.layers.Dense(2)(h)
                self.log_var = keras.layers.Dense(2)(h)
                z = KL()([self.mu, self.log_var])
                self.model = keras.Model(inp, keras.layers.Dense(4)(z))

            def compile(self):
                def vae_loss(y_true, y_pred):
                    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

                self.model.compile(optimizer="adam", loss=vae_loss)


        vae = VAE()
        vae.compile()
        x = np.random.rand(8, 4).astype("float32")
        before = vae.model.layers[2].kernel.numpy().copy()
        vae.model.fit(x, x, epochs=1, verbose=0)
        RESULT = ["ok" if np.abs(vae.model.layers[2].kernel.numpy() - before).sum() > 0 else "zero"]
        """,
    ),
    # GANs-in-Action/gans-in-action#15 (held-out round U): the chapter-2 VAE's compiled loss takes the encoder's
    # symbolic `z_mean` / `z_log_var` as default values of its extra parameters; Keras calls the loss with
    # (y_true, y_pred) only, so the defaults are what the KL term reads when `fit` runs it.
    case(
        "tfg015_compiled_loss_parameter_defaults_are_keras_tensors",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        original_dim = 6
        x = keras.Input((original_dim,))
        h = keras.layers.Dense(8, activation="relu")(x)
        z_mean = keras.layers.Dense(2)(h)
        z_log_var = keras.layers.Dense(2)(h)
        vae = keras.Model(x, keras.layers.Dense(original_dim, activation="sigmoid")(keras.layers.Add()([z_mean, z_log_var])))


        def vae_loss(x, x_decoded_mean, z_log_var=z_log_var, z_mean=z_mean, original_dim=original_dim):
            xent_loss = original_dim * keras.losses.binary_crossentropy(x, x_decoded_mean)
            kl_loss = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)  # <- TFG015
            return tf.reduce_mean(xent_loss + kl_loss)


        vae.compile(optimizer="rmsprop", loss=vae_loss)
        data = np.random.rand(8, original_dim).astype("float32")
        vae.fit(data, data, epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
    case(
        "tfg015_compiled_lambda_loss_default_is_keras_tensor",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        x = keras.Input((4,))
        h = keras.layers.Dense(8, activation="relu")(x)
        model = keras.Model(x, keras.layers.Dense(4)(h))
        model.compile(
            optimizer="adam",
            loss=lambda y_true, y_pred, h=h: tf.reduce_mean(tf.square(y_true - y_pred)) + tf.reduce_mean(h),  # <- TFG015
        )
        data = np.random.rand(8, 4).astype("float32")
        model.fit(data, data, epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
    # Near-miss: the extra parameters' defaults are a Python number and a real (eager) tensor, and a KerasTensor
    # named like the default is only read by the model; Keras calls the loss with (y_true, y_pred) and it trains.
    case(
        "tfg015_compiled_loss_parameter_defaults_are_plain_values",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        original_dim = 6
        weights = tf.ones((original_dim,))
        x = keras.Input((original_dim,))
        z_mean = keras.layers.Dense(2)(x)
        model = keras.Model(x, keras.layers.Dense(original_dim, activation="sigmoid")(z_mean))


        def weighted_loss(y_true, y_pred, original_dim=original_dim, w=weights):
            return tf.reduce_mean(original_dim * w * tf.square(y_true - y_pred))


        model.compile(optimizer="adam", loss=weighted_loss)
        data = np.random.rand(8, original_dim).astype("float32")
        before = model.layers[1].kernel.numpy().copy()
        model.fit(data, data, epochs=1, verbose=0)
        RESULT = ["ok" if np.abs(model.layers[1].kernel.numpy() - before).sum() > 0 else "zero"]
        """,
    ),
    # Fixed: the KL term is computed by a layer from real tensors (add_loss); the compiled loss keeps a number default.
    case(
        "tfg015_compiled_loss_defaults_kl_moved_to_layer",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        original_dim = 6


        class KL(keras.layers.Layer):
            def call(self, inputs):
                z_mean, z_log_var = inputs
                kl = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
                self.add_loss(tf.reduce_mean(kl))
                return z_mean + z_log_var


        x = keras.Input((original_dim,))
        h = keras.layers.Dense(8, activation="relu")(x)
        z_mean = keras.layers.Dense(2)(h)
        z_log_var = keras.layers.Dense(2)(h)
        vae = keras.Model(x, keras.layers.Dense(original_dim, activation="sigmoid")(KL()([z_mean, z_log_var])))


        def vae_loss(x, x_decoded_mean, original_dim=original_dim):
            return tf.reduce_mean(original_dim * keras.losses.binary_crossentropy(x, x_decoded_mean))


        vae.compile(optimizer="rmsprop", loss=vae_loss)
        data = np.random.rand(8, original_dim).astype("float32")
        before = vae.layers[1].kernel.numpy().copy()
        vae.fit(data, data, epochs=1, verbose=0)
        RESULT = ["ok" if np.abs(vae.layers[1].kernel.numpy() - before).sum() > 0 else "zero"]
        """,
    ),
]

# tensorflow#51131 (held-out round W): `block = tf.recompute_grad(block)` rebinds a module function to its
# gradient-checkpointed wrapper (a custom_gradient); called on the symbolic Input while a functional model is built,
# Keras 3 raises the same ValueError as a @tf.custom_gradient function.
CASES += [
    case(
        "tfg015_recompute_grad_rebound_block_on_input",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow.keras.layers import Conv2D, Input
        from tensorflow.keras.models import Model


        def block(x):
            x = Conv2D(filters=4, kernel_size=(3, 3))(x)
            return Conv2D(filters=4, kernel_size=(3, 3))(x)


        block = tf.recompute_grad(block)
        inp = Input(shape=(16, 16, 3))
        out = block(inp)  # <- TFG015
        model = Model(inp, out)
        """,
    ),
    case(
        "tfg015_ok_recompute_grad_rebound_block_on_real_tensors",
        "ok",
        """
        import tensorflow as tf
        from tensorflow.keras.layers import Conv2D, Input

        c1 = Conv2D(filters=4, kernel_size=(3, 3))
        c2 = Conv2D(filters=4, kernel_size=(3, 3))
        probe = Input(shape=(16, 16, 3))


        def block(x):
            return c2(c1(x))


        block = tf.recompute_grad(block)
        x = tf.random.normal((2, 16, 16, 3))
        block(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(block(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, c1.trainable_variables + c2.trainable_variables))
        """,
    ),
    case(
        "tfg015_ok_block_on_input_before_it_is_rebound_to_recompute_grad",
        "ok",
        """
        import tensorflow as tf
        from tensorflow.keras.layers import Conv2D, Input
        from tensorflow.keras.models import Model

        c1 = Conv2D(filters=4, kernel_size=(3, 3))


        def block(x):
            return c1(x)


        inp = Input(shape=(16, 16, 3))
        model = Model(inp, block(inp))
        block = tf.recompute_grad(block)
        x = tf.random.normal((2, 16, 16, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(block(x) ** 2) + tf.reduce_mean(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, c1.trainable_variables))
        """,
    ),
]

_FIXABLE = [
    "tfg015_reduce_sum_on_input",
    "tfg015_relu_on_layer_output",
    "tfg015_concat_two_inputs",
    "tfg015_model_outputs_softmax",
    "tfg015_tf_keras_input_only_tf_imported",
    "tfg015_helper_block_applied_to_input",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG015") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG015"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG015"]


def test_fix_texts():
    assert "keras.ops.sum(inp, axis=1, keepdims=True)" in FIXED["tfg015_reduce_sum_on_input__fixed"]
    assert "tf.keras.ops.log(h + 1.0)" in FIXED["tfg015_tf_keras_input_only_tf_imported__fixed"]
    assert "keras.ops.concatenate([left, right], axis=-1)" in FIXED["tfg015_concat_two_inputs__fixed"]


def test_no_fix_without_a_keras_ops_twin():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg015_vae_sampling_function")
    found = [f for f in analyze(src).findings if f.code == "TFG015"]
    assert len(found) == 2 and found[0].fix_data is None  # tf.shape
    assert all("A KerasTensor cannot be used as input to a TensorFlow function" in f.message for f in found)
