# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG038@33
# source: https://github.com/uber-research/learning-to-reweight-examples/issues/10
# Learning to reweight examples in TF 2: the per-example weights epsilon scale the training loss, one SGD step is
# applied with optimizer.apply_gradients inside the persistent tape, and the validation loss is differentiated
# w.r.t. epsilon. apply_gradients assigns new values to the variables: the tape cannot see through the
# assignment, so the validation loss does not depend on epsilon for it and the gradient is None.
import numpy as np
import tensorflow as tf

batch_size = 16
damage_classifier_model = tf.keras.Sequential(
    [tf.keras.Input(shape=(6,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1, activation="sigmoid")]
)
damage_classifier_model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="binary_crossentropy")
Xf = np.random.rand(batch_size, 6).astype("float32")
yf = np.random.randint(0, 2, (batch_size, 1)).astype("float32")
Xg = np.random.rand(batch_size, 6).astype("float32")
yg = np.random.randint(0, 2, (batch_size, 1)).astype("float32")

epsilon = tf.Variable([0.0 for i in range(batch_size)], dtype=tf.float32)
binaryCrossEntropy = tf.keras.losses.BinaryCrossentropy(reduction="none")
with tf.GradientTape(persistent=True) as tape:
    yf_hat = damage_classifier_model(Xf)
    loss_f = binaryCrossEntropy(yf, yf_hat)
    Lf = tf.reduce_sum(loss_f * epsilon)
    trainable_vars = damage_classifier_model.trainable_variables
    delta_theta = tape.gradient(Lf, trainable_vars)
    damage_classifier_model.optimizer.apply_gradients(zip(delta_theta, trainable_vars))
    yg_hat = damage_classifier_model(Xg)
    Lg = tf.reduce_mean(binaryCrossEntropy(yg, yg_hat))

delta_epsilon = tape.gradient(Lg, epsilon)
RESULT = gradient_status([delta_epsilon])
