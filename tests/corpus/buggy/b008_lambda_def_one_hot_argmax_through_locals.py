# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@17
# source: https://github.com/keras-team/keras/issues/9169
# A Lambda layer decodes the relay's output into a hard one-hot symbol (one_hot of argmax of softmax): argmax
# has no gradient, so no Dense weight before it gets one and fit raises.
import numpy as np
from keras import ops
from keras.layers import Dense, Input, Lambda
from keras.models import Model
from keras.optimizers import Adam

M = 8


def decodeSignal(x):
    x = ops.softmax(x)
    Y = ops.one_hot(ops.argmax(x, axis=-1), M)
    return Y


input_layer = Input(shape=(M,))
relay = Dense(M, activation="relu")(input_layer)
relay = Dense(M)(relay)
relay_softmax = Lambda(decodeSignal, output_shape=(M,))(relay)

model = Model(input_layer, relay_softmax)
model.compile(optimizer=Adam(learning_rate=0.001), loss="categorical_crossentropy")
onehot_symbols = np.eye(M, dtype="float32")[np.random.randint(0, M, size=64)]
model.fit(onehot_symbols, onehot_symbols, epochs=1, shuffle=True, verbose=0)
