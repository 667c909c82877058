"""TFG003 python-control-flow-on-tensor: a tensor used as a Python bool where TF does not convert it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import GRAPH, ModuleInfo
from gradls.analysis.python_scopes import function_bindings
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
        if _runs_only_eagerly(info, node) or _element_of_structured_input(info, node, test):
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


_EXECUTING_EAGERLY = frozenset(
    {
        "tensorflow.executing_eagerly",
        "tensorflow.compat.v1.executing_eagerly",
        "tensorflow.python.eager.context.executing_eagerly",
    }
)


def _runs_only_eagerly(info: ModuleInfo, node: ast.AST) -> bool:
    """Inside `if ... and tf.executing_eagerly():` (or the `else` of `if not tf.executing_eagerly():`): that code
    runs only eagerly, where a tensor's truth value is a Python bool (tensorflow-addons' CRF padding check)."""
    parents = info.all_parents
    child, p = node, parents.get(id(node))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        if isinstance(p, ast.If):
            if child in p.body and _proves_eager(info, p.test, negated=False):
                return True
            if child in p.orelse and _proves_eager(info, p.test, negated=True):
                return True
        child, p = p, parents.get(id(p))
    return False


def _element_of_structured_input(info: ModuleInfo, node: ast.AST, test: ast.AST) -> bool:
    """`features, context = inputs` in a Keras `call`, then `if context:`: the input is a Python structure (a
    symbolic tensor cannot be unpacked), and what it holds may be a dict or list of tensors as well as a tensor
    (tensorflow-ranking's layers): unknown, so silent. Tensor ops on the element are still judged."""
    if isinstance(test, ast.BoolOp):
        tensors = [v for v in test.values if info.tensors.level_of(v) >= TENSOR]
        return bool(tensors) and all(_element_of_structured_input(info, node, v) for v in tensors)
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if not isinstance(test, ast.Name):
        return False
    fn = info.enclosing_function(node)
    ff = info.facts(fn) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if ff is None or fn is None or ff.keras_method not in {"call", "__call__"}:
        return False
    a = fn.args
    params = [x.arg for x in [*a.posonlyargs, *a.args]]
    if len(params) < 2:
        return False
    first = params[1]
    bindings = [b.stmt for b in function_bindings(info, fn).get(test.id, [])]
    return bool(bindings) and all(
        isinstance(b, ast.Assign)
        and isinstance(b.value, ast.Name)
        and b.value.id == first
        and all(isinstance(t, (ast.Tuple, ast.List)) for t in b.targets)
        for b in bindings
    )


def _proves_eager(info: ModuleInfo, test: ast.expr, negated: bool) -> bool:
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _proves_eager(info, test.operand, not negated)
    if isinstance(test, ast.BoolOp):
        # `a and eager()` holding, or `a or eager()` failing, proves what one of its operands proves.
        if isinstance(test.op, ast.And) and not negated or isinstance(test.op, ast.Or) and negated:
            return any(_proves_eager(info, v, negated) for v in test.values)
        return False
    return not negated and isinstance(test, ast.Call) and (info.imports.qualname(test.func) or "") in _EXECUTING_EAGERLY


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
