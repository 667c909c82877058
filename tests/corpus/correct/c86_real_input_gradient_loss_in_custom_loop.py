# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/38119 (the regulariser computed on the real batch)
# The same input-gradient penalty computed from the batch in a custom step: every weight gets a gradient.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense

tf.keras.utils.set_random_seed(0)


def keras_loss(y_true, X, lambda_, model):
    X_tensor = tf.convert_to_tensor(X)
    with tf.GradientTape() as inp_tape:
        inp_tape.watch(X_tensor)
        pred = model(X_tensor)
        inp_grad_reg_loss = tf.keras.losses.categorical_crossentropy(y_true, pred)
    inpgrad = inp_tape.gradient(inp_grad_reg_loss, X_tensor)
    return tf.reduce_mean(inp_grad_reg_loss) + lambda_ * (tf.norm(inpgrad))


model2 = tf.keras.Sequential([tf.keras.Input((10,)), Dense(4, activation="softmax", name="dense")])
optimizer = tf.keras.optimizers.Adam()
x = tf.constant(np.random.rand(8, 10), tf.float32)
y = tf.constant(np.eye(4)[np.random.randint(0, 4, 8)], tf.float32)
with tf.GradientTape() as tape:
    loss = keras_loss(y, x, 0.1, model2)
grads = tape.gradient(loss, model2.trainable_variables)
optimizer.apply_gradients(zip(grads, model2.trainable_variables))
RESULT = gradient_status(grads)
