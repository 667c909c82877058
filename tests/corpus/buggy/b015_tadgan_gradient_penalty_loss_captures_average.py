# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@28
# source: https://github.com/sintel-dev/Orion/issues/161
# TadGAN's Keras 2 gradient-penalty loss (`K.gradients(y_pred, averaged_samples)`), with the interpolated
# samples, a symbolic output of the critic model under construction, bound into the loss by functools.partial.
# Under Keras 3 the compiled loss runs on real batches while `averaged_samples` stays a KerasTensor:
# ValueError: A KerasTensor cannot be used as input to a TensorFlow function. Small dense critic as a stand-in.
import functools

import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Flatten, Input, Layer
from tensorflow.keras.models import Model, Sequential


class RandomWeightedAverage(Layer):
    def call(self, inputs, **kwargs):
        alpha = K.random_uniform((8, 1, 1))
        return (alpha * inputs[0]) + ((1 - alpha) * inputs[1])


def _wasserstein_loss(y_true, y_pred):
    return K.mean(y_true * y_pred)


def _gradient_penalty_loss(y_true, y_pred, averaged_samples):
    gradients = K.gradients(y_pred, averaged_samples)[0]
    gradients_sqr = K.square(gradients)
    gradients_sqr_sum = K.sum(gradients_sqr, axis=np.arange(1, len(gradients_sqr.shape)))
    gradient_l2_norm = K.sqrt(gradients_sqr_sum)
    gradient_penalty = K.square(1 - gradient_l2_norm)
    return K.mean(gradient_penalty)


critic_x = Sequential([Input((10, 1)), Flatten(), Dense(16, activation="relu"), Dense(1)])
x = Input(shape=(10, 1))
x_ = Input(shape=(10, 1))
valid_x = critic_x(x)
fake_x = critic_x(x_)
alpha_x = RandomWeightedAverage()([x, x_])
validity_interpolated_x = critic_x(alpha_x)
partial_gp_loss_x = functools.partial(_gradient_penalty_loss, averaged_samples=alpha_x)
partial_gp_loss_x.__name__ = "gradient_penalty"
critic_x_model = Model(inputs=[x, x_], outputs=[valid_x, fake_x, validity_interpolated_x])
critic_x_model.compile(
    loss=[_wasserstein_loss, _wasserstein_loss, partial_gp_loss_x], optimizer="adam", loss_weights=[1, 1, 10]
)
X = np.random.rand(8, 10, 1).astype("float32")
X_fake = np.random.rand(8, 10, 1).astype("float32")
valid = -np.ones((8, 1), dtype="float32")
fake = np.ones((8, 1), dtype="float32")
critic_x_model.train_on_batch([X, X_fake], [valid, fake, fake])
RESULT = "ok"
