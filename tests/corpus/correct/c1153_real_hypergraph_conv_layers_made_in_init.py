# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/GouravWadhwa/Hypergraphs-Image-Inpainting/issues/3 (corrected as the repository's later version does: the three Conv2D layers are made in `__init__`; all train)
import numpy as np
import tensorflow as tf


class HypergraphConv(tf.keras.layers.Layer):
    def __init__(self, in_features, out_features, features_height, features_width, edges, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.in_features = in_features
        self.out_features = out_features
        self.features_height = features_height
        self.features_width = features_width
        self.vertices = features_height * features_width
        self.edges = edges
        self.filters = filters
        self.weight_2 = self.add_weight(
            name="Weight_2", shape=[in_features, out_features], initializer="glorot_normal", trainable=True
        )
        self.bias_2 = self.add_weight(name="Bias_2", shape=[out_features], initializer="glorot_normal", trainable=True)
        self.phi_conv = tf.keras.layers.Conv2D(filters, kernel_size=1, strides=1, padding="same")
        self.A_conv = tf.keras.layers.Conv2D(filters, kernel_size=1, strides=1, padding="same")
        self.M_conv = tf.keras.layers.Conv2D(edges, kernel_size=7, strides=1, padding="same")

    def call(self, x):
        phi = self.phi_conv(x)
        phi = tf.reshape(phi, shape=(-1, self.vertices, self.filters))
        A = tf.keras.layers.GlobalAveragePooling2D()(x)
        A = tf.expand_dims(tf.expand_dims(A, axis=1), axis=1)
        A = self.A_conv(A)
        A = tf.linalg.diag(tf.squeeze(A, axis=[1, 2]))
        M = self.M_conv(x)
        M = tf.reshape(M, shape=(-1, self.vertices, self.edges))
        H = tf.matmul(phi, tf.matmul(A, tf.matmul(tf.transpose(phi, perm=[0, 2, 1]), M)))
        H = tf.math.abs(H)
        D = tf.math.reduce_sum(H, axis=2)
        D_H = tf.multiply(tf.expand_dims(tf.math.pow(D + 1e-10, -0.5), axis=-1), H)
        B = tf.math.reduce_sum(H, axis=1)
        B = tf.linalg.diag(tf.math.pow(B + 1e-10, -1))
        features = tf.reshape(x, shape=(-1, self.vertices, self.in_features))
        out = features - tf.matmul(D_H, tf.matmul(B, tf.matmul(tf.transpose(D_H, perm=[0, 2, 1]), features)))
        out = tf.matmul(out, self.weight_2) + self.bias_2
        return tf.reshape(out, shape=(-1, self.features_height, self.features_width, self.out_features))


inp = tf.keras.Input(shape=(8, 8, 4))
h = tf.keras.layers.Conv2D(4, 3, padding="same")(inp)
h = HypergraphConv(4, 4, 8, 8, edges=6)(h)
out = tf.keras.layers.Conv2D(3, 3, padding="same")(h)
generator = tf.keras.Model(inp, out)
optimizer = tf.keras.optimizers.Adam(1e-3)

x = np.random.rand(2, 8, 8, 4).astype("float32")
y = np.random.rand(2, 8, 8, 3).astype("float32")
with tf.GradientTape() as gen_tape:
    pred = generator(x, training=True)
    loss = tf.reduce_mean(tf.abs(pred - y))
grads = gen_tape.gradient(loss, generator.trainable_variables)
optimizer.apply_gradients(zip(grads, generator.trainable_variables))
RESULT = gradient_status(grads) + ["none" if len(generator.trainable_variables) < 12 else "ok"]
