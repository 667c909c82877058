# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://leyaa.ai/codefly/learn/tensorflow/part-1/tensorflow-why-training-optimizes-model-weights/visualize
# (corrected, the page's first snippet: the gradients are applied, so the weights move)
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
optimizer.apply_gradients(zip(grads, model.trainable_variables))
print(model.trainable_variables[0].numpy())
RESULT = gradient_status([v.numpy() - b for v, b in zip(model.trainable_variables, before)])
