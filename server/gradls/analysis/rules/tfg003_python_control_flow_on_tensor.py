"""TFG003 python-control-flow-on-tensor: a tensor used as a Python bool where TF does not convert it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import GRAPH, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tensors import TENSOR

_BOOL_NODES = (ast.If, ast.While, ast.IfExp, ast.BoolOp, ast.UnaryOp, ast.Assert)
_ERROR = "`OperatorNotAllowedInGraphError: Using a symbolic tf.Tensor as a Python bool is not allowed`"


@dataclass(frozen=True)
class ControlFlowFix(FixData):
    """The construct branching on a tensor (`node`: if, while, ifexp, boolop, not, ...) and its whole span."""

    node: str
    span: Span


@rule(
    "TFG003",
    "python-control-flow-on-tensor",
    "A Python `if`/`while`/`and`/`or`/`not`/conditional expression on a tensor in code that TensorFlow traces "
    "without AutoGraph (Keras 3 `call`/`train_step`/losses, `@tf.custom_gradient` under `tf.function`, "
    "`tf.function(autograph=False)`) raises `OperatorNotAllowedInGraphError`.",
)
def find_python_control_flow_on_tensor(info: ModuleInfo) -> Iterator[Finding]:
    for node, modes in info.region_nodes(_BOOL_NODES):
        if GRAPH not in modes:
            continue
        kind, test = _bool_use(info, node)
        if kind is None or test is None:
            continue
        if info.tensors.level_of(test) < TENSOR:
            continue
        ff = info.facts(info.enclosing_function(node))
        where = ff.why if ff and ff.why else "this code"
        label = {
            "if": "`if`",
            "while": "`while`",
            "ifexp": "conditional expression",
            "boolop": "`and`/`or`",
            "not": "`not`",
            "assert": "`assert`",
        }[kind]
        msg = (
            f"Python {label} on a tensor in {where}: TensorFlow traces this without AutoGraph, so it raises "
            f"{_ERROR}; use `tf.cond`/`tf.where`"
        )
        whole = info.span(node)
        if kind in {"if", "while", "assert"}:
            test_span = info.span(test)
            report = Span(whole.line, whole.col, test_span.end_line, test_span.end_col)
        else:
            report = whole
        yield Finding(
            "TFG003",
            msg,
            report,
            ControlFlowFix(kind, whole),
        )


def _bool_use(info: ModuleInfo, node: ast.AST) -> tuple[str | None, ast.AST | None]:
    if isinstance(node, ast.If):
        return "if", node.test
    if isinstance(node, ast.While):
        return "while", node.test
    if isinstance(node, ast.IfExp):
        return "ifexp", node.test
    if isinstance(node, ast.Assert):
        return "assert", node.test
    parent = info.parent(node)
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is node:
        return None, None  # reported once, on the statement
    if isinstance(node, ast.BoolOp):
        # Python calls bool() on every operand but the last.
        heads = node.values[:-1]
        worst = max(heads, key=lambda v: info.tensors.level_of(v))
        return "boolop", worst
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        if isinstance(parent, ast.BoolOp):
            return None, None
        return "not", node.operand
    return None, None
