"""TFG014: `tf.Variable(...)` on a Keras layer -> `tf.keras.Variable(...)`, which Keras 3 tracks."""

from __future__ import annotations

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.fixes import register


@register("TFG014")
def build(source: str, finding: Finding) -> Fix | None:
    data = finding.fix_data or {}
    func = data.get("func")
    alias = data.get("tf_alias")
    if not func or not alias:
        return None
    span = Span(*func)
    lines = source.split("\n")
    if span.line != span.end_line or span.line > len(lines):
        return None
    current = lines[span.line - 1][span.col : span.end_col]
    if current.replace(" ", "") != f"{alias}.Variable":
        return None  # the text moved since the analysis: do nothing rather than guess
    return Fix(f"Use {alias}.keras.Variable (tracked by Keras)", (Edit(span, f"{alias}.keras.Variable"),), safe=True)
