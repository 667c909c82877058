# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@21
# source: https://github.com/eriklindernoren/Keras-GAN/issues/61
# A segmentation generator's two-class mask goes through Lambda(cast(expand_dims(argmax(x)))) into the
# discriminator of the combined model (discriminator frozen): argmax has no gradient, so the generator's
# weights get none and train_on_batch of the combined model raises.
import numpy as np
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
out2 = Lambda(lambda x: ops.cast(ops.expand_dims(ops.argmax(x, axis=-1), -1), dtype="float32"))(out1)
val = discriminator(out2)
combined = Model(inp, val)
combined.compile(optimizer="adam", loss="binary_crossentropy")
combined.train_on_batch(np.random.rand(4, h, w, c).astype("float32"), np.ones((4, 1), "float32"))
