# gradls-fixture: tf-verdict=ok
# gradls-expect:
# K-fold cross-validation: a fresh model and optimizer per fold (the outer loop), one tf.function step per
# fold built once, and the learning rate changed through the optimizer's variable instead of a new optimizer.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def build_model():
    return keras.Sequential([
        keras.Input((20,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(5),
    ])


def make_train_step(model, optimizer, loss_fn):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = loss_fn(y, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, grads

    return train_step


x_all = np.random.randn(90, 20).astype("float32")
y_all = np.random.randint(0, 5, size=(90,))
folds = np.array_split(np.random.permutation(len(x_all)), 3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

fold_grads = []
for k, val_idx in enumerate(folds):
    train_idx = np.setdiff1d(np.arange(len(x_all)), val_idx)
    model = build_model()
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    train_step = make_train_step(model, optimizer, loss_fn)
    dataset = tf.data.Dataset.from_tensor_slices((x_all[train_idx], y_all[train_idx])).batch(30)
    for epoch in range(2):
        optimizer.learning_rate.assign(1e-3 * 0.5 ** epoch)
        for x_batch, y_batch in dataset:
            loss, grads = train_step(x_batch, y_batch)
    fold_grads.append(gradient_status(grads))

RESULT = fold_grads
