# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/8608 (corrected: the key is the op type "MatMul")
import numpy as np
import tensorflow as tf


@tf.RegisterGradient("CustomMatmul2")
def _custom_matmul_grad(op, grad):
    mask = tf.eye(3)
    return [tf.matmul(grad, op.inputs[1], transpose_b=True) * mask, tf.matmul(op.inputs[0], grad, transpose_a=True)]


with tf.Graph().as_default() as g:
    w = tf.compat.v1.Variable(tf.ones((3, 3)), dtype=tf.float32)
    x = tf.constant([1, 2, 3], dtype=tf.float32, shape=[3, 1])
    with g.gradient_override_map({"MatMul": "CustomMatmul2"}):
        logits = tf.matmul(w, x, name="Matmul")
    loss = tf.reduce_sum(logits)
    grad_w = tf.compat.v1.gradients(loss, [w])[0]
    with tf.compat.v1.Session(graph=g) as session:
        session.run(tf.compat.v1.global_variables_initializer())
        gw = session.run(grad_w)
assert np.allclose(gw, np.eye(3) * gw)
print("mask applied", gw)
RESULT = ["ok"]  # the masked gradient, checked above
