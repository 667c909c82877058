# gradls-fixture: tf-verdict=ok
# gradls-expect:
# REINFORCE with the action sampled by NumPy from the policy probabilities inside the tape: the gradient still
# flows through probs[0, action]; only the sampling is NumPy.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(2, activation="softmax")])
opt = tf.keras.optimizers.Adam(1e-2)

def run_episode(state):
    with tf.GradientTape() as tape:
        probs = model(state[None, :])
        action = np.random.choice(2, p=np.squeeze(probs))
        log_prob = tf.math.log(probs[0, action])
        loss = -log_prob * 1.0
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return grads

RESULT = gradient_status(run_episode(np.random.rand(4).astype("float32") + 0.1))
