# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/dhirajmaji7/Attention-Res-UNet-with-Guided-Decoder-for-Semantic-Segmentation-of-Brain-tumors/issues/1
# corrected: the class weights are a constant made once, outside the loss.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K

class_weights = K.constant(np.array([1.0, 5.0], dtype="float32"))


def weighted_log_loss(y_true, y_pred):
    y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
    loss = y_true * K.log(y_pred) * class_weights
    return -K.mean(K.sum(loss, -1))


def gen_dice_loss(y_true, y_pred):
    return weighted_log_loss(y_true, y_pred)


tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss=gen_dice_loss)
x = np.random.randn(8, 4).astype("float32")
y = np.eye(2, dtype="float32")[np.arange(8) % 2]
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = gen_dice_loss(tf.constant(y), model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
