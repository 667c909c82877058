# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@39
# source: https://github.com/whyisyoung/CADE/issues/3
# CADE's contrastive autoencoder ported to TF 2: the loss (contrastive term on the encodings plus the reconstruction
# MSE) is computed eagerly, then `self.optimizer.minimize(loss=lambda: loss, var_list=...)` on a tf.keras Adam.
# The reporter's Keras 2 raised "No gradients provided for any variable" (the callable only returns the finished
# loss); Keras 3 optimizers have no `minimize` and raise AttributeError. The encoder/decoder and batch are small;
# `tf.compat.v1.trainable_variables()` (empty in eager code) is the model's variables.
import numpy as np
import tensorflow as tf


class ContrastiveAE:
    def __init__(self, dims, learning_rate=1e-4):
        self.encoder = tf.keras.Sequential(
            [tf.keras.Input((dims[0],))] + [tf.keras.layers.Dense(d, activation="relu") for d in dims[1:]]
        )
        self.decoder = tf.keras.Sequential(
            [tf.keras.Input((dims[-1],))] + [tf.keras.layers.Dense(d, activation="relu") for d in dims[-2::-1]]
        )
        self.optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)

    def train(self, X_train, y_train, lambda_1, margin):
        input_ = tf.constant(X_train)
        labels = tf.constant(y_train)
        encoded = self.encoder(input_)
        out = self.decoder(encoded)
        half = X_train.shape[0] // 2
        left_p, right_p = encoded[:half], encoded[half:]
        left_y, right_y = labels[:half], labels[half:]
        is_same = tf.cast(tf.equal(left_y, right_y), tf.float32)
        dist = tf.sqrt(tf.reduce_sum(tf.square(left_p - right_p), axis=1) + 1e-10)
        contrastive_loss = tf.reduce_mean(
            tf.multiply(is_same, dist) + tf.multiply(1.0 - is_same, tf.nn.relu(margin - dist))
        )
        ae_loss = tf.reduce_mean(tf.keras.losses.MSE(input_, out))
        loss = lambda_1 * contrastive_loss + ae_loss
        var_list = self.encoder.trainable_variables + self.decoder.trainable_variables
        self.optimizer.minimize(loss=lambda: loss, var_list=var_list)


cae = ContrastiveAE([12, 8, 4])
X = np.random.rand(16, 12).astype("float32")
y = np.random.randint(0, 2, size=16).astype("int64")
cae.train(X, y, lambda_1=0.1, margin=10.0)
