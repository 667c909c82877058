# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/eriklindernoren/Keras-GAN/issues/61 (corrected)
# The discriminator scores the soft foreground probability (channel 1 of the softmax mask) instead of the argmax:
# the generator's weights get gradients through the frozen discriminator.
import numpy as np
import tensorflow as tf
from keras import ops
from keras.layers import Conv2D, Dense, Flatten, Input, Lambda
from keras.models import Model, Sequential

h, w, c = 8, 8, 3

generator = Sequential([Input((h, w, c)), Conv2D(8, 3, padding="same", activation="relu"), Conv2D(2, 1, activation="softmax")])
discriminator = Sequential([Input((h, w, 1)), Conv2D(8, 3, strides=2, activation="relu"), Flatten(), Dense(1, activation="sigmoid")])
discriminator.compile(optimizer="adam", loss="binary_crossentropy")
discriminator.trainable = False

inp = Input((h, w, c))
out1 = generator(inp)
out2 = Lambda(lambda x: ops.expand_dims(x[..., 1], -1))(out1)
val = discriminator(out2)
combined = Model(inp, val)
combined.compile(optimizer="adam", loss="binary_crossentropy")
x = np.random.rand(4, h, w, c).astype("float32")
combined.train_on_batch(x, np.ones((4, 1), "float32"))

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(np.ones((4, 1), "float32"), combined(x)))
RESULT = gradient_status(tape.gradient(loss, generator.trainable_variables))
