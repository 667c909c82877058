# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG011@55
# source: https://github.com/tensorflow/probability/issues/1165
# A joint distribution built once, before the tape, from trainable parameters: `scale=tf.exp(logscale_1)` is
# evaluated eagerly when the distribution is constructed, so the tensor stored in it has no record of
# `logscale_1`; `log_prob` inside the tape reaches `loc_1` (the variable itself is stored) but the log-scales get
# None. TensorFlow Probability is not installed here: `Normal` and `JointDistributionSequential` are minimal
# stand-ins that store their constructor arguments and evaluate the log density in `log_prob`, as TFP's do.
import math

import tensorflow as tf


class Normal:
    def __init__(self, loc, scale):
        self.loc = loc
        self.scale = scale

    def log_prob(self, x):
        z = (x - self.loc) / self.scale
        return tf.reduce_sum(-0.5 * z**2 - tf.math.log(self.scale) - 0.5 * math.log(2.0 * math.pi))


class JointDistributionSequential:
    def __init__(self, parts):
        self.parts = parts

    def log_prob(self, *values):
        total = 0.0
        for i, (part, value) in enumerate(zip(self.parts, values)):
            dist = part(*reversed(values[:i])) if callable(part) else part
            total += dist.log_prob(value)
        return total


loc_1 = tf.Variable([38.6], trainable=True)
logscale_1 = tf.Variable([2.3], trainable=True)

loc_2 = tf.Variable([6.6], trainable=True)
logscale_2 = tf.Variable([3.4], trainable=True)

a = tf.Variable([3.3], trainable=True)
b = tf.Variable([6.0], trainable=True)
joint = JointDistributionSequential(
    [
        Normal(loc=loc_1, scale=tf.exp(logscale_1)),
        Normal(loc=loc_2, scale=tf.exp(logscale_2)),
        lambda b1, b0: Normal(loc=b0 + b1 * 3, scale=a / b),
    ]
)

with tf.GradientTape() as tape:
    ll = joint.log_prob(3.0, 5.0, 6.0)

RESULT = gradient_status(tape.gradient(ll, [loc_1, loc_2, logscale_1, logscale_2]))
