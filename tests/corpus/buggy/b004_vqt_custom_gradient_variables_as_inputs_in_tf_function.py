# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@19
# source: https://github.com/google/qhbm-library/issues/78
# A loss whose inner @tf.custom_gradient takes the model's variables as inputs; fine eagerly, under tf.function
# TF sees the forward read the variables and asks for grad_fn(..., variables=...).
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.build((None, 3))
data = tf.random.normal((8, 3))


@tf.function
def vqt_loss(model, data):
    @tf.custom_gradient
    def loss(*trainable_variables):
        energy = tf.reduce_mean(model(data))

        def grad(dy):
            with tf.GradientTape() as t:
                e = tf.reduce_mean(model(data))
            return [dy * g for g in t.gradient(e, model.trainable_variables)]

        return energy, grad

    return loss(*model.trainable_variables)


with tf.GradientTape() as tape:
    value = vqt_loss(model, data)
print(tape.gradient(value, model.trainable_variables))
