"""TFG008 non-differentiable-op: argmax / round / integer casts / comparisons (None gradient) or
`tf.sign` (zero gradient) as the only route from trainable weights to the loss."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.custom_gradient import inside_custom_gradient
from gradls.analysis.dtypes import is_int_cast
from gradls.analysis.flow import Flow, cut_roots, inside_stop_gradient
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tensors import DIFF

# op name -> what TensorFlow gives back for its input
NONE_GRAD_OPS = {
    "argmax",
    "argmin",
    "round",
    "floor",
    "ceil",
    "rint",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
}
ZERO_GRAD_OPS = {"sign"}
_COMPARE_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq)


def _op_of(info: ModuleInfo, node: ast.AST) -> tuple[str | None, list[ast.AST]]:
    """(label, differentiable inputs) when `node` is a non-differentiable op."""
    if isinstance(node, ast.Call):
        q = info.imports.qualname(node.func) or ""
        if not q.startswith(("tensorflow.", "keras.ops.")) or not node.args:
            return None, []
        last = q.rsplit(".", 1)[-1]
        short = ("tf." if q.startswith("tensorflow.") else "keras.ops.") + last
        if last in NONE_GRAD_OPS or last in ZERO_GRAD_OPS:
            return short, list(
                node.args[:2]
                if last in {"equal", "not_equal", "greater", "greater_equal", "less", "less_equal"}
                else node.args[:1]
            )
        if last == "cast" and is_int_cast(info, node):
            return f"`{info.text(node.args[1]) if len(node.args) > 1 else 'integer'}` cast", [node.args[0]]
        return None, []
    if isinstance(node, ast.Compare) and all(isinstance(o, _COMPARE_OPS) for o in node.ops):
        return "comparison", [node.left, *node.comparators]
    return None, []


@rule(
    "TFG008",
    "non-differentiable-op",
    "argmax/argmin, round/floor/ceil, casts to integer or bool and comparisons have no gradient (`tape.gradient` "
    "returns None), and `tf.sign` has a zero gradient: on the only route from trainable weights to the loss the "
    "weights before them never learn.",
)
def find_non_differentiable_op(info: ModuleInfo) -> Iterator[Finding]:
    flow: Flow | None = None
    for node, _modes in info.region_nodes():
        if not isinstance(node, (ast.Call, ast.Compare)):
            continue
        label, inputs = _op_of(info, node)
        if label is None:
            continue
        diff_inputs = [a for a in inputs if info.tensors.level_of(a) >= DIFF]
        if not diff_inputs or inside_custom_gradient(info, node):
            continue
        flow = flow or Flow(info)
        if inside_stop_gradient(info, flow, node):
            continue
        cut: list[str] = []
        for a in diff_inputs:
            for r in cut_roots(info, flow, node, a)[0]:
                if r not in cut:
                    cut.append(r)
        if not cut:
            continue
        shown = ", ".join(f"`{c}`" for c in cut[:3])
        if label == "tf.sign" or label == "keras.ops.sign":
            what = (
                f"`{label}` has a registered ZERO gradient and is the only route from {shown} to the loss: no None, "
                "no warning, but those weights never learn"
            )
        else:
            shown_op = label if label.startswith("`") else f"`{label}`"
            if label == "comparison":
                shown_op = f"the comparison `{info.text(node)}`"
            what = (
                f"{shown_op} is not differentiable and is the only route from {shown} to the loss: `tape.gradient` "
                "returns None for those weights (Keras optimizers warn `Gradients do not exist for variables` or "
                "raise `No gradients provided for any variable`)"
            )
        msg = what + "; use a differentiable surrogate (softmax, sigmoid, a straight-through estimator)"
        yield Finding("TFG008", msg, info.span(node), None)
