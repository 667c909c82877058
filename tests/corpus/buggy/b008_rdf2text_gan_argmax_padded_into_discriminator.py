# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@45
# source: https://github.com/dbpedia/RDF2text-GAN/issues/1 (Transformers/adversarial_training.py)
# Adversarial step of an RDF-to-text GAN: the generator's token distributions become token ids with tf.argmax,
# are padded with pad_sequences (a NumPy array) and given to the discriminator. Neither argmax nor the NumPy
# round trip has a gradient, so the generator's gradients are all None and its apply_gradients raises
# ValueError: No gradients provided for any variable. The reporter's Transformer generator and discriminator are
# small embedding/dense stand-ins with the same inputs and outputs.
import numpy as np
import tensorflow as tf

vocab, seq_len, batch = 20, 6, 4


def discriminator_loss(real_output, fake_output):
    loss_object = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    real_loss = loss_object(tf.ones_like(real_output), real_output)
    fake_loss = loss_object(tf.zeros_like(fake_output), fake_output)
    return real_loss + fake_loss


def generator_loss(fake_output):
    loss_object = tf.keras.losses.BinaryCrossentropy(from_logits=True)
    fake_output = tf.convert_to_tensor(fake_output, dtype=tf.float32)
    return loss_object(tf.ones_like(fake_output, dtype=tf.float32), fake_output)


gen_in = tf.keras.Input((seq_len,))
gen_h = tf.keras.layers.Embedding(vocab, 8)(gen_in)
generator = tf.keras.Model(gen_in, tf.keras.layers.Dense(vocab, activation="softmax")(gen_h))

src_in = tf.keras.Input((seq_len,))
seq_in = tf.keras.Input((seq_len,))
embed = tf.keras.layers.Embedding(vocab, 8)
joined = tf.keras.layers.Concatenate()([tf.keras.layers.Flatten()(embed(src_in)), tf.keras.layers.Flatten()(embed(seq_in))])
discriminator = tf.keras.Model([src_in, seq_in], tf.keras.layers.Dense(1)(joined))

generator_optimizer = tf.keras.optimizers.Adam(1e-4)
discriminator_optimizer = tf.keras.optimizers.Adam(1e-4)


def train_step(inp, tar):
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        predictions = generator(inp, training=True)
        batch_pred = tf.argmax(predictions, axis=-1)
        batch_pred = tf.keras.preprocessing.sequence.pad_sequences(batch_pred, padding="post", value=0, maxlen=tar.shape[-1])
        disc_preds_real = discriminator([inp, tar], training=True)
        disc_preds_fake = discriminator([inp, batch_pred], training=True)
        d_loss = discriminator_loss(disc_preds_real, disc_preds_fake)
        g_loss = generator_loss(disc_preds_fake)
    disc_grads = disc_tape.gradient(d_loss, discriminator.trainable_weights)
    discriminator_optimizer.apply_gradients(zip(disc_grads, discriminator.trainable_weights))
    gen_grads = gen_tape.gradient(g_loss, generator.trainable_weights)
    generator_optimizer.apply_gradients(zip(gen_grads, generator.trainable_weights))
    return gen_grads


inp = tf.constant(np.random.randint(1, vocab, (batch, seq_len)))
tar = tf.constant(np.random.randint(1, vocab, (batch, seq_len)))
RESULT = gradient_status(train_step(inp, tar))
