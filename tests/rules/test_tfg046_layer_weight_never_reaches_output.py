"""TFG046 layer-weight-never-reaches-output: a trainable weight of a Keras layer that `call`'s output never depends
on gets a None gradient and never trains."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # The bias is created and forgotten: under `fit` Keras warns "Gradients do not exist for variables".
    case(
        "tfg046_bias_created_never_read",
        "none",
        """
        import keras
        import tensorflow as tf

        class Affine(keras.layers.Layer):
            def __init__(self, units, **kw):
                super().__init__(**kw)
                self.units = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
                self.b = self.add_weight(shape=(self.units,), initializer="zeros")  # <- TFG046

            def call(self, x):
                return tf.matmul(x, self.w)

        model = keras.Sequential([keras.Input((3,)), Affine(2), keras.layers.Dense(1)])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # The gate is computed and dropped: `call` returns its input.
    case(
        "tfg046_gated_value_computed_input_returned",
        "none",
        """
        import keras
        import tensorflow as tf

        class Gate(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")  # <- TFG046

            def call(self, x):
                gate = tf.sigmoid(self.w)
                gated = x * gate
                return x

        model = keras.Sequential([keras.Input((3,)), Gate(), keras.layers.Dense(1)])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Near-misses: a weight read by a helper method `call` uses, one added as a loss, a non-trainable counter, a
    # weight in a value `call` returns through a branch.
    case(
        "tfg046_ok_weights_read_by_helper_loss_branch",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Block(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")
                self.scale = self.add_weight(shape=(), initializer="ones")
                self.reg = self.add_weight(shape=(2,), initializer="ones")
                self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

            def _project(self, x):
                return tf.matmul(x, self.w)

            def call(self, x, training=False):
                y = self._project(x)
                self.add_loss(1e-3 * tf.reduce_sum(tf.square(self.reg)))
                if training:
                    out = y * self.scale + self.reg
                else:
                    out = y * self.scale + self.reg
                return out

        layer = Block()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(tf.ones((4, 3)), training=True)) + tf.add_n(layer.losses)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Fixed: the bias is used.
    case(
        "tfg046_fixed_bias_added",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Affine(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="glorot_uniform")
                self.b = self.add_weight(shape=(2,), initializer="zeros")

            def call(self, x):
                return tf.matmul(x, self.w) + self.b

        model = keras.Sequential([keras.Input((3,)), Affine(), keras.layers.Dense(1)])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # scTAG#1's shape: the cluster centres set by rebinding the weight attribute of a built layer (found through
    # `get_layer`) to a NumPy array: the weight stays in `trainable_weights`, `call` reads the array, None gradient.
    case(
        "tfg046_weight_attribute_rebound_through_get_layer",
        "none",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class Clustering(keras.layers.Layer):
            def build(self, input_shape):
                self.clusters = self.add_weight(shape=(3, input_shape[-1]), initializer="glorot_uniform")

            def call(self, z):
                d = tf.reduce_sum(tf.square(tf.expand_dims(z, 1) - self.clusters), axis=2)
                return tf.nn.softmax(-d)

        inp = keras.Input((4,))
        z = keras.layers.Dense(4)(inp)
        model = keras.Model(inp, Clustering(name="clustering")(z))
        model.get_layer("clustering").clusters = np.random.rand(3, 4).astype("float32")  # <- TFG046
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((5, 4))) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status([g for g, v in zip(grads, model.trainable_variables) if v.path.startswith("clustering")])
    """,
    ),
    # A layer called once (built), then its weight attribute rebound to a tensor computed from it: the same.
    case(
        "tfg046_weight_attribute_rebound_after_call",
        "none",
        """
        import keras
        import tensorflow as tf

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, x):
                return x * self.s

        layer = Scale()
        layer(tf.ones((2, 3)))
        layer.s = tf.constant([0.5, 0.5, 0.5])  # <- TFG046
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Near-misses: rebound before the layer is built (`build` makes the weight afresh over it), and an attribute
    # that is not a weight rebound after the call.
    case(
        "tfg046_ok_rebound_before_build_and_plain_attribute",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Scale(keras.layers.Layer):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.alpha = 1.0

            def build(self, input_shape):
                self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, x):
                return x * self.s * self.alpha

        layer = Scale()
        layer.s = tf.constant([0.5, 0.5, 0.5])
        layer(tf.ones((2, 3)))
        layer.alpha = 2.0
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Fixed: the centres are written into the weight with `assign`.
    case(
        "tfg046_ok_weight_set_with_assign",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class Clustering(keras.layers.Layer):
            def build(self, input_shape):
                self.clusters = self.add_weight(shape=(3, input_shape[-1]), initializer="glorot_uniform")

            def call(self, z):
                d = tf.reduce_sum(tf.square(tf.expand_dims(z, 1) - self.clusters), axis=2)
                return tf.nn.softmax(-d)

        inp = keras.Input((4,))
        z = keras.layers.Dense(4)(inp)
        model = keras.Model(inp, Clustering(name="clustering")(z))
        model.get_layer("clustering").clusters.assign(np.random.rand(3, 4).astype("float32"))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((5, 4))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # A sublayer whose output reaches only returned elements every holder of the class drops (keras-tcn#263).
    case(
        "tfg046_tcn_matching_conv_only_in_dropped_residual_output",
        "none",
        """
        import keras
        import numpy as np
        import tensorflow as tf
        from keras import layers


        # keras-tcn#263: with skip connections the TCN keeps only the skip output of its (last) residual block, so the
        # 1x1 matching conv, which only feeds the block's residual output, never reaches the model's output.
        class ResidualBlock(layers.Layer):
            def __init__(self, nb_filters, kernel_size, **kwargs):
                super().__init__(**kwargs)
                self.conv_1 = layers.Conv1D(nb_filters, kernel_size, padding="causal", activation="relu")
                self.shape_match_conv = layers.Conv1D(nb_filters, 1, padding="same")  # <- TFG046

            def call(self, inputs):
                x1 = self.conv_1(inputs)
                x2 = self.shape_match_conv(inputs)
                return [tf.nn.relu(x2 + x1), x1]


        class TCN(layers.Layer):
            def __init__(self, nb_filters=2, kernel_size=3, **kwargs):
                super().__init__(**kwargs)
                self.residual_block = ResidualBlock(nb_filters, kernel_size)

            def call(self, inputs):
                x, skip_out = self.residual_block(inputs)
                return skip_out


        model = keras.Sequential([keras.Input((None, 4)), TCN(), layers.GlobalMaxPooling1D(), layers.Dense(1)])
        x = np.random.rand(8, 10, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg046_gate_block_features_dropped_by_holder",
        "none",
        """
        import keras
        import numpy as np
        import tensorflow as tf


        # A block returns (features, gate); its holder keeps only the gate: the projection's weights get no gradient.
        class GatedBlock(keras.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.proj = keras.layers.Dense(units)  # <- TFG046
                self.gate = keras.layers.Dense(units, activation="sigmoid")

            def call(self, x):
                features = self.proj(x)
                return features, self.gate(x)


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.block = GatedBlock(4)
                self.out = keras.layers.Dense(1)

            def call(self, x):
                _, g = self.block(x)
                return self.out(g)


        net = Net()
        x = np.random.rand(8, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(x) ** 2)
        grads = tape.gradient(loss, net.block.proj.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg046_gate_block_both_outputs_read",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf


        class GatedBlock(keras.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.proj = keras.layers.Dense(units)
                self.gate = keras.layers.Dense(units, activation="sigmoid")

            def call(self, x):
                features = self.proj(x)
                return features, self.gate(x)


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.block = GatedBlock(4)
                self.out = keras.layers.Dense(1)

            def call(self, x):
                f, g = self.block(x)
                return self.out(f * g)


        net = Net()
        x = np.random.rand(8, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(x) ** 2)
        grads = tape.gradient(loss, net.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg046_block_output_indexed_by_holder",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf


        # The holder indexes the element that the projection feeds: every weight of the block reaches the output.
        class Block(keras.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.proj = keras.layers.Dense(units)

            def call(self, x):
                h = self.proj(x)
                return [h, x]


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.block = Block(4)
                self.out = keras.layers.Dense(1)

            def call(self, x):
                return self.out(self.block(x)[0])


        net = Net()
        x = np.random.rand(8, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(x) ** 2)
        grads = tape.gradient(loss, net.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg046_tcn_residual_output_kept_fixed",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf
        from keras import layers


        # keras-tcn#263 fixed: use_skip_connections=False, the TCN returns the residual output, which adds the matching conv.
        class ResidualBlock(layers.Layer):
            def __init__(self, nb_filters, kernel_size, **kwargs):
                super().__init__(**kwargs)
                self.conv_1 = layers.Conv1D(nb_filters, kernel_size, padding="causal", activation="relu")
                self.shape_match_conv = layers.Conv1D(nb_filters, 1, padding="same")

            def call(self, inputs):
                x1 = self.conv_1(inputs)
                x2 = self.shape_match_conv(inputs)
                return [tf.nn.relu(x2 + x1), x1]


        class TCN(layers.Layer):
            def __init__(self, nb_filters=2, kernel_size=3, **kwargs):
                super().__init__(**kwargs)
                self.residual_block = ResidualBlock(nb_filters, kernel_size)

            def call(self, inputs):
                x, skip_out = self.residual_block(inputs)
                return x


        model = keras.Sequential([keras.Input((None, 4)), TCN(), layers.GlobalMaxPooling1D(), layers.Dense(1)])
        x = np.random.rand(8, 10, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG046"}) == c.expected
