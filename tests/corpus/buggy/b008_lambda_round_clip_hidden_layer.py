# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@15
# source: https://github.com/keras-team/keras/issues/5107
# "Can I use clip and round in lambda layer": an intermediate layer's output clipped and rounded in a Lambda,
# Lambda(lambda x: K.round(K.clip(x, 0, 1))). Round has no gradient: the layers before it get None (Keras 1/2:
# ValueError None values not supported; Keras 3 trains only the layers after it).
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model

inputs = Input(shape=(6,))
hidden = Dense(8, activation="sigmoid")(inputs)
binary = Lambda(lambda x: K.round(K.clip(x, 0.0, 1.0)))(hidden)
outputs = Dense(1)(binary)
model = Model(inputs, outputs)
model.compile(optimizer="sgd", loss="mse")

x = np.random.rand(16, 6).astype("float32")
y = np.random.rand(16, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(y - model(x)))
RESULT = gradient_status(tape.gradient(loss, model.layers[1].trainable_variables))
