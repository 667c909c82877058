# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG008@23
# source: https://github.com/tensorflow/gnn/issues/646
# TF-GNN's guide separates a preprocessing model, mapped over the tf.data pipeline, from the trainable model that
# fit() trains. The reporter's preprocessing model holds an Embedding of the node ids: "applying only the
# preprocessing model on the dataset will result in those parameters unable to be updated and learned". The
# graph tensors are reduced here to a batch of integer ids. The embedding runs inside Dataset.map, outside any
# gradient tape, and its table is no weight of the model fit() trains: it never changes (RESULT).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

num_nodes, dim = 20, 4
ids = np.random.randint(0, num_nodes, size=(64,)).astype("int32")
labels = np.random.rand(64, 1).astype("float32")

node_ids = keras.Input(shape=(), dtype="int32")
node_states = layers.Embedding(num_nodes, dim, name="node_embedding")(node_ids)
preproc_model = keras.Model(node_ids, node_states)

train_ds = tf.data.Dataset.from_tensor_slices((ids, labels)).batch(16)
train_ds = train_ds.map(lambda x, y: (preproc_model(x), y))

model = keras.Sequential([keras.Input((dim,)), layers.Dense(8, activation="relu"), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
table = preproc_model.get_layer("node_embedding").embeddings
before = table.numpy().copy()
model.fit(train_ds, epochs=2, verbose=0)
RESULT = ["zero" if np.array_equal(before, table.numpy()) else "ok"]
