# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A two-input functional model (text embedding + numeric metadata): symbolic tensors only go through
# layers, keras.ops and a Lambda whose body uses tf.* on real tensors; inp.shape is read for sizes.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(0)
vocab, seq_len, n_meta = 50, 12, 4

tokens = keras.Input(shape=(seq_len,), dtype="int32", name="tokens")
meta = keras.Input(shape=(n_meta,), name="meta")

emb = layers.Embedding(vocab, 8)(tokens)
text_vec = keras.ops.mean(emb, axis=1)
meta_vec = layers.Dense(8, activation="relu")(meta)
l2_normalize = layers.Lambda(lambda t: tf.math.l2_normalize(t, axis=-1), name="l2_normalize")
merged = keras.ops.concatenate([l2_normalize(text_vec), meta_vec * 0.5], axis=-1)
hidden = layers.Dense(int(merged.shape[-1]), activation="relu")(merged)
score = layers.Dense(1)(hidden)
model = keras.Model([tokens, meta], score)

x_tokens = np.random.randint(0, vocab, size=(16, seq_len)).astype("int32")
x_meta = np.random.randn(16, n_meta).astype("float32")
y = np.random.randn(16, 1).astype("float32")
model.compile(optimizer="adam", loss="mse")
model.fit([x_tokens, x_meta], y, epochs=1, batch_size=8, verbose=0)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model([x_tokens, x_meta], training=True) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
