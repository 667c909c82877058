"""TFG032 dropped-model-output-head: a multi-output functional model called with only some outputs kept leaves the
layers feeding only the others with None gradients (tensorflow#22775)."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow#22775: a two-output model reused in a new model built by a factory that keeps output 0 only.
    case(
        "tfg032_reused_model_keeps_output_0",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras.layers import Conv2D


        def get_test0_net():
            data_input = keras.Input(shape=(4, 4, 3))
            x0 = Conv2D(3, 3, padding="same")(data_input)
            x1 = Conv2D(3, 3, padding="same")(data_input)
            return keras.Model(data_input, [x0, x1])


        def get_test1_net(test0_net):
            data_input = keras.Input(shape=(4, 4, 3))
            x0, x1 = test0_net(data_input)  # <- TFG032
            return keras.Model(data_input, x0)


        test0_net = get_test0_net()
        test1_net = get_test1_net(test0_net)
        x = np.random.RandomState(0).rand(8, 4, 4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(test1_net(x, training=True) - x))
        RESULT = gradient_status(tape.gradient(loss, test1_net.trainable_variables))
        """,
    ),
    # base(inp)[0] inside a new model trained by fit: the second head's kernel never changes.
    case(
        "tfg032_subscript_output_under_fit",
        "none",
        """
        import numpy as np
        import keras
        from keras import layers

        inp = keras.Input((4,))
        head_a = layers.Dense(3, name="head_a")(inp)
        head_b = layers.Dense(3, name="head_b")(inp)
        base = keras.Model(inp, [head_a, head_b])

        new_inp = keras.Input((4,))
        model = keras.Model(new_inp, base(new_inp)[0])  # <- TFG032
        model.compile("adam", "mse")
        before = base.get_layer("head_b").get_weights()[0].copy()
        x = np.random.RandomState(0).rand(16, 4).astype("float32")
        model.fit(x, np.ones((16, 3), "float32"), epochs=1, verbose=0)
        after = base.get_layer("head_b").get_weights()[0]
        RESULT = ["none" if np.allclose(before, after) else "ok"]
        """,
    ),
    case(
        "tfg032_unpacked_with_underscore",
        "none",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        trunk = layers.Dense(8, activation="relu")(inp)
        a = layers.Dense(2)(trunk)
        b = layers.Dense(5)(trunk)
        base = keras.Model(inp, [a, b])

        new_inp = keras.Input((4,))
        out_a, _ = base(new_inp)  # <- TFG032
        clf = keras.Model(new_inp, out_a)
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(clf(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, clf.trainable_variables))
        """,
    ),
    # A custom loop whose loss reads one output of the two-output model it differentiates.
    case(
        "tfg032_custom_loop_loss_on_one_output",
        "none",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        pred_a = layers.Dense(3)(inp)
        pred_b = layers.Dense(3)(inp)
        model = keras.Model(inp, [pred_a, pred_b])
        optimizer = keras.optimizers.Adam()
        loss_fn = keras.losses.MeanSquaredError()
        x = tf.random.normal((8, 4))
        y = tf.random.normal((8, 3))
        with tf.GradientTape() as tape:
            pa, pb = model(x, training=True)  # <- TFG032
            loss = loss_fn(y, pa)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        RESULT = gradient_status(grads)
        """,
    ),
    case(
        "tfg032_custom_loop_subscript_in_tf_function",
        "none",
        """
        import tensorflow as tf
        import keras
        from keras import layers


        def make_model():
            inp = keras.Input((4,))
            h = layers.Dense(8, activation="relu")(inp)
            return keras.Model(inp, [layers.Dense(1)(h), layers.Dense(3, name="aux")(h)])


        model = make_model()


        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x)[0] - y))  # <- TFG032
            return tape.gradient(loss, model.trainable_variables)


        RESULT = gradient_status(step(tf.random.normal((8, 4)), tf.random.normal((8, 1))))
        """,
    ),
    # A loss written as a function of the program that reads only its arguments.
    case(
        "tfg032_custom_loop_own_loss_function",
        "none",
        """
        import tensorflow as tf
        import keras
        from keras import layers


        def masked_mse(y, p):
            mask = tf.cast(y > 0, p.dtype)
            return tf.reduce_sum(mask * tf.square(y - p)) / tf.maximum(tf.reduce_sum(mask), 1.0)


        inp = keras.Input((4,))
        model = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(2, name="aux")(inp)])
        x = tf.random.normal((8, 4))
        y = tf.random.normal((8, 3))
        with tf.GradientTape() as tape:
            main, aux = model(x)  # <- TFG032
            loss = masked_mse(y, main)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # Near misses: both outputs used; a new model built from the kept output's tensors; a weightless dropped head;
    # a frozen dropped head; a model never trained; fit with a loss for each output.
    case(
        "tfg032_both_outputs_in_the_loss",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        model = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3)(inp)])
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            pa, pb = model(x)
            loss = tf.reduce_mean(pa**2) + tf.reduce_mean(pb**2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg032_new_model_from_base_outputs",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        base = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3)(inp)])
        model = keras.Model(base.inputs, base.outputs[0])
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg032_dropped_head_has_no_weights",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        h = layers.Dense(3)(inp)
        base = keras.Model(inp, [layers.Dense(2)(h), layers.Activation("relu")(h)])
        new_inp = keras.Input((4,))
        model = keras.Model(new_inp, base(new_inp)[0])
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg032_dropped_head_frozen",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        base = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3, trainable=False)(inp)])
        new_inp = keras.Input((4,))
        out_a, _ = base(new_inp)
        model = keras.Model(new_inp, out_a)
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg032_new_model_only_predicts",
        "ok",
        """
        import numpy as np
        import keras
        from keras import layers

        inp = keras.Input((4,))
        base = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3)(inp)])
        new_inp = keras.Input((4,))
        encoder = keras.Model(new_inp, base(new_inp)[0])
        codes = encoder.predict(np.ones((2, 4), "float32"), verbose=0)
        """,
    ),
    case(
        "tfg032_fit_with_a_loss_per_output",
        "ok",
        """
        import numpy as np
        import keras
        from keras import layers

        inp = keras.Input((4,))
        model = keras.Model(inp, [layers.Dense(3, name="a")(inp), layers.Dense(3, name="b")(inp)])
        model.compile("adam", loss=["mse", "mse"])
        before = model.get_layer("b").get_weights()[0].copy()
        x = np.random.RandomState(0).rand(16, 4).astype("float32")
        model.fit(x, [np.ones((16, 3), "float32")] * 2, epochs=1, verbose=0)
        RESULT = ["none" if np.allclose(before, model.get_layer("b").get_weights()[0]) else "ok"]
        """,
    ),
    # Two task models share the base, one output each, both trained: every head gets its gradient in one of them.
    case(
        "tfg032_two_task_models_share_the_base",
        "ok",
        """
        import numpy as np
        import keras
        from keras import layers

        inp = keras.Input((4,))
        base = keras.Model(inp, [layers.Dense(3, name="a")(inp), layers.Dense(3, name="b")(inp)])
        task_inp = keras.Input((4,))
        model_a = keras.Model(task_inp, base(task_inp)[0])
        model_b = keras.Model(task_inp, base(task_inp)[1])
        before = [base.get_layer(n).get_weights()[0].copy() for n in "ab"]
        x = np.random.RandomState(0).rand(16, 4).astype("float32")
        for m in (model_a, model_b):
            m.compile("adam", "mse")
        model_a.fit(x, np.ones((16, 3), "float32"), epochs=1, verbose=0)
        model_b.fit(x, np.ones((16, 3), "float32"), epochs=1, verbose=0)
        after = [base.get_layer(n).get_weights()[0] for n in "ab"]
        RESULT = ["none" if np.allclose(b, a) else "ok" for b, a in zip(before, after)]
        """,
    ),
    # One gradient per output of a persistent tape, both applied: each head gets its gradient from one of them.
    case(
        "tfg032_one_gradient_per_output",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        model = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3)(inp)])
        x = tf.random.normal((8, 4))
        with tf.GradientTape(persistent=True) as tape:
            pa, pb = model(x)
            loss_a = tf.reduce_mean(pa**2)
            loss_b = tf.reduce_mean(pb**2)
        g_a = tape.gradient(loss_a, model.trainable_variables)
        g_b = tape.gradient(loss_b, model.trainable_variables)
        RESULT = gradient_status([a if a is not None else b for a, b in zip(g_a, g_b)])
        """,
    ),
    # The loss is computed by a program function that reads the other output through a global.
    case(
        "tfg032_loss_function_reads_a_global_output",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        model = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3)(inp)])
        x = tf.random.normal((8, 4))


        def total_loss(main):
            return tf.reduce_mean(main**2) + tf.reduce_mean(outs[1] ** 2)


        with tf.GradientTape() as tape:
            outs = model(x)
            loss = total_loss(outs[0])
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # The reused base frozen layer by layer in a loop: none of its weights is trainable, no None gradient.
    case(
        "tfg032_base_frozen_in_a_loop",
        "ok",
        """
        import tensorflow as tf
        import keras
        from keras import layers

        inp = keras.Input((4,))
        base = keras.Model(inp, [layers.Dense(3)(inp), layers.Dense(3)(inp)])
        for layer in base.layers:
            layer.trainable = False
        new_inp = keras.Input((4,))
        model = keras.Model(new_inp, layers.Dense(1)(base(new_inp)[0]))
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    # transformers#5427's shape: a subclassed BERT-like model returns (sequence_output, pooled_output); the
    # functional model is built on `bert(ids)[0]` only: the pooler gets None gradients.
    case(
        "tfg032_subclassed_model_tuple_value_dropped",
        "none",
        """
        import keras
        import tensorflow as tf

        class Encoder(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.embed = keras.layers.Embedding(20, 8)
                self.pooler = keras.layers.Dense(8, activation="tanh")

            def call(self, ids):
                seq = self.embed(ids)
                pooled = self.pooler(seq[:, 0])
                return seq, pooled

        ids = keras.Input((5,), dtype="int32")
        bert = Encoder()
        h = bert(ids)[0][:, 1:-1, :]  # <- TFG032
        out = keras.layers.Dense(2)(keras.layers.Flatten()(h))
        model = keras.Model(ids, out)
        model.compile(optimizer="sgd", loss="mse")
        x = tf.zeros((4, 5), dtype="int32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        pooler = {id(v) for v in bert.pooler.trainable_variables}
        RESULT = gradient_status([g for g, v in zip(grads, model.trainable_variables) if id(v) in pooler])
    """,
    ),
    # Unpacked: `seq, pooled = enc(x)` with only `seq` in the new model's outputs, the model trained by fit.
    case(
        "tfg032_subclassed_layer_tuple_unpacked_one_value_kept",
        "none",
        """
        import keras
        import tensorflow as tf

        class Heads(keras.layers.Layer):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.body = keras.layers.Dense(4)
                self.aux = keras.layers.Dense(3)

            def call(self, x):
                h = self.body(x)
                return h, self.aux(h)

        inp = keras.Input((6,))
        seq, aux = Heads()(inp)  # <- TFG032
        model = keras.Model(inp, keras.layers.Dense(1)(seq))
        model.compile(optimizer="sgd", loss="mse")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((2, 6))) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = gradient_status(grads)
    """,
    ),
    # Near-misses: every value used (concatenated), and a kept value computed through every layer of the dropped
    # one (value 1 is `norm(h)`, value 0 is dropped: `self.body` feeds both, nothing is lost).
    case(
        "tfg032_ok_subclassed_tuple_values_used_or_shared",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Encoder(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.body = keras.layers.Dense(8)
                self.pooler = keras.layers.Dense(8, activation="tanh")

            def call(self, x):
                h = self.body(x)
                return h, self.pooler(h)

        inp = keras.Input((6,))
        enc = Encoder()
        seq, pooled = enc(inp)
        both = keras.Model(inp, keras.layers.Concatenate()([seq, pooled]))
        both.compile(optimizer="sgd", loss="mse")

        class Norm(keras.layers.Layer):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.body = keras.layers.Dense(4)

            def call(self, x):
                h = self.body(x)
                return h, h * 2.0

        inp2 = keras.Input((6,))
        second = keras.Model(inp2, Norm()(inp2)[1])
        second.compile(optimizer="sgd", loss="mse")
        statuses = []
        for m, x in ((both, tf.ones((2, 6))), (second, tf.ones((2, 6)))):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(m(x) ** 2)
            statuses += gradient_status(tape.gradient(loss, m.trainable_variables))
        RESULT = statuses
    """,
    ),
    # A custom loop differentiating the instance's own weights with a loss on one unpacked value only.
    case(
        "tfg032_subclassed_tuple_value_dropped_in_custom_loop",
        "none",
        """
        import keras
        import tensorflow as tf

        class Encoder(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.body = keras.layers.Dense(8)
                self.pooler = keras.layers.Dense(8, activation="tanh")

            def call(self, x):
                h = self.body(x)
                return h, self.pooler(h)

        enc = Encoder()
        optimizer = keras.optimizers.SGD(0.1)
        for step in range(2):
            with tf.GradientTape() as tape:
                seq, _ = enc(tf.ones((4, 6)))  # <- TFG032
                loss = tf.reduce_mean(seq**2)
            grads = tape.gradient(loss, enc.trainable_variables)
            optimizer.apply_gradients(zip(grads, enc.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    # Near-miss: the same loop with both values in the loss.
    case(
        "tfg032_ok_subclassed_tuple_values_in_custom_loop_loss",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Encoder(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.body = keras.layers.Dense(8)
                self.pooler = keras.layers.Dense(8, activation="tanh")

            def call(self, x):
                h = self.body(x)
                return h, self.pooler(h)

        enc = Encoder()
        optimizer = keras.optimizers.SGD(0.1)
        for step in range(2):
            with tf.GradientTape() as tape:
                seq, pooled = enc(tf.ones((4, 6)))
                loss = tf.reduce_mean(seq**2) + tf.reduce_mean(pooled**2)
            grads = tape.gradient(loss, enc.trainable_variables)
            optimizer.apply_gradients(zip(grads, enc.trainable_variables))
        RESULT = gradient_status(grads)
    """,
    ),
    # Fixed: the classifier reads the pooled value, which is computed from the sequence output: every layer trains.
    case(
        "tfg032_ok_subclassed_pooled_value_kept",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Encoder(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.embed = keras.layers.Embedding(20, 8)
                self.pooler = keras.layers.Dense(8, activation="tanh")

            def call(self, ids):
                seq = self.embed(ids)
                pooled = self.pooler(seq[:, 0])
                return seq, pooled

        ids = keras.Input((5,), dtype="int32")
        bert = Encoder()
        out = keras.layers.Dense(2)(bert(ids)[1])
        model = keras.Model(ids, out)
        model.compile(optimizer="sgd", loss="mse")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.zeros((4, 5), dtype="int32")) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG032"}) == c.expected


def test_message_names_the_lost_layers():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg032_subscript_output_under_fit")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG032"]
    assert "head_b" in f.message and "head_a" not in f.message and "None" in f.message
    src = next(c.source for c in CASES if c.name == "tfg032_unpacked_with_underscore")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG032"]
    assert "Dense(...) at line 8" in f.message and "line 7" not in f.message  # the shared trunk trains


def test_engine_tells_which_layers_feed_which_output():
    """keras_graph.FunctionalGraphs: the layers each output of a functional model is computed through, and which
    outputs of a reused model a new model reads."""
    import ast
    import textwrap

    from gradls.analysis.keras_graph import ALL, functional_graphs
    from gradls.analysis.module import ModuleInfo

    src = textwrap.dedent(
        """
        import keras
        from keras import layers

        shared = layers.Dense(4, name="shared")
        inp = keras.Input((4,))
        trunk = shared(inp)
        a = layers.Dense(2, name="a")(trunk)
        b = layers.Dense(3, name="b")(layers.Activation("relu")(trunk))
        c = layers.Dense(1, name="c")(shared(b))
        base = keras.Model(inp, [a, b, c])
        new_inp = keras.Input((4,))
        first, _, third = base(new_inp)
        model = keras.Model(new_inp, [first, third])
        """
    )
    info = ModuleInfo(ast.parse(src), src, None, None, "m.py", False)
    g = functional_graphs(info)
    base, model = g.models()
    labels = [sorted(x.label for x in g.feeds(base, i).layers.values()) for i in range(3)]
    assert labels == [
        ['Dense(name="a")', "shared"],
        ["Activation(...) at line 9", 'Dense(name="b")', "shared"],
        ["Activation(...) at line 9", 'Dense(name="b")', 'Dense(name="c")', "shared"],
    ]
    assert [x.trains for x in g.feeds(base, 1).layers.values() if "Activation" in x.label] == [False]
    r = g.reach(list(model.outputs), model.scope)
    ((m, _call, kept),) = r.model_calls.values()
    assert m is base and kept == {0, 2} and ALL not in kept and r.complete
    # output 1's layers are all reached through output 2 (c is computed from b): nothing is lost
    assert {id(x.node) for x in g.feeds(base, 1).layers.values()} <= set(r.layers)
    assert g.names_of(base) == {"base"} and g.names_of(model) == {"model"}
