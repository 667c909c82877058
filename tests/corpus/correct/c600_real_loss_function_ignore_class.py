# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/19150 (corrected)
# The loss function keras.losses.sparse_categorical_crossentropy(..., ignore_class=-1) instead of the metric
# object: a function of y_pred, so the two-output model trains.
import keras
import numpy as np
import tensorflow as tf
from keras.layers import Dense, Input
from keras.losses import sparse_categorical_crossentropy
from keras.models import Model
from keras.optimizers import Adam

num_samples = 32
num_classes1 = 5
num_classes2 = 3
x_dummy = np.random.rand(num_samples, 8).astype(np.float32)
y1_dummy = np.random.randint(-1, num_classes1, size=num_samples)
y2_dummy = np.random.randint(-1, num_classes2, size=num_samples)
dataset = tf.data.Dataset.from_tensor_slices((x_dummy, (y1_dummy, y2_dummy)))
dataset = dataset.shuffle(buffer_size=num_samples).batch(batch_size=16)

accuracy = keras.metrics.SparseCategoricalAccuracy()


def custom_loss(y_true, y_pred):
    loss = sparse_categorical_crossentropy(y_true, y_pred, ignore_class=-1)
    return loss


inputs = Input(shape=(8,))
hidden = Dense(16, activation="relu")(inputs)
out1 = Dense(num_classes1, activation="softmax", name="out1")(hidden)
out2 = Dense(num_classes2, activation="softmax", name="out2")(hidden)
model = Model(inputs=inputs, outputs=[out1, out2])
model.compile(optimizer=Adam(), loss=[custom_loss, custom_loss])
model.fit(dataset, epochs=1, verbose=0)

x = tf.constant(x_dummy[:16])
with tf.GradientTape() as tape:
    p1, p2 = model(x)
    loss = tf.reduce_mean(custom_loss(y1_dummy[:16], p1)) + tf.reduce_mean(custom_loss(y2_dummy[:16], p2))
accuracy.update_state(np.maximum(y1_dummy[:16], 0), p1)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
