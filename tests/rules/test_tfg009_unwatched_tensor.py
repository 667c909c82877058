"""TFG009 unwatched-tensor: a gradient w.r.t. a plain tensor the tape never watched is None."""

import ast
import re

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg009_constant_input",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([[0.5], [-0.3]])
        x = tf.constant([[1.0, 2.0]])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.matmul(x, w))
        dx = tape.gradient(y, x)  # <- TFG009
        RESULT = gradient_status([dx])
    """,
    ),
    case(
        "tfg009_random_in_source_list",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 1)))
        noise = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.matmul(noise, w) ** 2)
        grads = tape.gradient(loss, [w, noise])  # <- TFG009
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg009_convert_to_tensor_tf_function",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        batch = tf.convert_to_tensor(np.ones((2, 3), dtype=np.float32))

        @tf.function
        def input_grad():
            with tf.GradientTape() as tape:
                out = tf.reduce_sum(model(batch))
            return tape.gradient(out, batch)  # <- TFG009

        RESULT = gradient_status([input_grad()])
    """,
    ),
    case(
        "tfg009_identity_copy_outside_tape",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        v = tf.identity(w)
        with tf.GradientTape() as tape:
            y = v * w
        RESULT = gradient_status([tape.gradient(y, v)])  # <- TFG009
    """,
    ),
    case(
        "tfg009_zeros_jacobian",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        z = tf.zeros((2,))
        with tf.GradientTape() as tape:
            y = (z + 1.0) * w
        RESULT = gradient_status([tape.jacobian(y, z)])  # <- TFG009
    """,
    ),
    case(
        "tfg009_watch_accessed_variables_false",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(3.0)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            loss = w * w
        RESULT = gradient_status([tape.gradient(loss, w)])  # <- TFG009
    """,
    ),
    case(
        "tfg009_numpy_source_raises",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, 1.0])
        x = np.array([1.0, 2.0], dtype=np.float32)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(x * w)
        dx = tape.gradient(y, x)  # <- TFG009
    """,
    ),
    case(
        "tfg009_parameter_plain_at_every_call",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])

        @tf.function
        def input_gradient(images):
            with tf.GradientTape() as tape:
                score = tf.reduce_sum(model(images))
            return tape.gradient(score, images)  # <- TFG009

        RESULT = gradient_status([input_gradient(tf.random.uniform((3, 4)))])
    """,
    ),
    case(
        "tfg009_source_list_alias",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        temperature = tf.constant(0.5)
        params = [w, temperature]
        with tf.GradientTape() as tape:
            loss = tf.square(w / temperature)
        RESULT = gradient_status(tape.gradient(loss, params))  # <- TFG009
    """,
    ),
    # ----- near misses: TF computes every gradient
    case(
        "tfg009_ok_parameter_variable_at_some_call",
        "ok",
        """
        import tensorflow as tf

        def grad_of_square(x):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(x * x)
            return tape.gradient(y, x)

        v = tf.Variable([1.0, 2.0])
        RESULT = gradient_status([grad_of_square(v), grad_of_square(tf.Variable([3.0, 4.0]))])
    """,
    ),
    case(
        "tfg009_ok_watched_constant",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([[0.5], [-0.3]])
        x = tf.constant([[1.0, 2.0]])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.matmul(x, w))
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg009_ok_pgd_variable_input",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        x = tf.random.uniform((2, 4))
        y = tf.constant([0, 2])
        x_adv = tf.Variable(x)
        loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        for _ in range(3):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x_adv))
            g = tape.gradient(loss, x_adv)
            x_adv.assign_add(0.01 * tf.sign(g))
        RESULT = gradient_status([g])
    """,
    ),
    case(
        "tfg009_ok_gradcam_feature_maps",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((8, 8, 1))
        conv = keras.layers.Conv2D(4, 3, activation="relu", name="last_conv")(inp)
        out = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(conv))
        model = keras.Model(inp, out)
        grad_model = keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])
        image = tf.random.uniform((1, 8, 8, 1))
        with tf.GradientTape() as tape:
            feature_maps, preds = grad_model(image)
            score = preds[:, 0]
        grads = tape.gradient(score, feature_maps)
        RESULT = gradient_status([grads])
    """,
    ),
    case(
        "tfg009_ok_watch_list_alias",
        "ok",
        """
        import tensorflow as tf

        a = tf.constant(1.5)
        b = tf.constant(-2.0)
        inputs = [a, b]
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            y = a * a * b
        RESULT = gradient_status(tape.gradient(y, [a, b]))
    """,
    ),
    case(
        "tfg009_ok_wav_false_watched",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(3.0)
        b = tf.Variable(1.0)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(w)
            loss = w * w + b
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    case(
        "tfg009_ok_gradient_penalty_nested",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
        real = tf.random.normal((4, 3))
        fake = tf.random.normal((4, 3))
        alpha = tf.random.uniform((4, 1))
        interp = alpha * real + (1 - alpha) * fake
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(interp)
                score = critic(interp)
            g = inner.gradient(score, interp)
            gp = tf.reduce_mean((tf.norm(g, axis=1) - 1.0) ** 2)
            loss = tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real)) + 10.0 * gp
        grads = outer.gradient(loss, critic.trainable_variables)
        RESULT = gradient_status(grads[:-1])  # the output bias cancels out of a WGAN loss: its gradient is 0
    """,
    ),
    case(
        "tfg009_ok_tf_function_param_watched",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])

        @tf.function
        def saliency(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.reduce_sum(x * w)
            return tape.gradient(y, x)

        RESULT = gradient_status([saliency(tf.constant([3.0, 4.0]))])
    """,
    ),
    case(
        "tfg009_ok_constant_reassigned_variable",
        "ok",
        """
        import tensorflow as tf

        x = tf.constant([1.0, 2.0])
        x = tf.Variable(x)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(x * x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg009_var_list_of_a_rebound_variable",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        # tensorflow#51375's loop, with its own list: `initial` first holds a tensor, then the variable made from it.
        initial = tf.random.normal(shape=[2, 5], mean=0, stddev=0.05, dtype=tf.dtypes.float64)
        initial = tf.Variable(initial, name="eeeeeee", trainable=True)
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
    case(
        "tfg009_var_list_display_of_variables",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones([3, 1]))
        b = tf.Variable(tf.zeros([1]))
        x = tf.random.normal([4, 3])
        params = [w] + [b]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.matmul(x, w) + b)
        grads = tape.gradient(loss, params)
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg009_list_of_a_tensor_computed_from_a_variable",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones([3, 1]))
        x = tf.random.normal([4, 3])
        scaled = w * 2.0
        sources = [scaled]
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.matmul(x, scaled))
        grads = tape.gradient(loss, sources)  # <- TFG009
        RESULT = gradient_status(grads)
    """,
    ),
]


