# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@13
# Saliency map w.r.t. the input image, but the input is a plain tensor that was never watched: None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(), keras.layers.Dense(3)])
image = tf.random.uniform((1, 6, 6, 1))

with tf.GradientTape() as tape:
    score = model(image)[0, 1]
saliency = tape.gradient(score, image)  # BUG
RESULT = gradient_status([saliency])
