# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@22
# source: https://github.com/suinleelab/attributionpriors/issues/6
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))


@tf.function
def train_step(inputs, labels, model, optimizer):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(inputs) - labels))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


for run in range(2):
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
    optimizer = tf.keras.optimizers.Adam(1e-3)
    train_step(x, y, model, optimizer)
