# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/55296 (corrected: the variables the custom gradient
# returns are kept and enter the objective, so their upstream gradient, copied to the weight values, is not zero)
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(2)])
x = tf.random.normal((4, 3))
weights = [tf.identity(w) for w in model.trainable_weights]


def call_model_with_weights(model, x, weights):
    vars = [var.assign(val) for var, val in zip(model.trainable_weights, weights)]
    y = model(x)
    len_vars = len(weights)

    @tf.custom_gradient
    def copy_gradient(var, val, y):
        def grad(*upstream):
            var_up = upstream[:len_vars]
            y_up = upstream[len_vars:]
            return var_up, var_up, y_up

        return (var, y), grad

    out_vars, _y = copy_gradient(model.trainable_weights, weights, y)
    return _y, out_vars


with tf.GradientTape() as tape:
    tape.watch(weights)
    y, out_vars = call_model_with_weights(model, x, weights)
    objective = tf.reduce_sum(y) + tf.add_n([tf.reduce_sum(v) for v in out_vars])
gradient = tape.gradient(objective, weights)
RESULT = gradient_status(gradient)
