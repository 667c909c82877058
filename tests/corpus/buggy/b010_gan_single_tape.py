# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG010@19
# GAN step with ONE non-persistent tape for both losses: the second gradient() raises RuntimeError.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
discriminator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
bce = keras.losses.BinaryCrossentropy(from_logits=True)
real = tf.random.normal((8, 4))

with tf.GradientTape() as tape:
    fake = generator(tf.random.normal((8, 2)))
    d_real, d_fake = discriminator(real), discriminator(fake)
    g_loss = bce(tf.ones_like(d_fake), d_fake)
    d_loss = bce(tf.ones_like(d_real), d_real) + bce(tf.zeros_like(d_fake), d_fake)
g_grads = tape.gradient(g_loss, generator.trainable_variables)
d_grads = tape.gradient(d_loss, discriminator.trainable_variables)  # BUG
RESULT = {"g": gradient_status(g_grads), "d": gradient_status(d_grads)}
