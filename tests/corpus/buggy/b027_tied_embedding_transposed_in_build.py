# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG027@23
# source: https://github.com/tensorflow/tensorflow/issues/41368
# A language model whose output projection is tied to its input embedding: the reporter's
# TiedEmbeddingsTransposed layer takes the transpose of the tied Embedding's matrix once, in `build`, and
# multiplies by it in `call`. The transpose is a tensor computed from the variable when the layer is built, so
# the output projection contributes nothing to the embedding's gradient (the reporter: the gradients differ from
# a single lookup). RESULT: the gradient of the embedding rows that only the output projection uses (tokens
# that never occur in the input batch) is zero. Keras 3 ops stand in for the Keras 2 backend (K.transpose, K.dot).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import activations, layers, ops


class TiedEmbeddingsTransposed(layers.Layer):
    def __init__(self, tied_to=None, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.tied_to = tied_to
        self.activation = activations.get(activation)

    def build(self, input_shape):
        self.transposed_weights = ops.transpose(self.tied_to.weights[0])
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.tied_to.input_dim,)

    def call(self, inputs):
        output = ops.matmul(inputs, self.transposed_weights)
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
