"""TFG025 recursive-tf-function: a traced function recursing under a condition on a tensor never finishes
tracing; recursion on a Python int is unrolled while tracing and works."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg025_factorial_on_a_tensor",
        "raises:StagingError",
        """
        import tensorflow as tf

        @tf.function
        def fact(n):
            if n <= 1:
                return tf.constant(1)
            return n * fact(n - 1)  # <- TFG025

        fact(tf.constant(5))
        """,
    ),
    case(
        "tfg025_mutual_recursion_of_two_tf_functions",
        "raises:StagingError",
        """
        import tensorflow as tf

        @tf.function
        def is_even(n):
            if n == 0:
                return tf.constant(True)
            return is_odd(n - 1)  # <- TFG025

        @tf.function
        def is_odd(n):
            if n == 0:
                return tf.constant(False)
            return is_even(n - 1)  # <- TFG025

        is_even(tf.constant(4))
        """,
    ),
    case(
        "tfg025_wrapped_by_tf_function_recursion_in_else",
        "raises:StagingError",
        """
        import tensorflow as tf

        def power(x, n):
            if n > 0:
                return x * power(x, n - 1)  # <- TFG025
            else:
                return tf.ones_like(x)

        fast_power = tf.function(power)
        fast_power(tf.constant(2.0), tf.constant(3.0))
        """,
    ),
    case(
        "tfg025_tf_cond_without_autograph",
        "raises:RecursionError",
        """
        import tensorflow as tf

        @tf.function(autograph=False)
        def fact(n):
            return tf.cond(n <= 1, lambda: tf.constant(1), lambda: n * fact(n - 1))  # <- TFG025

        fact(tf.constant(3))
        """,
    ),
    # Near misses: recursion on a Python int is unrolled while tracing; eager recursion on a tensor is fine.
    case(
        "tfg025_python_int_argument_is_unrolled",
        "ok",
        """
        import tensorflow as tf

        @tf.function
        def fact(n):
            if n <= 1:
                return tf.constant(1)
            return n * fact(n - 1)

        assert int(fact(5)) == 120
        """,
    ),
    case(
        "tfg025_python_depth_with_tensor_data",
        "ok",
        """
        import tensorflow as tf

        @tf.function
        def tree_sum(x, level):
            if level == 0:
                return x
            return tree_sum(x + 1.0, level - 1) + tree_sum(x, level - 1)

        assert float(tree_sum(tf.constant(0.0), 2)) == 4.0
        assert float(tree_sum(tf.constant(1.0), level=1)) == 3.0
        """,
    ),
    case(
        "tfg025_eager_recursion_on_a_tensor",
        "ok",
        """
        import tensorflow as tf

        def fact(n):
            if n <= 1:
                return tf.constant(1.0)
            return n * fact(n - 1)

        assert float(fact(tf.constant(4.0))) == 24.0
        """,
    ),
    case(
        "tfg025_while_loop_instead_of_recursion",
        "ok",
        """
        import tensorflow as tf

        @tf.function
        def fact(n):
            acc = tf.constant(1)
            while n > 1:
                acc *= n
                n -= 1
            return acc

        assert int(fact(tf.constant(5))) == 120
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG025"}) == c.expected
