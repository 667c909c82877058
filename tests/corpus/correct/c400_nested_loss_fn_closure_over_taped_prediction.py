# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A training loop whose loss is a nested `def loss_fn()` (and a `lambda` regulariser) closing over the prediction
# the tape recorded: the closures are followed to the captured values, so nothing is reported (gradls once said
# the loss never ran the model: TFG026).
import tensorflow as tf

tf.random.set_seed(0)
model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(1e-3)
x = tf.random.normal((64, 4))
y = tf.reduce_sum(x, axis=1, keepdims=True)


def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)

        def loss_fn():
            return tf.reduce_mean(tf.square(pred - y))

        smooth = lambda: 1e-3 * tf.reduce_mean(tf.square(pred))
        loss = loss_fn() + smooth()
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


for _ in range(3):
    grads = train_step(x, y)
RESULT = gradient_status(grads)
