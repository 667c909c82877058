"""TFG024: `print(...)` in traced code -> `tf.print(...)`, which runs on every step and prints values.

The rule offers it only when every argument means the same to `tf.print` (`sep=`/`end=` kept; no `file=`,
`flush=`, `*args` or string formatting); the builder checks the source still says `print` there.
"""

from __future__ import annotations

from gradls.analysis.model import Edit, Finding, Fix
from gradls.analysis.rules.tfg024_python_side_effect_in_tf_function import TfPrintFix
from gradls.fixes._imports import parse_module, text_at, tf_binding


def build(source: str, finding: Finding, data: TfPrintFix) -> Fix | None:
    span = data.func
    if text_at(source, span) != "print":
        return None
    tree = parse_module(source)
    if tree is None:
        return None
    binding = tf_binding(source, tree, data.tf_alias)
    if binding is None:
        return None
    alias, import_edits = binding
    return Fix(f"Use `{alias}.print` (runs on every step)", (*import_edits, Edit(span, f"{alias}.print")))
