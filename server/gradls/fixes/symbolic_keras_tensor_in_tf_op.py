"""TFG015: a `tf.*` op on a symbolic Keras tensor -> the `keras.ops` function with the same parameters
(`tf.reduce_sum(x, axis=1)` -> `keras.ops.sum(x, axis=1)`), which Keras 3 applies to Keras tensors.
The rule offers it only for the ops whose positional parameters match and with `axis`/`keepdims` keywords."""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.fixes import register
from gradls.fixes.tape_watch_keras_variable import checked_edits


@register("TFG015")
def use_keras_ops(source: str, finding: Finding) -> Fix | None:
    edits = checked_edits(source, finding)
    if edits is None:
        return None
    data = finding.fix_data or {}
    return Fix(f"Use `{data.get('name', 'keras.ops')}`", tuple(edits), safe=bool(data.get("safe", True)))
