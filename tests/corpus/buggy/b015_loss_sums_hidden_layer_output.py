# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@19
# source: https://xue-jishu.com/zai-keras-zhong-wei-shen-me-sun-shi-han-shu-bi-xu-ji-yu-shen-jing-wang-luo-de-shu-chu
# (a translated Stack Overflow question: "why must a Keras loss depend on the network's output")
# The loss returns K.sum(hidden_a), a hidden layer's output captured from the functional graph. Keras 2
# raised "An operation has `None` for gradient"; Keras 3 refuses the captured KerasTensor in the tf op.
import numpy as np
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model

input_1 = Input((5,))
hidden_a = Dense(2)(input_1)
output = Dense(1)(hidden_a)
m3 = Model(input_1, output)


def myLoss(y_true, y_pred):
    return K.sum(hidden_a)


m3.compile(optimizer="adam", loss=myLoss)
x = np.random.random(size=(10, 5))
y = np.random.random(size=(10, 1))
m3.fit(x, y, epochs=2, verbose=0)
RESULT = ["ok"]
