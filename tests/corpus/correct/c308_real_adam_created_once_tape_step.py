# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42183 (corrected)
# The optimizer is created once outside the tf.function; the step records the loss on a tape and applies the
# gradients (Keras 3 optimizers have apply_gradients, not minimize).
import tensorflow as tf

y_N = tf.Variable([1.0, 2.0, 3.0], name="dd")
opt = tf.keras.optimizers.Adam(0.5)


def loss():
    return -tf.reduce_mean(input_tensor=tf.reduce_sum(input_tensor=tf.math.log(y_N), axis=0))


@tf.function
def run():
    with tf.GradientTape() as tape:
        value = loss()
    grads = tape.gradient(value, [y_N])
    opt.apply_gradients(zip(grads, [y_N]))
    return grads


run()
grads = run()
RESULT = gradient_status(grads)
