# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG021@20 TFG035@20
# source: https://github.com/tensorflow/tensorflow/issues/42183
# A fresh Adam is created inside the tf.function on every call and asked to minimize. In TF 2.3 that raised
# ValueError: tf.function-decorated function tried to create variables on non-first call (the optimizer's
# iteration counter and slots). Keras 3 (TF 2.21) fails earlier: AttributeError: 'Adam' object has no attribute
# 'minimize'.
import tensorflow as tf

y_N = tf.Variable([1.0, 2.0, 3.0], name="dd")


@tf.function
def loss():
    return -tf.reduce_mean(input_tensor=tf.reduce_sum(input_tensor=tf.math.log(y_N), axis=0))


@tf.function
def run():
    tf.keras.optimizers.Adam(0.5).minimize(loss, var_list=[y_N])


run()
RESULT = ["ok"]
