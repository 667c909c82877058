# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/5107 (corrected: the hidden output is only clipped, which
# passes the gradient where the value lies inside the range)
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model

inputs = Input(shape=(6,))
hidden = Dense(8, activation="sigmoid")(inputs)
clipped = Lambda(lambda x: K.clip(x, 0.0, 1.0))(hidden)
outputs = Dense(1)(clipped)
model = Model(inputs, outputs)

x = np.random.rand(16, 6).astype("float32")
y = np.random.rand(16, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(y - model(x)))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
