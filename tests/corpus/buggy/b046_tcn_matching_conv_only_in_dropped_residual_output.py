# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG046@22
# source: https://github.com/philipperemy/keras-tcn/issues/263
# keras-tcn's TCN with skip connections, in the reporter's configuration (dilations=[1]: one residual block,
# nb_filters=2 on 4 input features, use_skip_connections=True, in a Sequential). The residual block returns
# [x1 + matching_conv(inputs), x1]; with skip connections the TCN keeps only the skip output x1 of its last
# block, so the 1x1 matching conv (made because nb_filters != input channels) never reaches the output.
# Keras 3: "Gradients do not exist for variables ['kernel', 'bias']"; its kernel and bias stay at their initial values.
import keras
import numpy as np
import tensorflow as tf
from keras import layers


class ResidualBlock(layers.Layer):
    def __init__(self, dilation_rate, nb_filters, kernel_size, **kwargs):
        super().__init__(**kwargs)
        self.conv_1 = layers.Conv1D(nb_filters, kernel_size, dilation_rate=dilation_rate, padding="causal")
        self.conv_2 = layers.Conv1D(nb_filters, kernel_size, dilation_rate=dilation_rate, padding="causal")
        self.act_1 = layers.Activation("relu")
        self.act_2 = layers.Activation("relu")
        self.shape_match_conv = layers.Conv1D(nb_filters, 1, padding="same", name="matching_conv1D")
        self.final_activation = layers.Activation("relu")

    def call(self, inputs, training=None):
        x1 = self.act_1(self.conv_1(inputs))
        x1 = self.act_2(self.conv_2(x1))
        x2 = self.shape_match_conv(inputs)
        x1_x2 = self.final_activation(x2 + x1)
        return [x1_x2, x1]


class TCN(layers.Layer):
    def __init__(self, nb_filters=2, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        self.residual_block = ResidualBlock(1, nb_filters, kernel_size)

    def call(self, inputs, training=None):
        x, skip_out = self.residual_block(inputs, training=training)
        return skip_out


model = keras.Sequential()
model.add(keras.Input(shape=(None, 4)))
model.add(TCN(nb_filters=2, kernel_size=3))
model.add(layers.GlobalMaxPooling1D())
model.add(layers.Dense(4, activation="softmax"))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

x = np.random.rand(8, 10, 4).astype("float32")
y = np.random.randint(0, 4, size=(8,))
with tf.GradientTape() as tape:
    loss = keras.losses.sparse_categorical_crossentropy(y, model(x, training=True))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
