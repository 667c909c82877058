# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@41
# source: https://github.com/tensorflow/tensorflow/issues/45604
# The loss is computed inside the tape but negated in the tape.gradient call, after the `with` block closed:
# the negation is not recorded, so the target is not connected to any variable (No gradients provided).
import numpy as np
import tensorflow as tf

layers = tf.keras.layers


def _create_mlp(hidden_size: int = 64, output_size: int = 16):
    return tf.keras.Sequential(
        [
            layers.Dense(hidden_size, activation=None, use_bias=True),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dense(output_size, activation=None, use_bias=True),
        ]
    )


class ModelTest(tf.keras.Model):
    def __init__(self):
        super(ModelTest, self).__init__()
        self.generator = _create_mlp(output_size=8)

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)


model = ModelTest()
optimizer = tf.keras.optimizers.Adam(1e-3)


@tf.function
def train_step(x):
    with tf.GradientTape() as tape:
        out = model(x, training=True)
        loss = tf.reduce_mean(tf.math.log(tf.nn.softmax(out) + 1e-6))
    gradients = tape.gradient(-loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


train_step(np.random.rand(16, 12).astype("float32"))
