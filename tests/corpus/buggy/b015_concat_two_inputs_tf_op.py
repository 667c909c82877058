# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@17
# A two-tower functional model (user features + item features) merged with tf.concat, as in many
# TF 2.x-era tutorials; under Keras 3 tf.* cannot take the symbolic KerasTensors while the model is built.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(0)

user_in = keras.Input(shape=(12,), name="user")
item_in = keras.Input(shape=(7,), name="item")
user_vec = layers.Dense(16, activation="relu")(user_in)
item_vec = layers.Dense(16, activation="relu")(item_in)

merged = tf.concat([user_vec, item_vec], axis=-1)
hidden = layers.Dense(32, activation="relu")(merged)
click_prob = layers.Dense(1, activation="sigmoid")(hidden)
model = keras.Model([user_in, item_in], click_prob)

model.compile(optimizer="adam", loss="binary_crossentropy")
users = np.random.randn(64, 12).astype("float32")
items = np.random.randn(64, 7).astype("float32")
clicks = (np.random.rand(64, 1) < 0.3).astype("float32")
model.fit([users, items], clicks, epochs=1, batch_size=32, verbose=0)
RESULT = ["ok"]
