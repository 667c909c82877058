# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@14
# custom_gradient reads a global tf.Variable but grad_fn has no `variables` parameter: TypeError at the call.
import tensorflow as tf

tf.random.set_seed(0)
temperature = tf.Variable(2.0, name="temperature")


@tf.custom_gradient
def tempered_softmax(logits):
    probs = tf.nn.softmax(logits / temperature)

    def grad_fn(dy):  # BUG
        g = probs * (dy - tf.reduce_sum(dy * probs, axis=-1, keepdims=True))
        return g / temperature

    return probs, grad_fn


logits = tf.random.normal((2, 4))
with tf.GradientTape() as tape:
    tape.watch(logits)
    loss = tf.reduce_sum(tempered_softmax(logits)[:, 0])
RESULT = gradient_status(tape.gradient(loss, [logits, temperature]))
