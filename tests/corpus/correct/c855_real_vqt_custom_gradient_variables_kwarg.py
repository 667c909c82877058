# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/google/qhbm-library/issues/78 (corrected: grad_fn takes variables= and returns the
# pair (input gradients, variable gradients))
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.build((None, 3))
data = tf.random.normal((8, 3))


@tf.function
def vqt_loss(model, data):
    @tf.custom_gradient
    def loss(*trainable_variables):
        energy = tf.reduce_mean(model(data))

        def grad(dy, variables=None):
            with tf.GradientTape() as t:
                e = tf.reduce_mean(model(data))
            gs = [dy * g for g in t.gradient(e, model.trainable_variables)]
            return gs, [tf.zeros_like(v) for v in variables]

        return energy, grad

    return loss(*model.trainable_variables)


opt = tf.keras.optimizers.SGD(0.1)
before = [v.numpy().copy() for v in model.trainable_variables]
with tf.GradientTape() as tape:
    value = vqt_loss(model, data)
grads = tape.gradient(value, model.trainable_variables)
assert all(g is not None for g in grads)
opt.apply_gradients(zip(grads, model.trainable_variables))
assert any(not np.allclose(b, v.numpy()) for b, v in zip(before, model.trainable_variables))
print("trained")
RESULT = gradient_status(grads)