# Adversarial examples (FGSM): the batch from a tf.data loop is an eager tensor, not a variable.
CASES += [
    case(
        "tfg009_dataset_batch_fgsm",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        ds = tf.data.Dataset.from_tensor_slices((np.ones((4, 3), "float32"), np.zeros((4,), "int64"))).batch(2)
        RESULT = []
        for images, labels in ds:
            with tf.GradientTape() as tape:
                logits = model(images)
                loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
            RESULT.append(gradient_status([tape.gradient(loss, images)])[0])  # <- TFG009
        """,
    ),
    case(
        "tfg009_dataset_batch_watched_is_fine",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        ds = tf.data.Dataset.from_tensor_slices(np.ones((4, 3), "float32")).batch(2).prefetch(1)
        RESULT = []
        for step, images in enumerate(ds):
            with tf.GradientTape() as tape:
                tape.watch(images)
                loss = tf.reduce_sum(model(images))
            RESULT += gradient_status([tape.gradient(loss, images)])
            with tf.GradientTape() as tape2:
                loss2 = tf.reduce_sum(model(images))
            RESULT += gradient_status(tape2.gradient(loss2, model.trainable_variables))
        """,
    ),
]


# Plain gradient descent that rebinds the variable's name to a tensor: the second step's gradient is None.
CASES += [
    case(
        "tfg009_variable_rebound_by_sgd_update",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        x = tf.constant(3.0)
        RESULT = []
        for step in range(2):
            with tf.GradientTape() as tape:
                loss = (w * x - 1.0) ** 2
            g = tape.gradient(loss, w)  # <- TFG009
            RESULT += gradient_status([g])
            if g is None:
                break
            w = w - 0.1 * g
        """,
    ),
    # The same update written as one tuple assignment for weight and bias: both names become tensors.
    case(
        "tfg009_variables_rebound_by_tuple_update",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 1)))
        b = tf.Variable(tf.zeros((1,)))
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        RESULT = []
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(x @ w + b - y))
            gw, gb = tape.gradient(loss, [w, b])  # <- TFG009, TFG009
            RESULT += gradient_status([gw, gb])
            if gw is None:
                break
            w, b = w - 0.1 * gw, b - 0.1 * gb
        """,
    ),
    case(
        "tfg009_variables_updated_in_place_near_miss_of_tuple_update",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.random.normal((3, 1)))
        b = tf.Variable(tf.zeros((1,)))
        x = tf.random.normal((8, 3))
        y = tf.random.normal((8, 1))
        RESULT = []
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(x @ w + b - y))
            gw, gb = tape.gradient(loss, [w, b])
            RESULT += gradient_status([gw, gb])
            new_w, new_b = w - 0.1 * gw, b - 0.1 * gb
            w.assign(new_w)
            b.assign(new_b)
        """,
    ),
    # (`W -= lr * dW` on a tf.Variable raises TF's own RuntimeError naming assign_sub: not reported.)
    case(
        "tfg009_variable_rebound_by_scaled_update",
        "none",
        """
        import tensorflow as tf

        W = tf.Variable(tf.ones((3, 1)))
        X = tf.ones((4, 3))
        RESULT = []
        for epoch in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.matmul(X, W) ** 2)
            dW = tape.gradient(loss, W)  # <- TFG009
            RESULT += gradient_status([dW])
            if dW is None:
                break
            W = W * 0.99 - 0.01 * dW
        """,
    ),
    # Near misses: the in-place update keeps the variable; a fresh variable per step is watched anew.
    case(
        "tfg009_variable_updated_in_place",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        RESULT = []
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = (w * 3.0 - 1.0) ** 2
            g = tape.gradient(loss, w)
            RESULT += gradient_status([g])
            w.assign_sub(0.1 * g)
        """,
    ),
    case(
        "tfg009_variable_recreated_each_step",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        RESULT = []
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = (w * 3.0 - 1.0) ** 2
            g = tape.gradient(loss, w)
            RESULT += gradient_status([g])
            w = tf.Variable(w - 0.1 * g)
        """,
    ),
]


# The engine follows the value where the constructor is not in sight: a helper's tuple return unpacked,
# a name rebound by arithmetic before the tape opened.
CASES += [
    case(
        "tfg009_unpacked_from_helper",
        "none",
        """
        import tensorflow as tf

        def make_inputs():
            a = tf.constant([1.0, 2.0])
            b = tf.constant([3.0, 4.0])
            return a, b

        x, y = make_inputs()
        with tf.GradientTape() as tape:
            z = tf.reduce_sum(x * y)
        gx = tape.gradient(z, x)  # <- TFG009
        RESULT = gradient_status([gx])
        """,
    ),
    case(
        "tfg009_constant_rebound_before_tape",
        "none",
        """
        import tensorflow as tf

        x = tf.constant(3.0)
        x = x * 2.0
        with tf.GradientTape() as tape:
            y = x**2
        gx = tape.gradient(y, x)  # <- TFG009
        RESULT = gradient_status([gx])
        """,
    ),
    case(
        "tfg009_unpacked_variables_from_helper_near_miss",
        "ok",
        """
        import tensorflow as tf

        def make_weights():
            return tf.Variable([1.0, 2.0]), tf.Variable([3.0, 4.0])

        w1, w2 = make_weights()
        with tf.GradientTape() as tape:
            z = tf.reduce_sum(w1 * w2)
        RESULT = gradient_status(tape.gradient(z, [w1, w2]))
        """,
    ),
    case(
        "tfg009_unpacked_then_watched_near_miss",
        "ok",
        """
        import tensorflow as tf

        def make_inputs():
            return tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])

        x, y = make_inputs()
        x = x * 2.0
        with tf.GradientTape() as tape:
            tape.watch(x)
            z = tf.reduce_sum(x * y)
        RESULT = gradient_status([tape.gradient(z, x)])
        """,
    ),
    case(
        "tfg009_rebound_inside_tape_near_miss",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            h = w * 3.0
            h = h + 1.0
            y = h**2
        RESULT = gradient_status([tape.gradient(y, h)])
        """,
    ),
]


