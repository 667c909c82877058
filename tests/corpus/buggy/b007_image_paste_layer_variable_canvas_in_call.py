# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@26
# source: https://github.com/tensorflow/tensorflow/issues/42244
# A weightless layer between a generator and a discriminator pastes the generator's box coordinates into a canvas
# that it keeps in a tf.Variable made in call(); the combined model is trained with fit.
import numpy as np
import tensorflow as tf

keras = tf.keras
keras.utils.set_random_seed(0)
BATCH = 8


class ImagePaste(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super(ImagePaste, self).__init__(**kwargs)
        self.canvas_size = 12

    def build(self, input_shape):
        self.batch_s = input_shape[0]
        super(ImagePaste, self).build(input_shape)

    def call(self, input_data):
        positions = tf.convert_to_tensor(input_data)
        positions = tf.reshape(positions, [-1, 4])
        canvas = tf.Variable(tf.ones([self.batch_s, self.canvas_size]))
        canvas[:, 0:4].assign(positions)
        return canvas


noise = keras.Input((6,), batch_size=BATCH)
boxes = keras.layers.Dense(4, activation="sigmoid")(keras.layers.Dense(16, activation="relu")(noise))
pasted = ImagePaste()(boxes)
score = keras.layers.Dense(1, activation="sigmoid")(pasted)
gan = keras.Model(noise, score)
gan.compile(optimizer="adam", loss="binary_crossentropy")
z = np.random.rand(BATCH * 4, 6).astype("float32")
gan.fit(z, np.ones((BATCH * 4, 1), "float32"), batch_size=BATCH, epochs=1, verbose=0)
RESULT = ["ok"]
