# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/suinleelab/attributionpriors/issues/6
# corrected: each run wraps the step in its own tf.function, so each new optimizer builds its variables in a first call.
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))


def train_step(inputs, labels, model, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(inputs) - labels))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return gradients


for run in range(2):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
    optimizer = tf.keras.optimizers.Adam(1e-3)
    run_step = tf.function(train_step)
    RESULT = gradient_status(run_step(x, y, model, optimizer))
