# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@19
# source: https://github.com/keras-team/keras/pull/17753
# The pull request's example of the common mistake it wanted Keras to report: a `Loss` subclass whose `call`
# rounds the squared error. Round has no gradient, so `fit` raises ValueError: No gradients provided for any
# variable.
# A `tf.keras.losses.Loss` subclass whose `call` rounds the squared error: Round has no gradient, so fit finds
# none for the Dense weights.
import tensorflow as tf

X = tf.constant([-7.0, -4.0, -1.0])
y = tf.constant([3.0, 6.0, 9.0])

model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(1,))])


class customloss(tf.keras.losses.Loss):
    def call(self, y_true, y_pred):
        return tf.round(tf.square(y_true - y_pred))


model.compile(loss=customloss(), optimizer="adam", metrics=["mae"])
model.fit(tf.expand_dims(X, -1), y, epochs=1, verbose=0)
RESULT = "ok"
