# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@25
# source: https://github.com/tensorflow/tensorflow/issues/38119
# "Custom loss function with tf.keras": an input-gradient regulariser wrapped as a compiled loss is handed
# model2.input, a symbolic KerasTensor. Inside the compiled loss tf.convert_to_tensor(X) raises ValueError.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense

tf.keras.utils.set_random_seed(0)


def keras_loss(y_true, y_pred, X, lambda_, model):
    X_tensor = tf.convert_to_tensor(X)
    with tf.GradientTape() as inp_tape:
        inp_tape.watch(X_tensor)
        pred = model(X_tensor)
        inp_grad_reg_loss = tf.keras.losses.categorical_crossentropy(y_true, pred)
    inpgrad = inp_tape.gradient(inp_grad_reg_loss, X_tensor)
    return inp_grad_reg_loss + lambda_ * (tf.norm(inpgrad))


def loss_wrapper(X, lambda_, model):
    def custom_loss(y_true, y_pred):
        return keras_loss(y_true, y_pred, X, lambda_, model)
    return custom_loss


inputs = tf.keras.Input((10,))
model2 = tf.keras.Model(inputs, Dense(4, activation="softmax", name="dense")(inputs))
modloss = loss_wrapper(model2.input, 0.1, model2)
model2.compile(optimizer="adam", loss=modloss, metrics=["accuracy"])
model2.fit(np.random.rand(8, 10), np.eye(4)[np.random.randint(0, 4, 8)], epochs=1, verbose=0)
RESULT = ["ok"]
