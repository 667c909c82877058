# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/62797 (corrected)
# The Keras Grad-CAM recipe: one model that returns both the conv output and the predictions, so the score is
# computed from that conv output.
import numpy as np
import tensorflow as tf


def create_simple_model(input_shape):
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=input_shape),
            tf.keras.layers.Conv2D(8, (3, 3), activation="relu", name="conv2d_1"),
            tf.keras.layers.MaxPooling2D((2, 2)),
            tf.keras.layers.Conv2D(8, (3, 3), activation="relu", name="conv2d_2"),
            tf.keras.layers.MaxPooling2D((2, 2)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(16, activation="tanh"),
            tf.keras.layers.Dense(3),
        ]
    )


def grad_cam(model, image_array, layer_name="conv2d_2"):
    last_conv_layer = model.get_layer(layer_name)
    grad_model = tf.keras.Model(model.inputs, [last_conv_layer.output, model.outputs[0]])
    img = tf.convert_to_tensor(image_array[np.newaxis])
    with tf.GradientTape() as tape:
        last_conv_output, preds = grad_model(img)
        top_class_index = tf.argmax(preds[0])
        score = preds[:, top_class_index]
    grads = tape.gradient(score, last_conv_output)
    pooled = tf.reduce_mean(grads, axis=(0, 1, 2))
    return tf.reduce_sum(last_conv_output[0] * pooled, axis=-1)


model = create_simple_model((32, 32, 1))
heatmap = grad_cam(model, np.random.rand(32, 32, 1).astype("float32"))
RESULT = gradient_status([heatmap])
