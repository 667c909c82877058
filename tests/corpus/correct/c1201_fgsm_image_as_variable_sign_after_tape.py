# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on adversarial-examples usage (FGSM)
# The image is a tf.Variable (watched automatically) and tf.sign is applied to the gradient after the tape: the gradient exists.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((28, 28, 1)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
image = tf.Variable(np.random.rand(4, 28, 28, 1).astype("float32"))
label = np.random.randint(0, 10, 4)
with tf.GradientTape() as tape:
    loss = loss_object(label, model(image))
gradient = tape.gradient(loss, image)

adv = tf.clip_by_value(image + 0.1 * tf.sign(gradient), 0, 1)
print(float(tf.reduce_max(tf.abs(adv - image))))
RESULT = gradient_status([gradient])
