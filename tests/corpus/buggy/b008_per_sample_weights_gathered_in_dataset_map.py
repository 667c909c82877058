# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@20
# source: https://github.com/tensorflow/tensorflow/issues/19556 (the Stack Overflow question it links,
# "Tensorflow Dataset API: gradient is None")
# Per-sample weights of a statistical model: the sample index travels through the tf.data pipeline and the
# weight is looked up inside Dataset.map. The map function runs in the dataset's own graph, so the tape never
# sees the read of the variable: the gradient w.r.t. the per-sample weights is None
# (ValueError: No gradients provided for any variable).
import numpy as np
import tensorflow as tf

n = 64
x_all = np.random.rand(n, 3).astype("float32")
y_all = np.random.rand(n).astype("float32")
sample_weights = tf.Variable(tf.ones([n]), name="sample_weights")
beta = tf.Variable(tf.zeros([3]), name="beta")
optimizer = tf.keras.optimizers.SGD(0.01)

dataset = tf.data.Dataset.from_tensor_slices((x_all, y_all, tf.range(n)))
dataset = dataset.map(lambda x, y, i: (x, y, tf.gather(sample_weights, i))).batch(16)

for x, y, w in dataset:
    with tf.GradientTape() as tape:
        pred = tf.linalg.matvec(x, beta)
        loss = tf.reduce_mean(w * tf.square(y - pred))
    grads = tape.gradient(loss, [sample_weights])
    optimizer.apply_gradients(zip(grads, [sample_weights]))
