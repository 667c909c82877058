# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/gnn/issues/646
# Corrected as the TF-GNN guide advises for parameters that must learn: the pipeline keeps only weightless
# preprocessing (a cast of the ids), and the Embedding is the first layer of the model that fit() trains, so
# its table receives gradients and changes (RESULT).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

num_nodes, dim = 20, 4
ids = np.random.randint(0, num_nodes, size=(64,)).astype("int64")
labels = np.random.rand(64, 1).astype("float32")

train_ds = tf.data.Dataset.from_tensor_slices((ids, labels)).batch(16)
train_ds = train_ds.map(lambda x, y: (tf.cast(x, tf.int32), y))

node_ids = keras.Input(shape=(), dtype="int32")
node_states = layers.Embedding(num_nodes, dim, name="node_embedding")(node_ids)
hidden = layers.Dense(8, activation="relu")(node_states)
model = keras.Model(node_ids, layers.Dense(1)(hidden))
model.compile(optimizer="adam", loss="mse")
table = model.get_layer("node_embedding").embeddings
before = table.numpy().copy()
model.fit(train_ds, epochs=2, verbose=0)
RESULT = ["zero" if np.array_equal(before, table.numpy()) else "ok"]
