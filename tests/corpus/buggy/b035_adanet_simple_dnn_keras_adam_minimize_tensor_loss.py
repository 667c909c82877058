# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@37
# source: https://github.com/tensorflow/adanet/issues/137
# AdaNet's simple DNN generator with a tf.keras optimizer: build_subnetwork_train_op returns
# self._optimizer.minimize(loss=loss, var_list=var_list) on the loss tensor. The subnetwork builder is kept, run
# eagerly on one batch instead of inside the AdaNet estimator.
import numpy as np
import tensorflow as tf


class SimpleDNNBuilder:
    def __init__(self, optimizer, layer_size, num_layers, seed):
        self._optimizer = optimizer
        self._layer_size = layer_size
        self._num_layers = num_layers
        self._seed = seed
        self._layers = [
            tf.keras.layers.Dense(
                layer_size,
                activation="relu",
                kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed),
            )
            for _ in range(num_layers)
        ]
        self._logits_layer = tf.keras.layers.Dense(1)

    def build_subnetwork(self, features):
        x = features
        for layer in self._layers:
            x = layer(x)
        return self._logits_layer(x)

    def var_list(self):
        return [v for layer in self._layers + [self._logits_layer] for v in layer.trainable_variables]

    def build_subnetwork_train_op(self, loss, var_list):
        return self._optimizer.minimize(loss=loss, var_list=var_list)


builder = SimpleDNNBuilder(tf.keras.optimizers.Adam(learning_rate=0.001), layer_size=16, num_layers=2, seed=42)
features = tf.constant(np.random.rand(32, 8), tf.float32)
labels = tf.constant(np.random.rand(32, 1), tf.float32)
logits = builder.build_subnetwork(features)
loss = tf.reduce_mean(tf.square(labels - logits))
builder.build_subnetwork_train_op(loss, builder.var_list())
