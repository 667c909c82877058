# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG038@22
# source: https://github.com/tensorflow/tensorflow/issues/75351
# shap's DeepExplainer needs the gradient of a model's output with respect to its input; with an Embedding layer
# it is None. The reporter's shape: a functional model Input -> Embedding -> reshape -> Dense, the token ids fed
# as a float tensor that the tape watches. Embedding casts its input to int32 and gathers rows: nothing flows
# back to the ids, `tape.gradient(output, inputs)` is None (TF 2.15 to 2.21).
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, models

input1 = layers.Input((10,))
emb = layers.Embedding(1000, 64)(input1)
output = layers.Dense(1)(layers.Reshape((640,))(emb))
model = models.Model(input1, output)

input_array = np.random.randint(1000, size=(32, 10))
inputs = tf.constant(input_array, dtype=tf.float32)
with tf.GradientTape() as tape:
    tape.watch(inputs)
    out = model(inputs)
grads = tape.gradient(out, inputs)
RESULT = gradient_status([grads])
