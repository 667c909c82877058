# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/75351 (near-miss: the attribution is taken with respect
# to the embedded vectors, the Embedding layer called before the tape and the rest of the model on its output)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, models

input1 = layers.Input((10,))
embedding = layers.Embedding(1000, 64)
emb = embedding(input1)
output = layers.Dense(1)(layers.Reshape((640,))(emb))
model = models.Model(input1, output)

head_in = layers.Input((10, 64))
head = models.Model(head_in, model.layers[-1](model.layers[-2](head_in)))

input_array = np.random.randint(1000, size=(32, 10))
embedded = embedding(tf.constant(input_array))
with tf.GradientTape() as tape:
    tape.watch(embedded)
    out = head(embedded)
grads = tape.gradient(out, embedded)
RESULT = gradient_status([grads])
