# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/1511 (rosecatherinek's comment), in TF2 form
# corrected: softmax cross-entropy on the logits; argmax only for the accuracy.
import tensorflow as tf

tf.random.set_seed(0)
SIZE_LSTM_UNITS, NUM_CLASSES = 8, 4
out = tf.random.normal((16, SIZE_LSTM_UNITS))
train_labels = tf.one_hot(tf.range(16) % NUM_CLASSES, NUM_CLASSES)
softmax_w = tf.Variable(tf.random.normal([SIZE_LSTM_UNITS, NUM_CLASSES], dtype=tf.float32))
softmax_b = tf.Variable(tf.zeros([NUM_CLASSES], dtype=tf.float32))
with tf.GradientTape() as tape:
    logits = tf.matmul(out, softmax_w) + softmax_b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=train_labels, logits=logits))
    predDiff = tf.cast(tf.subtract(tf.argmax(logits, 1), tf.argmax(train_labels, 1)), tf.float32)
RESULT = gradient_status(tape.gradient(loss, [softmax_w, softmax_b]))
