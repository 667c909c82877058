# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@20
# source: https://github.com/rasbt/python-machine-learning-book-3rd-edition/issues/179
# Python Machine Learning 3rd ed., chapter 13 ("Building a NN model in TensorFlow"): a linear regression written
# as a tf.keras.Model subclass whose weight and bias are raw tf.Variables, trained with compile() and fit().
# Under Keras 3 the reporter gets "UserWarning: The model does not have any trainable weights" and the
# regression line is never fitted: Keras 3 does not track tf.Variable attributes, fit has nothing to update
# and w, b keep their initial values (RESULT).
import numpy as np
import tensorflow as tf

X_train = np.arange(10).reshape((10, 1))
y_train = np.array([1.0, 1.3, 3.1, 2.0, 5.0, 6.3, 6.6, 7.4, 8.0, 9.0])
X_train_norm = (X_train - np.mean(X_train)) / np.std(X_train)


class MyModel(tf.keras.Model):
    def __init__(self):
        super(MyModel, self).__init__()
        self.w = tf.Variable(0.0, name="weight"); self.b = tf.Variable(0.0, name="bias")  # the book's two lines, joined

    def call(self, x):
        return self.w * x + self.b


def loss_fn(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred))


tf.random.set_seed(1)
model = MyModel()
model.build((None, 1))
model.compile(optimizer="sgd", loss=loss_fn, metrics=["mae", "mse"])
model.fit(X_train_norm.astype("float32"), y_train.astype("float32"), epochs=3, batch_size=1, verbose=0)
RESULT = ["zero" if float(model.w.numpy()) == 0.0 and float(model.b.numpy()) == 0.0 else "ok"]
