# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@24
# source: https://github.com/tensorflow/tensorflow/issues/40652
# Gradient of the KL score w.r.t. the perturbed input r, a tensor computed before the tape and never watched:
# None.
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
    h1 = layers.LSTM(units=8, name="LSTM_layer_r")(r)
    p_logit_r = layers.Dense(units=10, name="Dense_layer_r")(h1)
    kl = compute_kld(p_logit, p_logit_r)
grad = tape.gradient(kl, r)
RESULT = gradient_status([grad])
