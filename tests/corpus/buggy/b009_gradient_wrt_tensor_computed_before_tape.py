# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@15
# source: https://github.com/tensorflow/tensorflow/issues/29942
# "`tf.GradientTape.gradient` returns `None` when `sources` is a tensor (not a variable)": x = x0 + x1 is
# computed before the tape opens, so the tape never watches it; the gradient of z = x + y with respect to x
# is None (written in TF2 eager form: the report's tf.get_variable becomes a tf.Variable).
import tensorflow as tf

x0 = tf.Variable(0.5, name="x0")
x1 = tf.constant(3.0)
x = x0 + x1
y = tf.constant(4.0)
with tf.GradientTape() as tape:
    z = x + y
    tape_grad = tape.gradient(z, x)
    print(tape_grad)
RESULT = gradient_status([tape_grad])
