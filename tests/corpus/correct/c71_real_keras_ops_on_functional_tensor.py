# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27949
# corrected: keras.ops on the symbolic tensors (recorded as layers of the functional model).
import numpy as np
import tensorflow as tf
import tensorflow.keras as keras

m = 100
n = 1
X = np.random.randn(m, n).astype(np.float32)


def create_model():
    a_input = keras.layers.Input(shape=(n,), dtype=np.float32)
    a = keras.ops.expand_dims(a_input, axis=2)
    q = keras.layers.Conv1D(1, 1)(a)
    q = -keras.ops.square(q)
    model = keras.models.Model(inputs=a_input, outputs=q)
    return model


model = create_model()
model.predict(X, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(X[:8]))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
