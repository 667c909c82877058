# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42244 (corrected: the canvas is built from the
# coordinates with tensor ops, no tf.Variable in call)
import numpy as np
import tensorflow as tf

keras = tf.keras
keras.utils.set_random_seed(0)
BATCH = 8


class ImagePaste(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super(ImagePaste, self).__init__(**kwargs)
        self.canvas_size = 12

    def call(self, input_data):
        positions = tf.reshape(input_data, [-1, 4])
        rest = tf.ones_like(positions[:, :1]) * tf.ones([1, self.canvas_size - 4])
        return tf.concat([positions, rest], axis=1)


noise = keras.Input((6,), batch_size=BATCH)
hidden = keras.layers.Dense(16, activation="relu")
boxes = keras.layers.Dense(4, activation="sigmoid")(hidden(noise))
pasted = ImagePaste()(boxes)
score = keras.layers.Dense(1, activation="sigmoid")(pasted)
gan = keras.Model(noise, score)
z = np.random.rand(BATCH, 6).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(keras.losses.binary_crossentropy(np.ones((BATCH, 1), "float32"), gan(z)))
RESULT = gradient_status(tape.gradient(loss, hidden.trainable_variables))
