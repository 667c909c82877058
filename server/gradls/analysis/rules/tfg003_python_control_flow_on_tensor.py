"""TFG003 python-control-flow-on-tensor: a tensor used as a Python bool where TF does not convert it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.eager_guards import runs_only_eagerly
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
        if info.tensors.level_of(test) < TENSOR or info.tensors.python_truth(test):
            continue
        if runs_only_eagerly(info, node) or _element_of_structured_input(info, node, test):
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


def _element_of_structured_input(info: ModuleInfo, node: ast.AST, test: ast.AST, depth: int = 0) -> bool:
    """`features, context = inputs` in a Keras `call`, then `if context:`: the input is a Python structure (a
    symbolic tensor cannot be unpacked), and what it holds may be a dict or list of tensors as well as a tensor
    (tensorflow-ranking's layers): unknown, so silent.  The same for a part of what a layer of the project (or of
    unknown class) returns, unpacked (neural-structured-learning's `sample, neighbors, weights =
    self.nbr_features_layer.call(inputs)`, `neighbors` a dict), and for a flag computed from such parts with
    `and`/`or`.  A built-in Keras layer's outputs are tensors, and tensor ops on any part are still judged."""
    if depth > 4:
        return False
    if isinstance(test, ast.BoolOp):
        tensors = [v for v in test.values if info.tensors.level_of(v) >= TENSOR]
        return bool(tensors) and all(_element_of_structured_input(info, node, v, depth + 1) for v in tensors)
    while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test = test.operand
    if not isinstance(test, ast.Name):
        return False
    fn = info.enclosing_function(node)
    ff = info.facts(fn) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if ff is None or fn is None:
        return False
    first = None
    if ff.keras_method in {"call", "__call__"}:
        a = fn.args
        params = [x.arg for x in [*a.posonlyargs, *a.args]]
        first = params[1] if len(params) >= 2 else None
    bindings = [b.stmt for b in function_bindings(info, fn).get(test.id, [])]
    return bool(bindings) and all(_structure_part_binding(info, node, b, first, depth) for b in bindings)


def _structure_part_binding(info: ModuleInfo, node: ast.AST, b: ast.stmt, first: str | None, depth: int) -> bool:
    if not isinstance(b, ast.Assign):
        return False
    if all(isinstance(t, (ast.Tuple, ast.List)) for t in b.targets):
        v = b.value
        if isinstance(v, ast.Name):
            return first is not None and v.id == first
        return isinstance(v, ast.Call) and _opaque_layer_call(info, v)
    if len(b.targets) == 1 and isinstance(b.targets[0], ast.Name) and isinstance(b.value, ast.BoolOp):
        return _element_of_structured_input(info, node, b.value, depth + 1)
    return False


def _opaque_layer_call(info: ModuleInfo, call: ast.Call) -> bool:
    """`self.layer(x)` / `self.layer.call(x)` on a layer held by the class whose class is not a built-in Keras
    layer: what its `call` returns is the project's own structure."""
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr in {"call", "__call__"}:
        f = f.value
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self"):
        return False
    if info.tensors.kind_of(f) != "layer":
        return False
    fn = info.enclosing_function(call)
    ff = info.facts(fn)
    cls = ff.cls if ff is not None else None
    if cls is None:
        return False
    for method in cls.methods.values():
        for n in ast.walk(method):
            if (
                isinstance(n, ast.Assign)
                and isinstance(n.value, ast.Call)
                and any(
                    isinstance(t, ast.Attribute)
                    and t.attr == f.attr
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                    for t in n.targets
                )
                and (info.imports.qualname(n.value.func) or "").startswith("keras.")
            ):
                return False  # a built-in Keras layer: its outputs are tensors
    return True


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
