# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@34
# source: https://github.com/calmiLovesAI/Basic_CNNs_TensorFlow2/issues/13
# "[DenseBlock] tf.function-decorated function tried to create variables on non-first call": DenseBlock
# builds a new BottleNeck layer inside call (through _make_layer), so fit() creates variables while tracing.
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

    def _make_layer(self, x, training):
        y = BottleNeck(growth_rate=self.growth_rate, drop_rate=self.drop_rate)(x, training=training)
        return tf.concat([x, y], axis=-1)

    def call(self, inputs, training=None, **kwargs):
        x = inputs
        for i in range(self.num_layers):
            x = self._make_layer(x, training=training)
        return x


model = tf.keras.Sequential([
    tf.keras.Input((8, 8, 3)),
    DenseBlock(num_layers=2, growth_rate=4, drop_rate=0.2),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(2),
])
model.compile(optimizer="adam", loss=tf.keras.losses.MeanSquaredError())
model.fit(np.random.rand(8, 8, 8, 3), np.random.rand(8, 2), epochs=1, verbose=0)
RESULT = ["ok"]
