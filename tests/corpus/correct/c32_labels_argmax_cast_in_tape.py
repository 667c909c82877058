# gradls-fixture: tf-verdict=ok
# gradls-expect:
# argmax / cast-to-int on the LABELS inside the tape: not on the path from the weights, so harmless.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4)])
x = tf.random.normal((8, 5))
one_hot = tf.one_hot(tf.random.uniform((8,), maxval=4, dtype=tf.int32), 4)
soft_targets = tf.random.uniform((8,))

with tf.GradientTape() as tape:
    labels = tf.argmax(one_hot, axis=1)
    mask = tf.cast(soft_targets > 0.2, tf.float32)
    bucket = tf.cast(tf.round(soft_targets * 3), tf.int32)
    logits = model(x, training=True)
    per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    loss = tf.reduce_sum(per_example * mask) / (tf.reduce_sum(mask) + 1.0) + 0.0 * tf.cast(tf.reduce_sum(bucket), tf.float32)
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
