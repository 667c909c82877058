# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Gradient accumulation over micro-batches, clipped by global norm before one optimizer step.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(1e-3)
micro_batches = [(tf.random.normal((4, 4)), tf.random.normal((4, 1))) for _ in range(3)]

accumulated = [tf.zeros_like(v) for v in model.trainable_variables]
for x, y in micro_batches:
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y)) / len(micro_batches)
    grads = tape.gradient(loss, model.trainable_variables)
    accumulated = [a + g for a, g in zip(accumulated, grads)]

clipped, global_norm = tf.clip_by_global_norm(accumulated, 1.0)
optimizer.apply_gradients(zip(clipped, model.trainable_variables))
print("global norm", float(global_norm))
RESULT = gradient_status(clipped)
