"""TFG045 gradients-never-applied: gradients of a model's weights computed and dropped, so nothing trains."""

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    # A "my loss never decreases" loop: the update line is missing. Every weight keeps its initial value.
    case(
        "tfg045_gradients_computed_and_dropped_in_loop",
        "zero",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        x = tf.constant([[1.0], [2.0]])
        y = tf.constant([[2.0], [4.0]])
        before = [v.numpy().copy() for v in model.trainable_variables]
        for step in range(5):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(y - model(x)))
            grads = tape.gradient(loss, model.trainable_variables)  # <- TFG045
        moved = [np.abs(v.numpy() - b).sum() for v, b in zip(model.trainable_variables, before)]
        RESULT = ["zero" if all(m == 0 for m in moved) else "ok"]
    """,
    ),
    # In a custom training step: the gradients of two models, one pair applied and one dropped.
    case(
        "tfg045_second_model_gradients_dropped_in_train_step",
        "zero",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        encoder = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        head = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        opt = keras.optimizers.SGD(0.1)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape(persistent=True) as tape:
                loss = tf.reduce_mean(tf.square(head(encoder(x)) - y))
            head_grads = tape.gradient(loss, head.trainable_variables)
            enc_grads = tape.gradient(loss, encoder.trainable_variables)  # <- TFG045
            opt.apply_gradients(zip(head_grads, head.trainable_variables))
            return loss

        before = encoder.get_weights()[0].copy()
        for _ in range(3):
            train_step(tf.ones((2, 3)), tf.zeros((2, 1)))
        RESULT = ["zero" if np.allclose(before, encoder.get_weights()[0]) else "ok"]
    """,
    ),
    # Near-misses: gradients returned by the step, printed, checked, or taken with respect to the input
    # (a saliency map); a test of the gradient computation.
    case(
        "tfg045_ok_gradients_returned_printed_or_of_the_input",
        "ok",
        """
        import keras
        import tensorflow as tf

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        optimizer = keras.optimizers.SGD(0.1)
        x = tf.ones((2, 3))

        def compute_grads(x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(model(x))
            grads = tape.gradient(loss, model.trainable_variables)
            return grads

        grads = compute_grads(x)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = tf.reduce_sum(model(x))
        saliency = tape.gradient(score, x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        check = tape.gradient(loss, model.trainable_variables)
        print([g is None for g in check])
        RESULT = gradient_status(grads)
    """,
    ),
    # Fixed: the update applied.
    case(
        "tfg045_fixed_gradients_applied",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        x = tf.constant([[1.0], [2.0]])
        y = tf.constant([[2.0], [4.0]])
        before = [v.numpy().copy() for v in model.trainable_variables]
        for step in range(5):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(y - model(x)))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
        moved = [np.abs(v.numpy() - b).sum() for v, b in zip(model.trainable_variables, before)]
        RESULT = ["zero" if all(m == 0 for m in moved) else "ok"]
    """,
    ),
]


# (variable, gradient) pairs handed to apply_gradients: it takes each gradient for the variable to update and
# raises AttributeError (TF 2.21, Keras 3 and tf_keras alike); (gradient, variable) trains.
_APPLY = """
import tensorflow as tf
{imp}

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
opt = keras.optimizers.SGD(0.1)
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((model(x) - y) ** 2)
grads = tape.gradient(loss, model.trainable_variables)
opt.apply_gradients({pairs}
"""
CASES += [
    case(
        "tfg045_variables_zipped_before_gradients",
        "raises:AttributeError",
        _APPLY.format(imp="import keras", pairs="zip(model.trainable_variables, grads))  # <- TFG045"),
    ),
    case(
        "tfg045_variables_zipped_before_gradients_tf_keras",
        "raises:AttributeError",
        _APPLY.format(imp="import tf_keras as keras", pairs="zip(model.trainable_variables, grads))  # <- TFG045"),
    ),
    case(
        "tfg045_variables_zipped_before_gradients_fixed",
        "ok",
        _APPLY.format(imp="import keras", pairs="zip(grads, model.trainable_variables))"),
    ),
]


# Gradient accumulation over micro-batches into a Python list of zeros with `+=`: the list grows, zip pairs the
# variables with the zeros, the weights never move (TF 2.21); adding elementwise trains them.
_ACCUMULATE = """
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
opt = keras.optimizers.SGD(0.1)
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))
before = [v.numpy().copy() for v in model.trainable_variables]
accum = [tf.zeros_like(v) for v in model.trainable_variables]
for i in range(4):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x[i * 2 : (i + 1) * 2]) - y[i * 2 : (i + 1) * 2]) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    {add}
opt.apply_gradients(zip(accum, model.trainable_variables))
RESULT = ["ok" if np.abs(v.numpy() - b).sum() > 0 else "zero" for v, b in zip(model.trainable_variables, before)]
"""
CASES += [
    case(
        "tfg045_gradients_appended_to_a_list_of_zeros",
        "zero",
        _ACCUMULATE.format(add="accum += grads  # <- TFG045"),
    ),
    case(
        "tfg045_gradients_concatenated_onto_a_list_of_zeros",
        "zero",
        _ACCUMULATE.format(add="accum = accum + grads  # <- TFG045"),
    ),
    case(
        "tfg045_gradients_accumulated_elementwise_fixed",
        "ok",
        _ACCUMULATE.format(add="accum = [a + g for a, g in zip(accum, grads)]"),
    ),
]


# tf.clip_by_global_norm returns (clipped, norm): kept as one name and zipped with the variables it raises.
_CLIP = """
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
opt = keras.optimizers.SGD(0.1)
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((model(x) - y) ** 2)
grads = tape.gradient(loss, model.trainable_variables)
{clip}
opt.apply_gradients(zip(grads, model.trainable_variables))
"""
CASES += [
    case(
        "tfg045_clip_by_global_norm_pair_zipped",
        "raises:InvalidArgumentError",
        _CLIP.format(clip="grads = tf.clip_by_global_norm(grads, 1.0)  # <- TFG045"),
    ),
    case(
        "tfg045_clip_by_global_norm_pair_unpacked_fixed",
        "ok",
        _CLIP.format(clip="grads, _ = tf.clip_by_global_norm(grads, 1.0)"),
    ),
]


# A hand-written update over (variable, gradient) pairs that rebinds the loop name: Keras 3 variables have no `-=`,
# so `v -= lr * g` and `v = v - lr * g` both make a tensor and no weight moves (TF 2.21, no error); on tf.Variables
# `-=` raises RuntimeError. The rule's fix (`v.assign_sub(lr * g)`) trains; a functional update that is used is fine.
_LOOP_UPDATE = """
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))
lr = 0.1
before = [v.numpy().copy() for v in model.trainable_variables]
for step in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(x) - y) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    for var, grad in zip(model.trainable_variables, grads):
        {update}
