"""TFG010 tape-reused: a second gradient()/jacobian() on a non-persistent tape raises RuntimeError."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg010_gan_one_tape",
        "raises:RuntimeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        gen = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
        disc = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        real = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            fake = gen(tf.random.normal((8, 2)))
            g_loss = bce(tf.ones((8, 1)), disc(fake))
            d_loss = bce(tf.ones((8, 1)), disc(real)) + bce(tf.zeros((8, 1)), disc(fake))
        g_grads = tape.gradient(g_loss, gen.trainable_variables)
        d_grads = tape.gradient(d_loss, disc.trainable_variables)  # <- TFG010
        RESULT = gradient_status(g_grads + d_grads)
    """,
    ),
    case(
        "tfg010_tf_function_grad_then_jacobian",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 2)))

        @tf.function
        def diagnostics(x):
            with tf.GradientTape() as tape:
                y = tf.tanh(tf.matmul(x, w))
                loss = tf.reduce_sum(y)
            grad = tape.gradient(loss, w)
            jac = tape.jacobian(y, w)  # <- TFG010
            return grad, jac

        grad, jac = diagnostics(tf.ones((2, 3)))
        RESULT = gradient_status([grad, jac])
    """,
    ),
    case(
        "tfg010_loop_over_losses",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            losses = [tf.reduce_sum(w * w), tf.reduce_sum(3.0 * w)]
        per_loss = []
        for loss in losses:
            per_loss.append(tape.gradient(loss, w))  # <- TFG010
        RESULT = gradient_status(per_loss)
    """,
    ),
    case(
        "tfg010_comprehension",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        a = tf.Variable(1.0)
        b = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            loss = a * b
        grads = [tape.gradient(loss, v) for v in (a, b)]  # <- TFG010
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg010_explicit_persistent_false_inside_block",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape(persistent=False) as tape:
            y = w * w
            g1 = tape.gradient(y, w)
            g2 = tape.gradient(y * 2.0, w)  # <- TFG010
        RESULT = gradient_status([g1, g2])
    """,
    ),
    case(
        "tfg010_tape_object_then_with",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        b = tf.Variable(1.0)
        tape = tf.GradientTape()
        with tape:
            y = w * w + b
        gw = tape.gradient(y, w)
        gb = tape.gradient(y, b)  # <- TFG010
        RESULT = gradient_status([gw, gb])
    """,
    ),
    # ----- near misses
    case(
        "tfg010_ok_persistent",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape(persistent=True) as tape:
            y = w * w
            z = y * w
        RESULT = gradient_status([tape.gradient(y, w), tape.gradient(z, w)])
        del tape
    """,
    ),
    case(
        "tfg010_ok_gan_two_tapes",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        gen = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
        disc = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        real = tf.random.normal((8, 4))

        @tf.function
        def train_step(noise):
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                fake = gen(noise)
                fake_out, real_out = disc(fake), disc(real)
                g_loss = bce(tf.ones_like(fake_out), fake_out)
                d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
            g = gen_tape.gradient(g_loss, gen.trainable_variables)
            d = disc_tape.gradient(d_loss, disc.trainable_variables)
            return g + d

        RESULT = gradient_status(train_step(tf.random.normal((8, 2))))
    """,
    ),
    case(
        "tfg010_ok_exclusive_branches",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])

        def grads(full):
            with tf.GradientTape() as tape:
                sq = w * w
                y = tf.reduce_sum(sq)
            if full:
                return tape.jacobian(sq, w)
            else:
                return tape.gradient(y, w)

        RESULT = gradient_status([grads(False), grads(True)])
    """,
    ),
    case(
        "tfg010_ok_training_loop_new_tape_each_step",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        opt = keras.optimizers.SGD(0.01)
        x, y = tf.random.normal((8, 3)), tf.random.normal((8, 1))
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x) - y) ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg010_ok_nested_second_order",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable(3.0)
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                y = x ** 3
            dy = inner.gradient(y, x)
        d2y = outer.gradient(dy, x)
        RESULT = gradient_status([dy, d2y])
    """,
    ),
    case(
        "tfg010_ok_rebound_tape",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            y = w * w
        g1 = tape.gradient(y, w)
        with tf.GradientTape() as tape:
            z = w * 3.0
        g2 = tape.gradient(z, w)
        RESULT = gradient_status([g1, g2])
    """,
    ),
    case(
        "tfg010_ok_early_return",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        def grad(mode):
            with tf.GradientTape() as tape:
                y = w * w
            if mode == "jac":
                return tape.jacobian(y, w)
            return tape.gradient(y, w)

        RESULT = gradient_status([grad("jac"), grad("grad")])
    """,
    ),
    # Near miss: the iterable of a comprehension or a for loop is evaluated once.
    case(
        "tfg010_gradient_as_the_iterable_is_one_call",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)
        b = tf.Variable(0.5)
        with tf.GradientTape() as tape:
            loss = w * 2.0 + b
        RESULT = ["none" if g is None else "ok" for g in tape.gradient(loss, [w, b])]
        """,
    ),
    # tensorflow#47785: batch_jacobian/jacobian with parallel_iterations computes gradients in chunks, which needs a
    # persistent tape (TF 2.21: RuntimeError for batch_jacobian; ValueError for jacobian, eager and traced).
    case(
        "tfg010_batch_jacobian_parallel_iterations",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.sin(x) * 2.0
        jac = tape.batch_jacobian(y, x, parallel_iterations=2)  # <- TFG010
        RESULT = gradient_status([tf.reduce_sum(jac)])
        """,
    ),
    case(
        "tfg010_jacobian_parallel_iterations_eager",
        "raises:ValueError",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 2)))
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            y = tf.matmul(x, w)
        jac = tape.jacobian(y, w, parallel_iterations=4)  # <- TFG010
        RESULT = gradient_status([tf.reduce_sum(jac)])
        """,
    ),
    case(
        "tfg010_jacobian_parallel_iterations_tf_function",
        "raises:ValueError",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 2)))


        @tf.function
        def jac(x):
            with tf.GradientTape() as tape:
                y = tf.matmul(x, w)
            return tape.jacobian(y, w, None, 4)  # <- TFG010


        RESULT = gradient_status([tf.reduce_sum(jac(tf.random.normal((4, 3))))])
        """,
    ),
    # Near misses: no parallel_iterations (or None), or a persistent tape.
    case(
        "tfg010_batch_jacobian_without_parallel_iterations",
        "ok",
        """
        import tensorflow as tf

        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.sin(x) * 2.0
        jac = tape.batch_jacobian(y, x, parallel_iterations=None)
        RESULT = gradient_status([tf.reduce_sum(jac)])
        """,
    ),
    case(
        "tfg010_batch_jacobian_parallel_iterations_persistent",
        "ok",
        """
        import tensorflow as tf

        x = tf.random.normal((4, 3))
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = tf.sin(x) * 2.0
        jac = tape.batch_jacobian(y, x, parallel_iterations=2)
        del tape
        RESULT = gradient_status([tf.reduce_sum(jac)])
        """,
    ),
]

_FIXABLE = [
    "tfg010_gan_one_tape",
    "tfg010_tf_function_grad_then_jacobian",
    "tfg010_loop_over_losses",
    "tfg010_comprehension",
    "tfg010_explicit_persistent_false_inside_block",
    "tfg010_tape_object_then_with",
    "tfg010_batch_jacobian_parallel_iterations",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG010") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG010"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert "persistent=True" in src and "persistent=False" not in src
    assert not [f for f in analyze(src).findings if f.code == "TFG010"]


def test_fix_adds_del_after_last_use():
    src = FIXED["tfg010_gan_one_tape__fixed"]
    assert "with tf.GradientTape(persistent=True) as tape:" in src
    lines = src.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("d_grads = tape.gradient"))
    assert lines[i + 1] == "del tape"


def test_fix_keeps_other_constructor_arguments():
    src = "import tensorflow as tf\nw = tf.Variable(1.0)\nwith tf.GradientTape(watch_accessed_variables=True,) as t:\n    y = w * w\na = t.gradient(y, w)\nb = t.gradient(y, w)\n"
    out = fixed_source([case("x", "ok", src)], "x", "TFG010")
    ast.parse(out)
    assert "tf.GradientTape(watch_accessed_variables=True, persistent=True,)" in out
