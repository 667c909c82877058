# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@22
# source: https://github.com/google-deepmind/open_spiel/issues/1207
# RCFR's training function in a module importing tensorflow.compat.v1 as tf: in TF 2.21 tf.compat.v1.keras is
# Keras 3, whose Adam has no minimize.
import numpy as np
import tensorflow.compat.v1 as tf

tf.enable_eager_execution()


def _train_fn(model, data):
    data = data.shuffle(100)
    data = data.batch(10)
    data = data.repeat(2)

    optimizer = tf.keras.optimizers.Adam(learning_rate=0.01, amsgrad=True)

    @tf.function
    def _train():
        for x, y in data:
            optimizer.minimize(
                lambda: tf.losses.huber_loss(y, model(x), delta=0.01),
                model.trainable_variables,
            )

    _train()


model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
model.build((None, 5))
xs = np.random.rand(40, 5).astype("float32")
ys = np.random.rand(40, 1).astype("float32")
_train_fn(model, tf.data.Dataset.from_tensor_slices((xs, ys)))
print("OK")
