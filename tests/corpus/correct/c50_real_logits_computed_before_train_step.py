# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/28836
# corrected: the images go into train_step and the model runs inside the tape.
import tensorflow as tf

tf.random.set_seed(0)


class CNNModel(tf.keras.Model):
    def __init__(self):
        super(CNNModel, self).__init__()
        self.conv1 = tf.keras.layers.Conv2D(4, 3, activation="relu")
        self.flatten = tf.keras.layers.Flatten()
        self.d1 = tf.keras.layers.Dense(10)

    def call(self, x):
        return self.d1(self.flatten(self.conv1(x)))


model = CNNModel()
cross_entropy = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
cnn_optimizer = tf.keras.optimizers.Adam(1e-4)


@tf.function
def train_step(images, labels):
    with tf.GradientTape() as cnn_tape:
        logits = model(images)
        loss = cross_entropy(labels, logits)
    gradient_of_cnn = cnn_tape.gradient(loss, model.trainable_variables)
    cnn_optimizer.apply_gradients(zip(gradient_of_cnn, model.trainable_variables))
    return gradient_of_cnn


images = tf.random.normal((8, 8, 8, 1))
label_batch = tf.one_hot(tf.range(8) % 10, 10)
RESULT = gradient_status(train_step(images, label_batch))
