"""TFG024 python-side-effect-in-tf-function: Python side effects in traced code run once per trace.  Every
flagged case counts, by running, how often the side effect happened (once, over several steps); every near miss
shows it happening on every step, or is trace-time bookkeeping that TensorFlow runs as written."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # The shape of tf-models-official `modeling/multitask/evaluator_test.py` (Keras 2): `print` of the batch in a
    # `tf_keras` model's `call`, which `evaluate` traces once for all its batches.
    case(
        "tfg024_print_in_tf_keras_model_call_under_evaluate",
        "once",
        """
        import contextlib
        import io

        import tensorflow as tf
        import tf_keras

        class MockModel(tf_keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf_keras.layers.Dense(1)

            def call(self, inputs):
                print(inputs, type(inputs))  # <- TFG024
                self.add_loss(tf.reduce_mean(inputs["x"]))
                return self.dense(inputs["x"])

        model = MockModel()
        model.compile()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            model.evaluate(dict(x=tf.ones((8, 2))), batch_size=2, verbose=0)  # 4 batches
        lines = out.getvalue().splitlines()
        RESULT = ["once" if 0 < len(lines) < 4 and all("Tensor" in line for line in lines) else "per-step"]
        """,
    ),
    case(
        "tfg024_print_of_a_tensor_in_tf_function",
        "once",
        """
        import contextlib
        import io

        import tensorflow as tf

        @tf.function
        def train_step(x):
            loss = tf.reduce_sum(x * x)
            print("loss", loss)  # <- TFG024
            return loss

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for i in range(3):
                train_step(tf.constant([float(i)]))
        lines = out.getvalue().splitlines()
        RESULT = ["once" if len(lines) == 1 and "Tensor(" in lines[0] else "per-step"]
        """,
    ),
    case(
        "tfg024_losses_appended_to_a_global_list",
        "once",
        """
        import tensorflow as tf

        history = []
        w = tf.Variable(1.0)

        @tf.function
        def train_step(x):
            loss = tf.square(w * x)
            history.append(loss)  # <- TFG024
            return loss

        for i in range(4):
            train_step(tf.constant(float(i)))
        RESULT = ["once" if len(history) == 1 and tf.is_symbolic_tensor(history[0]) else "per-step"]
        """,
    ),
    case(
        "tfg024_global_step_counter",
        "once",
        """
        import tensorflow as tf

        step_count = 0

        @tf.function
        def train_step(x):
            global step_count
            step_count += 1  # <- TFG024
            return x * 2.0

        for i in range(5):
            train_step(tf.constant(float(i)))
        RESULT = ["once" if step_count == 1 else "per-step"]
        """,
    ),
    case(
        "tfg024_self_counter_in_a_tf_function_method",
        "once",
        """
        import tensorflow as tf

        class Trainer:
            def __init__(self):
                self.steps = 0
                self.w = tf.Variable(1.0)

            @tf.function
            def step(self, x):
                self.steps += 1  # <- TFG024
                return self.w * x

        trainer = Trainer()
        for i in range(5):
            trainer.step(tf.constant(float(i)))
        RESULT = ["once" if trainer.steps == 1 else "per-step"]
        """,
    ),
    case(
        "tfg024_keras_train_step_counter_under_fit",
        "once",
        """
        import numpy as np
        import keras

        class Counting(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)
                self.batches_seen = 0

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                self.batches_seen += 1  # <- TFG024
                return super().train_step(data)

        model = Counting()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((32, 2), "float32"), np.ones((32, 1), "float32"), batch_size=4, epochs=1, verbose=0)
        RESULT = ["once" if model.batches_seen < 8 else "per-step"]
        """,
    ),
    case(
        "tfg024_tensor_stored_in_a_global_dict",
        "once",
        """
        import tensorflow as tf

        last = {}

        @tf.function
        def evaluate(x):
            score = tf.reduce_mean(x)
            last["score"] = score  # <- TFG024
            return score

        evaluate(tf.constant([1.0, 3.0]))
        evaluate(tf.constant([5.0, 7.0]))
        RESULT = ["once" if tf.is_symbolic_tensor(last["score"]) else "per-step"]
        """,
    ),
    case(
        "tfg024_closure_list_of_an_eager_caller",
        "once",
        """
        import tensorflow as tf

        def run(n):
            seen = []

            @tf.function
            def step(x):
                seen.append(x + 1.0)  # <- TFG024
                return x

            for i in range(n):
                step(tf.constant(float(i)))
            return seen

        RESULT = ["once" if len(run(3)) == 1 else "per-step"]
        """,
    ),
    # Near misses.
    case(
        "tfg024_tf_print_and_variable_counter",
        "ok",
        """
        import tensorflow as tf

        steps = tf.Variable(0)

        @tf.function
        def train_step(x):
            tf.print("loss", x)
            steps.assign_add(1)
            return x

        for i in range(4):
            train_step(tf.constant(float(i)))
        RESULT = ["ok" if int(steps) == 4 else "once"]
        """,
    ),
    case(
        "tfg024_local_list_stacked_in_the_function",
        "ok",
        """
        import tensorflow as tf

        @tf.function
        def powers(x):
            parts = []
            for k in range(3):
                parts.append(x**k)
            return tf.stack(parts)

        RESULT = ["ok" if powers(tf.constant(2.0)).numpy().tolist() == [1.0, 2.0, 4.0] else "once"]
        """,
    ),
    case(
        "tfg024_trace_time_logging_of_python_values",
        "ok",
        """
        import contextlib
        import io

        import tensorflow as tf

        @tf.function
        def f(x):
            print("Tracing f for shape", x.shape)
            return x + 1

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            f(tf.constant([1.0]))
            f(tf.constant([2.0]))
            f(tf.constant([1.0, 2.0]))
        RESULT = ["ok" if len(out.getvalue().splitlines()) == 2 else "once"]
        """,
    ),
    case(
        "tfg024_keras_train_step_counter_run_eagerly",
        "ok",
        """
        import numpy as np
        import keras

        class Counting(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)
                self.batches_seen = 0

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                self.batches_seen += 1
                return super().train_step(data)

        model = Counting()
        model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
        model.fit(np.ones((32, 2), "float32"), np.ones((32, 1), "float32"), batch_size=4, epochs=1, verbose=0)
        RESULT = ["ok" if model.batches_seen == 8 else "once"]
        """,
    ),
    case(
        "tfg024_eager_step_appends_values",
        "ok",
        """
        import tensorflow as tf

        history = []
        w = tf.Variable(1.0)

        def train_step(x):
            with tf.GradientTape() as tape:
                loss = tf.square(w * x)
            w.assign_sub(0.01 * tape.gradient(loss, w))
            history.append(loss)
            return loss

        for i in range(3):
            train_step(tf.constant(float(i)))
        RESULT = ["ok" if len(history) == 3 else "once"]
        """,
    ),
    case(
        "tfg024_lazy_constant_and_trace_time_id",
        "ok",
        """
        import tensorflow as tf

        _table = None
        _trace_id = 0

        @tf.function
        def lookup(i):
            global _table, _trace_id
            if _table is None:
                _table = tf.constant([10.0, 20.0, 30.0])
            _trace_id += 1
            return tf.gather(_table, i, name=f"lookup_{_trace_id}")

        RESULT = ["ok" if float(lookup(tf.constant(2))) == 30.0 and float(lookup(tf.constant(0))) == 10.0 else "x"]
        """,
    ),
]


# A global / nonlocal rebound inside a `tf.function`: a counter (`n = n + 1`) moves once per trace; a value fixed
# at trace time (tensorflow-federated's variable-creation indices, set while a `tf.function` is traced on purpose)
# is right after the first call; a symbolic tensor kept that way is no value outside the graph.
CASES += [
    case(
        "tfg024_global_counter_rebound_by_assignment",
        "once",
        """
        import tensorflow as tf

        seen = 0

        @tf.function
        def step(x):
            global seen
            seen = seen + 1  # <- TFG024
            return x * 2.0

        for i in range(4):
            step(tf.constant(float(i)))
        RESULT = ["once" if seen == 1 else "per-step"]
        """,
    ),
    case(
        "tfg024_ok_nonlocal_set_to_trace_time_facts",
        "ok",
        """
        import tensorflow as tf

        def make():
            names = None
            v = tf.Variable([1.0, 2.0], name="w")

            @tf.function
            def init():
                nonlocal names
                names = [x.name for x in [v]]
                return v * 1.0

            init()
            return names

        RESULT = ["ok" if make() == ["w:0"] else "x"]
        """,
    ),
    case(
        "tfg024_global_keeps_symbolic_loss",
        "raises:AttributeError",
        """
        import tensorflow as tf

        last = None

        @tf.function
        def step(x):
            global last
            loss = tf.reduce_sum(x * x)
            last = loss  # <- TFG024
            return loss

        step(tf.constant([1.0, 2.0]))
        RESULT = [float(last.numpy())]
        """,
    ),
    # tensorflow/tensorflow#32058: `add_loss` in a layer's `@tf.function` `call` records a tensor of that
    # function's own graph; reading `.losses` after the call cannot use it.
    case(
        "tfg024_add_loss_in_tf_function_call_read_after_the_call",
        "raises:TypeError",
        """
        import tensorflow as tf

        class Penalized(tf.keras.layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

            @tf.function
            def call(self, x):
                y = x * self.w
                self.add_loss(tf.reduce_mean(tf.square(y)))  # <- TFG024
                return y

        layer = Penalized()
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            layer(x)
            loss = tf.add_n(layer.losses)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
        """,
    ),
    case(
        "tfg024_add_loss_in_tf_function_helper_read_after_the_call",
        "none",
        """
        import tensorflow as tf

        class Penalized(tf.keras.layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

            @tf.function
            def penalty(self, y):
                self.add_loss(tf.reduce_mean(y))  # <- TFG024
                return y

            def call(self, x):
                return self.penalty(x * self.w)

        layer = Penalized()
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            layer(x)
            loss = tf.add_n(layer.losses)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
        """,
    ),
    # Near miss: the same decorated layer inside a model that `fit` trains; no user code reads `.losses`.
    case(
        "tfg024_add_loss_in_tf_function_call_under_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Penalized(tf.keras.layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

            @tf.function
            def call(self, x):
                y = x * self.w
                self.add_loss(tf.reduce_mean(tf.square(y)))
                return y

        inp = tf.keras.Input((4,))
        model = tf.keras.Model(inp, tf.keras.layers.Dense(1)(Penalized()(inp)))
        model.compile("sgd", "mse")
        model.fit(np.random.rand(8, 4), np.random.rand(8, 1), verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.random.rand(8, 4)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Fixed: `call` undecorated; the loss is an ordinary tensor of the caller and `.losses` differentiates.
    case(
        "tfg024_add_loss_in_undecorated_call_read_after_the_call",
        "ok",
        """
        import tensorflow as tf

        class Penalized(tf.keras.layers.Layer):
            def build(self, shape):
                self.w = self.add_weight(shape=(shape[-1],), initializer="ones")

            def call(self, x):
                y = x * self.w
                self.add_loss(tf.reduce_mean(tf.square(y)))
                return y

        layer = Penalized()
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            layer(x)
            loss = tf.add_n(layer.losses)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
        """,
    ),
]


# A tensor attribute rebound from its own value inside the traced method (tensorflow#42223, an iterative solver):
# the graph captured the value `self.x` had at trace time, so every call starts from it again, and the attribute
# holds a SymbolicTensor after the call. Near-misses: the state in a tf.Variable assigned in the step, and an
# attribute the step sets afresh from its input (no recurrence).
CASES += [
    case(
        "tfg024_tensor_attribute_recurrence_in_tf_function_method",
        "stale",
        """
        import tensorflow as tf

        class Solver:
            def __init__(self, A, b):
                self.A, self.b = A, b
                self.x = tf.zeros_like(b)

            @tf.function
            def step(self, alpha):
                r = self.b - tf.linalg.matvec(self.A, self.x)
                self.x = self.x + alpha * r  # <- TFG024
                return tf.norm(r)

        s = Solver(tf.eye(2), tf.ones(2))
        residuals = [float(s.step(tf.constant(0.5))) for _ in range(4)]
        RESULT = ["stale" if len(set(residuals)) == 1 else "moves"]
        """,
    ),
    case(
        "tfg024_tensor_attribute_state_under_a_tape_in_tf_function",
        "stale",
        """
        import tensorflow as tf

        class Smoother:
            def __init__(self):
                self.w = tf.Variable(1.0)
                self.state = tf.constant(0.0)

            @tf.function
            def step(self, x):
                with tf.GradientTape() as tape:
                    self.state = 0.9 * self.state + 0.1 * x * self.w  # <- TFG024
                    loss = tf.square(self.state - 1.0)
                return loss, tape.gradient(loss, self.w)

        m = Smoother()
        losses = [float(m.step(tf.constant(2.0))[0]) for _ in range(3)]
        RESULT = ["stale" if len(set(losses)) == 1 else "moves"]
        """,
    ),
    case(
        "tfg024_ok_tensor_state_in_a_variable_assigned_in_tf_function",
        "ok",
        """
        import tensorflow as tf

        class Solver:
            def __init__(self, A, b):
                self.A, self.b = A, b
                self.x = tf.Variable(tf.zeros_like(b))

            @tf.function
            def step(self, alpha):
                r = self.b - tf.linalg.matvec(self.A, self.x)
                self.x.assign(self.x + alpha * r)
                return tf.norm(r)

        s = Solver(tf.eye(2), tf.ones(2))
        residuals = [float(s.step(tf.constant(0.5))) for _ in range(4)]
        assert len(set(residuals)) == 4, residuals
        """,
    ),
    case(
        "tfg024_ok_tensor_attribute_set_afresh_from_the_input",
        "ok",
        """
        import tensorflow as tf

        class Tracker:
            def __init__(self):
                self.last = tf.zeros(())

            @tf.function
            def step(self, x):
                self.last = tf.reduce_mean(x)
                return self.last * 2.0

        t = Tracker()
        outs = [float(t.step(tf.constant([float(i)]))) for i in range(3)]
        assert outs == [0.0, 2.0, 4.0], outs
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG024"}) == c.expected
