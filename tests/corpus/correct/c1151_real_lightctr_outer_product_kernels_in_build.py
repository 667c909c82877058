# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/Hirosora/LightCTR/issues/4 (corrected: the kernels are made in `build`, one per input pair, and `call` reads them; every weight trains under fit)
import numpy as np
import tensorflow as tf


class OuterProduct(tf.keras.Model):
    def __init__(self, kernel_initializer="glorot_uniform", kernel_regularizer=None, **kwargs):
        super(OuterProduct, self).__init__(**kwargs)
        self.kernel_initializer = kernel_initializer
        self.kernel_regularizer = kernel_regularizer

    def build(self, input_shape):
        self.kernels = {}
        for i in range(len(input_shape) - 1):
            for j in range(i + 1, len(input_shape)):
                self.kernels[f"{i}_{j}"] = self.add_weight(
                    shape=(input_shape[i][-1], input_shape[j][-1]),
                    initializer=self.kernel_initializer,
                    regularizer=self.kernel_regularizer,
                    trainable=True,
                )

    def call(self, inputs, **kwargs):
        outer_products_list = list()
        for i in range(len(inputs) - 1):
            for j in range(i + 1, len(inputs)):
                inp_i = tf.expand_dims(inputs[i], axis=1)
                inp_j = tf.expand_dims(inputs[j], axis=-1)
                kernel = self.kernels[f"{i}_{j}"]
                product = tf.reduce_sum(tf.matmul(tf.matmul(inp_i, kernel), inp_j), axis=-1, keepdims=False)
                outer_products_list.append(product)
        outer_product_layer = tf.concat(outer_products_list, axis=1)
        return outer_product_layer


inputs = [tf.keras.Input(shape=(4,)) for _ in range(3)]
embedded = [tf.keras.layers.Dense(4)(inp) for inp in inputs]
product_layer = OuterProduct()(embedded)
output = tf.keras.layers.Dense(1, activation="sigmoid")(tf.keras.layers.Flatten()(product_layer))
model = tf.keras.Model(inputs=inputs, outputs=output)
model.compile(optimizer="sgd", loss="binary_crossentropy")
x = [np.random.rand(16, 4).astype("float32") for _ in range(3)]
y = np.random.randint(0, 2, (16, 1)).astype("float32")
before = [w.numpy().copy() for w in model.trainable_weights]
model.fit(x, y, epochs=1, verbose=0)
RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, model.trainable_weights)]
