"""TFG038 gradient-source-off-target-path: `tape.gradient(target, s)` where the scope's value flow shows that
`target` is never computed from `s` (or only through an `apply_gradients` update): the gradient is None."""

import pytest

from rules.casekit import case, check_verdict, findings_of

_MODEL = """
        def create_model():
            return tf.keras.Sequential(
                [
                    tf.keras.Input(shape=(16, 16, 1)),
                    tf.keras.layers.Conv2D(4, 3, activation="relu", name="last_conv"),
                    tf.keras.layers.Flatten(),
                    tf.keras.layers.Dense(3),
                ]
            )
"""

CASES = [
    # tensorflow/tensorflow#62797's shape: Grad-CAM with the conv output from one sub-model and the class score from
    # a second, separate forward pass of the whole model (TF 2.21: the gradient is None).
    case(
        "tfg038_gradcam_conv_output_and_score_from_two_passes",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        """
        + _MODEL
        + """
        def grad_cam(model, image):
            conv_model = tf.keras.Model(model.inputs, model.get_layer("last_conv").output)
            img = tf.convert_to_tensor(image[np.newaxis])
            with tf.GradientTape() as tape:
                conv_output = conv_model(img)
                tape.watch(conv_output)
                preds = model(img)
                score = preds[:, tf.argmax(preds[0])]
            return tape.gradient(score, conv_output)  # <- TFG038

        RESULT = gradient_status([grad_cam(create_model(), np.random.rand(16, 16, 1).astype("float32"))])
    """,
    ),
    # uber-research/learning-to-reweight-examples#10's shape: the look-ahead SGD step applied with
    # optimizer.apply_gradients inside the persistent tape; the validation loss differentiated w.r.t. the example
    # weights (TF 2.21: None).
    case(
        "tfg038_example_weights_reach_loss_only_through_apply_gradients",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.SGD(0.1)
        x_train = np.random.rand(8, 4).astype("float32")
        y_train = np.random.rand(8, 1).astype("float32")
        x_val = np.random.rand(8, 4).astype("float32")
        y_val = np.random.rand(8, 1).astype("float32")

        eps = tf.Variable(tf.zeros([8]))
        with tf.GradientTape(persistent=True) as tape:
            train_loss = tf.reduce_sum(eps * tf.reduce_mean(tf.square(model(x_train) - y_train), axis=1))
            grads = tape.gradient(train_loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            val_loss = tf.reduce_mean(tf.square(model(x_val) - y_val))
        RESULT = gradient_status([tape.gradient(val_loss, eps)])  # <- TFG038
    """,
    ),
    case(
        "tfg038_temperature_variable_never_read_by_loss",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        temperature = tf.Variable(1.0)
        x = np.random.rand(8, 4).astype("float32")
        y = np.random.randint(0, 3, 8)
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        grads = tape.gradient(loss, [temperature])  # <- TFG038
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg038_ok_gradcam_one_model_returns_conv_output_and_preds",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        """
        + _MODEL
        + """
        def grad_cam(model, image):
            grad_model = tf.keras.Model(model.inputs, [model.get_layer("last_conv").output, model.outputs[0]])
            img = tf.convert_to_tensor(image[np.newaxis])
            with tf.GradientTape() as tape:
                conv_output, preds = grad_model(img)
                score = preds[:, tf.argmax(preds[0])]
            return tape.gradient(score, conv_output)

        RESULT = gradient_status([grad_cam(create_model(), np.random.rand(16, 16, 1).astype("float32"))])
    """,
    ),
    case(
        "tfg038_ok_intermediate_tensor_feeds_the_score",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        features = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(6, activation="tanh")])
        head = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(2)])
        x = np.random.rand(5, 4).astype("float32")
        with tf.GradientTape() as tape:
            h = features(x)
            score = tf.reduce_sum(head(h)[:, 0])
        RESULT = gradient_status([tape.gradient(score, h)])
    """,
    ),
    case(
        "tfg038_ok_lookahead_step_as_tensors_with_stateless_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        x_train = np.random.rand(8, 4).astype("float32")
        y_train = np.random.rand(8, 1).astype("float32")
        x_val = np.random.rand(8, 4).astype("float32")
        y_val = np.random.rand(8, 1).astype("float32")

        eps = tf.Variable(tf.zeros([8]))
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                train_loss = tf.reduce_sum(eps * tf.reduce_mean(tf.square(model(x_train) - y_train), axis=1))
            grads = inner.gradient(train_loss, model.trainable_variables)
            new_weights = [w - 0.1 * g for w, g in zip(model.trainable_variables, grads)]
            pred, _ = model.stateless_call(new_weights, [], x_val)
            val_loss = tf.reduce_mean(tf.square(pred - y_val))
        RESULT = gradient_status([outer.gradient(val_loss, eps)])
    """,
    ),
    case(
        "tfg038_ok_intermediate_appended_to_list_then_stacked",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        layer = tf.keras.layers.Dense(3)
        x = np.random.rand(4, 2).astype("float32")
        outs = []
        with tf.GradientTape() as tape:
            h = layer(x)
            outs.append(h)
            total = tf.reduce_sum(tf.stack(outs))
        RESULT = gradient_status([tape.gradient(total, h)])
    """,
    ),
    case(
        "tfg038_ok_variable_read_inside_a_helper_function",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        scale = tf.Variable(2.0)

        def scaled_mse(y, pred):
            return tf.reduce_mean(tf.square(scale * pred - y))

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        x = np.random.rand(8, 4).astype("float32")
        y = np.random.rand(8, 1).astype("float32")
        with tf.GradientTape() as tape:
            loss = scaled_mse(y, model(x))
        RESULT = gradient_status(tape.gradient(loss, [scale]))
    """,
    ),
    # keras-team/keras#6175's shape: the gradient "at a copy" of the parameters, asked for with new variables made in
    # the gradient call (TF 2.21: None for every copy).
    case(
        "tfg038_variable_copies_made_in_the_gradient_call",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3), tf.keras.layers.Dense(1)])
        x = np.random.rand(8, 4).astype("float32")
        y = np.random.rand(8, 1).astype("float32")
        params = model.trainable_variables
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - model(x)))
        RESULT = gradient_status(tape.gradient(loss, [tf.Variable(a) for a in params]))  # <- TFG038
    """,
    ),
    case(
        "tfg038_one_keras_variable_made_in_the_gradient_call",
        "none",
        """
        import keras
        import tensorflow as tf

        w = keras.Variable(2.0)
        with tf.GradientTape(persistent=True) as tape:
            y = w * w
        RESULT = gradient_status([tape.gradient(y, w), tape.gradient(y, keras.Variable(w))])  # <- TFG038
    """,
    ),
    case(
        "tfg038_variable_copies_bound_to_a_name_the_loss_never_reads",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        layer = tf.keras.layers.Dense(1)
        x = np.random.rand(8, 4).astype("float32")
        layer(x)
        copies = [tf.Variable(v) for v in layer.trainable_variables]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(x))
        RESULT = gradient_status(tape.gradient(loss, copies))  # <- TFG038
    """,
    ),
    # Near-miss: variables made by a comprehension, then used by the computation.
    case(
        "tfg038_ok_variables_made_by_a_comprehension_and_used",
        "ok",
        """
        import tensorflow as tf

        ws = [tf.Variable(float(i + 1)) for i in range(3)]
        with tf.GradientTape() as tape:
            loss = tf.add_n([w * w for w in ws])
        RESULT = gradient_status(tape.gradient(loss, ws))
    """,
    ),
    # Near-miss: a comprehension over the parameters themselves (no new variables).
    case(
        "tfg038_ok_comprehension_over_the_parameters_in_the_gradient_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        x = np.random.rand(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x)))
        RESULT = gradient_status(tape.gradient(loss, [v for v in model.trainable_variables if v.trainable]))
    """,
    ),
    # Fixed: the second point is where a clone of the model runs, under its own tape.
    case(
        "tfg038_ok_gradient_at_a_second_point_through_a_clone",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        probe = tf.keras.models.clone_model(model)
        x = np.random.rand(8, 4).astype("float32")
        probe.set_weights([w * 0.5 for w in model.get_weights()])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(probe(x)))
        RESULT = gradient_status(tape.gradient(loss, probe.trainable_variables))
    """,
    ),
    # tensorflow#75351 (shap's DeepExplainer): the gradient of a model's output with respect to its token ids, which
    # only an Embedding layer reads. Embedding casts them to int32 and gathers rows: None, whatever dtype fed them.
    case(
        "tfg038_ids_into_functional_model_with_embedding",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import layers, models

        input1 = layers.Input((10,))
        emb = layers.Embedding(1000, 64)(input1)
        output = layers.Dense(1)(layers.Reshape((640,))(emb))
        model = models.Model(input1, output)

        inputs = tf.constant(np.random.randint(1000, size=(32, 10)), dtype=tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            out = model(inputs)
        grads = tape.gradient(out, inputs)  # <- TFG038
        RESULT = gradient_status([grads])
    """,
    ),
    case(
        "tfg038_ids_into_sequential_starting_with_embedding",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential(
            [tf.keras.Input((6,)), tf.keras.layers.Embedding(50, 4), tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)]
        )
        ids = tf.constant(np.random.randint(50, size=(8, 6)), dtype=tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(ids)
            score = tf.reduce_sum(model(ids))
        RESULT = gradient_status([tape.gradient(score, ids)])  # <- TFG038
    """,
    ),
    case(
        "tfg038_ids_into_embedding_layer_called_in_tape",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        embed = tf.keras.layers.Embedding(50, 4)
        head = tf.keras.layers.Dense(1)
        ids = tf.Variable(np.random.randint(50, size=(8, 6)).astype("float32"))
        with tf.GradientTape() as tape:
            vectors = embed(ids)
            score = tf.reduce_sum(head(vectors))
        RESULT = gradient_status([tape.gradient(score, ids)])  # <- TFG038
    """,
    ),
    case(
        "tfg038_gradient_wrt_embedded_vectors",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        embed = tf.keras.layers.Embedding(50, 4)
        head = tf.keras.layers.Dense(1)
        ids = tf.constant(np.random.randint(50, size=(8, 6)))
        vectors = embed(ids)
        with tf.GradientTape() as tape:
            tape.watch(vectors)
            score = tf.reduce_sum(head(vectors))
        RESULT = gradient_status([tape.gradient(score, vectors)])
    """,
    ),
    case(
        "tfg038_input_also_read_by_a_dense_branch",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import layers, models

        # The input feeds an Embedding and a Dense branch: the Dense branch carries its gradient.
        features = layers.Input((6,))
        embedded = layers.Flatten()(layers.Embedding(50, 4)(features))
        direct = layers.Dense(4)(features)
        model = models.Model(features, layers.Dense(1)(layers.Concatenate()([embedded, direct])))
        x = tf.constant(np.random.randint(50, size=(8, 6)), dtype=tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = tf.reduce_sum(model(x))
        RESULT = gradient_status([tape.gradient(out, x)])
    """,
    ),
]

# Held-out round W (tensorflow#50278, tensorflow/probability#614): `tf.gradients` in a function TensorFlow traces
# into a graph of its own, with respect to a variable captured from outside that the function never reads.
CASES += [
    case(
        "tfg038_while_body_second_gradient_of_captured_tape_gradient",
        "none",
        """
        import tensorflow as tf

        var = tf.Variable([1.0, 2.0])


        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.pow(var, 2))
            grad = tape.gradient(loss, var)
            seen = []

            def body(i, acc):
                elemwise = tf.multiply(grad, 2.0)
                seen.append(tf.gradients(elemwise, var)[0])  # <- TFG038
                return i + 1, acc + elemwise

            tf.while_loop(lambda i, acc: i < 2, body, [0, tf.zeros(2)])
            return seen


        RESULT = gradient_status(step())
        """,
    ),
    case(
        "tfg038_vectorized_map_gradients_of_elements_eagerly",
        "none",
        """
        import tensorflow as tf

        x = tf.Variable(1.0)
        per_elem = tf.stack([x * x * a for a in (1.0, 2.0, 3.0)])
        grads = tf.vectorized_map(lambda m: tf.gradients(m, [x]), per_elem)  # <- TFG038
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg038_map_fn_per_example_gradients_of_model_variables_in_tf_function",
        "none",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        X = tf.random.normal((4, 3))


        @tf.function
        def per_example(X):
            losses = tf.reduce_sum(model(X) ** 2, axis=1)
            return tf.map_fn(
                lambda l: tf.gradients(l, model.trainable_variables)[0],  # <- TFG038
                losses,
                fn_output_signature=tf.float32,
            )


        try:
            out = [per_example(X)]
        except ValueError:  # the None the body returns
            out = [None]
        RESULT = gradient_status(out)
        """,
    ),
    case(
        "tfg038_ok_vectorized_map_per_example_gradients_inside_tf_function",
        "ok",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        X = tf.random.normal((4, 3))


        @tf.function
        def per_example(X):
            losses = tf.reduce_sum(model(X) ** 2, axis=1)
            return tf.vectorized_map(lambda l: tf.gradients(l, model.trainable_variables), losses)


        RESULT = gradient_status(per_example(X))
        """,
    ),
    case(
        "tfg038_ok_while_body_reads_the_variable",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable(tf.ones((3,)))


        @tf.function
        def f():
            def body(i, a):
                g = tf.gradients(tf.reduce_sum(W * W), W)[0]
                return i + 1, a + g

            return tf.while_loop(lambda i, a: i < 2, body, [0, tf.zeros(3)])[1]


        RESULT = gradient_status([f()])
        """,
    ),
    case(
        "tfg038_ok_map_fn_gradients_of_captured_tensor_in_tf_function",
        "ok",
        """
        import tensorflow as tf


        @tf.function
        def f():
            x = tf.constant([1.0, 2.0, 3.0])
            y = x * x
            return tf.map_fn(lambda i: tf.gradients(y[i], x)[0], tf.range(3), fn_output_signature=tf.float32)


        RESULT = gradient_status([f()])
        """,
    ),
    case(
        "tfg038_ok_vectorized_map_of_rows_times_the_variable",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable(tf.ones((3,)))
        X = tf.random.normal((4, 3))
        g = tf.vectorized_map(lambda r: tf.gradients(tf.reduce_sum(r * W), W)[0], X)
        RESULT = gradient_status([g])
        """,
    ),
    case(
        "tfg038_ok_vectorized_map_tape_inside_the_mapped_function",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable(1.0)


        def dfda(a):
            with tf.GradientTape() as g:
                y = x * x * a
            return g.gradient(y, [x])


        RESULT = gradient_status(tf.vectorized_map(dfda, tf.ones(5)))
        """,
    ),
]

# Grad-CAM with a two-output grad_model whose feature map is unpacked (`conv_out, _ = grad_model(img)`, or
# `grad_model(img)[0]`) while the class score comes from a second pass of the whole model (TF 2.21: None); the score
# taken from the same call's second output is the fix.
_GRADCAM = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

inputs = keras.Input((16, 16, 3))
x = keras.layers.Conv2D(4, 3, activation="relu", name="last_conv")(inputs)
outputs = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(x))
model = keras.Model(inputs, outputs)
grad_model = keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])
img = np.random.rand(1, 16, 16, 3).astype("float32")
with tf.GradientTape() as tape:
{body}
    class_channel = preds[:, 0]
grads = tape.gradient(class_channel, conv_out){mark}
RESULT = gradient_status([grads])
"""
CASES += [
    case(
        "tfg038_gradcam_unpacked_feature_map_second_pass_score",
        "none",
        _GRADCAM.format(body="    conv_out, _ = grad_model(img)\n    preds = model(img)", mark="  # <- TFG038"),
    ),
    case(
        "tfg038_gradcam_indexed_feature_map_second_pass_score",
        "none",
        _GRADCAM.format(body="    conv_out = grad_model(img)[0]\n    preds = model(img)", mark="  # <- TFG038"),
    ),
    case(
        "tfg038_gradcam_unpacked_both_outputs_of_one_pass_fixed",
        "ok",
        _GRADCAM.format(body="    conv_out, preds = grad_model(img)", mark=""),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG038"}) == c.expected


def test_the_update_form_names_apply_gradients():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg038_example_weights_reach_loss_only_through_apply_gradients")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG038"]
    assert "optimizer.apply_gradients(...)" in f.message and "stateless_call" in f.message


def test_traced_body_form_quiet_in_graph_building_programs():
    # Not a TF-run case: turning eager execution off would change the worker process for the cases after it.
    from gradls.analysis import analyze

    src = (
        "import tensorflow as tf\n"
        "tf.compat.v1.disable_eager_execution()\n"
        "x = tf.Variable(1.0)\n"
        "per_elem = tf.stack([x * x * a for a in (1.0, 2.0)])\n"
        "grads = tf.vectorized_map(lambda m: tf.gradients(m, [x]), per_elem)\n"
    )
    assert not [f for f in analyze(src).findings if f.code == "TFG038"]
    eager = src.replace("tf.compat.v1.disable_eager_execution()\n", "")
    assert [f for f in analyze(eager).findings if f.code == "TFG038"]
