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
    # waymo-research/waymo-open-dataset#444 (held-out round J): a single-device tutorial's model and optimizer,
    # only the training loop wrapped in `with strategy.scope():`, the tf.function step called directly.
    case(
        "tfg029_model_and_optimizer_outside_step_called_in_scope",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss_value = tf.reduce_mean(tf.square(model(x, training=True) - y))
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))  # <- TFG029
            return loss_value

        step = 0
        with strategy.scope():
            while step < 2:
                loss_value = train_step(tf.ones((4, 3)), tf.ones((4, 1)))
                step += 1
        RESULT = ["ok"]
        """,
    ),
    # The model made in the scope, the optimizer outside it, an eager step called directly in the scope.
    case(
        "tfg029_optimizer_outside_eager_step_called_in_scope",
        "raises:ValueError",
        """
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.RMSprop(1e-3)

        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss_value = tf.reduce_mean(tf.square(model(x) - y))
            grads = tape.gradient(loss_value, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))  # <- TFG029
            return grads

        with strategy.scope():
            grads = train_step(tf.ones((4, 3)), tf.ones((4, 1)))
        RESULT = gradient_status(grads)
        """,
    ),
    # Near-miss: the same model and optimizer outside any scope, the step called outside the scope too (the strategy
    # is made but not used for training): trains.
    case(
        "tfg029_ok_optimizer_outside_step_called_outside_scope",
        "ok",
        """
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
        with strategy.scope():
            probe = tf.Variable(0.0)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss_value = tf.reduce_mean(tf.square(model(x, training=True) - y))
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            return grads

        RESULT = gradient_status(train_step(tf.ones((4, 3)), tf.ones((4, 1))))
        """,
    ),
    # The fixed program: model and optimizer made in the scope, the step run per replica by strategy.run.
    case(
        "tfg029_ok_all_in_scope_step_through_strategy_run",
        "ok",
        """
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
            optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)

        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss_value = tf.reduce_mean(tf.square(model(x, training=True) - y))
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            return loss_value

        @tf.function
        def distributed_step(x, y):
            return strategy.run(train_step, args=(x, y))

        with strategy.scope():
            loss_value = distributed_step(tf.ones((4, 3)), tf.ones((4, 1)))
        RESULT = ["ok"]
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG029"}) == c.expected