def fixed_source(cases, name: str, code: str, config=None) -> str:
    """The case's source with every `code` fix applied (one round), its `# <- TFG` marks removed.
    Shared by the tape rule test modules."""
    from gradls.analysis import analyze
    from gradls.fixes import apply_edits, fix_for

    src = next(c.source for c in cases if c.name == name)
    found = [f for f in analyze(src, "case.py", config).findings if f.code == code]
    assert found, name
    edits = []
    for f in found:
        fix = fix_for(src, f)
        assert fix is not None, (name, f)
        edits.extend(fix.edits)
    return re.sub(r"[ \t]*#\s*<-\s*TFG\d{3}[^\n]*", "", apply_edits(src, edits))


# Issue 10 (engine, `tapes.rebound_after_watch`): a watched name rebound after the block, outside recording: the tape
# watched the old tensor (None for the new one); rebound inside the block after the watch, it is recorded (trains).
CASES += [
    case(
        "tfg009_watched_tensor_rebound_after_block",
        "none",
        """
        import tensorflow as tf

        x = tf.random.normal((4, 2))
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.sin(x))
        x = tf.clip_by_value(x, -1.0, 1.0)
        RESULT = gradient_status([tape.gradient(loss, x)])  # <- TFG009
    """,
    ),
    case(
        "tfg009_watched_tensor_rebound_inside_block",
        "ok",
        """
        import tensorflow as tf

        x = tf.random.normal((4, 2))
        with tf.GradientTape() as tape:
            tape.watch(x)
            x = x / 2.0
            loss = tf.reduce_sum(x * x)
        RESULT = gradient_status([tape.gradient(loss, x)])
    """,
    ),
]