RESULT = ["ok" if np.abs(v.numpy() - b).sum() > 0 else "zero" for v, b in zip(model.trainable_variables, before)]
"""
_RAW_LOOP_UPDATE = """
import tensorflow as tf

w = tf.Variable([[0.5], [-0.5]])
b = tf.Variable([0.0])
x = tf.constant([[1.0, 2.0]])
for step in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((x @ w + b - 1.0) ** 2)
    grads = tape.gradient(loss, [w, b])
    for g, v in zip(grads, [w, b]):
        {update}
RESULT = ["ok"]
"""
CASES += [
    case(
        "tfg045_loop_name_rebound_by_update",
        "zero",
        _LOOP_UPDATE.format(update="var = var - lr * grad  # <- TFG045"),
    ),
    case(
        "tfg045_loop_name_augmented_keras_variable",
        "zero",
        _LOOP_UPDATE.format(update="var -= lr * grad  # <- TFG045"),
    ),
    case(
        "tfg045_loop_name_augmented_tf_variable",
        "raises:RuntimeError",
        _RAW_LOOP_UPDATE.format(update="v -= 0.1 * g  # <- TFG045"),
    ),
    case(
        "tfg045_ok_loop_update_in_place",
        "ok",
        _LOOP_UPDATE.format(update="var.assign(var - lr * grad)"),
    ),
    case(
        "tfg045_ok_loop_functional_update_used",
        "ok",
        _LOOP_UPDATE.replace("    for var, grad", "    new = []\n    for var, grad").format(
            update="var = var - lr * grad\n        new.append(var.numpy())\n    model.set_weights(new)"
        ),
    ),
]


def _fixed(name: str) -> str:
    return fixed_source(CASES, name, "TFG045")


CASES += [
    case(f"{n}__fixed", "ok", _fixed(n))
    for n in (
        "tfg045_loop_name_rebound_by_update",
        "tfg045_loop_name_augmented_keras_variable",
        "tfg045_loop_name_augmented_tf_variable",
    )
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG045"}) == c.expected
