"""TFG034 gradient-target-is-tensor-array: a `tf.TensorArray` as the target of `gradient` / `jacobian` raises."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    # tensorflow#60048: the rows written into a TensorArray under a persistent tape, the array itself differentiated.
    case(
        "tfg034_jacobian_of_tensor_array_in_block",
        "raises:AttributeError",
        """
        import tensorflow as tf

        x = tf.Variable([1.0, 2.0, 3.0])
        with tf.GradientTape(persistent=True) as tape:
            ta = tf.TensorArray(tf.float32, size=3)
            for i in range(3):
                ta = ta.write(i, x * float(i + 1))
            jac = tape.jacobian(ta, x)  # <- TFG034
        RESULT = gradient_status([jac])
        """,
    ),
    case(
        "tfg034_gradient_of_tensor_array_in_tf_function",
        "raises:TypeError",
        """
        import tensorflow as tf

        w = tf.Variable([0.5, -0.5])


        @tf.function
        def step():
            with tf.GradientTape() as tape:
                outputs = tf.TensorArray(tf.float32, size=4)
                for t in tf.range(4):
                    outputs = outputs.write(t, tf.reduce_sum(w * tf.cast(t, tf.float32)))
            return tape.gradient(outputs, w)  # <- TFG034


        RESULT = gradient_status([step()])
        """,
    ),
    case(
        "tfg034_batch_jacobian_of_unstacked_array",
        "raises:AttributeError",
        """
        import tensorflow as tf

        x = tf.Variable(tf.ones((2, 3)))
        with tf.GradientTape() as tape:
            rows = tf.TensorArray(tf.float32, size=2).unstack(tf.tanh(x))
        RESULT = gradient_status([tape.batch_jacobian(rows, x)])  # <- TFG034
        """,
    ),
    # Near misses: the stacked tensor or one element, taken where the tape records; a name that is a tensor on
    # one path.
    case(
        "tfg034_jacobian_of_stack_in_block",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable([1.0, 2.0, 3.0])
        with tf.GradientTape(persistent=True) as tape:
            ta = tf.TensorArray(tf.float32, size=3)
            for i in range(3):
                ta = ta.write(i, x * float(i + 1))
            y = ta.stack()
        RESULT = gradient_status([tape.jacobian(y, x)])
        """,
    ),
    case(
        "tfg034_read_after_block_eagerly",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            ta = tf.TensorArray(tf.float32, size=2)
            for i in range(2):
                ta = ta.write(i, x * float(i + 1))
        RESULT = gradient_status([tape.gradient(ta.read(1), x)])
        """,
    ),
    case(
        "tfg034_name_rebound_to_its_stack",
        "ok",
        """
        import tensorflow as tf

        x = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            out = tf.TensorArray(tf.float32, size=2)
            for i in range(2):
                out = out.write(i, tf.reduce_sum(x) * float(i))
            out = out.stack()
        RESULT = gradient_status([tape.gradient(out, x)])
        """,
    ),
]

FIXED = {
    "tfg034_jacobian_of_tensor_array_in_block__fixed": fixed_source(
        CASES, "tfg034_jacobian_of_tensor_array_in_block", "TFG034"
    )
}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG034"}) == c.expected


def test_fix_stacks_the_array_and_is_idempotent():
    from gradls.analysis import analyze

    src = FIXED["tfg034_jacobian_of_tensor_array_in_block__fixed"]
    ast.parse(src)
    assert "tape.jacobian(ta.stack(), x)" in src
    assert not [f for f in analyze(src).findings if f.code == "TFG034"]


def test_no_fix_after_the_block():
    """After the block a `stack()` is not recorded: the gradient would be None, so no edit is offered."""
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg034_gradient_of_tensor_array_in_tf_function")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG034"]
    assert f.fix_data is None and "TensorArray" in f.message and "outputs.stack()" in f.message
