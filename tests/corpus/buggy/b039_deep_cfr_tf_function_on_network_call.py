# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG039@37
# source: https://github.com/google-deepmind/open_spiel/issues/1208
# Deep CFR (TF2) under Keras 3: the advantage network decorates call with @tf.function and builds its Dense
# layers on the first call, inside that trace; a tape sees none of them: No gradients provided (tf.keras 2 trained).
import numpy as np
import tensorflow as tf


class SkipDense(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(units, kernel_initializer="he_normal")

    def call(self, x):
        return self.hidden(x) + x


class AdvantageNetwork(tf.keras.Model):
    def __init__(self, input_size, adv_network_layers, num_actions, **kwargs):
        super().__init__(**kwargs)
        self._input_size = input_size
        self._num_actions = num_actions
        self.activation = tf.keras.layers.LeakyReLU(negative_slope=0.2)
        self.hidden = []
        prevunits = 0
        for units in adv_network_layers[:-1]:
            if prevunits == units:
                self.hidden.append(SkipDense(units))
            else:
                self.hidden.append(tf.keras.layers.Dense(units, kernel_initializer="he_normal"))
            prevunits = units
        self.normalization = tf.keras.layers.LayerNormalization()
        self.lastlayer = tf.keras.layers.Dense(adv_network_layers[-1], kernel_initializer="he_normal")
        self.out_layer = tf.keras.layers.Dense(num_actions)

    @tf.function
    def call(self, inputs):
        x, mask = inputs
        for layer in self.hidden:
            x = layer(x)
            x = self.activation(x)
        x = self.normalization(x)
        x = self.lastlayer(x)
        x = self.activation(x)
        x = self.out_layer(x)
        x = mask * x
        return x


class Solver:
    def __init__(self):
        self._adv_network_train = AdvantageNetwork(6, (16, 16), 3)
        self._loss_advantages = tf.keras.losses.MeanSquaredError()
        self._optimizer_advantages = tf.keras.optimizers.Adam(learning_rate=1e-3)
        self._advantage_train_step = self._get_advantage_train_graph()

    def _get_advantage_train_graph(self):
        @tf.function
        def train_step(info_states, advantages, iterations, masks, iteration):
            model = self._adv_network_train
            with tf.GradientTape() as tape:
                preds = model((info_states, masks), training=True)
                main_loss = self._loss_advantages(advantages, preds, sample_weight=iterations * 2 / iteration)
                loss = tf.add_n([main_loss], model.losses)
            gradients = tape.gradient(loss, model.trainable_variables)
            self._optimizer_advantages.apply_gradients(zip(gradients, model.trainable_variables))
            return main_loss

        return train_step


s = Solver()
d = (
    np.random.rand(8, 6).astype("float32"),
    np.random.rand(8, 3).astype("float32"),
    np.ones((8, 1), "float32"),
    np.ones((8, 3), "float32"),
)
for _ in range(3):
    print(float(s._advantage_train_step(*d, tf.constant(1.0))))
