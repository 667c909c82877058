# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@16
# source: https://github.com/tensorflow/tensorflow/issues/27949
import numpy as np
import tensorflow as tf
import tensorflow.keras as keras
import tensorflow.keras.backend as K

m = 100
n = 1
X = np.random.randn(m, n).astype(np.float32)


def create_model():
    a_input = keras.layers.Input(shape=(n,), dtype=np.float32)
    a = K.expand_dims(a_input, axis=2)
    q = keras.layers.Conv1D(1, 1)(a)
    q = -tf.math.square(q)
    model = keras.models.Model(inputs=a_input, outputs=q)
    return model


model = create_model()
model.predict(X, verbose=0)
