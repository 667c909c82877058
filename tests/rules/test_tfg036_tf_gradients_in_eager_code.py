"""TFG036 tf-gradients-in-eager-code: `tf.gradients` run eagerly raises RuntimeError in TensorFlow 2."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # Grad-CAM / saliency code written for TF 1: the gradient of a class score w.r.t. the input, at module level.
    case(
        "tfg036_module_level_saliency",
        "raises:RuntimeError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        image = tf.constant(np.random.rand(1, 4).astype("float32"))
        score = model(image)[:, 1]
        saliency = tf.gradients(score, image)[0]  # <- TFG036
        RESULT = ["ok"]
        """,
    ),
    # The Keras backend spelling, in a helper the script calls.
    case(
        "tfg036_backend_gradients_in_helper",
        "raises:RuntimeError",
        """
        import tensorflow as tf
        from tensorflow.keras import backend as K

        w = tf.Variable([1.0, 2.0])


        def input_gradient(x):
            y = tf.reduce_sum(w * x)
            return K.gradients(y, x)  # <- TFG036


        grads = input_gradient(tf.constant([3.0, 4.0]))
        RESULT = ["ok"]
        """,
    ),
    # An eager training loop (called from the main guard) that asks tf.gradients inside its tape.
    case(
        "tfg036_eager_loop_under_tape",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        w = tf.Variable(0.5)
        opt = tf.keras.optimizers.SGD(0.1)


        def train(steps):
            for _ in range(steps):
                with tf.GradientTape():
                    loss = (w * 2.0 - 1.0) ** 2
                    grads = tf.gradients(loss, [w])  # <- TFG036
                opt.apply_gradients(zip(grads, [w]))


        if __name__ == "__main__":
            train(2)
        RESULT = ["ok"]
        """,
    ),
    # tensorflow#7643 in a TF 2 script: per-row gradients, one tf.gradients per row through tf.map_fn. Called
    # eagerly, tf.map_fn runs its function eagerly too.
    case(
        "tfg036_map_fn_lambda_at_module_level",
        "raises:RuntimeError",
        """
        import numpy as np
        import tensorflow as tf

        W = tf.Variable(tf.random.normal((5, 3)))
        x = tf.constant(np.random.rand(4, 5), tf.float32)
        h = tf.matmul(x, W)
        grads = tf.map_fn(lambda r: tf.gradients(r, W)[0], h)  # <- TFG036
        RESULT = ["ok"]
        """,
    ),
    # A while_loop body (and a cond branch) in a helper the script calls: both run eagerly.
    case(
        "tfg036_while_loop_body_in_eager_helper",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])


        def accumulate(x, steps):
            y = tf.reduce_sum(w * x)
            return tf.while_loop(
                lambda i, acc: i < steps,
                lambda i, acc: (i + 1, acc + tf.gradients(y, w)[0]),  # <- TFG036
                [tf.constant(0), tf.zeros(2)],
            )


        def pick(x):
            return tf.cond(x > 0, lambda: tf.gradients(w * x, w)[0], lambda: tf.zeros(2))  # <- TFG036


        chosen = pick(tf.constant(1.0))
        total = accumulate(tf.constant([3.0, 4.0]), 2)
        RESULT = ["ok"]
        """,
    ),
    # The same with a `def` passed by name: per-example gradients with tf.map_fn, a `tf.while_loop` body that takes
    # a gradient step, each called at module level.
    case(
        "tfg036_def_passed_by_name_to_map_fn_and_while_loop",
        "raises:RuntimeError",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 1)))
        xs = tf.constant(np.random.rand(5, 4, 3).astype("float32"))


        def per_example_grad(x):
            return tf.gradients(tf.reduce_sum(tf.matmul(x, w)), w)[0]  # <- TFG036


        def keep_going(i, x):
            return i < 3


        def descend(i, x):
            g = tf.gradients(tf.reduce_sum(x * x), x)[0]  # <- TFG036
            return i + 1, x - 0.1 * g


        _, x_final = tf.while_loop(keep_going, descend, [tf.constant(0), tf.constant([1.0, 2.0])])
        grads = tf.map_fn(per_example_grad, xs)
        RESULT = ["ok"]
        """,
    ),
    # Near misses: the def handed to tf.map_fn inside a tf.function, to tf.vectorized_map, and to tf.function too.
    case(
        "tfg036_def_passed_to_map_fn_in_tf_function_or_vectorized_map",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        h = tf.constant(np.random.rand(4, 3), tf.float32)


        def row_grad(r):
            return tf.gradients(tf.reduce_sum(r * r), r)[0]


        def row_grad_traced(r):
            return tf.gradients(tf.reduce_sum(r * r * r), r)[0]


        @tf.function
        def rows_in_graph(m):
            return tf.map_fn(row_grad, m)


        per_row = tf.vectorized_map(row_grad_traced, h)
        also_traced = tf.function(row_grad_traced)(h[0])
        RESULT = [("ok" if g is not None else "none") for g in (per_row, rows_in_graph(h), also_traced)]
        """,
    ),
    # Fixed: the def takes its gradient with a tape, still under tf.map_fn at module level.
    case(
        "tfg036_def_passed_to_map_fn_uses_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 1)))
        xs = tf.constant(np.random.rand(5, 4, 3).astype("float32"))


        def per_example_grad(x):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(tf.matmul(x, w))
            return tape.gradient(y, w)


        grads = tf.map_fn(per_example_grad, xs)
        RESULT = ["ok" if grads is not None else "none"]
        """,
    ),
    # Near misses: tf.vectorized_map traces its function; tf.map_fn inside a tf.function runs in its graph.
    case(
        "tfg036_vectorized_map_and_map_fn_in_tf_function",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        h = tf.constant(np.random.rand(4, 3), tf.float32)
        per_row = tf.vectorized_map(lambda r: tf.gradients(tf.reduce_sum(r * r), r)[0], h)


        @tf.function
        def rows_in_graph(m):
            return tf.map_fn(lambda r: tf.gradients(tf.reduce_sum(r * r), r)[0], m)


        RESULT = [("ok" if g is not None else "none") for g in (per_row, rows_in_graph(h))]
        """,
    ),
    # Fixed: the per-row gradients with a GradientTape's jacobian.
    case(
        "tfg036_map_fn_rows_by_jacobian",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        W = tf.Variable(tf.random.normal((5, 3)))
        x = tf.constant(np.random.rand(4, 5), tf.float32)
        with tf.GradientTape() as tape:
            h = tf.reduce_sum(tf.matmul(x, W), axis=1)
        grads = tape.jacobian(h, W)
        RESULT = ["ok" if grads is not None else "none"]
        """,
    ),
    # Near misses: where a graph is being built, tf.gradients works.
    case(
        "tfg036_inside_tf_function",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])


        @tf.function
        def input_gradient(x):
            return tf.gradients(tf.reduce_sum(w * x * x), [w, x])


        RESULT = [("ok" if g is not None else "none") for g in input_gradient(tf.constant([3.0, 4.0]))]
        """,
    ),
    case(
        "tfg036_helper_wrapped_by_tf_function",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])


        def input_gradient(x):
            return tf.gradients(tf.reduce_sum(w * x), [w])


        traced = tf.function(input_gradient)
        RESULT = [("ok" if g is not None else "none") for g in traced(tf.constant([3.0, 4.0]))]
        """,
    ),
    case(
        "tfg036_layer_call_trained_by_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras


        class InputGradient(keras.layers.Layer):
            def call(self, x):
                g = tf.gradients(tf.reduce_sum(x * x), x)[0]
                return tf.concat([x, g], axis=-1)


        model = keras.Sequential([keras.Input((2,)), InputGradient(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
    # An eager TF 2 port of a TF 1 script whose comments and strings still name the graph API it replaced
    # (`K.placeholder`, `Session(`): only code that uses those names builds graphs (titu1994/Neural-Style-Transfer#75).
    case(
        "tfg036_comments_name_the_replaced_graph_api",
        "raises:RuntimeError",
        """
        import tensorflow as tf

        # was: combination_image = K.placeholder((1, 4)); f_outputs = K.function(...) run in a Session()
        combination_image = tf.Variable([[1.0, 2.0, 3.0, 4.0]])
        note = "no placeholder, no as_default graph"


        def eval_loss_and_grads(image):
            loss = tf.reduce_sum(tf.square(image))
            return loss, tf.gradients(loss, image)  # <- TFG036


        loss_value, grads = eval_loss_and_grads(combination_image)
        RESULT = ["ok"]
        """,
    ),
    # A TF 1 graph built on purpose, inside a `Graph().as_default()` block (the rule also stays quiet on
    # `tf.compat.v1.disable_eager_execution()`, not run here: it would turn eager execution off for the rest of the
    # worker process that runs every case).
    case(
        "tfg036_graph_block",
        "ok",
        """
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.constant([3.0, 4.0])
            g = tf.gradients(tf.reduce_sum(x * x), x)[0]
        RESULT = ["ok" if g is not None else "none"]
        """,
    ),
    case(
        "tfg036_compat_v1_trainable_variables_as_var_list",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        # tensorflow#51375: a TF 1.13 loop migrated to eager TF 2 takes its var_list from the graph collection.
        initial = tf.Variable(tf.random.normal([2, 5], dtype=tf.float64), name="eeeeeee", trainable=True)
        x = tf.constant(np.random.rand(8, 2))
        optimizer = tf.keras.optimizers.SGD(0.1)
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, initial)))
            var_list = tf.compat.v1.trainable_variables()  # <- TFG036
            grads = tape.gradient(loss, var_list)
            optimizer.apply_gradients(zip(grads, var_list))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg036_get_collection_trainable_variables_in_eager_helper",
        "raises:ValueError",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam()


        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(x) - y) ** 2)
            params = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)  # <- TFG036
            grads = tape.gradient(loss, params)
            optimizer.apply_gradients(zip(grads, params))
            return grads


        RESULT = gradient_status(train_step(tf.ones([4, 3]), tf.zeros([4, 1])))
    """,
    ),
    case(
        "tfg036_compat_v1_trainable_variables_in_a_graph_program",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        # A TF 1 graph built on purpose: there the collection lists the variable (not disable_eager_execution(),
        # which would turn eager execution off for the rest of the worker process that runs every case).
        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2])
            w = tf.compat.v1.get_variable("w", [2, 1])
            loss = tf.reduce_mean(tf.matmul(x, w) ** 2)
            var_list = tf.compat.v1.trainable_variables()
            grads = tf.compat.v1.gradients(loss, var_list)
            with tf.compat.v1.Session() as sess:
                sess.run(tf.compat.v1.global_variables_initializer())
                RESULT = gradient_status(sess.run(grads, {x: np.ones([4, 2], np.float32)}))
    """,
    ),
    case(
        "tfg036_own_var_list_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        initial = tf.Variable(tf.random.normal([2, 5], dtype=tf.float64), name="eeeeeee", trainable=True)
        x = tf.constant(np.random.rand(8, 2))
        optimizer = tf.keras.optimizers.SGD(0.1)
        var_list = [initial]
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(x, initial)))
            grads = tape.gradient(loss, var_list)
            optimizer.apply_gradients(zip(grads, var_list))
        RESULT = gradient_status(grads)
    """,
    ),
    # mlittmancs/great_courses_ml#78 (held-out round U): the course's Keras 2 notebook builds its planner with
    # `K.placeholder` / `K.function` and fits the rewards with `K.gradients` at module level. tf_keras makes the
    # placeholder in its own graph with eager execution still on, so `K.gradients` raises all the same.
    case(
        "tfg036_keras_backend_placeholder_then_gradients_eagerly",
        "raises:RuntimeError",
        """
        import numpy as np
        import tf_keras.backend as K

        rk = K.placeholder(3)
        v = K.dot(K.constant(np.eye(3)), K.reshape(rk, (-1, 1)))
        loss = -K.sum(K.log(K.softmax(K.reshape(v, (1, -1)))))
        grads = K.gradients(loss, rk)[0]  # <- TFG036
        iterate = K.function([rk], [loss, grads])
        loss_value, grads_value = iterate([np.random.rand(3)])
        RESULT = ["ok"]
        """,
    ),
    # Near-miss: the backend's gradients taken inside a tf.function, where a graph is being traced.
    case(
        "tfg036_keras_backend_gradients_in_tf_function",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import tf_keras.backend as K


        @tf.function
        def grad_of_loss(rk):
            v = K.dot(K.constant(np.eye(3, dtype="float32")), K.reshape(rk, (-1, 1)))
            loss = -K.sum(K.log(K.softmax(K.reshape(v, (1, -1)))))
            return K.gradients(loss, rk)[0]


        g = grad_of_loss(tf.constant(np.random.rand(3).astype("float32")))
        RESULT = ["ok" if g is not None and float(tf.reduce_sum(tf.abs(g))) > 0 else "none"]
        """,
    ),
    # Fixed: the rewards are a variable and the loss is recorded by a GradientTape.
    case(
        "tfg036_keras_backend_planner_ported_to_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        rk = tf.Variable(np.random.rand(3).astype("float32"))
        with tf.GradientTape() as tape:
            v = tf.matmul(tf.constant(np.eye(3, dtype="float32")), tf.reshape(rk, (-1, 1)))
            loss = -tf.reduce_sum(tf.math.log(tf.nn.softmax(tf.reshape(v, (1, -1)))))
        RESULT = gradient_status(tape.gradient(loss, [rk]))
        """,
    ),
]


