"""TFG004 custom-gradient-missing-variables: a custom_gradient that reads variables but whose
grad_fn cannot receive them."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import FunctionFacts, ModuleInfo, walk_own
from gradls.analysis.rules import rule
from gradls.analysis.rules._common import span_list


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
        if not used:
            continue
        grad_name = grad.name if isinstance(grad, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        shown = ", ".join(f"`{u}`" for u in used[:3]) + (" ..." if len(used) > 3 else "")
        msg = (
            f"`{ff.node.name}` reads trainable variables ({shown}) but its grad_fn "
            f"{'`' + grad_name + '`' if grad_name else '(lambda)'} does not accept `variables`: calling it raises "
            "`TypeError: @tf.custom_gradient grad_fn must accept keyword argument 'variables', since function uses "
            "variables`; add `variables=None` and return `(input_grads, variable_grads)`"
        )
        span = info.name_span(grad) if grad_name else info.span(grad)
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
            {"function": span_list(whole), "grad_fn": grad_name, "grad_fn_def": span_list(info.span(grad))},
        )


_WEIGHT_LISTS = {"trainable_variables", "trainable_weights", "weights", "variables"}


def find_grad_fn(info: ModuleInfo, ff: FunctionFacts) -> ast.AST | None:
    """The grad_fn a custom_gradient function returns as the second element of its result."""
    nested = ff.nested
    for n in ff.returns:
        if isinstance(n.value, ast.Tuple) and len(n.value.elts) == 2:
            second = n.value.elts[1]
            if isinstance(second, ast.Name) and second.id in nested:
                return nested[second.id]
            if isinstance(second, ast.Lambda):
                return second
    return None


def accepts_variables(grad: ast.AST) -> bool:
    args = grad.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    return "variables" in names or args.kwarg is not None


def variables_read(info: ModuleInfo, ff: FunctionFacts, grad: ast.AST) -> list[str]:
    """Trainable variables (and layers, which own variables) the forward pass reads."""
    inside_grad = {id(n) for n in ast.walk(grad)}
    params = {a.arg for a in [*ff.node.args.posonlyargs, *ff.node.args.args, *ff.node.args.kwonlyargs]}
    found: list[str] = []
    for n in walk_own(ff.node):
        if id(n) in inside_grad or n in ff.node.decorator_list:
            continue
        label = None
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in params:
            if info.tensors.kind_of(n) == "variable":
                label = n.id
        elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load):
            if info.tensors.kind_of(n) == "variable":
                label = info.text(n)
            elif n.attr in _WEIGHT_LISTS and info.tensors.kind_of(n.value) == "layer":
                label = info.text(n)
        elif isinstance(n, ast.Call) and info.tensors.kind_of(n.func) == "layer":
            label = f"weights of {info.text(n.func)}"
        if label and label not in found:
            found.append(label)
    return found
