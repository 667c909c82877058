# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/20630
# corrected: model(x) inside the tape.
import tensorflow as tf

tf.random.set_seed(0)
n = 10
x = tf.random.normal([n, 2])
noise = tf.random.normal([n, 2])
y = x * 3 + 2 + noise


class Model(tf.keras.Model):
    def __init__(self):
        super(Model, self).__init__()
        self.dense1 = tf.keras.layers.Dense(units=1)

    def call(self, inputs):
        return self.dense1(inputs)


optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
model = Model()
model(x)
with tf.GradientTape() as tape:
    error = model(x) - y
    loss_value = tf.reduce_mean(tf.square(error))
grads = tape.gradient(loss_value, model.trainable_variables)
RESULT = gradient_status(grads)
optimizer.apply_gradients(zip(grads, model.trainable_variables))
