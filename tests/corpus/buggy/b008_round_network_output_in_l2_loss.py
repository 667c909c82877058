# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@23
# source: https://github.com/tensorflow/tensorflow/issues/18636
# "Does anyone know how to make network output int instead of float?": the super-resolution loss rounds the
# network output with tf.round, which has no gradient: every weight gets None and the optimizer refuses.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
net = keras.Sequential([
    keras.Input((33, 33, 1)),
    keras.layers.Conv2D(64, 9, padding="same", activation="relu"),
    keras.layers.Conv2D(32, 1, padding="same", activation="relu"),
    keras.layers.Conv2D(1, 5, padding="same"),
])
optimizer = keras.optimizers.Adam(1e-4)
Train_img_LR = tf.random.uniform((2, 33, 33, 1))
Train_img_HR = tf.random.uniform((2, 21, 21, 1))
Train_tao = 0.5

with tf.GradientTape() as tape:
    Train_output = net(Train_img_LR)[:, 6:27, 6:27, :]
    Loss = tf.reduce_mean(tf.nn.l2_loss(tf.round(Train_output) * Train_tao / 2 + Train_img_LR[:, 6:27, 6:27, :] - Train_img_HR))
grads = tape.gradient(Loss, net.trainable_variables)
optimizer.apply_gradients(zip(grads, net.trainable_variables))
RESULT = gradient_status(grads)
