# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG045@16
# source: https://leyaa.ai/codefly/learn/tensorflow/part-1/tensorflow-why-training-optimizes-model-weights/visualize
# (held-out round N) The step computes the gradients and never applies them: the weights stay where they were.
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)
x = tf.constant([[1.0]])
y = tf.constant([[2.0]])
model(x)
before = [v.numpy() for v in model.trainable_variables]
with tf.GradientTape() as tape:
    prediction = model(x)
    loss = tf.reduce_mean((y - prediction) ** 2)
grads = tape.gradient(loss, model.trainable_variables)
print(model.trainable_variables[0].numpy())
moved = [float(abs(v.numpy() - b).sum()) for v, b in zip(model.trainable_variables, before)]
RESULT = ["zero" if all(m == 0 for m in moved) else "ok"]
