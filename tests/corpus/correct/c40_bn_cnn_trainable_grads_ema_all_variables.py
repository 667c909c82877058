# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A BatchNormalization CNN trained on model.trainable_variables; model.variables (BN statistics included)
# is used only to keep an exponential moving average copy of the weights for evaluation.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def make_cnn():
    return keras.Sequential([
        keras.Input((16, 16, 3)),
        keras.layers.Conv2D(8, 3, padding="same", use_bias=False),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(4),
    ])


model = make_cnn()
ema_model = make_cnn()
ema_model.set_weights(model.get_weights())
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
ema_decay = 0.99

images = np.random.rand(32, 16, 16, 3).astype("float32")
labels = np.random.randint(0, 4, size=(32,))
dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(32).batch(16)

for x_batch, y_batch in dataset:
    with tf.GradientTape() as tape:
        logits = model(x_batch, training=True)
        loss = loss_fn(y_batch, logits)
    grads = tape.gradient(loss, model.trainable_variables)
    grads, _ = tf.clip_by_global_norm(grads, 5.0)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    for ema_var, var in zip(ema_model.variables, model.variables):
        ema_var.assign(ema_decay * ema_var + (1.0 - ema_decay) * var)

val_logits = ema_model(images, training=False)
RESULT = gradient_status(grads)
