"""TFG027 weight-derived-tensor-computed-in-build: a tensor computed from a layer's weight once, in build/__init__."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        # The shape of http://quabr.com/59726491 (tf.gather of the weights in build, read by call).
        "tfg027_gathered_matrix_built_once_in_build",
        "none",
        """
        import numpy as np
        import tensorflow as tf


        class GatherLayer(tf.keras.layers.Layer):
            def build(self, _):
                self.w = self.add_weight(shape=(2,), initializer="random_normal", trainable=True)
                self.b = self.add_weight(shape=(1,), initializer="random_normal", trainable=True)
                self.m = tf.concat([tf.reshape(tf.gather(self.w, ix), (-1, 1)) for ix in [[0, 1], [1, 0]]], axis=-1)  # <- TFG027

            def call(self, inputs):
                return tf.matmul(inputs, self.m) + self.b


        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((2,)), GatherLayer()])
        x = np.random.randn(8, 2).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        # https://github.com/keras-team/keras/issues/4401 (expand_dims of the weights in build; Keras 3 form)
        "tfg027_expand_dims_of_local_weights_in_build",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class Normalization2D(keras.layers.Layer):
            def __init__(self, n_mels, **kwargs):
                super().__init__(**kwargs)
                self.n_mels = n_mels

            def build(self, input_shape):
                means = self.add_weight(name="means", shape=(self.n_mels,), initializer="zeros")
                stds = self.add_weight(name="stds", shape=(self.n_mels,), initializer="ones")
                self.means = keras.ops.expand_dims(means, 1)  # <- TFG027
                self.stds = keras.ops.expand_dims(stds, 1)  # <- TFG027

            def call(self, x):
                return (x - self.means) / self.stds


        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4, 5)), Normalization2D(4), keras.layers.Flatten(), keras.layers.Dense(1)])
        x = np.random.randn(8, 4, 5).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg027_transposed_kernel_in_init_under_fit",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class TiedProjection(keras.layers.Layer):
            def __init__(self, units, dim, **kwargs):
                super().__init__(**kwargs)
                self.kernel = self.add_weight(shape=(units, dim), initializer="glorot_uniform")
                self.kernel_t = tf.transpose(self.kernel)  # <- TFG027

            def call(self, x):
                return tf.matmul(x, self.kernel_t)


        keras.utils.set_random_seed(0)
        layer = TiedProjection(3, 4)
        model = keras.Sequential([keras.Input((4,)), layer, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.randn(8, 4).astype("float32")
        model.fit(x, np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg027_ok_derived_tensor_computed_in_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class TiedProjection(keras.layers.Layer):
            def __init__(self, units, dim, **kwargs):
                super().__init__(**kwargs)
                self.kernel = self.add_weight(shape=(units, dim), initializer="glorot_uniform")

            def call(self, x):
                kernel_t = tf.transpose(self.kernel)
                return tf.matmul(x, kernel_t)


        keras.utils.set_random_seed(0)
        layer = TiedProjection(3, 4)
        model = keras.Sequential([keras.Input((4,)), layer, keras.layers.Dense(1)])
        x = np.random.randn(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg027_ok_weight_also_read_by_call_and_frozen_table",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class ScaledDense(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="glorot_uniform")
                self.init_norm = tf.norm(self.w)
                self.table = self.add_weight(shape=(2,), initializer="ones", trainable=False)
                self.table_exp = tf.exp(self.table)

            def call(self, x):
                return tf.matmul(x, self.w) / self.init_norm * self.table_exp


        keras.utils.set_random_seed(0)
        layer = ScaledDense()
        model = keras.Sequential([keras.Input((4,)), layer])
        x = np.random.randn(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # A plain class / tf.Module computing from a variable handed to its constructor (tensorflow#39996).
    case(
        "tfg027_plain_class_snapshot_of_constructor_variable",
        "none",
        """
        import tensorflow as tf

        class Scaler:
            def __init__(self, log_scale, offset):
                self.scale = tf.exp(log_scale) + offset  # <- TFG027
                self.offset = offset

            def apply(self, x):
                return x * self.scale

        log_s = tf.Variable([0.5, -0.5])
        scaler = Scaler(log_s, 1.0)
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(scaler.apply(x))
        RESULT = gradient_status([tape.gradient(y, log_s)])
        """,
    ),
    # Near misses: the object is built inside the tape; the method computes from the variable it keeps.
    case(
        "tfg027_plain_class_built_inside_the_tape",
        "ok",
        """
        import tensorflow as tf

        class Scaler:
            def __init__(self, log_scale):
                self.scale = tf.exp(log_scale)

            def apply(self, x):
                return x * self.scale

        log_s = tf.Variable([0.5, -0.5])
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            scaler = Scaler(log_s)
            y = tf.reduce_sum(scaler.apply(x))
        RESULT = gradient_status([tape.gradient(y, log_s)])
        """,
    ),
    case(
        "tfg027_module_keeps_variable_and_computes_in_method",
        "ok",
        """
        import tensorflow as tf

        class Scaler(tf.Module):
            def __init__(self, log_scale):
                super().__init__()
                self.log_scale = log_scale

            def __call__(self, x):
                return x * tf.exp(self.log_scale)

        log_s = tf.Variable([0.5, -0.5])
        scaler = Scaler(log_s)
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(scaler(x))
        RESULT = gradient_status([tape.gradient(y, log_s)])
        """,
    ),
    # tensorflow#41368: an output projection tied to the input Embedding transposes the tied layer's matrix in
    # `build`; the embedding rows only the projection uses (tokens absent from the input) get a zero gradient.
    case(
        "tfg027_tied_embedding_transposed_in_build",
        "zero",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers, ops


        class TiedEmbeddingsTransposed(layers.Layer):
            def __init__(self, tied_to=None, **kwargs):
                super().__init__(**kwargs)
                self.tied_to = tied_to

            def build(self, input_shape):
                self.transposed_weights = ops.transpose(self.tied_to.weights[0])  # <- TFG027

            def compute_output_shape(self, input_shape):
                return input_shape[:-1] + (self.tied_to.input_dim,)

            def call(self, inputs):
                return ops.softmax(ops.matmul(inputs, self.transposed_weights))


        embedding = layers.Embedding(20, 8)
        ids = layers.Input((5,), dtype="int32")
        probs = TiedEmbeddingsTransposed(tied_to=embedding)(layers.Dense(8)(embedding(ids)))
        model = keras.Model(ids, probs)
        x = np.random.randint(0, 10, size=(4, 5))
        y = np.random.randint(0, 20, size=(4, 5))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
        grad = tape.gradient(loss, embedding.embeddings)
        RESULT = gradient_status([tf.convert_to_tensor(grad)[10:]])
    """,
    ),
    case(
        "tfg027_tied_decoder_kernel_transposed_in_build",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class TiedDecoder(keras.layers.Layer):
            def __init__(self, encoder, **kwargs):
                super().__init__(**kwargs)
                self.encoder = encoder

            def build(self, input_shape):
                self.w_t = tf.transpose(self.encoder.kernel)  # <- TFG027

            def call(self, h):
                return tf.matmul(h, self.w_t)


        encoder = keras.layers.Dense(3)
        encoder.build((None, 6))
        decoder = TiedDecoder(encoder)
        h = tf.constant(np.random.rand(4, 3), tf.float32)
        decoder(h)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(decoder(h) ** 2)
        RESULT = gradient_status([tape.gradient(loss, encoder.kernel)])
    """,
    ),
    case(
        "tfg027_tied_layer_shape_read_in_build",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class TiedDecoder(keras.layers.Layer):
            def __init__(self, encoder, **kwargs):
                super().__init__(**kwargs)
                self.encoder = encoder

            def build(self, input_shape):
                self.out_dim = tf.shape(self.encoder.kernel)[0]

            def call(self, h):
                return tf.reshape(tf.matmul(h, tf.transpose(self.encoder.kernel)), [-1, self.out_dim])


        encoder = keras.layers.Dense(3)
        encoder.build((None, 6))
        decoder = TiedDecoder(encoder)
        h = tf.constant(np.random.rand(4, 3), tf.float32)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(decoder(h) ** 2)
        RESULT = gradient_status([tape.gradient(loss, encoder.kernel)])
    """,
    ),
    case(
        "tfg027_tied_embedding_transposed_in_call_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers, ops


        class TiedEmbeddingsTransposed(layers.Layer):
            def __init__(self, tied_to=None, **kwargs):
                super().__init__(**kwargs)
                self.tied_to = tied_to

            def compute_output_shape(self, input_shape):
                return input_shape[:-1] + (self.tied_to.input_dim,)

            def call(self, inputs):
                return ops.softmax(ops.matmul(inputs, ops.transpose(self.tied_to.embeddings)))


        embedding = layers.Embedding(20, 8)
        ids = layers.Input((5,), dtype="int32")
        probs = TiedEmbeddingsTransposed(tied_to=embedding)(layers.Dense(8)(embedding(ids)))
        model = keras.Model(ids, probs)
        x = np.random.randint(0, 10, size=(4, 5))
        y = np.random.randint(0, 20, size=(4, 5))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
        grad = tape.gradient(loss, embedding.embeddings)
        RESULT = gradient_status([tf.convert_to_tensor(grad)[10:]])
    """,
    ),
]


# A `tf.Module` (or plain model class) makes its `tf.Variable` and a snapshot of it (`tf.transpose(self.w)`) in
# `__init__`, and `__call__` reads the snapshot: the variable gets None (TF 2.21, the Keras optimizer warns);
# computing the transpose inside `__call__` trains it.
_MODULE_SNAPSHOT = """
import tensorflow as tf


class Linear(tf.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((n_out, n_in)), name="w")
        self.b = tf.Variable(tf.zeros((n_out,)), name="b")
{init}

    def __call__(self, x):
        return x @ {read} + self.b


lin = Linear(3, 2)
x = tf.random.normal((4, 3))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(lin(x) ** 2)
RESULT = gradient_status(tape.gradient(loss, [lin.w, lin.b]))
"""
CASES += [
    case(
        "tfg027_tf_module_transposes_its_variable_in_init",
        "none",
        _MODULE_SNAPSHOT.format(init="        self.w_t = tf.transpose(self.w)  # <- TFG027", read="self.w_t"),
    ),
    case(
        "tfg027_ok_tf_module_transposes_in_call",
        "ok",
        _MODULE_SNAPSHOT.format(init="", read="tf.transpose(self.w)"),
    ),
    # adversarial-robustness-toolbox's neural cleanse: `__init__` defines the step that computes the tensor from
    # the variable under the tape, each call (it trains).
    case(
        "tfg027_ok_step_defined_in_init_computes_under_the_tape",
        "ok",
        """
        import tensorflow as tf


        class Cleanse:
            def __init__(self):
                self.mask_raw = tf.Variable(tf.zeros((3,)))

                def train_step(x):
                    with tf.GradientTape() as tape:
                        self.mask = tf.tanh(self.mask_raw) / 2.0 + 0.5
                        loss = tf.reduce_sum(self.mask * x)
                    return tape.gradient(loss, [self.mask_raw])

                self.train = train_step

            def apply(self, x):
                return self.mask * x


        c = Cleanse()
        RESULT = gradient_status(c.train(tf.ones((3,))))
        """,
    ),
    case(
        "tfg027_ok_tf_module_keeps_an_initial_copy_beside_the_variable",
        "ok",
        _MODULE_SNAPSHOT.format(
            init="        self.w0 = tf.identity(self.w)", read="tf.transpose(self.w - 0.01 * self.w0)"
        ),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG027"}) == c.expected
