# gradls-fixture: tf-verdict=raises:InvalidArgumentError
# gradls-expect: TFG044@34
# source: https://github.com/tensorflow/tensorflow/issues/51493
# A loss computed through tf.py_function inside a tf.function(jit_compile=True) training step.
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, input_dim, output_size, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([input_dim, output_size]), name="w")
        self.b = tf.Variable(tf.zeros([output_size]), name="b")

    def __call__(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


model = Dense(2, 4)


class Test(object):
    def __init__(self):
        self.output = model([[7.0, 3]])
        self.optimizer = tf.keras.optimizers.Adam(0.4)
        self.run()

    def compare(self, y_true, output):
        return tf.square(y_true - output)

    def loss_fn(self):
        y_true = tf.ones([1, 4])
        self.output = model([[7.0, 3]])
        comp = tf.py_function(self.compare, [y_true, self.output], tf.float32)
        loss = tf.reduce_mean(comp)
        return loss

    @tf.function(autograph=True, jit_compile=True)
    def run(self):
        for i in range(3):
            with tf.GradientTape() as tape:
                loss = self.loss_fn()
            grads = tape.gradient(loss, model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, model.trainable_variables))


Test()
