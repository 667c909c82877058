"""TFG003 python-control-flow-on-tensor: a tensor used as a Python bool where TF does not convert it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.eager_guards import runs_only_eagerly
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import AUTOGRAPH, GRAPH, ModuleInfo
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
    "`tf.function(autograph=False)`) raises `OperatorNotAllowedInGraphError`; under AutoGraph, a `break` / `return` "
    "under a tensor `if` inside a loop over Python values (`range(4)`, a list) raises `NotImplementedError`.",
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
    yield from _loop_exits_on_tensor(info)
    yield from _builtin_max_min_on_tensors(info)


def _builtin_max_min_on_tensors(info: ModuleInfo) -> Iterator[Finding]:
    """Python's `max(a, b)` / `min(a, b)` on tensors in traced code: they compare with `>` / `<` and take the
    result's truth, which a symbolic tensor refuses; AutoGraph does not convert these builtins, so a `tf.function`
    raises too (TF 2.21). Eagerly they pick one tensor and the gradient flows through it: quiet."""
    for call, modes in info.region_nodes(ast.Call):
        if not (GRAPH in modes or AUTOGRAPH in modes):
            continue
        f = call.func
        if not (isinstance(f, ast.Name) and f.id in {"max", "min"}) or call.keywords:
            continue
        if f.id in info.imports.aliases or f.id in info.module_functions:
            continue  # shadowed by an import or a def of the module
        args = list(call.args)
        if len(args) == 1 and isinstance(args[0], (ast.List, ast.Tuple)):
            args = list(args[0].elts)
        if len(args) < 2 or any(isinstance(a, ast.Starred) for a in args):
            continue
        if not any(info.tensors.level_of(a) >= TENSOR and not info.tensors.python_truth(a) for a in args):
            continue
        if runs_only_eagerly(info, call):
            continue
        ff = info.facts(info.enclosing_function(call))
        where = ff.why if ff and ff.why else "this code"
        op = "tf.maximum" if f.id == "max" else "tf.minimum"
        msg = (
            f"Python `{f.id}(...)` on tensors in {where}: it compares them with `{'>' if f.id == 'max' else '<'}` and "
            f"takes the result as a Python bool, which traced code refuses (AutoGraph does not convert `{f.id}`), so "
            f"it raises {_ERROR}; use `{op}` (elementwise, differentiable)"
        )
        yield Finding("TFG003", msg, info.span(call), None)


# What AutoGraph raises when a `break` / `return` under a tensor condition would end a loop it keeps in Python.
_LOOP_EXIT_ERRORS = {
    ("for", "break"): "`NotImplementedError: break and return statements which depend on a TF condition are not "
    "supported in Python for loops`",
    ("while", "break"): "`NotImplementedError: The condition of while loop started as non-Tensor, then changed to "
    "Tensor`",
    ("for", "return"): "`ValueError: the else branch must also have a return statement`",
    ("while", "return"): "`ValueError: the else branch must also have a return statement`",
}


def _loop_exits_on_tensor(info: ModuleInfo) -> Iterator[Finding]:
    """Under AutoGraph (`@tf.function`) a Python `if` on a tensor becomes `tf.cond`, but a loop over Python values
    (`range(4)`, a list, `while i < n` on Python ints) stays a Python loop, unrolled while tracing: a `break` or
    `return` inside that `if` cannot end it, and tracing raises (TF 2.21, measured for each form below).  A loop
    over `tf.range(...)` or a tensor becomes a `tf.while_loop`, where both work."""
    if "break" not in info.source and "return" not in info.source:
        return
    for loop, modes in info.region_nodes((ast.For, ast.While)):
        if AUTOGRAPH not in modes or GRAPH in modes or not isinstance(loop, (ast.For, ast.While)):
            continue  # GRAPH: no AutoGraph, the `if` itself raises and the main pass reports it
        fn = info.enclosing_function(loop)
        if fn is None or not _python_loop(info, loop, fn):
            continue
        for branch, exit_stmt in _tensor_branches_with_exit(info, loop.body):
            if runs_only_eagerly(info, branch):
                continue
            ff = info.facts(fn)
            where = ff.why if ff and ff.why else "this code"
            kind = "for" if isinstance(loop, ast.For) else "while"
            word = "break" if isinstance(exit_stmt, ast.Break) else "return"
            head = info.text(loop.iter if isinstance(loop, ast.For) else loop.test)
            shown = f"`for ... in {head}`" if kind == "for" else f"`while {head}`"
            test = info.span(branch.test)
            yield Finding(
                "TFG003",
                f"`{word}` (line {exit_stmt.lineno}) under a Python `if` on a tensor inside a Python loop ({shown}) "
                f"in {where}: AutoGraph makes the `if` a `tf.cond` but keeps the loop in Python, and tracing raises "
                f"{_LOOP_EXIT_ERRORS[(kind, word)]}; loop over `tf.range(...)` (a `tf.while_loop`, which can stop on "
                "a tensor condition) or keep the loop running and mask what the remaining steps do",
                Span(branch.lineno, branch.col_offset, test.end_line, test.end_col),
                None,
            )


def _python_loop(info: ModuleInfo, loop: ast.For | ast.While, fn: ast.AST) -> bool:
    """A loop AutoGraph keeps in Python: over `range(...)` of Python ints, a list / tuple literal (or `enumerate`
    of one), or `while` on a comparison of Python ints / `while True`.  Anything else (a tensor, a dataset, an
    unknown name) may become a TF loop: not judged."""
    if isinstance(loop, ast.For):
        it = loop.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate" and it.args:
            it = it.args[0]
        if isinstance(it, (ast.List, ast.Tuple)):
            return True
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and it.args:
            return all(_python_int(info, a, fn) for a in it.args) and not it.keywords
        return False
    t = loop.test
    if isinstance(t, ast.Constant) and t.value is True:
        return True
    return isinstance(t, ast.Compare) and all(_python_int(info, e, fn) for e in [t.left, *t.comparators])


def _python_int(info: ModuleInfo, e: ast.AST, fn: ast.AST, depth: int = 0) -> bool:
    """An int known to be a Python value: literals, arithmetic on them, `len(...)`, and local names bound only to
    such values (a parameter, which a caller may fill with a tensor, is not)."""
    if depth > 4:
        return False
    if isinstance(e, ast.Constant):
        return isinstance(e.value, int) and not isinstance(e.value, bool)
    if isinstance(e, ast.BinOp):
        return _python_int(info, e.left, fn, depth + 1) and _python_int(info, e.right, fn, depth + 1)
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        return _python_int(info, e.operand, fn, depth + 1)
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "len" and len(e.args) == 1:
        return True
    if isinstance(e, ast.Name) and isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        a = fn.args
        if e.id in {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]}:
            return False
        bindings = function_bindings(info, fn).get(e.id, [])
        return bool(bindings) and all(
            isinstance(b.stmt, (ast.Assign, ast.AugAssign))
            and b.stmt.value is not None
            and _python_int(info, b.stmt.value, fn, depth + 1)
            for b in bindings
        )
    return False


def _tensor_branches_with_exit(info: ModuleInfo, stmts: list[ast.stmt]) -> Iterator[tuple[ast.If, ast.stmt]]:
    """The outermost `if` statements on a tensor in a loop body (not in nested loops or defs) holding a `break`
    or `return` that would end the loop, each with that statement."""
    for s in stmts:
        if isinstance(s, ast.If):
            if info.tensors.level_of(s.test) >= TENSOR and not info.tensors.python_truth(s.test):
                exit_stmt = _first_exit([*s.body, *s.orelse])
                if exit_stmt is not None:
                    yield s, exit_stmt
                continue
            yield from _tensor_branches_with_exit(info, [*s.body, *s.orelse])
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            yield from _tensor_branches_with_exit(info, s.body)
        elif isinstance(s, ast.Try):
            yield from _tensor_branches_with_exit(info, [*s.body, *s.orelse, *s.finalbody])


def _first_exit(stmts: list[ast.stmt]) -> ast.stmt | None:
    for s in stmts:
        if isinstance(s, (ast.Break, ast.Return)):
            return s
        if isinstance(s, ast.If):
            found = _first_exit([*s.body, *s.orelse])
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            found = _first_exit(s.body)
        elif isinstance(s, ast.Try):
            found = _first_exit([*s.body, *s.orelse, *s.finalbody])
        else:
            found = None
        if found is not None:
            return found
    return None


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
