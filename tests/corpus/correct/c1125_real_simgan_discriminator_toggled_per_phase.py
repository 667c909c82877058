# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/0b01/SimGAN-Captcha/issues/1 (corrected for Keras 3, as the first comment
# suggests: the discriminator is unfrozen around its own `train_on_batch` calls and frozen again for the combined
# step, and each model gets its own optimizer; the discriminator's weights move)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, models, optimizers

img_dim = 16


def refiner_network(input_image_tensor):
    x = layers.Dense(32, activation="relu")(input_image_tensor)
    return layers.Dense(img_dim, activation="tanh")(x)


def discriminator_network(input_image_tensor):
    x = layers.Dense(32, activation="relu")(input_image_tensor)
    return layers.Dense(2, activation="softmax")(x)


def self_regularization_loss(y_true, y_pred):
    return tf.multiply(0.0002, tf.reduce_sum(tf.abs(y_pred - y_true)))


def local_adversarial_loss(y_true, y_pred):
    return tf.reduce_mean(tf.keras.losses.categorical_crossentropy(y_true, y_pred))


synthetic_image_tensor = layers.Input(shape=(img_dim,))
refined_image_tensor = refiner_network(synthetic_image_tensor)
refined_or_real_image_tensor = layers.Input(shape=(img_dim,))
discriminator_output = discriminator_network(refined_or_real_image_tensor)

refiner_model = models.Model(synthetic_image_tensor, refined_image_tensor, name="refiner")
discriminator_model = models.Model(refined_or_real_image_tensor, discriminator_output, name="discriminator")
combined_output = discriminator_model(refiner_model(synthetic_image_tensor))
combined_model = models.Model(synthetic_image_tensor, [refined_image_tensor, combined_output], name="combined")

refiner_model.compile(optimizer=optimizers.SGD(learning_rate=1e-3), loss=self_regularization_loss)
discriminator_model.compile(optimizer=optimizers.SGD(learning_rate=1e-3), loss=local_adversarial_loss)
combined_model.compile(
    optimizer=optimizers.SGD(learning_rate=1e-3), loss=[self_regularization_loss, local_adversarial_loss]
)

batch_size = 8
y_real = np.array([[1.0, 0.0]] * batch_size)
y_refined = np.array([[0.0, 1.0]] * batch_size)
before = [w.numpy().copy() for w in discriminator_model.weights]
for step in range(3):
    synthetic_image_batch = np.random.rand(batch_size, img_dim)
    real_image_batch = np.random.rand(batch_size, img_dim)
    discriminator_model.trainable = False
    combined_model.train_on_batch(synthetic_image_batch, [synthetic_image_batch, y_real])
    refined_image_batch = refiner_model.predict_on_batch(synthetic_image_batch)
    discriminator_model.trainable = True
    discriminator_model.train_on_batch(real_image_batch, y_real)
    discriminator_model.train_on_batch(refined_image_batch, y_refined)
changed = sum(np.abs(w.numpy() - b).sum() for w, b in zip(discriminator_model.weights, before))
RESULT = ["zero" if changed == 0 else "ok"]
