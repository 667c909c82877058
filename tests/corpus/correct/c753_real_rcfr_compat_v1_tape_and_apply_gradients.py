# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/google-deepmind/open_spiel/issues/1207 (corrected as in PR #1265)
# The gradient taken with a tape and applied with apply_gradients.
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
            with tf.GradientTape() as tape:
                loss = tf.losses.huber_loss(y, model(x), delta=0.01)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))

    _train()


model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
model.build((None, 5))
w0 = model.layers[0].kernel.numpy().copy()
xs = np.random.rand(40, 5).astype("float32")
ys = np.random.rand(40, 1).astype("float32")
_train_fn(model, tf.data.Dataset.from_tensor_slices((xs, ys)))
print("changed:", not np.allclose(w0, model.layers[0].kernel.numpy()))
with tf.GradientTape() as tape:
    loss = tf.losses.huber_loss(ys, model(xs), delta=0.01)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
