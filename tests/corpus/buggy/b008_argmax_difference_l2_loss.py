# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@15
# source: https://github.com/tensorflow/tensorflow/issues/1511 (rosecatherinek's comment), in TF2 form
# The loss compares arg_max of logits and labels: argmax has no gradient.
import tensorflow as tf

tf.random.set_seed(0)
SIZE_LSTM_UNITS, NUM_CLASSES = 8, 4
out = tf.random.normal((16, SIZE_LSTM_UNITS))
train_labels = tf.one_hot(tf.range(16) % NUM_CLASSES, NUM_CLASSES)
softmax_w = tf.Variable(tf.random.normal([SIZE_LSTM_UNITS, NUM_CLASSES], dtype=tf.float32))
softmax_b = tf.Variable(tf.zeros([NUM_CLASSES], dtype=tf.float32))
with tf.GradientTape() as tape:
    logits = tf.matmul(out, softmax_w) + softmax_b
    predDiff = tf.cast(tf.subtract(tf.argmax(logits, 1), tf.argmax(train_labels, 1)), tf.float32)
    l2loss = tf.nn.l2_loss(predDiff)
RESULT = gradient_status(tape.gradient(l2loss, [softmax_w, softmax_b]))
