# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://xue-jishu.com/zai-keras-zhong-wei-shen-me-sun-shi-han-shu-bi-xu-ji-yu-shen-jing-wang-luo-de-shu-chu (corrected)
# The hidden layer's output becomes a second model output with its own loss, so the loss reads it as
# y_pred instead of capturing the symbolic tensor: both outputs train.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model

input_1 = Input((5,))
hidden_a = Dense(2)(input_1)
output = Dense(1)(hidden_a)
m3 = Model(input_1, [output, hidden_a])


def myLoss(y_true, y_pred):
    return K.sum(y_pred)


m3.compile(optimizer="adam", loss=["mse", myLoss])
x = np.random.random(size=(10, 5))
y = np.random.random(size=(10, 1))
m3.fit(x, [y, np.zeros((10, 2))], epochs=2, verbose=0)
with tf.GradientTape() as tape:
    out, hidden = m3(x[:4])
    value = tf.reduce_mean(tf.square(out - y[:4])) + myLoss(None, hidden)
RESULT = gradient_status(tape.gradient(value, m3.trainable_variables))
