# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/40652 (corrected)
# The thread's solution: tape.watch(r) first.
import tensorflow as tf
from tensorflow.keras import layers


def compute_kld(p_logit, q_logit):
    p = tf.nn.softmax(p_logit)
    q = tf.nn.softmax(q_logit)
    return tf.reduce_sum(p * (tf.math.log(p + 1e-16) - tf.math.log(q + 1e-16)), axis=1)


v = tf.random.normal((2, 5, 3))
p_logit = tf.random.normal((2, 10))
r = tf.random.uniform(shape=tf.shape(v), minval=0.001, maxval=0.005)
r = tf.add(v, r)
with tf.GradientTape() as tape:
    tape.watch(r)
    h1 = layers.LSTM(units=8, name="LSTM_layer_r")(r)
    p_logit_r = layers.Dense(units=10, name="Dense_layer_r")(h1)
    kl = compute_kld(p_logit, p_logit_r)
grad = tape.gradient(kl, r)
RESULT = gradient_status([grad])
