# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/probability/issues/1165 (corrected: the distribution keeps the
# log-scale variable and exponentiates it when the density is evaluated, inside the tape, the way TFP's
# `DeferredTensor` / `TransformedVariable` parameters do; every parameter gets a gradient)
import math

import tensorflow as tf


class Normal:
    def __init__(self, loc, log_scale):
        self.loc = loc
        self.log_scale = log_scale

    def log_prob(self, x):
        scale = tf.exp(self.log_scale)
        z = (x - self.loc) / scale
        return tf.reduce_sum(-0.5 * z**2 - tf.math.log(scale) - 0.5 * math.log(2.0 * math.pi))


loc_1 = tf.Variable([38.6], trainable=True)
logscale_1 = tf.Variable([2.3], trainable=True)
loc_2 = tf.Variable([6.6], trainable=True)
logscale_2 = tf.Variable([3.4], trainable=True)
parts = [Normal(loc=loc_1, log_scale=logscale_1), Normal(loc=loc_2, log_scale=logscale_2)]

with tf.GradientTape() as tape:
    ll = parts[0].log_prob(3.0) + parts[1].log_prob(5.0)

RESULT = gradient_status(tape.gradient(ll, [loc_1, loc_2, logscale_1, logscale_2]))
