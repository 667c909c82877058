# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@16
# source: https://github.com/tensorflow/tensorflow/issues/97599
# The basic-training-loops guide's linear model as a keras.Model subclass, compiled and trained with fit. The
# report keeps both w and b in raw tf.Variables; here b is made with add_weight, so fit has a weight to train
# and the raw w is silently left out.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class MyModelKeras(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = tf.Variable(5.0)
        self.b = self.add_weight(shape=(), initializer="zeros", name="b")

    def call(self, x):
        return self.w * x + self.b


x = tf.random.normal(shape=[256])
y = x * 3.0 + 2.0 + tf.random.normal(shape=[256])

keras_model = MyModelKeras()
keras_model.compile(run_eagerly=False, optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=keras.losses.MeanSquaredError())
w_before = keras_model.w.numpy()
keras_model.fit(x, y, epochs=3, batch_size=64, verbose=0)
# b trained; did w move?
RESULT = gradient_status([keras_model.w.numpy() - w_before])
