# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/52260
# corrected: the discriminator reads the generator's softmax scores (differentiable), not their argmax.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model, Sequential
from tensorflow.keras.optimizers import Adam

tf.keras.utils.set_random_seed(0)
timestep = 6
generator = Sequential([Input((timestep,)), Dense(timestep * 4), tf.keras.layers.Reshape((timestep, 4))])
discriminator = Sequential([Input((timestep, 4)), tf.keras.layers.Flatten(), Dense(8, activation="relu"), Dense(1, activation="sigmoid")])


def define_gan(g_model, d_model, timestep):
    d_model.trainable = False
    g_model.trainable = True
    a = Input(shape=(timestep,))
    b = g_model(a)
    c = tf.keras.layers.Softmax(axis=-1)(b)
    output_d = d_model(c)
    model = Model(inputs=a, outputs=output_d)
    opt = Adam(learning_rate=0.0002, beta_1=0.5)
    model.compile(loss=["binary_crossentropy"], optimizer=opt, metrics=["accuracy"])
    return model


gan = define_gan(generator, discriminator, timestep)
noise = np.random.randn(8, timestep).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(np.ones((8, 1), "float32"), gan(noise)))
RESULT = gradient_status(tape.gradient(loss, generator.trainable_variables))
gan.fit(noise, np.ones((8, 1), "float32"), epochs=1, verbose=0)
