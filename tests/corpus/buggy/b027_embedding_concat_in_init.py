# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG027@25
# source: https://github.com/tensorflow/tensorflow/issues/37726
# "Gradients do not exist for variables after tf.concat()": a custom embedding joins a frozen pretrained table
# and a trainable table for new words with tf.concat once, in the constructor, and looks ids up in the result;
# the concatenated tensor is a constant snapshot, so the trainable table never gets a gradient.
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
        self.embeddings = tf.concat([self.pretrained, self.new_words], axis=0)

    def call(self, ids):
        return tf.nn.embedding_lookup(self.embeddings, ids)


pretrained = np.random.RandomState(0).rand(6, 4).astype("float32")
model = keras.Sequential(
    [keras.Input((3,), dtype="int32"), CustomEmbedding(pretrained, 4), keras.layers.Flatten(), keras.layers.Dense(1)]
)
ids = np.array([[0, 7, 8], [9, 2, 6]], dtype="int32")
y = np.ones((2, 1), dtype="float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(ids) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
