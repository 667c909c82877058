"""TFG008 non-differentiable-op: argmax/round/int casts/comparisons (None) or sign (zero) as the only route to the loss."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg008_argmax_accuracy_loss",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(3)])
        x = tf.random.normal((8, 5))
        y = tf.random.uniform((8,), maxval=3, dtype=tf.int64)
        with tf.GradientTape() as tape:
            logits = model(x)
            pred = tf.cast(tf.argmax(logits, 1), tf.float32)  # <- TFG008
            loss = tf.reduce_mean((pred - tf.cast(y, tf.float32)) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_round_activation_in_layer",
        "none",
        """
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.first = tf.keras.layers.Dense(4)
                self.second = tf.keras.layers.Dense(1)

            def call(self, x):
                h = tf.round(self.first(x) * 4.0) / 4.0  # <- TFG008
                return self.second(h)

        net = Net()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(tf.random.normal((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, net.first.trainable_variables))
    """,
    ),
    case(
        "tfg008_sign_zero_gradient",
        "zero",
        """
        import tensorflow as tf

        first = tf.keras.layers.Dense(4)
        second = tf.keras.layers.Dense(1)
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            h = tf.sign(first(x))  # <- TFG008
            loss = tf.reduce_mean(second(h) ** 2)
        RESULT = gradient_status(tape.gradient(loss, first.trainable_variables)[:1])
    """,
    ),
    case(
        "tfg008_comparison_hinge_in_tf_function",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([[0.5], [-0.3]])

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                score = tf.matmul(x, w)
                wrong = tf.cast(score * y < 0.0, tf.float32)  # <- TFG008
                loss = tf.reduce_mean(wrong)
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.random.normal((8, 2)), tf.sign(tf.random.normal((8, 1)))))
    """,
    ),
    case(
        "tfg008_int_cast_in_loss",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            counts = tf.cast(model(x) * 10.0, tf.int32)  # <- TFG008
            loss = tf.reduce_mean(tf.cast(counts, tf.float32))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # ----- near misses
    case(
        "tfg008_ok_accuracy_metric_in_tape",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(3)])
        acc_metric = tf.keras.metrics.Mean()
        x = tf.random.normal((8, 5))
        y = tf.constant([0, 1, 2, 0, 1, 2, 0, 1])
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
            correct = tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), y)
            acc_metric.update_state(tf.cast(correct, tf.float32))
            acc = tf.reduce_mean(tf.cast(correct, tf.float32))
        print("acc", float(acc))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_relu_mask",
        "ok",
        """
        import tensorflow as tf

        class MaskedRelu(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="random_normal")

            def call(self, x):
                h = tf.matmul(x, self.w)
                return tf.cast(h > 0, tf.float32) * h + 0.01 * h

        layer = MaskedRelu()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.random.normal((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_vq_codebook_gather",
        "ok",
        """
        import tensorflow as tf

        encoder = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(2)])
        codebook = tf.Variable(tf.random.normal((5, 2)))
        x = tf.random.normal((8, 6))
        with tf.GradientTape() as tape:
            z = encoder(x)
            dist = tf.reduce_sum((z[:, None, :] - codebook[None, :, :]) ** 2, axis=-1)
            idx = tf.argmin(dist, axis=1)
            zq = tf.gather(codebook, idx)
            z_st = z + tf.stop_gradient(zq - z)
            loss = (tf.reduce_mean((tf.stop_gradient(z) - zq) ** 2)
                    + 0.25 * tf.reduce_mean((z - tf.stop_gradient(zq)) ** 2)
                    + tf.reduce_mean((z_st - 1.0) ** 2))
        RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables + [codebook]))
    """,
    ),
    case(
        "tfg008_ok_straight_through_sign",
        "ok",
        """
        import tensorflow as tf

        def binarize(x):
            return x + tf.stop_gradient(tf.sign(x) - x)

        dense = tf.keras.layers.Dense(4)
        head = tf.keras.layers.Dense(1)
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            # `- 1.0`: with signs of +-1, the outputs could sum to exactly zero (and the bias gradients with them)
            loss = tf.reduce_mean((head(binarize(dense(x))) - 1.0) ** 2)
        RESULT = gradient_status(tape.gradient(loss, dense.trainable_variables + head.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_labels_argmax_and_early_stop",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal((6, 4))
        one_hot = tf.one_hot([0, 1, 2, 0, 1, 2], 3)
        best = float("inf")
        for epoch in range(2):
            with tf.GradientTape() as tape:
                labels = tf.cast(tf.argmax(one_hot, axis=1), tf.int32)
                logits = model(x)
                loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            if loss < best:
                best = float(loss)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg008_ok_where_with_differentiable_branches",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, -2.0, 3.0])

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                y = x * w
                huber = tf.where(tf.abs(y) < 1.0, 0.5 * y ** 2, tf.abs(y) - 0.5)
                loss = tf.reduce_sum(huber)
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.constant([0.3, 0.2, 1.0])))
    """,
    ),
    # A Lambda layer between trainable layers whose every path goes through tf.round.
    case(
        "tfg008_round_in_lambda_layer_of_functional_model",
        "none",
        """
        import tensorflow as tf

        inp = tf.keras.Input((3,))
        h = tf.keras.layers.Dense(4)(inp)
        h = tf.keras.layers.Lambda(lambda t: tf.round(t * 4.0) / 4.0)(h)  # <- TFG008
        out = tf.keras.layers.Dense(1)(h)
        model = tf.keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_argmax_in_lambda_layer_of_sequential",
        "none",
        """
        import tensorflow as tf

        def hard_choice(t):
            return tf.cast(tf.argmax(t, axis=-1), tf.float32)[:, None]  # <- TFG008

        model = tf.keras.Sequential([
            tf.keras.Input((3,)),
            tf.keras.layers.Dense(4),
            tf.keras.layers.Lambda(hard_choice),
            tf.keras.layers.Dense(1),
        ])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Near misses: preprocessing right after the input (no weight before it), and the straight-through estimator.
    case(
        "tfg008_round_in_lambda_right_after_input",
        "ok",
        """
        import tensorflow as tf

        inp = tf.keras.Input((3,))
        h = tf.keras.layers.Lambda(lambda t: tf.round(t * 255.0) / 255.0)(inp)
        out = tf.keras.layers.Dense(1)(h)
        model = tf.keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_straight_through_round_in_lambda",
        "ok",
        """
        import tensorflow as tf

        inp = tf.keras.Input((3,))
        h = tf.keras.layers.Dense(4)(inp)
        h = tf.keras.layers.Lambda(lambda t: t + tf.stop_gradient(tf.round(t) - t))(h)
        out = tf.keras.layers.Dense(1)(h)
        model = tf.keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Across a function's tuple return: only the argmax element reaches the loss.
    case(
        "tfg008_argmax_returned_in_a_tuple_reaches_the_loss",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 4)))

        def forward(x):
            logits = tf.matmul(x, w)
            return logits, tf.argmax(logits, axis=-1)  # <- TFG008

        x = tf.ones((2, 3))
        with tf.GradientTape() as tape:
            logits, pred = forward(x)
            loss = tf.reduce_sum(tf.cast(pred, tf.float32))
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    # Near miss: the logits element carries the loss; the argmax element is only for accuracy.
    case(
        "tfg008_argmax_returned_in_a_tuple_for_accuracy",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 4)))

        def forward(x):
            logits = tf.matmul(x, w)
            return logits, tf.argmax(logits, axis=-1)

        x = tf.ones((2, 3))
        with tf.GradientTape() as tape:
            logits, pred = forward(x)
            loss = tf.reduce_sum(logits)
        g = tape.gradient(loss, w)
        acc = tf.reduce_mean(tf.cast(pred == 1, tf.float32))
        RESULT = gradient_status([g])
        """,
    ),
    # Sampled, ranked or counted results are integers: no gradient flows back through them.
    case(
        "tfg008_sampled_action_is_the_loss",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones([3, 4]))
        x = tf.ones([2, 3])
        with tf.GradientTape() as tape:
            logits = tf.matmul(x, w)
            action = tf.random.categorical(logits, 1)  # <- TFG008
            loss = tf.reduce_sum(tf.cast(action, tf.float32))
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    case(
        "tfg008_reinforce_log_prob_of_sampled_action_near_miss",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal([3, 4]))
        x = tf.ones([2, 3])
        with tf.GradientTape() as tape:
            logits = tf.matmul(x, w)
            action = tf.random.categorical(logits, 1)[:, 0]
            log_prob = tf.reduce_sum(tf.nn.log_softmax(logits) * tf.one_hot(action, 4), axis=1)
            loss = -tf.reduce_mean(log_prob * 1.5)
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    case(
        "tfg008_top_k_indices_as_loss",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones([3, 4]))
        x = tf.ones([2, 3])
        with tf.GradientTape() as tape:
            scores = tf.matmul(x, w)
            idx = tf.math.top_k(scores, k=2).indices  # <- TFG008
            loss = tf.reduce_sum(tf.cast(idx, tf.float32))
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    case(
        "tfg008_top_k_values_near_miss",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal([3, 4]))
        x = tf.ones([2, 3])
        with tf.GradientTape() as tape:
            scores = tf.matmul(x, w)
            best = tf.math.top_k(scores, k=2).values
            loss = tf.reduce_sum(best)
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    case(
        "tfg008_count_nonzero_sparsity_penalty",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones([3, 4]))
        x = tf.ones([2, 3])
        with tf.GradientTape() as tape:
            act = tf.nn.relu(tf.matmul(x, w))
            sparsity = tf.cast(tf.math.count_nonzero(act), tf.float32)  # <- TFG008
            loss = sparsity * 0.1
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    # A helper whose parameter reaches its result only through argmax: the summary says so at the call.
    case(
        "tfg008_argmax_inside_helper_called_on_model_output",
        "none",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])

        def decode(logits):
            return tf.cast(tf.argmax(logits, axis=1), tf.float32)

        x, y = tf.ones([8, 4]), tf.ones([8])
        with tf.GradientTape() as tape:
            pred = decode(model(x))  # <- TFG008
            loss = tf.reduce_mean(tf.square(pred - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_argmax_helper_for_accuracy_only_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])

        def decode(logits):
            return tf.cast(tf.argmax(logits, axis=1), tf.float32)

        x, y = tf.ones([8, 4]), tf.ones([8], tf.int32)
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
            accuracy = tf.reduce_mean(tf.cast(decode(logits) == tf.cast(y, tf.float32), tf.float32))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # A layer that makes a mask from its input's shape: the input is not consumed, the mask is not trained.
    case(
        "tfg008_mask_layer_from_shape_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        class LengthMask(keras.layers.Layer):
            def call(self, features, lengths):
                steps = keras.ops.shape(features)[1]
                idx = keras.ops.arange(steps, dtype="int32")
                mask = idx[None, :] < lengths[:, None]
                mask = keras.ops.cast(mask, "bool")
                return mask

        inp = keras.Input((5,))
        h = keras.layers.Dense(5)(inp)
        m = LengthMask()(h, keras.ops.array([3, 4]))
        out = keras.layers.Dense(1)(h * keras.ops.cast(m, "float32"))
        model = keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones([2, 5])))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # keras.ops between the layers of a functional model: recorded in the model's graph.
    case(
        "tfg008_keras_ops_round_between_functional_layers",
        "none",
        """
        import tensorflow as tf
        import keras

        inp = keras.Input((4,))
        h = keras.layers.Dense(8)(inp)
        h = keras.ops.round(h)  # <- TFG008
        out = keras.layers.Dense(1)(h)
        model = keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones([2, 4])))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_argmax_as_second_functional_output_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        inp = keras.Input((4,))
        logits = keras.layers.Dense(3)(inp)
        label = keras.ops.argmax(logits, axis=-1)
        model = keras.Model(inp, [logits, label])
        with tf.GradientTape() as tape:
            out, _ = model(tf.ones([2, 4]))
            loss = tf.reduce_sum(out)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # A Keras layer class whose `call` passes its input on only through ops with no gradient.
    case(
        "tfg008_int_cast_in_layer_class_functional",
        "none",
        """
        import tensorflow as tf
        import keras

        class Quantize(keras.layers.Layer):
            def call(self, x):
                return tf.cast(tf.cast(x * 10, tf.int32), tf.float32) / 10  # <- TFG008

        inp = keras.Input((3,))
        h = keras.layers.Dense(4)(inp)
        out = keras.layers.Dense(1)(Quantize()(h))
        model = keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones([2, 3])))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_round_in_layer_held_by_subclassed_model",
        "none",
        """
        import tensorflow as tf
        import keras

        class Binarize(keras.layers.Layer):
            def call(self, x):
                h = tf.round(tf.sigmoid(x))  # <- TFG008
                return h

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(4)
                self.b = Binarize()
                self.d2 = keras.layers.Dense(1)

            def call(self, x):
                return self.d2(self.b(self.d1(x)))

        net = Net()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(tf.ones([2, 3])))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
        """,
    ),
    case(
        "tfg008_straight_through_layer_class_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        class Binarize(keras.layers.Layer):
            def call(self, x):
                # signs, not rounded sigmoids: all-zero codes (1 run in 16) would zero the next kernel's gradient
                h = tf.tanh(x)
                return h + tf.stop_gradient(tf.sign(h) - h)

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(4)
                self.b = Binarize()
                self.d2 = keras.layers.Dense(1)

            def call(self, x):
                return self.d2(self.b(self.d1(x)))

        net = Net()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(net(tf.ones([2, 3])))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
        """,
    ),
    case(
        "tfg008_cut_layer_on_raw_inputs_near_miss",
        "ok",
        """
        import tensorflow as tf
        import keras

        class Quantize(keras.layers.Layer):
            def call(self, x):
                return tf.cast(tf.cast(x * 10, tf.int32), tf.float32) / 10

        inp = keras.Input((3,))
        out = keras.layers.Dense(1)(Quantize()(inp))
        model = keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones([2, 3])))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_argmax_in_tf_module_method",
        "none",
        """
        import tensorflow as tf

        class Encoder(tf.Module):
            def __init__(self):
                self.w = tf.Variable(tf.ones([3, 2]))

            def __call__(self, x):
                return tf.argmax(tf.matmul(x, self.w), axis=1)  # <- TFG008

        enc = Encoder()
        with tf.GradientTape() as tape:
            code = tf.cast(enc(tf.ones([2, 3])), tf.float32)
            loss = tf.reduce_sum(code)
        RESULT = gradient_status(tape.gradient(loss, enc.trainable_variables))
        """,
    ),
    case(
        "tfg008_floor_sampling_lambda_added_to_sequential",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import Sequential
        from tensorflow.keras.layers import Dense, Input, Lambda


        def floor_sampling(x):
            return tf.floor(x + tf.random.uniform(tf.shape(x), 0, 1))  # <- TFG008


        tf.keras.utils.set_random_seed(0)
        model = Sequential([Input((4,)), Dense(8, activation="relu")])
        model.add(Dense(6, activation="sigmoid"))
        model.add(Lambda(floor_sampling))
        x = np.random.randn(5, 4).astype("float32")
        y = (np.random.rand(5, 6) > 0.5).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_rounded_lambda_branch_beside_the_live_path",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((4,))
        h = keras.layers.Dense(6, activation="tanh")(inp)
        levels = keras.layers.Lambda(lambda t: tf.round(t * 4.0))(h)
        out = keras.layers.Dense(1)(keras.layers.Concatenate()([h, levels]))
        model = keras.Model(inp, out)
        x = np.random.randn(5, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_argsort_rank_loss_factory_under_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        def make_rank_loss(scale):
            def rank_loss(y_true, y_pred):
                predicted_orders = tf.argsort(tf.argsort(y_pred))  # <- TFG008
                actual_orders = tf.argsort(tf.argsort(y_true))
                return scale * tf.cast(tf.reduce_sum(tf.abs(actual_orders - predicted_orders)), tf.float32)

            return rank_loss


        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(4)])
        model.compile(optimizer="adam", loss=make_rank_loss(0.5))
        x = np.random.randn(8, 6).astype("float32")
        y = np.tile(np.arange(4, dtype="float32"), (8, 1))
        model.fit(x, y, epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_ok_rank_weights_beside_the_differentiable_error",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        def rank_weighted_mse(y_true, y_pred):
            ranks = tf.cast(tf.argsort(tf.argsort(y_pred)), tf.float32)
            return tf.reduce_mean(tf.square(y_true - y_pred) * (1.0 + ranks))


        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(4)])
        model.compile(optimizer="adam", loss=rank_weighted_mse)
        x = np.random.randn(8, 6).astype("float32")
        y = np.tile(np.arange(4, dtype="float32"), (8, 1))
        model.fit(x, y, epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = rank_weighted_mse(tf.constant(y), model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # The prediction parameter rebound through a threshold / an int cast before the loss formula: the rebound
    # name reaches the loss freely, but what it holds was cut (TF 2.21: `No gradients provided for any variable`).
    case(
        "tfg008_compiled_dice_loss_thresholds_the_rebound_prediction",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        def dice_loss(y_true, y_pred):
            y_pred = tf.cast(y_pred > 0.5, tf.float32)  # <- TFG008
            inter = tf.reduce_sum(y_true * y_pred)
            return 1.0 - (2.0 * inter + 1.0) / (tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) + 1.0)


        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
        model.compile(optimizer="adam", loss=dice_loss)
        x = np.random.rand(8, 4).astype("float32")
        y = (np.random.rand(8, 3) > 0.5).astype("float32")
        model.fit(x, y, epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    case(
        "tfg008_ok_compiled_dice_loss_clips_the_rebound_prediction",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        def dice_loss(y_true, y_pred):
            y_pred = tf.clip_by_value(y_pred, 1e-6, 1.0)
            hard = tf.cast(y_pred > 0.5, tf.float32)
            inter = tf.reduce_sum(y_true * y_pred)
            return 1.0 - (2.0 * inter + 1.0) / (tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) + 1.0) + 0.0 * tf.reduce_sum(hard)


        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
        model.compile(optimizer="adam", loss=dice_loss)
        x = np.random.rand(8, 4).astype("float32")
        y = (np.random.rand(8, 3) > 0.5).astype("float32")
        model.fit(x, y, epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = dice_loss(tf.constant(y), model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Star imports, as older Keras code writes them: the names the module reads and never binds come from them
    # (`Dense`, `Lambda` from `keras.layers`, `Model` from `keras.models`, `K.round` through the backend).
    case(
        "tfg008_rounding_lambda_between_layers_with_star_imports",
        "raises:ValueError",
        """
        import numpy as np
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import *
        from tensorflow.keras.models import *

        inp = Input((4,))
        h = Dense(8, activation="relu")(inp)
        out = Lambda(lambda t: K.round(t))(Dense(1)(h))  # <- TFG008
        m = Model(inp, out)
        m.compile("adam", "mse")
        m.fit(np.random.rand(8, 4), np.random.rand(8, 1), verbose=0)
        RESULT = ["ok"]
    """,
    ),
    # A TF 1 graph (built in `Graph().as_default()`, as `disable_eager_execution()` code builds it at module level):
    # `optimizer.minimize(loss)` and `tf.gradients(loss, xs)` differentiate what was built before them.
    case(
        "tfg008_tf1_graph_minimize_of_an_argmax_error_rate",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 4])
            y = tf.compat.v1.placeholder(tf.int64, [None])
            w = tf.Variable(tf.random.normal([4, 3]))
            pred = tf.argmax(tf.matmul(x, w), axis=1)  # <- TFG008
            loss = tf.reduce_mean(tf.cast(tf.not_equal(pred, y), tf.float32))
            train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        RESULT = ["ok"]
        """,
    ),
    case(
        "tfg008_tf1_graph_tf_gradients_through_round",
        "none",
        """
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2])
            w1 = tf.Variable(tf.ones([2, 2]))
            w2 = tf.Variable(tf.ones([2, 1]))
            h = tf.matmul(x, w1)
            out = tf.matmul(tf.round(h), w2)  # <- TFG008
            grads = tf.gradients(tf.reduce_sum(out), [w1, w2])
        RESULT = ["none" if g is None else "ok" for g in grads]
        """,
    ),
    # The graph's model built by a function the module calls (variables from get_variable): its round is on the
    # only route from w1 to the loss; the function makes its variables once, as TF 1 graph code does (no TFG007).
    case(
        "tfg008_tf1_graph_model_function_rounds_its_hidden_layer",
        "none",
        """
        import tensorflow as tf


        def model(x):
            w1 = tf.compat.v1.get_variable("w1", [4, 8])
            h = tf.nn.relu(tf.matmul(x, w1))
            w2 = tf.compat.v1.get_variable("w2", [8, 1])
            return tf.matmul(tf.round(h), w2)  # <- TFG008


        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 4])
            y = tf.compat.v1.placeholder(tf.float32, [None, 1])
            loss = tf.reduce_mean((model(x) - y) ** 2)
            grads = tf.gradients(loss, tf.compat.v1.trainable_variables())
        RESULT = ["none" if g is None else "ok" for g in grads]
        """,
    ),
    case(
        "tfg008_ok_tf1_graph_accuracy_beside_the_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 4])
            y = tf.compat.v1.placeholder(tf.int32, [None])
            w = tf.Variable(tf.random.normal([4, 3], stddev=0.1))
            logits = tf.matmul(x, w)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y), tf.float32))
            train_op = tf.compat.v1.train.AdamOptimizer(1e-2).minimize(loss)
            grads = tf.gradients(loss, [w])
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                feed = {x: np.random.rand(8, 4), y: np.random.randint(0, 3, 8)}
                sess.run(train_op, feed)
                RESULT = gradient_status(sess.run(grads, feed))
        """,
    ),
    case(
        "tfg008_adjust_hue_on_generated_images_has_no_gradient",
        "raises:LookupError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(48), keras.layers.Reshape((4, 4, 3))])
        z = tf.random.normal((2, 4))
        with tf.GradientTape() as tape:
            fake = tf.sigmoid(generator(z))
            shifted = tf.image.adjust_hue(fake, 0.1)  # <- TFG008
            loss = tf.reduce_mean(tf.square(shifted - 0.5))
        RESULT = gradient_status(tape.gradient(loss, generator.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_adjust_contrast_augments_the_input_batch",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
        images = tf.random.uniform((2, 4, 4, 3))
        with tf.GradientTape() as tape:
            augmented = tf.image.adjust_contrast(images, 0.5)
            loss = tf.reduce_mean(tf.square(model(augmented) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_comparison_mask_helper_is_the_only_route",
        "none",
        """
        import tensorflow as tf


        @tf.function
        def neighborlist(positions):
            d = tf.norm(positions[:, None, :] - positions[None, :, :] + 1e-9, axis=-1)
            return d < 0.5  # <- TFG008


        positions = tf.Variable(tf.random.uniform(shape=[4, 3]))
        with tf.GradientTape() as tape:
            energy = tf.reduce_sum(tf.cast(neighborlist(positions), tf.float32))
        RESULT = gradient_status([tape.gradient(energy, positions)])
    """,
    ),
    case(
        # the corrected form of https://github.com/tensorflow/tensorflow/issues/27491: the mask helper is fine,
        # the caller keeps a differentiable path from the positions
        "tfg008_ok_comparison_mask_helper_caller_keeps_a_path",
        "ok",
        """
        import tensorflow as tf


        @tf.function
        def neighborlist(positions):
            d = tf.norm(positions[:, None, :] - positions[None, :, :] + 1e-9, axis=-1)
            return d < 0.5


        positions = tf.Variable(tf.random.uniform(shape=[4, 3]))
        with tf.GradientTape() as tape:
            mask = tf.cast(neighborlist(positions), tf.float32)
            energy = tf.reduce_sum(mask * positions[:, :1]) + tf.reduce_sum(positions)
        RESULT = gradient_status([tape.gradient(energy, positions)])
    """,
    ),
    # tensorflow/tensorflow#36306: Dataset.reduce runs its function in the tf.data pipeline; no gradient for what
    # the function reads.
    case(
        "tfg008_dataset_reduce_reads_variable",
        "none",
        """
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices(tf.range(4, dtype=tf.float32))
        u = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            loss = ds.reduce(tf.constant(0.0), lambda acc, y: acc + (y - u) ** 2)  # <- TFG008
        RESULT = gradient_status([tape.gradient(loss, u)])
    """,
    ),
    case(
        "tfg008_ok_dataset_reduce_then_weight_outside",
        "ok",
        """
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices(tf.range(4, dtype=tf.float32))
        u = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            total = ds.reduce(tf.constant(0.0), lambda acc, y: acc + y)
            loss = total * u
        RESULT = gradient_status([tape.gradient(loss, u)])
    """,
    ),
    # tensorflow/tensorflow#41594: under AutoGraph the `for` over a dataset is a dataset reduction.
    case(
        "tfg008_tf_function_loss_accumulated_over_dataset_loop",
        "none",
        """
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices(tf.range(4, dtype=tf.float32))
        u = tf.Variable(1.0)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.constant(0.0)
                for d in ds:  # <- TFG008
                    loss += (d - u) ** 2
            return tape.gradient(loss, u)

        RESULT = gradient_status([step()])
    """,
    ),
    case(
        "tfg008_ok_eager_loss_accumulated_over_dataset_loop",
        "ok",
        """
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices(tf.range(4, dtype=tf.float32))
        u = tf.Variable(1.0)

        def step():
            with tf.GradientTape() as tape:
                loss = tf.constant(0.0)
                for d in ds:
                    loss += (d - u) ** 2
            return tape.gradient(loss, u)

        RESULT = gradient_status([step()])
    """,
    ),
    # tensorflow/tensorflow#38453: the traced function carries its argument through the dataset loop and returns
    # it; the caller's tape differentiates the result.
    case(
        "tfg008_tf_function_wrapper_carries_argument_through_dataset_loop",
        "none",
        """
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices([2.0, 3.0])

        def fun(x):
            for data in dataset:  # <- TFG008
                x = x * data
            return x

        decorated_fun = tf.function(fun)
        a = tf.constant(1.0)
        with tf.GradientTape() as tape:
            tape.watch(a)
            c = decorated_fun(a)
        RESULT = gradient_status([tape.gradient(c, a)])
    """,
    ),
    case(
        "tfg008_ok_same_function_called_eagerly",
        "ok",
        """
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices([2.0, 3.0])

        def fun(x):
            for data in dataset:
                x = x * data
            return x

        a = tf.constant(1.0)
        with tf.GradientTape() as tape:
            tape.watch(a)
            b = fun(a)
        RESULT = gradient_status([tape.gradient(b, a)])
    """,
    ),
    case(
        "tfg008_ok_tf_function_dataset_loop_sums_data_only",
        "ok",
        """
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices(tf.range(4, dtype=tf.float32))
        u = tf.Variable(1.0)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.constant(0.0)
                for d in ds:
                    loss += d
                loss = loss * u
            return tape.gradient(loss, u)

        RESULT = gradient_status([step()])
    """,
    ),
    # tensorflow#58614: a loss method counts correct predictions (round, equal, count_nonzero); the prediction,
    # computed a line before, reaches the loss only through it, so every weight gets None.
    case(
        "tfg008_loss_method_counts_rounded_predictions",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        class Classifier:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1, activation="sigmoid")])

            def custom_loss(self, output, prediction):
                correct = tf.math.count_nonzero(tf.math.equal(tf.round(prediction), output))
                return tf.cast(prediction.shape[0] - correct, tf.float32) / prediction.shape[0]

            def gradients(self, x, y):
                with tf.GradientTape() as tape:
                    prediction = self.model(x)
                    loss = self.custom_loss(y, prediction)  # <- TFG008
                return tape.gradient(loss, self.model.trainable_weights)

        x = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]], np.float32)
        RESULT = gradient_status(Classifier().gradients(x, np.array([[1.0], [0.0]], np.float32)))
    """,
    ),
    case(
        "tfg008_helper_function_gets_prediction_computed_before",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])

        def errors(labels, logits):
            return tf.reduce_sum(tf.cast(tf.argmax(logits, axis=1) != labels, tf.float32))

        x = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]], np.float32)
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = errors(np.array([0, 2]), logits)  # <- TFG008
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Near-misses: the soft count of the corrected report, and the same counting helper added to a
    # differentiable loss (the prediction reaches the loss around the helper too).
    case(
        "tfg008_ok_loss_method_soft_count",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Classifier:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1, activation="sigmoid")])

            def custom_loss(self, output, prediction):
                correct = tf.reduce_sum(prediction * output + (1.0 - prediction) * (1.0 - output))
                return (prediction.shape[0] - correct) / prediction.shape[0]

            def gradients(self, x, y):
                with tf.GradientTape() as tape:
                    prediction = self.model(x)
                    loss = self.custom_loss(y, prediction)
                return tape.gradient(loss, self.model.trainable_weights)

        x = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]], np.float32)
        RESULT = gradient_status(Classifier().gradients(x, np.array([[1.0], [0.0]], np.float32)))
    """,
    ),
    case(
        "tfg008_ok_counting_method_beside_a_differentiable_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Classifier:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1, activation="sigmoid")])

            def errors(self, output, prediction):
                return tf.cast(tf.math.count_nonzero(tf.math.equal(tf.round(prediction), output)), tf.float32)

            def gradients(self, x, y):
                with tf.GradientTape() as tape:
                    prediction = self.model(x)
                    loss = tf.reduce_mean((prediction - y) ** 2) + 0.0 * self.errors(y, prediction)
                return tape.gradient(loss, self.model.trainable_weights)

        x = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]], np.float32)
        RESULT = gradient_status(Classifier().gradients(x, np.array([[1.0], [0.0]], np.float32)))
    """,
    ),
    # keras-team/keras#11157: the Lambda's function is the backend op itself (`arguments=` become keywords);
    # `h` is rebound along the functional chain, so the argmax is the only way on from the encoder.
    case(
        "tfg008_lambda_of_backend_argmax_reference_with_arguments",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import Dense, Input, Lambda, Reshape

        inputs = Input(shape=(6,))
        h = Dense(5, activation="softmax")(inputs)
        h = Lambda(K.argmax, arguments={"axis": -1})(h)  # <- TFG008
        h = Lambda(K.cast, arguments={"dtype": "float32"})(h)
        outputs = Dense(1)(Reshape((1,))(h))
        model = tf.keras.Model(inputs, outputs)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.linspace(0.1, 0.6, 12, dtype=np.float32).reshape(2, 6)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # The Mainak431/List-of-Differentiable--OPs... issue #4: a factory function returns the argmax Lambda.
    case(
        "tfg008_lambda_returned_by_factory_function",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras.layers import Dense, Input, Lambda

        def ArgMax():
            return Lambda(lambda q: tf.math.argmax(q, 2))  # <- TFG008

        inputs1 = Input(shape=(1, 1))
        out = ArgMax()(Dense(3)(inputs1))
        model = tf.keras.Model(inputs1, out)
        model.compile("sgd", loss="mae")
        model.fit(np.ones((8, 1, 1)), np.zeros((8, 1)), verbose=0)
    """,
    ),
    # Near-misses: a differentiable op given by reference, a factory returning a soft argmax, and the argmax
    # Lambda on a value that also goes on around it.
    case(
        "tfg008_ok_lambda_of_differentiable_op_reference",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras.layers import Dense, Input, Lambda

        inputs = Input(shape=(6,))
        h = Dense(5)(inputs)
        h = Lambda(tf.nn.softmax, arguments={"axis": -1})(h)
        model = tf.keras.Model(inputs, Dense(1)(h))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.linspace(0.1, 0.6, 12, dtype=np.float32).reshape(2, 6)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_factory_returns_soft_argmax_lambda",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras.layers import Dense, Input, Lambda

        def SoftArgMax():
            return Lambda(lambda q: tf.reduce_sum(tf.nn.softmax(q, axis=2) * tf.range(3, dtype=q.dtype), axis=2))

        inputs1 = Input(shape=(1, 1))
        out = SoftArgMax()(Dense(3)(inputs1))
        model = tf.keras.Model(inputs1, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.full((2, 1, 1), 0.5, np.float32)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_argmax_lambda_beside_a_differentiable_branch",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K
        from tensorflow.keras.layers import Concatenate, Dense, Input, Lambda, Reshape

        inputs = Input(shape=(6,))
        h = Dense(5, activation="softmax")(inputs)
        ids = Lambda(K.argmax, arguments={"axis": -1})(h)
        ids = Reshape((1,))(Lambda(K.cast, arguments={"dtype": "float32"})(ids))
        model = tf.keras.Model(inputs, Dense(1)(Concatenate()([h, ids])))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.linspace(0.1, 0.6, 12, dtype=np.float32).reshape(2, 6)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Issue 10 (engine: per-function summaries beyond module functions): the helper that drops the gradient is a
    # @staticmethod called through `self`, a @classmethod called on its class, a nested def, a lambda.
    case(
        "tfg008_train_step_static_method_decodes_with_argmax",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            @staticmethod
            def decode(logits):
                return tf.cast(tf.argmax(logits, axis=-1), tf.float32)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    pred = self.decode(self.d2(self.d1(x)))  # <- TFG008
                    loss = tf.reduce_mean(tf.square(y - pred))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        net = Net()
        net.compile(optimizer="sgd")
        net.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_classmethod_on_its_class_rounds",
        "none",
        """
        import tensorflow as tf

        class Quant:
            levels = 4.0

            @classmethod
            def snap(cls, t):
                return tf.round(t * cls.levels) / cls.levels

        model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(Quant.snap(model(x)) - y))  # <- TFG008
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_nested_helper_takes_argmax",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16,))

        def train_step(x, y):
            def to_labels(logits):
                return tf.cast(tf.argmax(logits, axis=1), tf.float32)

            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(to_labels(model(x)) - y))  # <- TFG008
            return tape.gradient(loss, model.trainable_variables)

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
    case(
        "tfg008_lambda_helper_takes_argmax",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16,))
        to_labels = lambda logits: tf.cast(tf.argmax(logits, axis=1), tf.float32)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(to_labels(model(x)) - y))  # <- TFG008
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_lambda_helper_gathers_by_argmax",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16,))
        best = lambda q: tf.gather(q, tf.argmax(q, axis=1), batch_dims=1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(best(model(x)) - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_nested_helper_softmax_expectation",
        "ok",
        """
        import tensorflow as tf

        tf.random.set_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
        x = tf.random.normal((16, 4))
        y = tf.random.normal((16,))

        def train_step(x, y):
            def soft_label(logits):
                return tf.reduce_sum(tf.nn.softmax(logits) * tf.range(3, dtype=tf.float32), axis=1)

            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(soft_label(model(x)) - y))
            return tape.gradient(loss, model.trainable_variables)

        RESULT = gradient_status(train_step(x, y))
    """,
    ),
]

# Held-out round E, keras-team/keras#17444: NumPy's argmax of the generator's word distribution, carried through a
# comprehension over zip(...) into the discriminator (the only route from the generator to its loss).
CASES += [
    case(
        "tfg008_numpy_argmax_word_through_comprehension",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        gen = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="softmax")])
        disc = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        text = np.random.rand(5, 4).astype("float32")
        with tf.GradientTape() as tape:
            probs = gen(text)
            words = np.argmax(probs, axis=1)  # <- TFG008
            seqs = np.array([[t[0], t[1], w] for t, w in zip(text, words)], dtype="float32")
            loss = tf.reduce_mean(disc(seqs))
        RESULT = gradient_status(tape.gradient(loss, gen.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_numpy_argmax_picks_action_and_accuracy",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        q_net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        states = np.random.rand(5, 4).astype("float32")
        targets = np.random.rand(5).astype("float32")
        with tf.GradientTape() as tape:
            q = q_net(states)
            actions = np.argmax(q, axis=1)
            chosen = tf.stack([q[i, a] for i, a in enumerate(actions)])
            loss = tf.reduce_mean(tf.square(chosen - targets))
        hits = [a == 0 for a in actions]
        RESULT = gradient_status(tape.gradient(loss, q_net.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_comprehension_keeps_the_tensor",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        gen = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="softmax")])
        disc = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
        text = np.random.rand(5, 4).astype("float32")
        with tf.GradientTape() as tape:
            probs = gen(text)
            words = np.argmax(probs, axis=1)
            kept = tf.stack([p for p, w in zip(tf.unstack(probs), words) if w >= 0])
            loss = tf.reduce_mean(disc(kept))
        RESULT = gradient_status(tape.gradient(loss, gen.trainable_variables))
    """,
    ),
]


