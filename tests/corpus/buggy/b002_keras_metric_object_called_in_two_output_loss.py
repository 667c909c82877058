# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG002@27
# source: https://github.com/keras-team/keras/issues/19150
# A Keras *metric* object (keras.metrics.SparseCategoricalCrossentropy) is called inside the custom loss of a
# two-output model fed by a tf.data pipeline: calling a metric updates its accumulator variables and returns
# their running mean, which is not a function of y_pred on the tape (Keras 3: No gradients provided).
import keras
import numpy as np
import tensorflow as tf
from keras.layers import Dense, Input
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

sparse_cc = keras.metrics.SparseCategoricalCrossentropy(from_logits=False, ignore_class=-1)


def custom_loss(y_true, y_pred):
    loss = sparse_cc(y_true, y_pred)
    return loss


inputs = Input(shape=(8,))
hidden = Dense(16, activation="relu")(inputs)
out1 = Dense(num_classes1, activation="softmax", name="out1")(hidden)
out2 = Dense(num_classes2, activation="softmax", name="out2")(hidden)
model = Model(inputs=inputs, outputs=[out1, out2])
model.compile(optimizer=Adam(), loss=[custom_loss, custom_loss])
model.fit(dataset, epochs=1, verbose=0)
