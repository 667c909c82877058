# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/74297 (corrected: the gradient taken for the Keras model's own variables)
import tensorflow as tf


class X(tf.Module):
    def __init__(self):
        super().__init__()
        self.xxx = tf.keras.Sequential([tf.keras.layers.Dense(4)])

    def __call__(self, X):
        return self.xxx(X)


x = X()
x(tf.random.normal(shape=(2, 3)))
optimizer = tf.keras.optimizers.Adam(1e-2)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(x(tf.random.normal(shape=(2, 3)))))
grads = tape.gradient(loss, x.xxx.trainable_variables)
optimizer.apply_gradients(zip(grads, x.xxx.trainable_variables))
RESULT = gradient_status(grads)
