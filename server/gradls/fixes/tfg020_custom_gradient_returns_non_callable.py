"""TFG020 custom-gradient-returns-non-callable: return the grad_fn itself, not the result of calling it.

    @tf.custom_gradient                                @tf.custom_gradient
    def scale_grad(x):                                 def scale_grad(x):
        def grad(dy):                                      def grad(dy):
            return dy * 0.5                    ->              return dy * 0.5
        return tf.identity(x), grad(x)                     return tf.identity(x), grad

Only for a call of a def nested in the custom_gradient function: TensorFlow calls that def with the upstream
gradient itself. Any other non-callable value (a tensor, a tuple, `None`) gets no fix: what the gradient should be
cannot be told from the code.
"""

from __future__ import annotations

import ast

from gradls.analysis.model import Edit, Finding, Fix
from gradls.analysis.rules.tfg020_custom_gradient_returns_non_callable import ReturnGradFnFix
from gradls.fixes._imports import text_at


def build(source: str, finding: Finding, data: ReturnGradFnFix) -> Fix | None:
    span, name = data.call, data.name
    if not name.isidentifier():
        return None
    text = text_at(source, span)
    if text is None:
        return None
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
        return None
    return Fix(f"Return the gradient function `{name}` itself", (Edit(span, name),), safe=True)
