# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27120 (a comment: one traced step method for two models)
# corrected: each model gets its own optimizer instance, so each optimizer is built for one set of variables.
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
train_optimizer = tf.keras.optimizers.SGD(0.1)
eval_optimizer = tf.keras.optimizers.SGD(0.1)
x = tf.ones((4, 3))
Trainer._train_step(x, train_model, train_optimizer)
Trainer._train_step(x, eval_model, eval_optimizer)
before = eval_model.trainable_weights[0].numpy().copy()
Trainer._train_step(x, eval_model, eval_optimizer)
RESULT = ["ok" if (before != eval_model.trainable_weights[0].numpy()).any() else "zero"]
