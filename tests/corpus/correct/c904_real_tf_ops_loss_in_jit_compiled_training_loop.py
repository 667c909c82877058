# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/51493 (corrected: the loss in TensorFlow ops)
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
        self.grads = self.run()

    def compare(self, y_true, output):
        return tf.square(y_true - output)

    def loss_fn(self):
        y_true = tf.ones([1, 4])
        self.output = model([[7.0, 3]])
        comp = self.compare(y_true, self.output)
        loss = tf.reduce_mean(comp)
        return loss

    @tf.function(autograph=True, jit_compile=True)
    def run(self):
        first = None
        for i in range(3):
            with tf.GradientTape() as tape:
                loss = self.loss_fn()
            grads = tape.gradient(loss, model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, model.trainable_variables))
            if first is None:
                first = grads  # the first step's gradients (later steps can leave the ReLU dead)
        return first


test = Test()
RESULT = gradient_status(test.grads)
