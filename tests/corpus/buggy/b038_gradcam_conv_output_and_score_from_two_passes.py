# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG038@37
# source: https://github.com/tensorflow/tensorflow/issues/62797
# Grad-CAM on a Sequential model: the last conv layer's output comes from one sub-model and the class score from
# a second, separate forward pass of the whole model, so the score was never computed from that conv output and
# tape.gradient(preds[:, top_class_index], last_conv_output) is None.
# The pooling of the None gradient then raises ValueError: Attempt to convert a value (None) with an unsupported type.
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
    last_conv_model = tf.keras.Model(model.inputs, last_conv_layer.output)
    img = tf.convert_to_tensor(image_array[np.newaxis])
    with tf.GradientTape() as tape:
        last_conv_output = last_conv_model(img)
        tape.watch(last_conv_output)
        preds = model(img)
        top_class_index = tf.argmax(preds[0])
        score = preds[:, top_class_index]
    grads = tape.gradient(score, last_conv_output)
    pooled = tf.reduce_mean(grads, axis=(0, 1, 2))
    return tf.reduce_sum(last_conv_output[0] * pooled, axis=-1)


model = create_simple_model((32, 32, 1))
heatmap = grad_cam(model, np.random.rand(32, 32, 1).astype("float32"))
print(heatmap.shape)
