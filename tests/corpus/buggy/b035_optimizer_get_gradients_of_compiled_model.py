# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@22
# source: https://github.com/keras-team/keras/issues/14066
# keract's weight-gradient helper: a compiled functional model, and the gradients of its loss taken with the
# optimizer's get_gradients (tf.keras 2 API; Keras 3 optimizers only apply gradients).
import numpy as np
import tensorflow as tf
from tensorflow.keras import Input, Model
from tensorflow.keras.layers import Dense

i1 = Input(shape=(10,), name="i1")
a = Dense(1, name="fc1")(i1)
model = Model(inputs=[i1], outputs=[a])
model.compile(optimizer="adam", loss="mse")

x = np.random.uniform(size=(32, 10)).astype("float32")
y = np.random.uniform(size=(32, 1)).astype("float32")
model.fit(x, y, epochs=1, verbose=0)

nodes = model.trainable_weights
loss = tf.reduce_mean(tf.square(y - model(x)))
grads = model.optimizer.get_gradients(loss, nodes)
RESULT = gradient_status(grads)