# Issue 10 (engine: a Keras model calling itself): `self(x)` / `self.call(x)` in a train_step runs the model, whose
# weights are `self.trainable_variables`; Keras 3's train_step passes `y_pred=self(x)` to a `compute_loss` override.
CASES += [
    case(
        "tfg008_train_step_argmax_of_self_call",
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
                    pred = tf.argmax(self(x, training=True), axis=-1)  # <- TFG008
                    loss = tf.reduce_mean(tf.square(tf.cast(pred, tf.float32) - y))
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
        "tfg008_train_step_self_call_method_argmax_into_compute_loss",
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
                    y_pred = self.call(x)
                    labels = tf.argmax(y_pred, axis=-1)  # <- TFG008
                    loss = self.compute_loss(x=x, y=y, y_pred=tf.cast(labels, tf.float32))
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
        "tfg008_compute_loss_override_argmax_of_y_pred",
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
                labels = tf.cast(tf.argmax(y_pred, axis=-1), tf.float32)  # <- TFG008
                return tf.reduce_mean(tf.square(labels - y))

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg008_ok_train_step_argmax_of_self_call_for_accuracy",
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
                    loss = tf.reduce_mean(tf.square(y_pred[:, 0] - y))
                pred = tf.argmax(y_pred, axis=-1)
                acc = tf.reduce_mean(tf.cast(tf.equal(tf.cast(pred, tf.float32), y), tf.float32))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss, "acc": acc}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg008_ok_train_step_argmax_picks_from_self_call",
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
                    best = tf.argmax(y_pred, axis=-1)
                    picked = tf.gather(y_pred, best, batch_dims=1)
                    loss = tf.reduce_mean(tf.square(picked - y))
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
        "tfg008_ok_compute_loss_override_argmax_only_weights",
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

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
                labels = tf.cast(tf.argmax(y_pred, axis=-1), tf.float32)
                hit = tf.cast(tf.equal(labels, y), tf.float32)
                return tf.reduce_mean(tf.square(y_pred[:, 0] - y) * (1.0 + hit))

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg008_ok_self_call_argmax_with_compiled_compute_loss",
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
                    loss = self.compute_loss(x=x, y=y, y_pred=y_pred[:, 0])
                pred = tf.argmax(y_pred, axis=-1)
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss, "n": tf.reduce_sum(pred)}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg008_call_returns_argmax_train_step_takes_it",
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
                logits = self.d2(self.d1(x))
                return logits, tf.argmax(logits, axis=-1)  # <- TFG008

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    _, pred = self(x, training=True)
                    loss = tf.reduce_mean(tf.square(tf.cast(pred, tf.float32) - y))
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
        "tfg008_ok_call_returns_argmax_train_step_uses_logits",
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
                logits = self.d2(self.d1(x))
                return logits, tf.argmax(logits, axis=-1)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    logits, pred = self(x, training=True)
                    loss = tf.reduce_mean(tf.square(logits[:, 0] - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss, "n": tf.reduce_sum(pred)}

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg008_ok_compute_loss_override_super_loss_beside_argmax",
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

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
                loss = super().compute_loss(x=x, y=y, y_pred=y_pred[:, 0], sample_weight=sample_weight)
                labels = tf.argmax(y_pred, axis=-1)
                return loss + 0.0 * tf.reduce_mean(tf.cast(labels, tf.float32))

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
    case(
        "tfg008_ok_train_step_pseudo_labels_argmax_of_another_self_call",
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
                    pseudo = tf.argmax(self(x, training=False), axis=-1)
                    logits = self(x + tf.random.normal(tf.shape(x), stddev=0.1), training=True)
                    ce = keras.losses.sparse_categorical_crossentropy(pseudo, logits, from_logits=True)
                    loss = tf.reduce_mean(ce)
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
        "tfg008_ok_train_step_hard_target_from_argmax_of_self_call",
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
                    logits = self(x, training=True)
                    hard = tf.one_hot(tf.argmax(logits, axis=-1), 3)
                    loss = tf.reduce_mean(tf.square(logits - hard)) + tf.reduce_mean(tf.square(logits[:, 0] - y))
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
]

# Issue 10, held-out round F (keras-team/keras#9169): the Lambda's function is a straight-line module def whose
# return reaches the argmax through local names (`x = softmax(x)`, `Y = one_hot(argmax(x))`, `return Y`).
CASES += [
    case(
        "tfg008_lambda_def_returns_one_hot_of_argmax_through_locals",
        "raises:ValueError",
        """
        import numpy as np
        from keras import ops
        from keras.layers import Dense, Input, Lambda
        from keras.models import Model

        M = 4

        def decode(x):
            x = ops.softmax(x)
            Y = ops.one_hot(ops.argmax(x, axis=-1), M)  # <- TFG008
            return Y

        inputs = Input(shape=(M,))
        h = Dense(M)(Dense(M, activation="relu")(inputs))
        model = Model(inputs, Lambda(decode, output_shape=(M,))(h))
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        symbols = np.eye(M, dtype="float32")[np.arange(8) % M]
        model.fit(symbols, symbols, epochs=1, verbose=0)
    """,
    ),
    # Near-misses: the locals carry a soft value; the argmax local is only added to the differentiable input.
    case(
        "tfg008_ok_lambda_def_soft_decoding_through_locals",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from keras import ops
        from keras.layers import Dense, Input, Lambda
        from keras.models import Model

        M = 4

        def decode(x):
            p = ops.softmax(x)
            Y = p * ops.cast(M, "float32")
            return Y

        inputs = Input(shape=(M,))
        h = Dense(M)(Dense(M, activation="relu")(inputs))
        model = Model(inputs, Lambda(decode, output_shape=(M,))(h))
        symbols = np.eye(M, dtype="float32")[np.arange(8) % M]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(symbols) - symbols))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_lambda_def_argmax_local_beside_input",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from keras import ops
        from keras.layers import Dense, Input, Lambda
        from keras.models import Model

        M = 4

        def decode(x):
            hard = ops.one_hot(ops.argmax(x, axis=-1), M)
            Y = x + hard
            return Y

        inputs = Input(shape=(M,))
        h = Dense(M)(Dense(M, activation="relu")(inputs))
        model = Model(inputs, Lambda(decode, output_shape=(M,))(h))
        symbols = np.eye(M, dtype="float32")[np.arange(8) % M]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(symbols) - symbols))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # `tf.where(cond)` with one argument returns the int64 coordinates where `cond` holds: a count of the positive
    # predictions as the loss has no gradient (the flow used to drop the condition as a mere mask).
    case(
        "tfg008_where_single_argument_indices_count",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        opt = keras.optimizers.Adam()
        x = tf.random.normal((5, 4))
        with tf.GradientTape() as tape:
            pred = model(x)
            idx = tf.where(pred)  # <- TFG008
            loss = tf.reduce_sum(tf.cast(idx, tf.float32))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_where_single_argument_of_comparison",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        opt = keras.optimizers.Adam()
        x = tf.random.normal((5, 4))
        with tf.GradientTape() as tape:
            pred = model(x)
            positives = tf.where(pred > 0.0)  # <- TFG008
            loss = tf.reduce_sum(tf.cast(positives, tf.float32))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        """,
    ),
    case(
        "tfg008_where_three_arguments_keeps_values",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        opt = keras.optimizers.Adam()
        x = tf.random.normal((5, 4))
        with tf.GradientTape() as tape:
            pred = model(x)
            loss = tf.reduce_sum(tf.where(pred > 0.0, pred, tf.zeros_like(pred)))
            loss += tf.reduce_sum(tf.gather_nd(pred, tf.where(pred > 0.0)))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
        """,
    ),
    # tf.unique has no registered gradient at all: the backward pass raises.
    case(
        "tfg008_unique_values_on_the_only_route",
        "raises:LookupError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        x = tf.random.normal((5, 4))
        with tf.GradientTape() as tape:
            pred = model(x)
            distinct = tf.unique(tf.reshape(pred, [-1])).y  # <- TFG008
            loss = tf.reduce_sum(distinct)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # floormod / mod are differentiable (gradient 1 for x): an angle wrapped into [0, 2*pi) trains.
    case(
        "tfg008_floormod_angle_wrap_trains",
        "ok",
        """
        import math

        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        x = tf.random.normal((5, 4))
        target = tf.fill((5, 1), 1.0)
        with tf.GradientTape() as tape:
            angle = tf.math.floormod(model(x), 2.0 * math.pi)
            loss = tf.reduce_mean(tf.square(angle - target))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
]


# Issue 10 (engine): the model's forward pass reached through a def nested in train_step (its return followed into
# the step, and the step's value into it), through `super().call(x)`, and gradients for one sub-layer of a model
# whose `self(x)` goes through argmax.  TF 2.21 / Keras 3.15.1 under fit: ValueError No gradients provided.
CASES += [
    case(
        "tfg008_nested_forward_def_returns_self_call_argmax_in_step",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(3)

            def call(self, x):
                return self.d(x)

            def train_step(self, data):
                x, y = data
                def forward():
                    return self(x, training=True)
                with tf.GradientTape() as tape:
                    logits = forward()
                    pred = tf.cast(tf.argmax(logits, axis=-1), tf.float32)  # <- TFG008
                    loss = tf.reduce_mean(tf.square(pred - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_nested_predict_def_argmax_of_self_call",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(3)

            def call(self, x):
                return self.d(x)

            def train_step(self, data):
                x, y = data

                def predict(inputs):
                    return tf.cast(tf.argmax(self(inputs, training=True), axis=-1), tf.float32)  # <- TFG008

                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(predict(x) - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_call_argmax_of_super_call",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Base(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(3)

            def call(self, x):
                return self.d(x)

        class M(Base):
            def call(self, x):
                return tf.argmax(super().call(x), axis=-1)  # <- TFG008

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    pred = tf.cast(self(x, training=True), tf.float32)
                    loss = tf.reduce_mean(tf.square(pred - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_gradient_for_sublayer_self_call_argmax",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8)
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    pred = tf.cast(tf.argmax(self(x, training=True), axis=-1), tf.float32)  # <- TFG008
                    loss = tf.reduce_mean(tf.square(pred - y))
                grads = tape.gradient(loss, self.d1.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.d1.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_nested_forward_argmax_pseudo_labels_beside_second_forward",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(3)

            def call(self, x):
                return self.d(x)

            def train_step(self, data):
                x, y = data
                def forward():
                    return self(x, training=True)
                with tf.GradientTape() as tape:
                    labels = tf.argmax(forward(), axis=-1)
                    logits = forward()
                    loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_super_call_logits_returned_beside_argmax",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Base(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(3)

            def call(self, x):
                return self.d(x)

        class M(Base):
            def call(self, x):
                logits = super().call(x)
                return logits, tf.argmax(logits, axis=-1)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    logits, pred = self(x, training=True)
                    loss = tf.reduce_mean(tf.square(logits[:, 0] - y))
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss, "pred": tf.reduce_mean(tf.cast(pred, tf.float32))}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg008_sublayer_gradient_argmax_labels_beside_direct_layers",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8)
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    labels = tf.argmax(self(x, training=True), axis=-1)
                    logits = self.d2(self.d1(x))
                    loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
                grads = tape.gradient(loss, self.d1.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.d1.trainable_variables))
                return {"loss": loss}

        m = M()
        m.compile(optimizer="sgd")
        m.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16).astype("float32"), epochs=1, verbose=0)
    """,
    ),
]


