# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG026@51
# source: https://github.com/tensorflow/tensorflow/issues/34335
# MAML: the copy is made with set_weights(get_weights()) inside the outer tape, the inner step trains the copy,
# and the outer gradient is taken w.r.t. the meta model, which the test loss never runs: None for every weight.
import numpy as np
import tensorflow as tf
import tensorflow.keras as keras

keras.utils.set_random_seed(0)


class MetaModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden1 = keras.layers.Dense(5)
        self.out = keras.layers.Dense(1)

    def forward(self, x):
        x = keras.activations.relu(self.hidden1(x))
        x = self.out(x)
        return x


def copy_model(model, x):
    copied_model = MetaModel()
    copied_model.forward(x)
    copied_model.set_weights(model.get_weights())
    return copied_model


def compute_loss(model, x, y):
    logits = model.forward(x)
    mse = tf.reduce_mean(tf.square(y - logits))
    return mse, logits


x = np.random.RandomState(0).rand(8, 1).astype("float32")
y = np.sin(x)
meta_model = MetaModel()
meta_model.forward(x)
inner_optimizer = keras.optimizers.SGD(0.01)
meta_optimizer = keras.optimizers.SGD(0.01)
with tf.GradientTape() as test_tape:
    model_copy = copy_model(meta_model, x)
    with tf.GradientTape() as train_tape:
        train_loss, _ = compute_loss(model_copy, x, y)
    gradients = train_tape.gradient(train_loss, model_copy.trainable_variables)
    inner_optimizer.apply_gradients(zip(gradients, model_copy.trainable_variables))
    test_loss, logits = compute_loss(model_copy, x, y)
gradients = test_tape.gradient(test_loss, meta_model.trainable_variables)
RESULT = gradient_status(gradients)
