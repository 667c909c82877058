# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/adanet/issues/137 (corrected: the train op computes the loss under a
# GradientTape and applies the gradients, as the maintainers' answer suggests)
import numpy as np
import tensorflow as tf


class SimpleDNNBuilder:
    def __init__(self, optimizer, layer_size, num_layers):
        self._optimizer = optimizer
        self._layers = [tf.keras.layers.Dense(layer_size, activation="relu") for _ in range(num_layers)]
        self._logits_layer = tf.keras.layers.Dense(1)

    def build_subnetwork(self, features):
        x = features
        for layer in self._layers:
            x = layer(x)
        return self._logits_layer(x)

    def var_list(self):
        return [v for layer in self._layers + [self._logits_layer] for v in layer.trainable_variables]

    def train_step(self, features, labels):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(labels - self.build_subnetwork(features)))
        var_list = self.var_list()
        grads = tape.gradient(loss, var_list)
        self._optimizer.apply_gradients(zip(grads, var_list))
        return grads


builder = SimpleDNNBuilder(tf.keras.optimizers.Adam(learning_rate=0.001), layer_size=16, num_layers=2)
features = tf.constant(np.random.rand(32, 8), tf.float32)
labels = tf.constant(np.random.rand(32, 1), tf.float32)
RESULT = gradient_status(builder.train_step(features, labels))
