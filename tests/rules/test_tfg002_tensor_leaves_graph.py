"""TFG002 tensor-leaves-graph: conversions of tensors to Python/NumPy values where TF loses the gradient or raises."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg002_eager_float_scale",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        b = tf.Variable(0.5)
        with tf.GradientTape() as tape:
            scale = float(tf.reduce_sum(w))  # <- TFG002
            loss = scale * b * b
        RESULT = gradient_status(tape.gradient(loss, [w, b]))
    """,
    ),
    case(
        "tfg002_numpy_in_tf_function",
        "raises:AttributeError",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.SGD(0.1)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                pred = model(x)
                err = pred.numpy() - y  # <- TFG002
                loss = tf.reduce_mean(err ** 2)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        train_step(tf.ones((4, 3)), tf.ones((4, 1)))
    """,
    ),
    case(
        "tfg002_variable_numpy_in_tf_function",
        "raises:NotImplementedError",
        """
        import tensorflow as tf

        v = tf.Variable(2.0)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = v.numpy() * 3.0  # <- TFG002
            return tape.gradient(loss, v)

        step()
    """,
    ),
    case(
        "tfg002_asarray_in_layer_call_fit",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        class Gate(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1), initializer="ones")

            def call(self, x):
                h = tf.matmul(x, self.w)
                return tf.convert_to_tensor(np.asarray(h) * 2.0)  # <- TFG002

        model = tf.keras.Sequential([tf.keras.Input((3,)), Gate()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg002_float_in_train_step_fit",
        "raises:TypeError",
        """
        import numpy as np
        import tensorflow as tf

        class Model(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    pred = self(x, training=True)
                    spread = float(tf.math.reduce_std(pred))  # <- TFG002
                    loss = tf.reduce_mean((pred - y) ** 2) * spread
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        m = Model()
        m.compile(optimizer="sgd")
        m.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg002_int_in_tf_function",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.5)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                y = x * w
                bucket = int(y)  # <- TFG002
                loss = tf.cast(bucket, tf.float32) * 2.0
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.constant(1.5)))
    """,
    ),
    case(
        "tfg002_numpy_in_eager_layer_call",
        "none",
        """
        import tensorflow as tf

        class Projection(tf.keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.w = self.add_weight(shape=(4, units), initializer="ones")

            def call(self, inputs):
                h = tf.matmul(inputs, self.w)
                return tf.constant(h.numpy()) + 1.0  # <- TFG002

        layer = Projection(2)
        x = tf.random.normal((3, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # ----- near misses: TensorFlow runs these with healthy gradients
    case(
        "tfg002_ok_numpy_logging_in_tape",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.Adam(0.01)
        x, y = tf.random.normal((8, 3)), tf.random.normal((8, 1))
        history = []
        for epoch in range(2):
            with tf.GradientTape() as tape:
                pred = model(x)
                loss = tf.reduce_mean((pred - y) ** 2)
                print("epoch", epoch, "loss", loss.numpy(), "mean pred", float(tf.reduce_mean(pred)))
                history.append(float(loss))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg002_ok_float_in_tf_function_is_a_cast",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(1.5)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                scale = float(x * w)
                loss = scale * scale
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.constant(2.0)))
    """,
    ),
    case(
        "tfg002_ok_batch_size_from_data",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
        x = tf.random.normal((6, 3))
        labels = tf.constant([0, 1, 1, 0, 1, 0])
        with tf.GradientTape() as tape:
            n = int(tf.shape(x)[0])
            weights = np.asarray(labels) * 0.5 + 1.0
            logits = model(x)
            per_example = tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
            loss = tf.reduce_sum(per_example * weights) / n
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg002_ok_metrics_after_gradient",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(3)])
        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal((8, 4))
        y = tf.constant([0, 1, 2, 0, 1, 2, 0, 1])
        for step in range(2):
            with tf.GradientTape() as tape:
                logits = model(x)
                loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
                acc = float(tf.reduce_mean(tf.cast(tf.argmax(logits, 1, output_type=tf.int32) == y, tf.float32)))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            print(f"step {step}: loss={loss.numpy():.3f} acc={acc:.2f}")
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg002_ok_numpy_guarded_eager_in_tf_function",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, -2.0])

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                y = x * w
                if tf.executing_eagerly():
                    print(y.numpy())
                loss = tf.reduce_sum(y ** 2)
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.constant([1.0, 3.0])))
    """,
    ),
    case(
        "tfg002_ok_numpy_of_weights_for_checkpoint",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, x):
                return x * self.w

        layer = Scale()
        x = tf.random.normal((2, 3))
        snapshots = []
        with tf.GradientTape() as tape:
            out = layer(x)
            snapshots.append(np.array(layer.w))
            loss = tf.reduce_sum(out ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Keras `predict` returns NumPy, computed in its own loop: the tape records nothing.
    case(
        "tfg002_model_predict_in_tape",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = np.ones((4, 3), "float32")
        y = np.ones((4, 1), "float32")
        with tf.GradientTape() as tape:
            pred = model.predict(x, verbose=0)  # <- TFG002
            loss = tf.reduce_mean(tf.square(pred - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Its quick fix, applied: the model is called inside the tape and every weight gets a gradient.
    case(
        "tfg002_model_predict_in_tape_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = np.ones((4, 3), "float32")
        y = np.ones((4, 1), "float32")
        with tf.GradientTape() as tape:
            pred = model(x, training=False)
            loss = tf.reduce_mean(tf.square(pred - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Keras `evaluate` hands back Python floats from its own loop: the loss the tape sees is a constant.
    case(
        "tfg002_model_evaluate_as_loss_in_tape",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        model.compile(loss="mse")
        with tf.GradientTape() as tape:
            loss = model.evaluate(np.ones((4, 3)), np.ones((4, 1)), verbose=0)  # <- TFG002
            loss = tf.convert_to_tensor(loss)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Near miss: predict for evaluation after the step, outside any tape.
    case(
        "tfg002_model_predict_for_evaluation",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        x = np.ones((4, 3), "float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        val = model.predict(x, verbose=0)
        RESULT = gradient_status(grads)
        """,
    ),
    # The model reaches the step as a parameter with no telling name: the call site says what it is.
    case(
        "tfg002_model_passed_to_the_step",
        "none",
        """
        import tensorflow as tf

        def train_step(f, x):
            with tf.GradientTape() as tape:
                out = f(x)
                loss = tf.reduce_mean(tf.constant(out.numpy()))  # <- TFG002
            return tape.gradient(loss, f.trainable_variables)

        scorer = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        RESULT = gradient_status(train_step(scorer, tf.ones((2, 3))))
        """,
    ),
    # Near miss: a parameter named `model` that every call site fills with a plain function.
    case(
        "tfg002_model_named_parameter_is_a_function",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        def step(model, x):
            with tf.GradientTape() as tape:
                out = model(x)
                scale = float(out.numpy()) if False else 1.0
                loss = out * w * scale
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(lambda t: t * 3.0, tf.constant(1.0)))
        """,
    ),
    # A Keras metric used as the loss: its result comes from assign-updated state, no gradient.
    case(
        "tfg002_metric_used_as_loss",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        mse = tf.keras.metrics.MeanSquaredError()
        x = tf.ones((4, 3))
        y = tf.zeros((4, 1))
        with tf.GradientTape() as tape:
            loss = mse(y, model(x))  # <- TFG002
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Near miss: the metric only reports; the loss object carries the gradient.
    case(
        "tfg002_metric_beside_the_loss",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        loss_fn = tf.keras.losses.MeanSquaredError()
        mse = tf.keras.metrics.MeanSquaredError()
        x = tf.ones((4, 3))
        y = tf.zeros((4, 1))
        with tf.GradientTape() as tape:
            pred = model(x)
            loss = loss_fn(y, pred)
        mse(y, pred)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # The same with the metric updated first and its `result()` taken as the loss (TF 2.21: None for every weight).
    case(
        "tfg002_metric_result_used_as_loss",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        mse = tf.keras.metrics.MeanSquaredError()
        x = tf.ones((4, 3))
        y = tf.zeros((4, 1))
        with tf.GradientTape() as tape:
            mse.update_state(y, model(x))
            loss = mse.result()  # <- TFG002
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg002_ok_metric_result_only_logged",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        loss_fn = tf.keras.losses.MeanSquaredError()
        mse = tf.keras.metrics.MeanSquaredError()
        x = tf.ones((4, 3))
        y = tf.zeros((4, 1))
        with tf.GradientTape() as tape:
            pred = model(x)
            loss = loss_fn(y, pred)
            mse.update_state(y, pred)
            logged = mse.result()
        print(float(logged))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg002_backend_get_value_inside_tape",
        "none",
        """
        import tensorflow as tf
        from tensorflow.keras import backend as K

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 2))
        with tf.GradientTape() as tape:
            pred = model(x)
            err = K.get_value(tf.square(pred - y))  # <- TFG002
            loss = tf.reduce_mean(err)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg002_ok_backend_get_value_for_logging_after_the_tape",
        "ok",
        """
        import tensorflow as tf
        from tensorflow.keras import backend as K

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 2))
        with tf.GradientTape() as tape:
            pred = model(x)
            loss = tf.reduce_mean(tf.square(pred - y))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        print("loss", K.get_value(loss))
    """,
    ),
    case(
        # https://github.com/tensorflow/tensorflow/issues/30190
        "tfg002_float_losses_collected_in_a_list_for_the_loss",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


        def loss(model, x, y):
            y_ = model(x)
            losses = []
            for i in range(y.shape[0]):
                losses.append(float(loss_object(y_true=y[i], y_pred=y_[i])))  # <- TFG002
            dis = np.mean(np.square(np.sort(losses) - np.linspace(-1.0, 1.0, len(losses))))
            return tf.convert_to_tensor(dis, dtype=np.float32)


        x = tf.random.normal((6, 4))
        y = tf.constant([0, 1, 2, 0, 1, 2])
        with tf.GradientTape() as tape:
            loss_value = loss(model, x, y)
        RESULT = gradient_status(tape.gradient(loss_value, model.trainable_variables))
    """,
    ),
    case(
        "tfg002_ok_float_losses_collected_for_logging_only",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        x = tf.random.normal((6, 4))
        y = tf.constant([0, 1, 2, 0, 1, 2])
        history = []
        with tf.GradientTape() as tape:
            loss_value = loss_object(y, model(x))
            history.append(float(loss_value))
        RESULT = gradient_status(tape.gradient(loss_value, model.trainable_variables))
        print("mean loss", np.mean(history))
    """,
    ),
]


# keras-hub's image converters: TF ops when traced, `int(...)` of a size only on the eager path chosen by a helper
# (`in_tf_function()` = `not tf.executing_eagerly()`).  Measured: eager, tf.data map and fit all run; the `int`
# on the traced path raises TypeError.
_RESIZER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras


def in_tf_function():
    return not tf.executing_eagerly()


class AspectRatioResizing(keras.layers.Layer):
    def call(self, inputs):
        target = tf.maximum(tf.shape(inputs)[1] // 2, 1)
        if {test}:
            return tf.image.resize(inputs, size=(target, target))
        else:
            size = int(target){mark}
            return keras.ops.image.resize(inputs, size=(size, size))


resize = AspectRatioResizing()
eager = resize(np.ones((2, 8, 8, 3), "float32"))
mapped = list(tf.data.Dataset.from_tensor_slices(np.ones((4, 8, 8, 3), "float32")).batch(2).map(resize))
"""
CASES += [
    case("tfg002_ok_int_on_eager_path_behind_helper", "ok", _RESIZER.format(test="in_tf_function()", mark="")),
    case(
        "tfg002_int_on_traced_path_behind_helper",
        "raises:TypeError",
        _RESIZER.format(test="not in_tf_function()", mark="  # <- TFG002"),
    ),
]


# tensorflow#41836 (held-out round K): traced, a @tf.custom_gradient function gets its arguments as tensors, a
# variable passed in too, so `.numpy()` on the parameter raises AttributeError (not the variable's
# NotImplementedError).
CASES += [
    case(
        "tfg002_numpy_of_custom_gradient_parameter_given_a_variable",
        "raises:AttributeError",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scale(p, x):
            v = p.numpy()  # <- TFG002

            def grad(dy):
                return tf.reduce_sum(dy * x), dy * v

            return x * v, grad

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(scale(w, x))
            return tape.gradient(y, [w])

        step(tf.constant([1.0, 2.0]))
    """,
    ),
]


# tensorflow#47675 (held-out round Q): Keras `get_weights()` returns `v.numpy()` for every weight, so in traced code
# (a `train_step` under fit, a `@tf.function`) it raises NotImplementedError; eagerly it is a NumPy copy read on
# purpose (a target network synced between steps).  Measured under TF 2.21: both traced forms raise; the eager copy
# and the `assign` over the variables inside the `tf.function` run.
_EMA_STEP = """
import numpy as np
import tensorflow as tf

online = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(2)])
target = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(2)])
optimizer = tf.keras.optimizers.SGD(0.1)


{decorator}def step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(online(x) - y))
    grads = tape.gradient(loss, online.trainable_variables)
    optimizer.apply_gradients(zip(grads, online.trainable_variables))
{update}
    return loss


x = np.ones((8, 4), "float32")
y = np.zeros((8, 2), "float32")
for _ in range(2):
    step(x, y)
{after}
"""
_COPY_IN_STEP = (
    """    target.set_weights([0.99 * t + 0.01 * o for o, t in zip(online.get_weights(), target.get_weights())])"""
)
CASES += [
    case(
        "tfg002_get_weights_in_tf_function_step",
        "raises:NotImplementedError",
        _EMA_STEP.format(
            decorator="@tf.function\n",
            update=_COPY_IN_STEP + "  # <- TFG002",
            after="",
        ),
    ),
    case(
        "tfg002_ok_get_weights_between_eager_steps",
        "ok",
        _EMA_STEP.format(
            decorator="@tf.function\n",
            update="",
            after=_COPY_IN_STEP,
        ),
    ),
    case(
        "tfg002_get_weights_in_tf_function_step_fixed",
        "ok",
        _EMA_STEP.format(
            decorator="@tf.function\n",
            update="    for o, t in zip(online.weights, target.weights):\n        t.assign(0.99 * t + 0.01 * o)",
            after="",
        ),
    ),
    case(
        "tfg002_get_weights_of_helper_built_model_in_train_step",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        class Pair(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.online = self.make()
                self.target = self.make()

            def make(self):
                return tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(2)])

            def call(self, x):
                return self.online(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(self.online(x) - y))
                grads = tape.gradient(loss, self.online.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.online.trainable_variables))
                self.target.set_weights(self.online.get_weights())  # <- TFG002
                return {"loss": loss}

        model = Pair()
        model.compile(optimizer="sgd")
        model.fit(np.ones((8, 4), "float32"), np.zeros((8, 2), "float32"), epochs=1, verbose=0)
    """,
    ),
]


# Issue 10 (engine): the target of a comprehension or loop over a list / tuple of tensors holds a tensor; zip's parts
# stay apart (a list of Python floats beside the tensors), and eager code may read `.numpy()` of each.
CASES += [
    case(
        "tfg002_numpy_in_comprehension_over_tensors",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                losses = [tf.reduce_mean((model(x) - y) ** 2), tf.reduce_mean(model(x))]
                total = sum([l.numpy() for l in losses])  # <- TFG002
            return tape.gradient(total, model.trainable_variables)

        step(tf.ones((4, 3)), tf.ones((4, 1)))
    """,
    ),
    case(
        "tfg002_numpy_in_loop_and_dict_comprehension_over_tensors",
        "raises:AttributeError",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                out = model(x)
                parts = (tf.reduce_mean(out), tf.reduce_max(out))
                logs = {name: part.numpy() for name, part in zip(["mean", "max"], parts)}  # <- TFG002
                total = 0.0
                for part in parts:
                    total += part.numpy()  # <- TFG002
            return logs, tape.gradient(total, model.trainable_variables)

        step(tf.ones((4, 3)))
    """,
    ),
    # Near-miss: zip keeps the Python floats apart from the tensors; `float` of each is fine while tracing.
    case(
        "tfg002_python_floats_zipped_with_tensors",
        "ok",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        weights = [0.5, 2.0]

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                out = model(x)
                losses = [tf.reduce_mean(out), tf.reduce_mean(out * out)]
                loss = tf.add_n([float(w) * l for w, l in zip(weights, losses)])
            return tape.gradient(loss, model.trainable_variables)

        RESULT = gradient_status(step(tf.ones((4, 3))))
    """,
    ),
    # Near-miss: eager code (no tf.function) reads each loss's value for logging after the gradient.
    case(
        "tfg002_numpy_in_comprehension_in_eager_code",
        "ok",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        x = tf.ones((4, 3))
        with tf.GradientTape() as tape:
            out = model(x)
            losses = [tf.reduce_mean(out), tf.reduce_mean(out * out)]
            loss = tf.add_n(losses)
        grads = tape.gradient(loss, model.trainable_variables)
        logs = [l.numpy() for l in losses]
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg002_numpy_in_comprehension_over_tensors_fixed",
        "ok",
        """
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                losses = [tf.reduce_mean((model(x) - y) ** 2), tf.reduce_mean(model(x))]
                total = tf.add_n(losses)
            return tape.gradient(total, model.trainable_variables)

        RESULT = gradient_status(step(tf.ones((4, 3)), tf.ones((4, 1))))
    """,
    ),
]


# Issue 10 (engine): iterating a dict of tensors yields its keys (Python strings); Keras hands `call` a dict as readily
# as a tensor, so what iterating a parameter yields is unknown. keras-hub's FeaturePyramid reads its levels this way.
CASES += [
    case(
        "tfg002_ok_int_of_keys_of_a_dict_input_in_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Pick(keras.layers.Layer):
            def call(self, inputs):
                levels = [int(level[1]) for level in inputs]
                names = {name: int(name[1]) for name in {"P3": 0, "P4": 1}}
                return inputs[f"P{max(levels)}"] * float(len(names))

        ins = {"P3": keras.Input((4,), name="P3"), "P4": keras.Input((4,), name="P4")}
        model = keras.Model(ins, keras.layers.Dense(1)(Pick()(ins)))
        model.compile(optimizer="sgd", loss="mse")
        data = {"P3": np.ones((4, 4), "float32"), "P4": np.ones((4, 4), "float32")}
        model.fit(data, np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
]


# Issue 10 (realistic programs, third wave): a REINFORCE episode at a script's top level. `np.log` of the NumPy
# probabilities computes a value (it is not a logging call), and the list the loop appends it to becomes the loss.
# Sampling the action from `probs.numpy()` is fine: only the log-probability must stay a tensor.
CASES += [
    case(
        "tfg002_reinforce_np_log_of_numpy_appended_at_top_level",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        policy = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
        states = np.random.rand(5, 4).astype("float32")
        returns = np.random.rand(5).astype("float32")
        with tf.GradientTape() as tape:
            log_probs = []
            for s in states:
                probs = policy(s[None])[0]
                action = np.random.choice(2, p=probs.numpy())
                log_probs.append(np.log(probs.numpy()[action]))  # <- TFG002
            loss = -tf.reduce_sum(tf.constant(log_probs) * returns)
        RESULT = gradient_status(tape.gradient(loss, policy.trainable_variables))
    """,
    ),
    case(
        "tfg002_np_log_of_numpy_reaches_loss",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        policy = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
        with tf.GradientTape() as tape:
            probs = policy(np.random.rand(1, 4).astype("float32"))[0]
            log_p = np.log(probs.numpy())  # <- TFG002
            loss = -tf.reduce_sum(tf.constant(log_p))
        RESULT = gradient_status(tape.gradient(loss, policy.trainable_variables))
    """,
    ),
    case(
        "tfg002_ok_np_log_of_numpy_only_logged",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        policy = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
        states = np.random.rand(5, 4).astype("float32")
        returns = np.random.rand(5).astype("float32")
        entropy_log = []
        with tf.GradientTape() as tape:
            log_probs = []
            for s in states:
                probs = policy(s[None])[0]
                action = np.random.choice(2, p=probs.numpy())
                entropy_log.append(-np.sum(probs.numpy() * np.log(probs.numpy())))
                log_probs.append(tf.math.log(probs[action]))
            loss = -tf.reduce_sum(tf.stack(log_probs) * returns)
        print(np.mean(entropy_log))
        RESULT = gradient_status(tape.gradient(loss, policy.trainable_variables))
    """,
    ),
]


# A Keras metric OBJECT handed to `compile(loss=...)`: Keras calls it as the loss, it updates its state variables
# and returns their result, so `fit` raises `No gradients provided for any variable` (TF 2.21: Keras 3 and
# tf_keras; even `MeanSquaredError()` from `keras.metrics`, whose `keras.losses` namesake trains).
_COMPILED_METRIC = """
import numpy as np
{imp}

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
{compile}
x = np.random.rand(16, 4).astype("float32")
y = (np.random.rand(16, 1) > 0.5).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
"""
CASES += [
    case(
        "tfg002_auc_metric_object_compiled_as_the_loss",
        "raises:ValueError",
        _COMPILED_METRIC.format(
            imp="import keras",
            compile='model.compile(optimizer="adam", loss=keras.metrics.AUC(), metrics=["accuracy"])  # <- TFG002',
        ),
    ),
    case(
        "tfg002_mse_metric_object_bound_then_compiled_tf_keras",
        "raises:ValueError",
        _COMPILED_METRIC.format(
            imp="import tf_keras as keras",
            compile="""mse = keras.metrics.MeanSquaredError()
model.compile(optimizer="adam", loss=mse)  # <- TFG002""",
        ),
    ),
    case(
        "tfg002_ok_metric_objects_as_metrics_beside_a_loss_object",
        "ok",
        _COMPILED_METRIC.format(
            imp="import keras",
            compile='model.compile(optimizer="adam", loss=keras.losses.MeanSquaredError(), metrics=[keras.metrics.AUC()])',
        ),
    ),
]


# An L2 penalty computed eagerly from `model.get_weights()` (NumPy copies) inside the tape: the penalty adds nothing
# to the gradients ("zero": the gradients with and without it are equal); from the variables it regularizes.
_PENALTY = """
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 2))
with tf.GradientTape(persistent=True) as tape:
    data_loss = tf.reduce_mean(tf.square(model(x) - y))
    {penalty}
    loss = data_loss + 0.1 * penalty
with_penalty = tape.gradient(loss, model.trainable_variables)
without = tape.gradient(data_loss, model.trainable_variables)
same = all(np.allclose(a.numpy(), b.numpy()) for a, b in zip(with_penalty, without))
RESULT = ["zero" if same else "ok"]
"""
CASES += [
    case(
        "tfg002_weight_penalty_from_get_weights_in_the_tape",
        "zero",
        _PENALTY.format(penalty="penalty = sum(tf.reduce_sum(tf.square(w)) for w in model.get_weights())  # <- TFG002"),
    ),
    case(
        "tfg002_ok_weights_copied_with_get_weights_for_a_target_network",
        "ok",
        _PENALTY.format(
            penalty="snapshot = model.get_weights()\n    penalty = sum(tf.reduce_sum(tf.square(w)) for w in model.trainable_weights)"
        ),
    ),
    case(
        "tfg002_weight_penalty_from_get_weights_in_the_tape_fixed",
        "ok",
        _PENALTY.format(penalty="penalty = sum(tf.reduce_sum(tf.square(w)) for w in model.trainable_weights)"),
    ),
]


# A NumPy padding mask filled in a Keras layer's call from lengths computed from the input, the tensor read in the
# index of an assignment target (`mask[i, :int(lengths[i])] = 1.0`): traced, int() of a symbolic tensor raises
# TypeError (TF 2.21, the layer called from a tf.function). tf.sequence_mask is the fix; a Python int there is fine.
_MASK = """
import numpy as np
import tensorflow as tf
from tensorflow import keras


class Masked(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(6)

    def call(self, x):
        lengths = tf.reduce_sum(tf.cast(x > 0, tf.int32), axis=1)
{mask}
        return self.dense(x * mask)


layer = Masked()
x = np.abs(np.random.rand(4, 6)).astype("float32")


@tf.function
def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    return tape.gradient(loss, layer.trainable_variables)


RESULT = gradient_status(step(x))
"""
CASES += [
    case(
        "tfg002_int_of_tensor_in_assignment_target_index_in_keras_call",
        "raises:TypeError",
        _MASK.format(
            mask="""        mask = np.zeros((4, 6), "float32")
        for i in range(4):
            mask[i, : int(lengths[i])] = 1.0  # <- TFG002"""
        ),
    ),
    case(
        "tfg002_int_of_tensor_in_assignment_target_index_fixed",
        "ok",
        _MASK.format(mask="        mask = tf.sequence_mask(lengths, 6, dtype=tf.float32)"),
    ),
    case(
        "tfg002_ok_python_int_in_assignment_target_index",
        "ok",
        _MASK.format(
            mask="""        mask = np.zeros((4, 6), "float32")
        for i in range(4):
            mask[i, : 6 - i] = 1.0"""
        ),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG002"}) == c.expected


def test_predict_fix_is_the_model_call_the_fixed_case_runs():
    from gradls.analysis import analyze
    from gradls.fixes import apply_edits, fix_for

    buggy = next(c for c in CASES if c.name == "tfg002_model_predict_in_tape")
    fixed = next(c for c in CASES if c.name == "tfg002_model_predict_in_tape_fixed")
    (finding,) = [f for f in analyze(buggy.source).findings if f.code == "TFG002"]
    fix = fix_for(buggy.source, finding)
    assert fix is not None and not fix.safe  # predict's batching/verbosity go: the user reviews it
    out = apply_edits(buggy.source, fix.edits)
    assert out.replace("  # <- TFG002", "") == fixed.source


def test_message_names_the_error_tf_raises_for_the_receiver():
    """A traced variable's numpy() raises NotImplementedError; a symbolic tensor has no numpy() at all."""
    from gradls.analysis import analyze

    by_name = {c.name: c for c in CASES}
    (on_var,) = [
        f for f in analyze(by_name["tfg002_variable_numpy_in_tf_function"].source).findings if f.code == "TFG002"
    ]
    assert "NotImplementedError: numpy() is only available when eager execution is enabled" in on_var.message
    (on_tensor,) = [f for f in analyze(by_name["tfg002_numpy_in_tf_function"].source).findings if f.code == "TFG002"]
    assert "AttributeError: 'SymbolicTensor' object has no attribute 'numpy'" in on_tensor.message
    (on_param,) = [
        f
        for f in analyze(by_name["tfg002_numpy_of_custom_gradient_parameter_given_a_variable"].source).findings
        if f.code == "TFG002"
    ]
    assert "AttributeError: 'SymbolicTensor' object has no attribute 'numpy'" in on_param.message
