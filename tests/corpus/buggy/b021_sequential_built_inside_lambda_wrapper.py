# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@18
# source: https://github.com/keras-team/keras-applications/issues/168
# A model class wraps a Sequential(Bidirectional(LSTM)) built inside the function of a Lambda layer: the layers
# are created anew each time the Lambda runs. Keras 2 left them untrained (training stuck); TF 2.21 / Keras 3
# raises in fit: ValueError: tf.function only supports singleton tf.Variables created on the first call.
import numpy as np
from tensorflow import keras
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Lambda
from tensorflow.keras.models import Sequential

keras.utils.set_random_seed(0)


class mymodel(object):
    def __init__(self):
        def lambda_wrapper(x):
            model = Sequential()
            # some layers like:
            cell = LSTM(8, return_sequences=True)
            layer = Bidirectional(cell)
            model.add(layer)
            return model(x)

        lambda_model_layer = Lambda(lambda x: lambda_wrapper(x))
        self.model = Sequential()
        self.model.add(keras.Input((5, 3)))
        self.model.add(lambda_model_layer)
        self.model.add(Dense(1))


model = mymodel().model
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(8, 5, 3).astype("float32"), np.random.rand(8, 5, 1).astype("float32"), epochs=1, verbose=0)
RESULT = ["ok"]
