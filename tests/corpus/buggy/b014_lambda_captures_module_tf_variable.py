# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@14
# source: https://github.com/tensorflow/tensorflow/issues/61658
# A Lambda layer computing x @ weights + bias from a tf.Variable made outside it (the maintainer's reduction of
# the report, TF 2.13: "if variables are involved in the layer created by this method, the variable will not be
# automatically added to the variable set for gradient calculation"). In a model trained by fit the Lambda has
# no weights: `weights` is not in model.trainable_variables and never changes; only the Dense after it trains.
import numpy as np
import tensorflow as tf

weights = tf.Variable(tf.random.normal((4, 2)), name="w")
bias = tf.ones((1, 2), name="b")

mylayer1 = tf.keras.layers.Lambda(lambda x: tf.add(tf.matmul(x, weights), bias), name="lambda1")
model = tf.keras.Sequential([tf.keras.Input((4,)), mylayer1, tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")

x_input = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")
before = weights.numpy().copy()
model.fit(x_input, y, epochs=2, verbose=0)
RESULT = gradient_status([weights.numpy() - before])