# Issue 10 (round G, tensorflow#19556's Stack Overflow question): a weight read only inside the function a
# `Dataset.map` runs. TF 2.21: the map function runs in the dataset's own graph, the elements come out as constants,
# and tape.gradient is None for the weight (a Keras optimizer raises No gradients provided for any variable).
CASES += [
    case(
        "tfg008_per_sample_weights_gathered_in_dataset_map",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        n = 32
        x_all = np.random.rand(n, 3).astype("float32")
        y_all = np.random.rand(n).astype("float32")
        sample_weights = tf.Variable(tf.ones([n]))
        beta = tf.Variable(tf.zeros([3]))

        dataset = tf.data.Dataset.from_tensor_slices((x_all, y_all, tf.range(n)))
        dataset = dataset.map(lambda x, y, i: (x, y, tf.gather(sample_weights, i))).batch(8)  # <- TFG008
        RESULT = []
        for x, y, w in dataset:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(w * tf.square(y - tf.linalg.matvec(x, beta)))
            RESULT = gradient_status(tape.gradient(loss, [sample_weights]))
    """,
    ),
    case(
        "tfg008_encoder_applied_in_dataset_map",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        encoder = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        head = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        ds = tf.data.Dataset.from_tensor_slices((np.random.rand(16, 4).astype("float32"), np.ones((16, 1), "float32")))
        ds = ds.batch(8).map(lambda x, y: (encoder(x), y))  # <- TFG008
        for h, y in ds:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(head(h) - y))
            grads = tape.gradient(loss, encoder.trainable_variables + head.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg008_ok_indices_through_dataset_weights_gathered_under_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        n = 32
        x_all = np.random.rand(n, 3).astype("float32")
        y_all = np.random.rand(n).astype("float32")
        sample_weights = tf.Variable(tf.ones([n]))
        beta = tf.Variable(tf.zeros([3]))
        mean = tf.Variable(tf.zeros([3]), trainable=False)

        dataset = tf.data.Dataset.from_tensor_slices((x_all, y_all, tf.range(n)))
        dataset = dataset.map(lambda x, y, i: (x - mean, y, i)).batch(8)
        for x, y, i in dataset:
            with tf.GradientTape() as tape:
                w = tf.gather(sample_weights, i)
                loss = tf.reduce_mean(w * tf.square(y - tf.linalg.matvec(x, beta)))
            RESULT = gradient_status(tape.gradient(loss, [sample_weights, beta]))
    """,
    ),
    case(
        # Justin-Tan/generative-compression#51: the straight-through quantizer wrapped in tf.round; the summary of
        # `quantize` must name the round (the argmin only picks the hard symbol, which stop_gradient hides anyway).
        "tfg008_round_over_straight_through_quantizer_names_round",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        centers = tf.constant([-1.0, 0.0, 1.0])
        encoder = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(2)])
        decoder = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(6)])

        def quantize(w):
            dist = tf.square(tf.expand_dims(w, -1) - centers)
            w_soft = tf.reduce_sum(tf.nn.softmax(-dist, axis=-1) * centers, axis=-1)
            w_hard = tf.gather(centers, tf.argmin(dist, axis=-1))
            return tf.round(tf.stop_gradient(w_hard - w_soft) + w_soft)

        x = np.random.rand(8, 6).astype("float32")
        with tf.GradientTape() as tape:
            x_hat = decoder(quantize(encoder(x)))  # <- TFG008
            loss = tf.reduce_mean(tf.square(x - x_hat))
        RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_variable_in_dataset_map_and_under_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        scale = tf.Variable(2.0)
        ds = tf.data.Dataset.from_tensor_slices(np.random.rand(8, 3).astype("float32")).map(lambda x: x * scale)
        for x in ds.batch(4):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(x * scale - 1.0))
            RESULT = gradient_status(tape.gradient(loss, [scale]))
    """,
    ),
]


# Issue 10: an integer cast of a layer applied inline in a functional model (`ops.cast(Dense(4)(inp), "int32")`).
# Keras 3.15.1: the first Dense gets None (fit only warns `Gradients do not exist`); a float16 cast trains; `tf.cast`
# on the symbolic tensor raises (TFG015's, not this rule's).
CASES += [
    case(
        "tfg008_functional_int_cast_of_inline_layer_output",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inp = keras.Input((3,))
        h = keras.ops.cast(keras.layers.Dense(4)(inp), "int32")  # <- TFG008
        out = keras.layers.Dense(1)(keras.ops.cast(h, "float32"))
        model = keras.Model(inp, out)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        x, y = tf.random.normal((8, 3)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        RESULT = gradient_status(tape.gradient(loss, model.layers[1].trainable_variables))
    """,
    ),
    case(
        "tfg008_functional_float16_cast_of_inline_layer_output",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inp = keras.Input((3,))
        h = keras.ops.cast(keras.layers.Dense(4)(inp), "float16")
        out = keras.layers.Dense(1)(h)
        model = keras.Model(inp, out)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        x, y = tf.random.normal((8, 3)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        RESULT = gradient_status(tape.gradient(loss, model.layers[1].trainable_variables))
    """,
    ),
    case(
        "tfg008_functional_tf_cast_of_inline_layer_output_raises_instead",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inp = keras.Input((3,))
        h = tf.cast(keras.layers.Dense(4)(inp), "int32")
        out = keras.layers.Dense(1)(tf.cast(h, "float32"))
        model = keras.Model(inp, out)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=1, verbose=0)
        x, y = tf.random.normal((8, 3)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        RESULT = gradient_status(tape.gradient(loss, model.layers[1].trainable_variables))
    """,
    ),
]


