# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/pull/17753 (corrected: the squared error is returned unrounded)
import tensorflow as tf

X = tf.constant([-7.0, -4.0, -1.0])
y = tf.constant([3.0, 6.0, 9.0])

model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(1,))])


class customloss(tf.keras.losses.Loss):
    def call(self, y_true, y_pred):
        return tf.square(y_true - y_pred)


model.compile(loss=customloss(), optimizer="adam", metrics=["mae"])
model.fit(tf.expand_dims(X, -1), y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = customloss()(tf.expand_dims(y, -1), model(tf.expand_dims(X, -1)))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