# A TF 1 script half-ported to TF 2: the session and placeholders are gone, the tf.compat.v1.train optimizer's
# minimize(loss) stays, with loss an eager tensor (issue 10, domain round 4; missed before). A function loss works
# eagerly.
_V1_MINIMIZE = """
import numpy as np
import tensorflow as tf

x = np.random.rand(32, 3).astype(np.float32)
y = x @ np.array([[0.1], [0.2], [0.3]], dtype=np.float32) + 0.3
W = tf.Variable(tf.random.uniform([3, 1], -1.0, 1.0))
b = tf.Variable(tf.zeros([1]))
optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.5)
{body}
with tf.GradientTape() as tape:
    final = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))
RESULT = gradient_status(tape.gradient(final, [W, b]))
"""
CASES += [
    case(
        "tfg036_v1_optimizer_minimize_of_an_eager_tensor",
        "raises:RuntimeError",
        _V1_MINIMIZE.format(
            body="for step in range(3):\n"
            "    loss = tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y))\n"
            "    optimizer.minimize(loss)  # <- TFG036"
        ),
    ),
    case(
        "tfg036_v1_optimizer_minimize_of_a_loss_function",
        "ok",
        _V1_MINIMIZE.format(
            body="for step in range(3):\n"
            "    optimizer.minimize(lambda: tf.reduce_mean(tf.square(tf.matmul(x, W) + b - y)), var_list=[W, b])"
        ),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG036"}) == c.expected


def test_message_states_the_tf_error_and_the_tape():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg036_module_level_saliency")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG036"]
    assert "tf.gradients is not supported when eager execution is enabled" in f.message
    assert "tape.gradient" in f.message
