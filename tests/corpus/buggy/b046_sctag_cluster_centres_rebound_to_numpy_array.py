# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG046@52
# source: https://github.com/Philyzh8/scTAG/issues/1
# scTAG's `alt_train` sets the k-means centres with `self.cluster_model.get_layer(name='clustering').clusters =
# centers`, rebinding the attribute that held the DEC clustering layer's `clusters` weight (made by `add_weight` in
# `build`) to a NumPy array after the layer was built. Keras 3 keeps the weight in `trainable_weights` while `call`
# reads the array: the reporter's `Gradients do not exist for variables ['clustering/clusters:0']`; RESULT: the
# weight's gradient is None. Dense stand-ins for the TAGConv encoder and the ZINB decoder (an MSE reconstruction).
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Input, Layer
from tensorflow.keras.losses import KLD, MSE
from tensorflow.keras.models import Model


class ClusteringLayer(Layer):
    def __init__(self, n_clusters=4, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.n_clusters = n_clusters
        self.alpha = alpha

    def build(self, input_shape):
        self.clusters = self.add_weight(
            shape=(self.n_clusters, input_shape[-1]), initializer="glorot_uniform", name="clusters"
        )

    def call(self, inputs):
        q = 1.0 / (1.0 + (tf.reduce_sum(tf.square(tf.expand_dims(inputs, axis=1) - self.clusters), axis=2) / self.alpha))
        q = q ** ((self.alpha + 1.0) / 2.0)
        return tf.transpose(tf.transpose(q) / tf.reduce_sum(q, axis=1))


class SCTAG(tf.keras.Model):
    def __init__(self, X, latent_dim=5):
        super().__init__()
        self.X = X
        X_input = Input(shape=(X.shape[1],))
        h = Dense(16, activation="relu")(X_input)
        z_mean = Dense(latent_dim)(h)
        self.encoder = Model(inputs=X_input, outputs=z_mean, name="encoder")
        clustering_layer = ClusteringLayer(name="clustering")(z_mean)
        self.cluster_model = Model(inputs=X_input, outputs=clustering_layer, name="cluster_encoder")
        decx_in = Input(shape=(latent_dim,))
        self.decoderX = Model(inputs=decx_in, outputs=Dense(X.shape[1])(decx_in), name="decoderX")

    def target_distribution(self, q):
        q = q.numpy()
        weight = q**2 / q.sum(0)
        return (weight.T / weight.sum(1)).T

    def alt_train(self, epochs=2, lr=5e-4, W_c=1.5, centers=None):
        self.cluster_model.get_layer(name="clustering").clusters = centers
        optimizer = tf.keras.optimizers.Adam(learning_rate=lr)
        statuses = []
        for epoch in range(epochs):
            q = self.cluster_model(self.X)
            p = self.target_distribution(q)
            with tf.GradientTape(persistent=True) as tape:
                z = self.encoder(self.X)
                q_out = self.cluster_model(self.X)
                X_out = self.decoderX(z)
                rec_loss = tf.reduce_mean(MSE(self.X, X_out))
                cluster_loss = tf.reduce_mean(KLD(q_out, p))
                tot_loss = rec_loss + W_c * cluster_loss
            vars = self.trainable_weights
            grads = tape.gradient(tot_loss, vars)
            statuses = gradient_status([g for g, v in zip(grads, vars) if "clusters" in v.name])
            optimizer.apply_gradients(zip(grads, vars))
        return statuses


X = np.random.rand(32, 10).astype("float32")
model = SCTAG(X)
centers = np.random.rand(4, 5).astype("float32")
RESULT = model.alt_train(centers=centers)
