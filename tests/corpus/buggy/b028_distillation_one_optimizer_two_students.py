# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG028@48
# source: https://github.com/lovedlim/tensorflow/issues/40
# A book's knowledge-distillation exercise: a student is distilled from the teacher with `opt`, then a second
# student trained from scratch reuses the same `opt`. The optimizer was built for the first student's variables:
# Keras 3 raises ValueError: Unknown variable (tf_keras: KeyError 'The optimizer cannot recognize variable').
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
x_train = np.random.rand(64, 8).astype("float32")
y_train = np.random.randint(0, 3, size=(64,))


def make_model(units):
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(3)])


t_model = make_model(32)
s_model = make_model(8)
s_model_2 = make_model(8)
opt = keras.optimizers.Adam(1e-3)
ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
kld = keras.losses.KLDivergence()
T = 4.0
alpha = 0.3

for e in range(2):
    t_logits = t_model(x_train, training=False)
    with tf.GradientTape() as tape:
        s_logits = s_model(x_train, training=True)
        student_loss = ce(y_train, s_logits)
        distill_loss = kld(tf.nn.softmax(t_logits / T), tf.nn.softmax(s_logits / T))
        loss = alpha * student_loss + (1 - alpha) * distill_loss
    vars = s_model.trainable_variables
    grad = tape.gradient(loss, vars)
    opt.apply_gradients(zip(grad, vars))
    print("epoch {}".format(e))

# the same architecture trained without the teacher, for comparison
for e in range(2):
    with tf.GradientTape() as tape:
        s_logits = s_model_2(x_train, training=True)
        student_loss = ce(y_train, s_logits)
    vars = s_model_2.trainable_variables
    grad = tape.gradient(student_loss, vars)
    opt.apply_gradients(zip(grad, vars))
    print("epoch {}".format(e))
RESULT = gradient_status(grad)
