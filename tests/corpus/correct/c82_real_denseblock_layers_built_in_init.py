# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/calmiLovesAI/Basic_CNNs_TensorFlow2/issues/13 (the reporter's fix)
# The BottleNeck layers are created once in __init__ and only applied in call: fit() trains them.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)


class BottleNeck(tf.keras.layers.Layer):
    def __init__(self, growth_rate, drop_rate):
        super(BottleNeck, self).__init__()
        self.bn1 = tf.keras.layers.BatchNormalization()
        self.conv1 = tf.keras.layers.Conv2D(filters=4 * growth_rate, kernel_size=(1, 1), padding="same")
        self.dropout = tf.keras.layers.Dropout(rate=drop_rate)

    def call(self, inputs, training=None, **kwargs):
        x = self.bn1(inputs, training=training)
        x = tf.nn.relu(x)
        x = self.conv1(x)
        return self.dropout(x, training=training)


class DenseBlock(tf.keras.layers.Layer):
    def __init__(self, num_layers, growth_rate, drop_rate):
        super(DenseBlock, self).__init__()
        self.num_layers = num_layers
        self.growth_rate = growth_rate
        self.drop_rate = drop_rate
        self.model_list = []
        for i in range(0, self.num_layers):
            self.model_list.append(BottleNeck(growth_rate=self.growth_rate, drop_rate=self.drop_rate))

    def call(self, inputs, training=None, **kwargs):
        x = inputs
        for layer in self.model_list:
            y = layer(x, training=training)
            x = tf.concat([x, y], axis=-1)
        return x


model = tf.keras.Sequential([
    tf.keras.Input((8, 8, 3)),
    DenseBlock(num_layers=2, growth_rate=4, drop_rate=0.2),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(2),
])
model.compile(optimizer="adam", loss=tf.keras.losses.MeanSquaredError())
x = tf.random.uniform((8, 8, 8, 3))
y = tf.random.uniform((8, 2))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
grads = tape.gradient(loss, model.trainable_variables)
model.fit(x, y, epochs=1, verbose=0)
RESULT = gradient_status(grads)
