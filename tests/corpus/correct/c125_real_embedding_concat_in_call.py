# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/37726 (corrected)
# The two tables are concatenated in call, under the tape, so looking up a new word's id trains its row.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class CustomEmbedding(keras.layers.Layer):
    def __init__(self, pretrained, n_new, **kwargs):
        super().__init__(**kwargs)
        dim = pretrained.shape[1]
        self.pretrained = self.add_weight(
            name="pretrained", shape=pretrained.shape, initializer=keras.initializers.Constant(pretrained),
            trainable=False,
        )
        self.new_words = self.add_weight(
            name="new_words", shape=(n_new, dim), initializer="uniform", trainable=True
        )

    def call(self, ids):
        embeddings = tf.concat([self.pretrained, self.new_words], axis=0)
        return tf.nn.embedding_lookup(embeddings, ids)


pretrained = np.random.RandomState(0).rand(6, 4).astype("float32")
model = keras.Sequential(
    [keras.Input((3,), dtype="int32"), CustomEmbedding(pretrained, 4), keras.layers.Flatten(), keras.layers.Dense(1)]
)
ids = np.array([[0, 7, 8], [9, 2, 6]], dtype="int32")
y = np.ones((2, 1), dtype="float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(ids) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
