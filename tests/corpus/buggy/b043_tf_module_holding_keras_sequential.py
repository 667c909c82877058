# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG043@11
# source: https://github.com/tensorflow/tensorflow/issues/74297
# A tf.Module holding a tf.keras.Sequential: since TF 2.16 (Keras 3) the module's variables do not include the model's.
import tensorflow as tf


class X(tf.Module):
    def __init__(self):
        super().__init__()
        self.xxx = tf.keras.Sequential([tf.keras.layers.Dense(4)])

    def __call__(self, X):
        return self.xxx(X)


x = X()
x(tf.random.normal(shape=(2, 3)))
print(f"{x.variables=}")
optimizer = tf.keras.optimizers.Adam(1e-2)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(x(tf.random.normal(shape=(2, 3)))))
grads = tape.gradient(loss, x.trainable_variables)
optimizer.apply_gradients(zip(grads, x.trainable_variables))
