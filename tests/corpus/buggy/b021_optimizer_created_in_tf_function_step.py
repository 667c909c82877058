# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@30
# A @tf.function training step that builds its optimizer inside the step (to pick up the current learning
# rate).  The optimizer creates its variables while the step is traced: tf.function refuses them.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([
    keras.Input((20,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(5),
])
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def lr_at(epoch, base_lr=1e-3, decay=0.5):
    return base_lr * decay ** epoch


@tf.function
def train_step(x, y, lr):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer = keras.optimizers.Adam(learning_rate=lr)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss, grads


x_train = np.random.randn(64, 20).astype("float32")
y_train = np.random.randint(0, 5, size=(64,))
dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(32)
for epoch in range(2):
    for x_batch, y_batch in dataset:
        loss, grads = train_step(x_batch, y_batch, tf.constant(lr_at(epoch)))
RESULT = gradient_status(grads)
