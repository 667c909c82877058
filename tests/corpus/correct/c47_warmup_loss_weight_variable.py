# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A two-head model whose auxiliary loss is switched on after a warm-up epoch. The weight lives in a
# non-trainable tf.Variable: the traced step reads it on every call, so `.assign(1.0)` takes effect and the
# auxiliary head trains after the warm-up.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
np.random.seed(0)
inputs = tf.keras.Input((8,))
hidden = tf.keras.layers.Dense(16, activation="relu")(inputs)
main_out = tf.keras.layers.Dense(1, name="main")(hidden)
aux_out = tf.keras.layers.Dense(1, name="aux")(hidden)
model = tf.keras.Model(inputs, [main_out, aux_out])
optimizer = tf.keras.optimizers.Adam(1e-3)
aux_weight = tf.Variable(0.0, trainable=False)
WARMUP_EPOCHS = 1


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred_main, pred_aux = model(x, training=True)
        main_loss = tf.reduce_mean(tf.square(pred_main - y))
        aux_loss = aux_weight * tf.reduce_mean(tf.square(pred_aux - y))
        loss = main_loss + aux_loss
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


x_train = np.random.rand(64, 8).astype("float32")
y_train = np.random.rand(64, 1).astype("float32")
for epoch in range(3):
    if epoch >= WARMUP_EPOCHS:
        aux_weight.assign(1.0)
    for i in range(0, 64, 16):
        grads = train_step(x_train[i : i + 16], y_train[i : i + 16])

aux_grads = [g for g, v in zip(grads, model.trainable_variables) if v.path.startswith("aux/")]
RESULT = gradient_status(aux_grads)
