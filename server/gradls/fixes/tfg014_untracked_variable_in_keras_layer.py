"""TFG014: `tf.Variable(...)` on a Keras layer -> `tf.keras.Variable(...)`, which Keras 3 tracks."""

from __future__ import annotations

from gradls.analysis.model import Edit, Finding, Fix
from gradls.analysis.rules.tfg014_untracked_variable_in_keras_layer import KerasVariableFix


def build(source: str, finding: Finding, data: KerasVariableFix) -> Fix | None:
    span, alias = data.func, data.tf_alias
    lines = source.split("\n")
    if span.line != span.end_line or span.line > len(lines):
        return None
    current = lines[span.line - 1][span.col : span.end_col]
    if current.replace(" ", "") != f"{alias}.Variable":
        return None  # the text moved since the analysis: do nothing rather than guess
    return Fix(f"Use {alias}.keras.Variable (tracked by Keras)", (Edit(span, f"{alias}.keras.Variable"),), safe=True)
