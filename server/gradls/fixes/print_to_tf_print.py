"""TFG024: `print(...)` in traced code -> `tf.print(...)`, which runs on every step and prints values.

The rule offers it only when every argument means the same to `tf.print` (`sep=`/`end=` kept; no `file=`,
`flush=`, `*args` or string formatting); the builder checks the source still says `print` there.
"""

from __future__ import annotations

from gradls.analysis.model import Edit, Finding, Fix
from gradls.fixes import register
from gradls.fixes._imports import parse_module, span_from, text_at, tf_binding


@register("TFG024")
def print_to_tf_print(source: str, finding: Finding) -> Fix | None:
    data = finding.fix_data or {}
    span = span_from(data.get("func"))
    if span is None or text_at(source, span) != "print":
        return None
    tree = parse_module(source)
    if tree is None:
        return None
    hint = data.get("tf")
    binding = tf_binding(source, tree, hint if isinstance(hint, str) else None)
    if binding is None:
        return None
    alias, import_edits = binding
    return Fix(f"Use `{alias}.print` (runs on every step)", (*import_edits, Edit(span, f"{alias}.print")))
