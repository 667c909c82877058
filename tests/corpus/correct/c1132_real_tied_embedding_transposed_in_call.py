# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/41368 (near-miss: the tied layer transposes the
# embedding matrix in `call`, so the output projection trains the embedding)
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import activations, layers, ops


class TiedEmbeddingsTransposed(layers.Layer):
    def __init__(self, tied_to=None, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.tied_to = tied_to
        self.activation = activations.get(activation)


    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.tied_to.input_dim,)

    def call(self, inputs):
        output = ops.matmul(inputs, ops.transpose(self.tied_to.embeddings))
        if self.activation is not None:
            output = self.activation(output)
        return output


vocab, dim = 20, 8
embedding = layers.Embedding(vocab, dim)
ids = layers.Input((5,), dtype="int32")
h = layers.Dense(dim)(embedding(ids))
probs = TiedEmbeddingsTransposed(tied_to=embedding, activation="softmax")(h)
model = keras.Model(ids, probs)

x = np.random.randint(0, 10, size=(4, 5))
y = np.random.randint(0, vocab, size=(4, 5))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
grad = tape.gradient(loss, embedding.embeddings)
RESULT = gradient_status([tf.convert_to_tensor(grad)[10:]])
