# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@51
# source: https://github.com/titu1994/Neural-Style-Transfer/issues/75
# Network.py's neural style loss (content + Gram-matrix style + total variation) over a VGG-style feature
# extractor, with the gradient of the loss with respect to the generated image taken by `K.gradients`, i.e.
# `tf.gradients`, which TF 2 rejects in eager code: `RuntimeError: tf.gradients is not supported when eager
# execution is enabled. Use tf.GradientTape instead.` Keras 3 has no `K.gradients` / `K.placeholder`; the port
# keeps the call as `tf.gradients` on a `tf.Variable` image. Two small Conv2D blocks stand in for VGG16.
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

img_width = img_height = 16
content_weight, style_weight, total_variation_weight = 0.025, 1.0, 8.5e-5

vgg = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(img_width, img_height, 3)),
        layers.Conv2D(8, 3, activation="relu", padding="same", name="conv1_1"),
        layers.MaxPooling2D(),
        layers.Conv2D(8, 3, activation="relu", padding="same", name="conv2_1"),
    ]
)
outputs_dict = {layer.name: layer.output for layer in vgg.layers}
feature_layers = ["conv1_1", "conv2_1"]
extractor = tf.keras.Model(vgg.inputs, [outputs_dict[name] for name in feature_layers])


def gram_matrix(x):
    features = tf.reshape(tf.transpose(x, (2, 0, 1)), (tf.shape(x)[-1], -1))
    return tf.matmul(features, features, transpose_b=True)


def style_loss(style, combination):
    S, C = gram_matrix(style), gram_matrix(combination)
    return tf.reduce_sum(tf.square(S - C)) / (4.0 * (3**2) * ((img_width * img_height) ** 2))


def total_variation_loss(x):
    a = tf.square(x[:, : img_width - 1, : img_height - 1, :] - x[:, 1:, : img_height - 1, :])
    b = tf.square(x[:, : img_width - 1, : img_height - 1, :] - x[:, : img_width - 1, 1:, :])
    return tf.reduce_sum(tf.pow(a + b, 1.25))


def eval_loss_and_grads(base_image, style_image, combination_image):
    base_feats, style_feats, comb_feats = (extractor(t) for t in (base_image, style_image, combination_image))
    loss = content_weight * tf.reduce_sum(tf.square(comb_feats[-1] - base_feats[-1]))
    for s, c in zip(style_feats, comb_feats):
        loss += (style_weight / len(feature_layers)) * style_loss(s[0], c[0])
    loss += total_variation_weight * total_variation_loss(combination_image)
    grads = tf.gradients(loss, combination_image)
    return loss, grads


base_image = tf.constant(np.random.uniform(0, 255, (1, img_width, img_height, 3)) - 128.0, dtype=tf.float32)
style_image = tf.constant(np.random.uniform(0, 255, (1, img_width, img_height, 3)) - 128.0, dtype=tf.float32)
combination_image = tf.Variable(np.random.uniform(0, 255, (1, img_width, img_height, 3)) - 128.0, dtype=tf.float32)
loss_value, grads = eval_loss_and_grads(base_image, style_image, combination_image)
RESULT = gradient_status(grads)
