# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG002@25
# source: modelled on transformer usage (a padding mask built with NumPy inside a custom block's call)
# The mask is filled row by row with `mask[i, :, :int(lengths[i])] = True`, lengths a tensor computed from the
# tokens: the block runs inside the training tf.function, so int() of a symbolic tensor raises TypeError
# (TF 2.21); tf.sequence_mask builds the same mask as a tensor.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class Block(keras.layers.Layer):
    def __init__(self, d, heads, **kwargs):
        super().__init__(**kwargs)
        self.att = keras.layers.MultiHeadAttention(heads, d // heads)
        self.ff = keras.Sequential([keras.layers.Dense(2 * d, activation="relu"), keras.layers.Dense(d)])
        self.n1 = keras.layers.LayerNormalization()
        self.n2 = keras.layers.LayerNormalization()

    def call(self, x, tokens):
        lengths = tf.reduce_sum(tf.cast(tokens > 0, tf.int32), axis=1)
        seq_len = tokens.shape[1]
        mask = np.zeros((tokens.shape[0], seq_len, seq_len), dtype=bool)
        for i in range(tokens.shape[0]):
            mask[i, :, :int(lengths[i])] = True
        h = self.n1(x + self.att(x, x, attention_mask=mask))
        return self.n2(h + self.ff(h))


vocab, d, L = 50, 32, 12
emb = keras.layers.Embedding(vocab, d)
block = Block(d, 4)
head = keras.layers.Dense(2)
opt = keras.optimizers.Adam(1e-3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
tokens = np.random.randint(0, vocab, (8, L))
labels = np.random.randint(0, 2, 8)


@tf.function
def train_step(tokens, labels):
    with tf.GradientTape() as tape:
        h = block(emb(tokens), tokens)
        logits = head(tf.reduce_mean(h, axis=1))
        loss = loss_fn(labels, logits)
    variables = emb.trainable_variables + block.trainable_variables + head.trainable_variables
    grads = tape.gradient(loss, variables)
    opt.apply_gradients(zip(grads, variables))
    return loss


for step in range(2):
    print(step, float(train_step(tokens, labels)))
