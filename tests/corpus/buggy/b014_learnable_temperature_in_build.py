# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@23
# Attention pooling with a learnable softmax temperature kept in a raw tf.Variable (TF 2.x habit): Keras 3
# does not track it, so model.trainable_variables leaves it out and the custom loop never updates it.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class AttentionPooling(keras.layers.Layer):
    """Scores each timestep, softmax(scores / temperature) over time, weighted sum of the features."""

    def __init__(self, init_temperature=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init_temperature = init_temperature

    def build(self, input_shape):
        self.score_kernel = self.add_weight(
            name="score_kernel", shape=(input_shape[-1], 1), initializer="glorot_uniform"
        )
        self.temperature = tf.Variable(self.init_temperature, dtype=tf.float32, name="temperature")  # BUG

    def call(self, inputs):
        scores = tf.matmul(inputs, self.score_kernel)  # (batch, time, 1)
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

# The temperature was never in model.trainable_variables: how far did it move?
RESULT = gradient_status([pool.temperature.numpy() - temperature_before])
