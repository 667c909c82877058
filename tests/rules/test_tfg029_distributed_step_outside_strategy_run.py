"""TFG029 distributed-step-outside-strategy-run: an optimizer made under `strategy.scope()` applied outside
`strategy.run`."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow#36392: the step (tape, gradient, apply_gradients) is called directly.
    case(
        "tfg029_mirrored_step_called_directly",
        "raises:RuntimeError",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.Adam(1e-3)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))  # <- TFG029
            return grads

        RESULT = gradient_status(step(tf.ones((4, 3)), tf.ones((4, 1))))
        """,
    ),
    case(
        "tfg029_one_device_tf_function_step_called_directly",
        "raises:RuntimeError",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
        with strategy.scope():
            net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.Adam(1e-3)

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))  # <- TFG029
            return grads

        for _ in range(2):
            grads = step(tf.ones((4, 3)), tf.ones((4, 1)))
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg029_mirrored_step_called_inside_scope_not_run",
        "raises:ValueError",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.Adam(1e-3)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))  # <- TFG029
            return grads

        with strategy.scope():
            RESULT = gradient_status(step(tf.ones((4, 3)), tf.ones((4, 1))))
        """,
    ),
    # Near misses: the step runs through strategy.run (by reference or in a lambda); no strategy scope at all.
    case(
        "tfg029_ok_step_through_strategy_run",
        "ok",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.SGD(0.1)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
            return grads

        @tf.function
        def distributed_step(x, y):
            return strategy.run(step, args=(x, y))

        RESULT = gradient_status(distributed_step(tf.ones((4, 3)), tf.ones((4, 1))))
        """,
    ),
    case(
        "tfg029_ok_step_in_lambda_through_strategy_run",
        "ok",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
        with strategy.scope():
            net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.SGD(0.1)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
            return grads

        x, y = tf.ones((4, 3)), tf.ones((4, 1))
        RESULT = gradient_status(strategy.run(lambda: step(x, y)))
        """,
    ),
    # Plain SGD creates no variables when it first applies gradients: on one replica the direct call runs.
    case(
        "tfg029_ok_plain_sgd_step_called_directly",
        "ok",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            opt = keras.optimizers.SGD(0.1)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
            return grads

        RESULT = gradient_status(step(tf.ones((4, 3)), tf.ones((4, 1))))
        """,
    ),
    case(
        "tfg029_ok_no_strategy_scope",
        "ok",
        """
        import tensorflow as tf
        import keras

        strategy = tf.distribute.MirroredStrategy()
        net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        opt = keras.optimizers.SGD(0.1)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(net(x) - y))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
            return grads

        RESULT = gradient_status(step(tf.ones((4, 3)), tf.ones((4, 1))))
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG029"}) == c.expected
