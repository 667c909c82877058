# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@30
# source: modelled on sequence-model usage (a GRU encoder-decoder trained on a token-error rate of its greedy decode)
# Each step's token is tf.argmax of the logits, appended to a list, stacked, and the loss is the mean of
# cast(not_equal(decoded, tgt)): argmax has no gradient, every weight gets None and Adam raises
# `No gradients provided for any variable` (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow import keras

vocab, T, units = 20, 6, 32
emb = keras.layers.Embedding(vocab, 16)
gru = keras.layers.GRU(units, return_state=True)
cell = keras.layers.GRUCell(units)
proj = keras.layers.Dense(vocab)
opt = keras.optimizers.Adam(1e-3)

src = np.random.randint(1, vocab, (16, T))
tgt = np.random.randint(1, vocab, (16, T))

for step in range(3):
    with tf.GradientTape() as tape:
        _, h = gru(emb(src))
        tok = tf.zeros((16,), tf.int32)
        decoded = []
        for t in range(T):
            out, h = cell(emb(tok), h)
            h = h[0] if isinstance(h, (list, tuple)) else h
            logits = proj(out)
            tok = tf.argmax(logits, axis=-1, output_type=tf.int32)
            decoded.append(tok)
        decoded = tf.stack(decoded, axis=1)
        loss = tf.reduce_mean(tf.cast(tf.not_equal(decoded, tgt), tf.float32))
    variables = emb.trainable_variables + gru.trainable_variables + cell.trainable_variables + proj.trainable_variables
    grads = tape.gradient(loss, variables)
    opt.apply_gradients(zip(grads, variables))