# Issue 10 (engine, `tapes.resolve_defs(at=...)`): a helper's parameter rebound at the top of its body (a saliency
# map's `image = tf.convert_to_tensor(image)`) holds the fresh tensor from there on, whatever the caller passed; made
# a `tf.Variable` instead, the tape watches it on its own.
CASES += [
    case(
        "tfg009_parameter_rebound_to_tensor_in_saliency_helper",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])

        def saliency(model, image, class_idx):
            image = tf.convert_to_tensor(image)
            with tf.GradientTape() as tape:
                score = model(image)[:, class_idx]
            return tape.gradient(score, image)  # <- TFG009

        RESULT = gradient_status([saliency(model, np.random.rand(1, 4).astype("float32"), 1)])
    """,
    ),
    case(
        "tfg009_parameter_rebound_to_variable_in_helper_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])

        def saliency(model, image, class_idx):
            image = tf.Variable(image)
            with tf.GradientTape() as tape:
                score = model(image)[:, class_idx]
            return tape.gradient(score, image)

        RESULT = gradient_status([saliency(model, np.random.rand(1, 4).astype("float32"), 1)])
    """,
    ),
    case(
        "tfg009_parameter_rebound_in_a_branch_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])

        def saliency(model, image, class_idx):
            if not isinstance(image, tf.Variable):
                image = tf.convert_to_tensor(image)
            with tf.GradientTape() as tape:
                score = model(image)[:, class_idx]
            return tape.gradient(score, image)

        RESULT = gradient_status([saliency(model, tf.Variable(np.random.rand(1, 4).astype("float32")), 1)])
    """,
    ),
]


# Issue 10 (realistic programs, third wave): a tape made with `watch_accessed_variables=False` for a saliency map
# watches the input only; the same tape's gradient for the model's weights is None. Watching the weights' own
# tensors too, or a default tape, gives both.
CASES += [
    case(
        "tfg009_watches_only_input_then_weights_gradient",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        x = tf.constant(np.random.rand(2, 4).astype("float32"))
        with tf.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
            tape.watch(x)
            loss = tf.reduce_sum(model(x))
        saliency = tape.gradient(loss, x)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))  # <- TFG009
    """,
    ),
    case(
        "tfg009_watches_input_and_weight_values_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        x = tf.constant(np.random.rand(2, 4).astype("float32"))
        with tf.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
            tape.watch(x)
            tape.watch([v.value for v in model.trainable_variables])
            loss = tf.reduce_sum(model(x))
        saliency = tape.gradient(loss, x)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg009_watches_input_default_tape_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        x = tf.constant(np.random.rand(2, 4).astype("float32"))
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            loss = tf.reduce_sum(model(x))
        saliency = tape.gradient(loss, x)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# A list comprehension of variables made before the tape (a hand-rolled MLP's weights) holds variables, which the
# tape watches: TF 2.21 trains them (it was taken for a tensor computed outside the tape).
CASES += [
    case(
        "tfg009_ok_variables_made_by_a_list_comprehension",
        "ok",
        """
        import tensorflow as tf

        weights = [tf.Variable(tf.random.normal((4, 4))) for _ in range(3)]
        x = tf.random.normal((2, 4))
        with tf.GradientTape() as tape:
            h = x
            for w in weights:
                h = tf.tanh(h @ w)
            loss = tf.reduce_sum(h)
        RESULT = gradient_status(tape.gradient(loss, weights))
        """,
    ),
]


def _fixed(name: str) -> str:
    return fixed_source(CASES, name, "TFG009")


_FIXABLE = [
    "tfg009_constant_input",
    "tfg009_random_in_source_list",
    "tfg009_convert_to_tensor_tf_function",
    "tfg009_identity_copy_outside_tape",
    "tfg009_zeros_jacobian",
    "tfg009_watch_accessed_variables_false",
    "tfg009_parameter_plain_at_every_call",
    "tfg009_dataset_batch_fgsm",
    "tfg009_variable_rebound_by_sgd_update",
    "tfg009_variable_rebound_by_scaled_update",
    "tfg009_unpacked_from_helper",
    "tfg009_constant_rebound_before_tape",
    "tfg009_parameter_rebound_to_tensor_in_saliency_helper",
]
FIXED = {f"{n}__fixed": _fixed(n) for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


# `tape.watch(x)` written after the forward computation in the block: the tape records only what runs on `x` after
# the watch (TF 2.21: None). A use after the watch as well is recorded (ok); the watch first is the fix.
_WATCH_ORDER = """
import tensorflow as tf

x = tf.constant([1.0, 2.0])
with tf.GradientTape() as tape:
{body}
g = tape.gradient(y, x){mark}
RESULT = gradient_status([g])
"""
CASES += [
    case(
        "tfg009_watch_after_the_forward_computation",
        "none",
        _WATCH_ORDER.format(body="    y = tf.reduce_sum(x * x)\n    tape.watch(x)", mark="  # <- TFG009"),
    ),
    case(
        "tfg009_ok_used_before_and_after_the_watch",
        "ok",
        _WATCH_ORDER.format(
            body="    y0 = tf.reduce_sum(x)\n    tape.watch(x)\n    y = y0 + tf.reduce_sum(x * x)", mark=""
        ),
    ),
    case(
        "tfg009_watch_after_the_forward_computation_fixed",
        "ok",
        _WATCH_ORDER.format(body="    tape.watch(x)\n    y = tf.reduce_sum(x * x)", mark=""),
    ),
]


# A gradient with respect to a layer output taken while a functional model was built: a KerasTensor, and TF raises
# AttributeError (TFG015 reports it); TFG009 must not claim a silent None there.
CASES += [
    case(
        "tfg009_quiet_on_a_symbolic_layer_output_as_source",
        "raises:AttributeError",
        """
        import tensorflow as tf
        import keras

        inp = keras.Input((4,))
        h = keras.layers.Dense(3)(inp)
        model = keras.Model(inp, keras.layers.Dense(1)(h))
        x = tf.random.normal((2, 4))
        with tf.GradientTape() as tape:
            pred = model(x)
        g = tape.gradient(pred, h)
        """,
    ),
]


# A copy made before the tape of a slice of an array (`tf.convert_to_tensor(x_train[:8])`, FGSM on a batch; PINN
# collocation points `tf.constant(np.linspace(...)[:, None])`) is a plain tensor like a copy of the whole name
# (TF 2.21: None). Sliced inside the tape after a watch, or watched in the helper, it is recorded (ok).
_SLICED_COPY = """
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
x_train = np.random.rand(16, 3).astype("float32")


def input_gradient(image):
    with tf.GradientTape() as tape:
{watch}        loss = tf.reduce_sum(model(image) ** 2)
    return tape.gradient(loss, image){mark}


image = {copy}
RESULT = gradient_status([input_gradient(image)])
"""
CASES += [
    case(
        "tfg009_convert_to_tensor_of_a_slice_passed_to_helper",
        "none",
        _SLICED_COPY.format(watch="", mark="  # <- TFG009", copy="tf.convert_to_tensor(x_train[:8])"),
    ),
    case(
        "tfg009_constant_of_a_sliced_numpy_call_passed_to_helper",
        "none",
        _SLICED_COPY.format(watch="", mark="  # <- TFG009", copy='tf.constant(np.ones((4, 3), dtype="float32")[:2])'),
    ),
    case(
        "tfg009_convert_to_tensor_of_a_slice_watched_fixed",
        "ok",
        _SLICED_COPY.format(watch="        tape.watch(image)\n", mark="", copy="tf.convert_to_tensor(x_train[:8])"),
    ),
    case(
        "tfg009_ok_slice_taken_in_the_tape_after_a_watch",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
        xt = tf.constant(np.random.rand(8, 2).astype("float32"))
        with tf.GradientTape() as tape:
            tape.watch(xt)
            x = xt[:, :1]
            u = model(x)
        g = tape.gradient(u, x)
        RESULT = gradient_status([g])
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG009"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert "watch(" in src or ".assign" in src
    assert not [f for f in analyze(src).findings if f.code == "TFG009"]


def test_fix_inserts_watch_after_a_definition_inside_the_block():
    src = "import tensorflow as tf\nw = tf.Variable(1.0)\nwith tf.GradientTape() as tape:\n    x = tf.constant(2.0)\n    y = x * w\ng = tape.gradient(y, x)\n"
    from gradls.analysis import analyze
    from gradls.fixes import apply_edits, fix_for

    (f,) = [f for f in analyze(src).findings if f.code == "TFG009"]
    out = apply_edits(src, fix_for(src, f).edits)
    assert "    x = tf.constant(2.0)\n    tape.watch(x)\n    y = x * w\n" in out


def test_numpy_source_has_no_watch_fix():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg009_numpy_source_raises")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG009"]
    assert f.fix_data is None and "AttributeError" in f.message
