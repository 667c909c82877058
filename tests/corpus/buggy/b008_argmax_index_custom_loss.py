# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@15
# source: https://stackoverflow.com/questions/46926809 ("Getting around tf.argmax which is not differentiable";
# mirror: https://py4u.org/questions/46926809/)
# A custom loss needs the index of the highest output, so it takes tf.argmax of y_pred; argmax returns an
# integer index with no gradient, and the loss can compute no gradient for any weight.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)


def custom_loss(y_true, y_pred):
    true_index = tf.argmax(y_true, axis=-1)
    pred_index = tf.argmax(y_pred, axis=-1)
    return tf.reduce_mean(tf.square(tf.cast(pred_index - true_index, tf.float32)))


model = tf.keras.Sequential([tf.keras.Input((10,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(5)])
model.compile(optimizer="adam", loss=custom_loss)
x = np.random.RandomState(0).rand(20, 10).astype("float32")
y = tf.keras.utils.to_categorical(np.random.RandomState(1).randint(0, 5, 20), 5)
model.fit(x, y, epochs=1, batch_size=10, verbose=0)
RESULT = ["ok"]
