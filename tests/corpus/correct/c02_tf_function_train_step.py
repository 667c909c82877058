# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A @tf.function-compiled train step with a metric updated outside the gradient path.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(learning_rate=0.01)
train_mse = keras.metrics.MeanSquaredError()


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean(tf.square(y - pred))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    train_mse.update_state(y, pred)
    return loss, grads


x = tf.random.normal((16, 4))
y = tf.random.normal((16, 1))
for _ in range(2):
    loss, grads = train_step(x, y)
print("loss", loss.numpy(), "mse", train_mse.result().numpy())
RESULT = gradient_status(grads)
