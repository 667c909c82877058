# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/9169 (corrected)
# The Lambda layer keeps the softmax (a soft symbol) for training; the hard one-hot decision is taken only at
# prediction time, outside the model.
import numpy as np
import tensorflow as tf
from keras import ops
from keras.layers import Dense, Input, Lambda
from keras.models import Model
from keras.optimizers import Adam

M = 8


def decodeSignal(x):
    return ops.softmax(x)


input_layer = Input(shape=(M,))
relay = Dense(M, activation="relu")(input_layer)
relay = Dense(M)(relay)
relay_softmax = Lambda(decodeSignal, output_shape=(M,))(relay)

model = Model(input_layer, relay_softmax)
model.compile(optimizer=Adam(learning_rate=0.001), loss="categorical_crossentropy")
onehot_symbols = np.eye(M, dtype="float32")[np.random.randint(0, M, size=64)]
model.fit(onehot_symbols, onehot_symbols, epochs=1, shuffle=True, verbose=0)
decoded = ops.one_hot(ops.argmax(model.predict(onehot_symbols, verbose=0), axis=-1), M)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.keras.losses.categorical_crossentropy(onehot_symbols, model(onehot_symbols)))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
