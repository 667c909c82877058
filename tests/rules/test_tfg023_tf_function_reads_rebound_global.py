"""TFG023 tf-function-reads-rebound-global: a traced function keeps the value a Python global had at its first
trace.  Every flagged case observes the stale value by running; every near miss observes the new value."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg023_python_float_rebound_after_first_call",
        "stale",
        """
        import tensorflow as tf

        scale = 1.0

        @tf.function
        def scaled(x):
            return x * scale  # <- TFG023

        first = float(scaled(tf.constant(2.0)))
        scale = 3.0
        again = float(scaled(tf.constant(2.0)))
        RESULT = ["stale" if again == first == 2.0 else "fresh"]
        """,
    ),
    case(
        "tfg023_learning_rate_set_through_global_statement",
        "stale",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)
        lr = 0.0

        def set_learning_rate(value):
            global lr
            lr = value

        @tf.function
        def train_step(x):
            with tf.GradientTape() as tape:
                loss = tf.square(w * x - 3.0)
            g = tape.gradient(loss, w)
            w.assign_sub(lr * g)  # <- TFG023

        train_step(tf.constant(1.0))  # warm-up with lr 0.0
        set_learning_rate(0.1)
        for _ in range(5):
            train_step(tf.constant(1.0))
        RESULT = ["stale" if float(w) == 1.0 else "fresh"]
        """,
    ),
    case(
        "tfg023_temperature_annealed_in_the_loop",
        "stale",
        """
        import tensorflow as tf

        temperature = 1.0

        @tf.function
        def soften(logits):
            return tf.nn.softmax(logits / temperature)  # <- TFG023

        outs = []
        for epoch in range(3):
            outs.append(soften(tf.constant([1.0, 2.0])).numpy().tolist())
            temperature *= 0.1
        RESULT = ["stale" if outs[0] == outs[1] == outs[2] else "fresh"]
        """,
    ),
    case(
        "tfg023_tensor_global_rebound",
        "stale",
        """
        import tensorflow as tf

        offset = tf.constant(1.0)

        @tf.function
        def shift(x):
            return x + offset  # <- TFG023

        shift(tf.constant(0.0))
        offset = tf.constant(5.0)
        RESULT = ["stale" if float(shift(tf.constant(0.0))) == 1.0 else "fresh"]
        """,
    ),
    case(
        "tfg023_bool_flag_read_by_a_helper_of_a_wrapped_step",
        "stale",
        """
        import tensorflow as tf

        use_noise = False

        def features(x):
            if use_noise:  # <- TFG023
                return x + 100.0
            return x

        def step(x):
            return features(x) * 2.0

        fast_step = tf.function(step)
        fast_step(tf.constant(1.0))
        use_noise = True
        RESULT = ["stale" if float(fast_step(tf.constant(1.0))) == 2.0 else "fresh"]
        """,
    ),
    case(
        "tfg023_method_reads_module_constant_rebound",
        "stale",
        """
        import tensorflow as tf

        MARGIN = 0.5

        class Scorer:
            @tf.function
            def hinge(self, y):
                return tf.nn.relu(MARGIN - y)  # <- TFG023

        s = Scorer()
        s.hinge(tf.constant(0.0))
        MARGIN = 2.0
        RESULT = ["stale" if float(s.hinge(tf.constant(0.0))) == 0.5 else "fresh"]
        """,
    ),
    case(
        "tfg023_keras_layer_call_under_predict",
        "stale",
        """
        import numpy as np
        import keras

        SHIFT = 0.0

        class Shift(keras.layers.Layer):
            def call(self, x):
                return x + SHIFT  # <- TFG023

        model = keras.Sequential([keras.Input((1,)), Shift()])
        x = np.zeros((4, 1), "float32")
        model.predict(x, verbose=0)
        SHIFT = 5.0
        RESULT = ["stale" if float(model.predict(x, verbose=0).max()) == 0.0 else "fresh"]
        """,
    ),
    case(
        "tfg023_only_a_retrace_sees_the_new_value",
        "stale",
        """
        import tensorflow as tf

        scale = 1.0

        @tf.function
        def scaled(x):
            return x * scale  # <- TFG023

        scaled(tf.constant([2.0]))
        scale = 3.0
        same_shape = scaled(tf.constant([2.0])).numpy().tolist()
        new_shape = scaled(tf.constant([2.0, 2.0])).numpy().tolist()  # a new input signature: traced again
        RESULT = ["stale" if same_shape == [2.0] and new_shape == [6.0, 6.0] else "unexpected"]
        """,
    ),
    case(
        "tfg023_closure_variable_of_the_training_function",
        "stale",
        """
        import tensorflow as tf

        def train(epochs):
            w = tf.Variable(1.0)
            lr = 0.0

            @tf.function
            def step(x):
                w.assign_sub(lr * x)  # <- TFG023

            for epoch in range(epochs):
                step(tf.constant(1.0))
                lr = 0.5
            return float(w)

        RESULT = ["stale" if train(3) == 1.0 else "fresh"]
        """,
    ),
    # Near misses: each observes the new value.
    case(
        "tfg023_variable_assign_is_seen",
        "ok",
        """
        import tensorflow as tf

        lr = tf.Variable(0.0)

        @tf.function
        def step(x):
            return x * lr

        step(tf.constant(1.0))
        lr.assign(0.5)
        RESULT = ["ok" if float(step(tf.constant(1.0))) == 0.5 else "stale"]
        """,
    ),
    case(
        "tfg023_rebound_before_the_first_call",
        "ok",
        """
        import tensorflow as tf

        scale = 1.0

        @tf.function
        def scaled(x):
            return x * scale

        scale = 3.0
        RESULT = ["ok" if float(scaled(tf.constant(2.0))) == 6.0 else "stale"]
        """,
    ),
    case(
        "tfg023_value_passed_as_a_tensor_argument",
        "ok",
        """
        import tensorflow as tf

        scale = 1.0

        @tf.function
        def scaled(x, s):
            return x * s

        scaled(tf.constant(2.0), tf.constant(scale))
        scale = 3.0
        RESULT = ["ok" if float(scaled(tf.constant(2.0), tf.constant(scale))) == 6.0 else "stale"]
        """,
    ),
    case(
        "tfg023_eager_function_reads_the_global_each_call",
        "ok",
        """
        import tensorflow as tf

        scale = 1.0

        def scaled(x):
            return x * scale

        scaled(tf.constant(2.0))
        scale = 3.0
        RESULT = ["ok" if float(scaled(tf.constant(2.0))) == 6.0 else "stale"]
        """,
    ),
    case(
        "tfg023_constant_never_rebound_and_local_of_same_name",
        "ok",
        """
        import tensorflow as tf

        EPS = 1e-6
        scale = 1.0

        @tf.function
        def normalise(x):
            scale = tf.reduce_max(tf.abs(x)) + EPS
            return x / scale

        normalise(tf.constant([2.0, 4.0]))
        scale = 3.0
        RESULT = ["ok" if normalise(tf.constant([1.0, 2.0])).numpy().tolist()[1] > 0.99 else "stale"]
        """,
    ),
    case(
        "tfg023_tf_function_made_again_after_each_change",
        "ok",
        """
        import tensorflow as tf

        def train(epochs):
            w = tf.Variable(1.0)
            lr = 0.0
            for epoch in range(epochs):
                lr = 0.5 if epoch > 0 else 0.0

                @tf.function
                def step(x):
                    w.assign_sub(lr * x)

                step(tf.constant(1.0))
            return float(w)

        RESULT = ["ok" if train(3) == 0.0 else "stale"]
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG023"}) == c.expected
