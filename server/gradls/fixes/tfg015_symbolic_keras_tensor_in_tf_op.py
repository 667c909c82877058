"""TFG015: a `tf.*` op on a symbolic Keras tensor -> the `keras.ops` function with the same parameters
(`tf.reduce_sum(x, axis=1)` -> `keras.ops.sum(x, axis=1)`), which Keras 3 applies to Keras tensors.
The rule offers it only for the ops whose positional parameters match and with `axis`/`keepdims` keywords."""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg015_symbolic_keras_tensor_in_tf_op import KerasOpsFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: KerasOpsFix) -> Fix | None:
    return planned_fix(source, data)
