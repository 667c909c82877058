# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@18
# source: realistic program, 2026-12-07 session 4 (a saliency map helper that converts its image argument)
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential(
    [keras.Input(shape=(8, 8, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), keras.layers.Dense(3)]
)


def saliency(model, image, class_idx):
    image = tf.convert_to_tensor(image)
    with tf.GradientTape() as tape:
        preds = model(image)
        score = preds[:, class_idx]
    return tape.gradient(score, image)


img = np.random.rand(1, 8, 8, 1).astype("float32")
RESULT = gradient_status([saliency(model, img, 1)])
