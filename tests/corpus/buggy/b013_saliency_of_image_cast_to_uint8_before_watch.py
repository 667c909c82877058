# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG013@30
# source: modelled on computer-vision usage (saliency map of a classifier with data-augmentation layers)
# The image is made a tensor, then rebound to tf.cast(img, tf.uint8) before the tape: the watched source is an
# integer tensor, tape.gradient returns None (TF 2.21 only logs a dtype warning) and tf.abs(None) raises.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

data_augmentation = keras.Sequential([
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
])

inputs = keras.Input((32, 32, 3))
x = data_augmentation(inputs)
x = layers.Rescaling(1.0 / 255)(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
imgs = np.random.randint(0, 256, (64, 32, 32, 3)).astype("float32")
lbls = np.random.randint(0, 10, 64)
model.fit(imgs, lbls, epochs=1, verbose=0)

# saliency map: gradient of the class score wrt the input pixels
img = tf.convert_to_tensor(imgs[:1])
img = tf.cast(img, tf.uint8)
with tf.GradientTape() as tape:
    tape.watch(img)
    score = model(tf.cast(img, tf.float32))[0, 3]
sal = tape.gradient(score, img)
print(sal)
saliency = tf.reduce_max(tf.abs(sal), axis=-1)
