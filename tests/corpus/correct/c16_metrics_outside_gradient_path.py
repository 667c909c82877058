# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Accuracy computed with argmax and NumPy after the step, outside the gradient path.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(12, activation="relu"), keras.layers.Dense(4)])
optimizer = keras.optimizers.Adam(1e-3)
x = tf.random.normal((16, 6))
labels = np.random.randint(0, 4, size=16)

with tf.GradientTape() as tape:
    logits = model(x, training=True)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))

predictions = tf.argmax(logits, axis=1).numpy()
accuracy = np.mean(predictions == labels)
confidence = np.max(tf.nn.softmax(logits).numpy(), axis=1).mean()
print(f"loss={loss.numpy():.3f} acc={accuracy:.2f} conf={confidence:.2f}")
RESULT = gradient_status(grads)
