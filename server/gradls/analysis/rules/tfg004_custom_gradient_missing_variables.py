"""TFG004 custom-gradient-missing-variables: a custom_gradient that reads variables but whose
grad_fn cannot receive them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.custom_gradient import accepts_variables, find_grad_fn, keras_variable_arguments, variables_read
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule


@dataclass(frozen=True)
class GradFnVariablesFix(FixData):
    """The custom_gradient function (decorators included) and its named grad_fn, which gets `variables=None`
    (a lambda grad_fn has no body to add the variable gradients to: no fix)."""

    function: Span
    grad_fn: str
    grad_fn_def: Span


@rule(
    "TFG004",
    "custom-gradient-missing-variables",
    "A `@tf.custom_gradient` function that reads trainable variables needs a grad_fn accepting `variables`: "
    "otherwise the forward call raises `TypeError: @tf.custom_gradient grad_fn must accept keyword argument "
    "'variables', since function uses variables`.",
)
def find_custom_gradient_missing_variables(info: ModuleInfo) -> Iterator[Finding]:
    for ff in info.functions.values():
        if not ff.custom_gradient:
            continue
        grad = find_grad_fn(info, ff)
        if grad is None or accepts_variables(grad):
            continue
        used = variables_read(info, ff, grad)
        passed = keras_variable_arguments(info, ff)
        if not used and not passed:
            continue
        grad_name = grad.name if isinstance(grad, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        shown = ", ".join(f"`{u}`" for u in used[:3]) + (" ..." if len(used) > 3 else "")
        if not used:
            text, call = passed[0]
            shown = (
                f"`{text}`, a Keras variable passed at line {call.lineno}: TF reads the `tf.Variable` inside it in the "
                "forward pass, and only a `tf.Variable` or tensor argument counts as an input"
            )
        msg = (
            f"`{ff.node.name}` reads trainable variables ({shown}) but its grad_fn "
            f"{'`' + grad_name + '`' if grad_name else '(lambda)'} does not accept `variables`: calling it raises "
            "`TypeError: @tf.custom_gradient grad_fn must accept keyword argument 'variables', since function uses "
            "variables`; add `variables=None` and return `(input_grads, variable_grads)`"
        )
        span = info.name_span(grad) if not isinstance(grad, ast.Lambda) else info.span(grad)
        first = ff.node.decorator_list[0] if ff.node.decorator_list else ff.node
        whole = info.span(first, ff.node)
        whole = type(whole)(
            first.lineno,
            info.col(first.lineno, first.col_offset) - (1 if ff.node.decorator_list else 0),
            whole.end_line,
            whole.end_col,
        )
        yield Finding(
            "TFG004",
            msg,
            span,
            # No fix for a Keras variable argument: the rewritten grad_fn re-reads it outside the layer's autocast
            # (mixed precision: `InvalidArgumentError` in MatMul under TF 2.21); reading it before the call is the fix.
            GradFnVariablesFix(whole, grad_name, info.span(grad)) if grad_name and used else None,
        )