# transformers' perceiver attention: the normed context reaches the output through `k` as well as through a shape
# helper (`tf.shape`, no gradient); `k` is rebound by a comprehension spread over several lines, which reads the
# old `k` on a later line than the one the statement starts on. The weights train.
CASES += [
    case(
        "tfg008_shape_helper_beside_multiline_comprehension_rebinding_near_miss",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        def shape_list(tensor):
            dynamic = tf.shape(tensor)
            static = tensor.shape.as_list()
            return [dynamic[i] if s is None else s for i, s in enumerate(static)]

        class Resampler(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.norm = keras.layers.LayerNormalization()
                self.q_proj = keras.layers.Dense(8)
                self.k_proj = keras.layers.Dense(8)
                self.out = keras.layers.Dense(8)

            def call(self, context, latents):
                context = self.norm(context)
                batch_size, seq_length, embed_dim = shape_list(context)
                q = self.q_proj(latents)
                k = self.k_proj(tf.concat([context, latents], axis=-2))
                q, k = [
                    tf.reshape(x, (batch_size, x.shape[1], 2, 4))
                    for x in (q, k)
                ]
                scores = tf.einsum("bihd,bjhd->bhij", q, k)
                return self.out(tf.reshape(scores, (batch_size, -1)))

        layer = Resampler()
        context, latents = tf.random.normal((2, 5, 8)), tf.random.normal((2, 3, 8))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(context, latents))
        RESULT = gradient_status(tape.gradient(loss, layer.norm.trainable_variables))
    """,
    ),
]


# sionna's TB decoder: the input of the decoding layer is bound in both branches of an `if` (a descrambler or
# not), the layer returns the decoded values and a bool status.  The body's binding reaches the statement after
# the `if` (the else's binding does not kill it): the decoded values are a second route, and the pre-layer's
# gradient is not None (measured).  Returning only the status leaves the bool cast as the only route: None.
_STATUS_DECODER = """
import tensorflow as tf


class Decoder(tf.keras.layers.Layer):
    def __init__(self, descramble=True):
        super().__init__()
        if descramble:
            self._descrambler = tf.keras.layers.Dense(4)
        else:
            self._descrambler = None
        self._decoder = tf.keras.layers.Dense(5)

    def call(self, inputs):
        llr = tf.cast(inputs, tf.float32)
        if self._descrambler is not None:
            llr_scr = self._descrambler(llr)
        else:
            llr_scr = llr
        decoded = self._decoder(llr_scr)
        u_hat, status = decoded[:, :4], decoded[:, 4:]
        status = tf.squeeze(tf.cast(status, tf.bool), axis=-1){mark}
        return {returned}


layer = Decoder()
x = tf.random.normal((2, 3))
with tf.GradientTape() as tape:
    out = layer(x)
    loss = {loss}
RESULT = gradient_status(tape.gradient(loss, layer._descrambler.trainable_variables))
"""
CASES += [
    case(
        "tfg008_ok_status_cast_beside_outputs_of_branch_bound_input",
        "ok",
        _STATUS_DECODER.format(mark="", returned="u_hat, status", loss="tf.reduce_sum(out[0])"),
    ),
    case(
        "tfg008_status_cast_only_output_of_branch_bound_input",
        "none",
        _STATUS_DECODER.format(mark="  # <- TFG008", returned="tf.cast(status, tf.float32)", loss="tf.reduce_sum(out)"),
    ),
]

# An op with no gradient whose result is only used as indices (`tf.one_hot`, `tf.gather`) and then goes on into
# layers / the loss: the weights before the op still have no other way to the loss (measured: None).
CASES += [
    case(
        "tfg008_argmax_one_hot_into_head_of_subclassed_model",
        "none",
        """
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.enc = keras.layers.Dense(8)
                self.head = keras.layers.Dense(3)

            def call(self, x):
                ids = tf.argmax(self.enc(x), axis=-1)  # <- TFG008
                return self.head(tf.one_hot(ids, 8))

        net = Net()
        x = tf.random.normal((16, 4))
        y = tf.random.uniform((16,), maxval=3, dtype=tf.int64)
        with tf.GradientTape() as tape:
            logits = net(x)
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        RESULT = gradient_status(tape.gradient(loss, net.enc.trainable_variables))
    """,
    ),
    case(
        "tfg008_argmax_as_gather_indices_only_route_from_encoder",
        "none",
        """
        import tensorflow as tf

        enc = tf.keras.layers.Dense(5)
        table = tf.Variable(tf.random.normal((5, 2)))
        x = tf.random.normal((6, 3))
        with tf.GradientTape() as tape:
            codes = tf.argmax(enc(x), axis=-1)  # <- TFG008
            loss = tf.reduce_sum(tf.gather(table, codes) ** 2)
        RESULT = gradient_status(tape.gradient(loss, enc.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_argmax_action_mask_beside_q_values",
        "ok",
        """
        import tensorflow as tf

        q_net = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        s = tf.random.normal((8, 4))
        target = tf.random.normal((8,))
        with tf.GradientTape() as tape:
            q = q_net(s)
            greedy = tf.argmax(q, axis=1)
            q_greedy = tf.reduce_sum(q * tf.one_hot(greedy, 3), axis=1)
            loss = tf.reduce_mean((target - q_greedy) ** 2)
        RESULT = gradient_status(tape.gradient(loss, q_net.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_one_hot_pseudo_labels_from_teacher",
        "ok",
        """
        import tensorflow as tf

        teacher = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        student = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            pseudo = tf.one_hot(tf.argmax(teacher(x), axis=-1), 3)
            loss = tf.reduce_mean(tf.keras.losses.categorical_crossentropy(pseudo, student(x), from_logits=True))
        RESULT = gradient_status(tape.gradient(loss, student.trainable_variables))
    """,
    ),
    # `tf.math.log` is a tensor op, not a logger's `.log(...)`: the helper's prediction reaches its result through
    # the log as well as through the mask's comparison, so the weights train.
    case(
        "tfg008_helper_log_beside_a_comparison_mask_near_miss",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1, activation="relu")])
        x = tf.random.normal((8, 4))

        def masked_log_loss(pred):
            mask = tf.cast(pred > 0.0, tf.float32)
            return -tf.reduce_mean(mask * tf.math.log(pred + 1.0))

        with tf.GradientTape() as tape:
            loss = masked_log_loss(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_helper_log_of_an_argmax",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        x = tf.random.normal((8, 4))

        def class_log_loss(logits):
            picked = tf.cast(tf.argmax(logits, axis=-1), tf.float32)
            return tf.reduce_mean(tf.math.log(picked + 1.0))

        with tf.GradientTape() as tape:
            loss = class_log_loss(model(x))  # <- TFG008
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Python's `//` on a tensor is tf.math.floordiv, which has no gradient.
    case(
        "tfg008_floor_division_of_prediction_in_loss",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.constant(np.random.randint(0, 4, (8, 1)).astype("float32"))
        with tf.GradientTape() as tape:
            bucket = (model(x) * 10.0) // 2.5  # <- TFG008
            loss = tf.reduce_mean(tf.square(bucket - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_floor_division_of_a_shape_near_miss",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(4)])
        x = tf.random.normal((8, 6))
        with tf.GradientTape() as tape:
            out = model(x)
            half = tf.shape(out)[1] // 2
            loss = tf.reduce_mean(tf.square(out[:, :half])) + tf.reduce_mean(out[:, half:])
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_floor_division_straight_through_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.constant(np.random.randint(0, 4, (8, 1)).astype("float32"))
        with tf.GradientTape() as tape:
            scaled = model(x) * 10.0
            bucket = scaled + tf.stop_gradient(scaled // 2.5 - scaled)
            loss = tf.reduce_mean(tf.square(bucket - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # A helper through `tf.sign`: a registered gradient of zeros, not None (the message says so).
    case(
        "tfg008_helper_sign_agreement_loss_zero_gradient",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = tf.random.normal((8, 3))
        y = tf.constant(np.sign(np.random.randn(8, 1)).astype("float32"))

        def direction_loss(y_true, y_pred):
            return tf.reduce_mean(tf.abs(tf.sign(y_pred) - y_true))

        with tf.GradientTape() as tape:
            loss = direction_loss(y, model(x))  # <- TFG008
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_helper_log_of_a_softmax_fixed",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        x = tf.random.normal((8, 4))

        def class_log_loss(logits):
            picked = tf.reduce_max(tf.nn.softmax(logits, axis=-1), axis=-1)
            return -tf.reduce_mean(tf.math.log(picked))

        with tf.GradientTape() as tape:
            loss = class_log_loss(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Issue 10 (realistic programs, third wave): Keras' accuracy functions count hits (a comparison or argmax, then a
# cast), so "1 - accuracy" as the loss gives None for every weight. Computed beside a cross-entropy loss for
# reporting, or replaced by it, the weights train.
CASES += [
    case(
        "tfg008_binary_accuracy_as_loss",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
        x = np.random.rand(8, 6).astype("float32")
        y = (np.random.rand(8, 1) > 0.5).astype("float32")
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            loss = 1.0 - tf.reduce_mean(keras.metrics.binary_accuracy(y, pred))  # <- TFG008
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_sparse_categorical_accuracy_keyword_as_loss",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(3, activation="softmax")])
        x = np.random.rand(8, 6).astype("float32")
        y = np.random.randint(0, 3, size=(8,))
        with tf.GradientTape() as tape:
            probs = model(x)
            acc = tf.keras.metrics.sparse_categorical_accuracy(y_true=y, y_pred=probs)  # <- TFG008
            loss = -tf.reduce_mean(acc)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_ok_binary_accuracy_reported_beside_the_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
        x = np.random.rand(8, 6).astype("float32")
        y = (np.random.rand(8, 1) > 0.5).astype("float32")
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            acc = tf.reduce_mean(keras.metrics.binary_accuracy(y, pred))
            loss = tf.reduce_mean(keras.losses.binary_crossentropy(y, pred))
        print(float(acc))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg008_binary_accuracy_as_loss_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
        x = np.random.rand(8, 6).astype("float32")
        y = (np.random.rand(8, 1) > 0.5).astype("float32")
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            loss = tf.reduce_mean(keras.losses.binary_crossentropy(y, pred))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Ops with an integer indices output beside a differentiable values output (`tf.math.top_k`): only the indices
# carry no gradient, so the loss built from them alone starves the weights, the values (or scores gathered with
# the indices) train them. And accuracy functions handed to `compile(loss=...)`. Measured under TF 2.21.
_TOP_K = """
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
x = tf.random.normal((8, 4))
with tf.GradientTape() as tape:
    scores = model(x)
{body}
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
"""
CASES += [
    case(
        "tfg008_top_k_indices_unpacked_as_the_loss",
        "none",
        _TOP_K.format(
            body="""    _, idx = tf.math.top_k(scores, k=2)  # <- TFG008
    loss = tf.reduce_mean(tf.cast(idx, tf.float32))"""
        ),
    ),
    case(
        "tfg008_top_k_indices_by_position",
        "none",
        _TOP_K.format(
            body="""    idx = tf.math.top_k(scores, k=2)[1]  # <- TFG008
    loss = tf.reduce_mean(tf.cast(idx, tf.float32))"""
        ),
    ),
    case(
        "tfg008_ok_top_k_values_also_in_the_loss",
        "ok",
        _TOP_K.format(
            body="""    vals, idx = tf.math.top_k(scores, k=2)
    loss = tf.reduce_mean(vals) + 0.01 * tf.reduce_mean(tf.cast(idx, tf.float32))"""
        ),
    ),
    case(
        "tfg008_ok_top_k_indices_gather_the_scores",
        "ok",
        _TOP_K.format(
            body="""    _, idx = tf.math.top_k(scores, k=2)
    loss = tf.reduce_mean(tf.gather(scores, idx, batch_dims=1))"""
        ),
    ),
]

_COMPILED = """
import numpy as np
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss={loss})
x = np.random.rand(16, 4).astype("float32")
y = (np.random.rand(16, 1) > 0.5).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
"""
CASES += [
    case(
        "tfg008_binary_accuracy_compiled_as_the_loss",
        "raises:ValueError",
        _COMPILED.replace("loss={loss})", "loss=keras.metrics.binary_accuracy)  # <- TFG008"),
    ),
    case(
        "tfg008_ok_metric_function_of_a_loss_compiled",
        "ok",
        _COMPILED.replace("{loss}", "keras.metrics.mean_squared_error"),
    ),
    case(
        "tfg008_binary_accuracy_compiled_as_the_loss_fixed",
        "ok",
        _COMPILED.replace("{loss}", '"binary_crossentropy", metrics=[keras.metrics.binary_accuracy]'),
    ),
]


# A model with fresh trainable weights run only inside Dataset.map (tensorflow/gnn#646's preprocessing model with an
# Embedding): never trained, its table keeps its initial values ("zero" = unchanged after fit). Quiet when the same
# model is also part of the trained model, and the fix moves the Embedding into it (TF 2.21).
_PIPELINE = """
import numpy as np
import tensorflow as tf
import keras
from keras import layers

ids = np.random.randint(0, 20, size=(64,)).astype("int32")
labels = np.random.rand(64, 1).astype("float32")
node_ids = keras.Input(shape=(), dtype="int32")
preproc = keras.Model(node_ids, layers.Embedding(20, 4, name="emb")(node_ids))
{body}
before = table.numpy().copy()
model.compile(optimizer="adam", loss="mse")
model.fit(ds, epochs=2, verbose=0)
RESULT = ["zero" if np.array_equal(before, table.numpy()) else "ok"]
"""
CASES += [
    case(
        "tfg008_embedding_model_only_in_dataset_map",
        "zero",
        _PIPELINE.format(
            body="""ds = tf.data.Dataset.from_tensor_slices((ids, labels)).batch(16)
ds = ds.map(lambda x, y: (preproc(x), y))  # <- TFG008
model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
table = preproc.get_layer("emb").embeddings"""
        ),
    ),
    case(
        "tfg008_ok_mapped_model_also_trained_as_part_of_the_model",
        "ok",
        _PIPELINE.format(
            body="""ds = tf.data.Dataset.from_tensor_slices((ids, labels)).batch(16)
probe_ds = ds.map(lambda x, y: (preproc(x), y))
model = keras.Sequential([preproc, layers.Dense(8, activation="relu"), layers.Dense(1)])
table = preproc.get_layer("emb").embeddings"""
        ),
    ),
    case(
        "tfg008_embedding_model_only_in_dataset_map_fixed",
        "ok",
        _PIPELINE.format(
            body="""ds = tf.data.Dataset.from_tensor_slices((ids, labels)).batch(16)
model = keras.Sequential([keras.Input(shape=(), dtype="int32"), layers.Embedding(20, 4, name="emb2"),
                          layers.Dense(8, activation="relu"), layers.Dense(1)])
table = model.get_layer("emb2").embeddings"""
        ),
    ),
]


# Feature visualisation through a model whose first layer is a Lambda quantising the input to uint8: the gradient
# with respect to the optimised input is None (TF 2.21). Without the cast (a plain rescale) it flows; a second branch
# reading the input beside the Lambda keeps a path (ok, quiet).
_VIS = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

inp = keras.Input((6,))
x = keras.layers.Lambda(lambda t: {fn})(inp){mark}
{branch}
model = keras.Model(inp, keras.layers.Dense(2)(x))
img = tf.Variable(np.random.rand(1, 6).astype("float32"))
with tf.GradientTape() as tape:
    loss = -tf.reduce_mean(model(img))
RESULT = gradient_status([tape.gradient(loss, img)])
"""
_Q = "tf.cast(tf.cast(t * 255.0, tf.uint8), tf.float32) / 255.0"
CASES += [
    case(
        "tfg008_input_gradient_through_a_quantising_lambda",
        "none",
        _VIS.format(fn=_Q, mark="  # <- TFG008", branch=""),
    ),
    case(
        "tfg008_input_gradient_through_a_rescaling_lambda_fixed",
        "ok",
        _VIS.format(fn="t * 255.0 / 255.0", mark="", branch=""),
    ),
    case(
        "tfg008_ok_input_gradient_with_a_second_branch_beside_the_lambda",
        "ok",
        _VIS.format(fn=_Q, mark="", branch="x = keras.layers.Concatenate()([x, keras.layers.Dense(3)(inp)])"),
    ),
]

# A decoding loop under the tape that appends each step's tokens to a Python list, stacks the list and takes the
# loss from the stacked tokens (a sequence model trained on its greedy decode: TF 2.21 gives None for every weight).
# The list carries the values on: appending the logits instead and a cross-entropy on the stacked logits is the fix;
# a list of losses kept for printing beside a differentiable loss stays quiet.
_DECODE = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

proj = keras.layers.Dense(5)
x = np.random.rand(8, 3).astype("float32")
tgt = np.random.randint(0, 5, (8, 2))
history = []
with tf.GradientTape() as tape:
    steps = []
    for t in range(2):
        logits = proj(x + float(t))
{append}
    stacked = tf.stack(steps, axis=1)
{loss}
    history.append(loss)
grads = tape.gradient(loss, proj.trainable_variables)
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg008_greedy_tokens_appended_stacked_loss_on_tokens",
        "none",
        _DECODE.format(
            append="        steps.append(tf.argmax(logits, axis=-1, output_type=tf.int32))  # <- TFG008",
            loss="    loss = tf.reduce_mean(tf.cast(tf.not_equal(stacked, tgt), tf.float32))",
        ),
    ),
    case(
        "tfg008_logits_appended_stacked_cross_entropy_fixed",
        "ok",
        _DECODE.format(
            append="        steps.append(logits)",
            loss="    loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(tgt, stacked, from_logits=True))",
        ),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG008"}) == c.expected


def test_helper_summary_names_the_op_not_behind_stop_gradient():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg008_round_over_straight_through_quantizer_names_round")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG008"]
    assert "`tf.round`" in f.message and "argmin" not in f.message


def test_helper_summary_through_sign_says_zero_gradient():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg008_helper_sign_agreement_loss_zero_gradient")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG008"]
    assert "ZERO gradient" in f.message and "returns None" not in f.message
