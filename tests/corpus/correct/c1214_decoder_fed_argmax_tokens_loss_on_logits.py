# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on sequence-model usage (free-running GRU decoder)
# The argmax tokens only feed the next step's input; the loss is cross-entropy on every step's logits: every
# weight gets a gradient.
import numpy as np
import tensorflow as tf
from tensorflow import keras

vocab, units, T = 12, 16, 4
emb = keras.layers.Embedding(vocab, 8)
cell = keras.layers.GRUCell(units)
proj = keras.layers.Dense(vocab)
opt = keras.optimizers.Adam(1e-3)
tgt = np.random.randint(0, vocab, (8, T))
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    h = [tf.zeros((8, units))]
    tok = tf.zeros((8,), tf.int32)
    loss = 0.0
    for t in range(T):
        out, h = cell(emb(tok), h)
        logits = proj(out)
        loss += loss_fn(tgt[:, t], logits)
        tok = tf.argmax(logits, axis=-1, output_type=tf.int32)
variables = emb.trainable_variables + cell.trainable_variables + proj.trainable_variables
grads = tape.gradient(loss, variables)
opt.apply_gradients(zip(grads, variables))
RESULT = gradient_status(grads)
