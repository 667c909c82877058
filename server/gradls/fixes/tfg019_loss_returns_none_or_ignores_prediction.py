"""TFG019 loss-returns-none-or-ignores-prediction: add the missing `return` to a custom loss.

Only when the loss has no `return` at all and its last statement computes the loss:

    def my_loss(y_true, y_pred):                      def my_loss(y_true, y_pred):
        loss = tf.reduce_mean(tf.square(...))   ->        loss = tf.reduce_mean(tf.square(...))
                                                          return loss

    def call(self, y_true, y_pred):                   def call(self, y_true, y_pred):
        tf.reduce_mean(err, axis=-1)            ->        return tf.reduce_mean(err, axis=-1)

A loss returning `None` always fails (`ValueError: None values not supported.` under `fit`), so returning the
value the function computed last cannot break a program that worked. Bare `return`s on some path and losses that
ignore `y_pred` get no fix: what they should return cannot be told from the code.
"""

from __future__ import annotations

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.analysis.rules.tfg019_loss_returns_none_or_ignores_prediction import MissingReturnFix
from gradls.fixes._imports import text_at


def build(source: str, finding: Finding, data: MissingReturnFix) -> Fix | None:
    span = data.stmt
    lines = source.split("\n")
    if span.end_line > len(lines):
        return None
    text = text_at(source, span)
    if text is None:
        return None
    first = lines[span.line - 1]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if first[: span.col].strip():
        return None  # `a = 1; loss = ...`: not alone on its line
    after = lines[span.end_line - 1][span.end_col :].strip()
    if after and not after.startswith("#"):
        return None
    if data.kind == "return_name":
        name = data.name
        if name is None or not name.isidentifier() or not text.startswith(name):
            return None
        if span.end_line < len(lines):
            nl = "\r\n" if lines[span.end_line - 1].endswith("\r") else "\n"
            edit = Edit(Span(span.end_line + 1, 0, span.end_line + 1, 0), f"{indent}return {name}{nl}")
        else:
            end = len(lines[-1])
            edit = Edit(Span(span.end_line, end, span.end_line, end), f"\n{indent}return {name}")
        return Fix(f"Return `{name}` from the loss", (edit,), safe=True)
    if data.kind == "return_expr":
        edit = Edit(Span(span.line, span.col, span.line, span.col), "return ")
        return Fix("Return the computed loss", (edit,), safe=True)
    return None
