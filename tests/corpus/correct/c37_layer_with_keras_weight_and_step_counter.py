# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Attention pooling whose learnable temperature is an add_weight scalar; a raw tf.Variable is kept only
# as a non-trainable call counter (state, not a weight), so nothing that should train is untracked.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class AttentionPooling(keras.layers.Layer):
    def __init__(self, init_temperature=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init_temperature = init_temperature
        self.num_calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="num_calls")

    def build(self, input_shape):
        self.score_kernel = self.add_weight(
            name="score_kernel", shape=(input_shape[-1], 1), initializer="glorot_uniform"
        )
        self.temperature = self.add_weight(
            name="temperature", shape=(), initializer=keras.initializers.Constant(self.init_temperature)
        )

    def call(self, inputs):
        self.num_calls.assign_add(1)
        scores = tf.matmul(inputs, self.score_kernel)
        weights = tf.nn.softmax(scores / self.temperature, axis=1)
        return tf.reduce_sum(weights * inputs, axis=1)


pool = AttentionPooling()
model = keras.Sequential([
    keras.Input((10, 6)),
    keras.layers.Dense(16, activation="tanh"),
    pool,
    keras.layers.Dense(1),
])
optimizer = keras.optimizers.Adam(1e-2)
x = np.random.randn(32, 10, 6).astype("float32")
y = np.random.randn(32, 1).astype("float32")

temperature_before = pool.temperature.numpy()
for epoch in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))

RESULT = {
    "grads": gradient_status(grads),
    "temperature_moved": gradient_status([pool.temperature.numpy() - temperature_before]),
}
