# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/14066 (corrected: the weight gradients of the compiled
# model's loss are taken with a GradientTape, and the optimizer only applies them)
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
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(y - model(x)))
grads = tape.gradient(loss, nodes)
model.optimizer.apply_gradients(zip(grads, nodes))
RESULT = gradient_status(grads)
