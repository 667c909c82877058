# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG028@26
# source: https://github.com/tensorflow/tensorflow/issues/27120 (a comment: one traced step method for two models)
# The step takes the model and the optimizer as arguments; the second model's variables reach the optimizer that
# the first call built, and Keras 3 raises ValueError: Unknown variable.
import tensorflow as tf


class Trainer:
    @staticmethod
    @tf.function
    def _train_step(inputs, model, optimizer):
        with tf.GradientTape() as tape:
            results = model(inputs, training=True)
            loss = tf.reduce_mean(tf.square(results))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        return loss


train_model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
eval_model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
optimizer = tf.keras.optimizers.SGD(0.1)
x = tf.ones((4, 3))
Trainer._train_step(x, train_model, optimizer)
Trainer._train_step(x, eval_model, optimizer)
RESULT = ["ok"]
