"""TFG025 recursive-tf-function: a traced function that calls itself (directly, or through other traced
functions) under a condition on a tensor: tracing never ends."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import function_uses
from gradls.analysis.model import Finding
from gradls.analysis.module import AUTOGRAPH, GRAPH, FunctionFacts, ModuleInfo
from gradls.analysis.regions import resolve_callee
from gradls.analysis.rules import rule
from gradls.analysis.tensors import TENSOR

_TRACED = {AUTOGRAPH, GRAPH}
# Graph control flow whose branch functions are all traced, whatever the predicate turns out to be.
_GRAPH_CONTROL_FLOW = {"tensorflow.cond", "tensorflow.while_loop", "tensorflow.switch_case", "tensorflow.case"}
_PYTHON_LITERALS = (int, float, bool, str)


def _traced(ff: FunctionFacts | None) -> bool:
    return ff is not None and bool(ff.modes & _TRACED)


def _callees(info: ModuleInfo, ff: FunctionFacts) -> Iterator[tuple[ast.Call, FunctionFacts]]:
    calls = [n for n in info.own_nodes(ff.node) if isinstance(n, ast.Call)]
    for n in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
        callee = resolve_callee(info, n, ff.node)
        if _traced(callee) and callee is not None:
            yield n, callee


def _reachable(info: ModuleInfo, start: FunctionFacts, cache: dict[int, set[int]]) -> set[int]:
    """The traced functions of this module that `start` calls, directly or through other traced functions."""
    key = id(start.node)
    if key not in cache:
        seen: set[int] = set()
        todo = [start]
        while todo:
            ff = todo.pop()
            for _, callee in _callees(info, ff):
                if id(callee.node) not in seen:
                    seen.add(id(callee.node))
                    todo.append(callee)
        cache[key] = seen
    return cache[key]


def _python_params(info: ModuleInfo, ff: FunctionFacts) -> set[str]:
    """Parameters that every call from outside the function passes as a Python literal (`fact(5)`)."""
    node = ff.node
    if ff.parent is not None or ff.cls is not None:
        return set()
    params = [p.arg for p in [*node.args.posonlyargs, *node.args.args]]
    sites = [call for call, root in function_uses(info).get(node.name, []) if call is not None and root is not node]
    if not sites:
        return set()
    out = set(params) | {p.arg for p in node.args.kwonlyargs}
    for call in sites:
        passed: dict[str, ast.expr] = dict(zip(params, call.args))
        passed.update({k.arg: k.value for k in call.keywords if k.arg})
        out = {p for p in out if p in passed and _literal(passed[p])}
    return out


def _literal(e: ast.expr) -> bool:
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        e = e.operand
    return isinstance(e, ast.Constant) and isinstance(e.value, _PYTHON_LITERALS)


def _ends_the_function(block: list[ast.stmt]) -> bool:
    return bool(block) and isinstance(block[-1], (ast.Return, ast.Raise))


def _guards(info: ModuleInfo, call: ast.Call, fn: ast.AST) -> Iterator[tuple[ast.expr, str]]:
    """Conditions that decide whether `call` runs: enclosing `if`/`while`/ternary tests, early-return `if`s
    before it, and graph control flow (`tf.cond(pred, lambda: f(...), ...)`) around it."""
    child: ast.AST = call
    p = info.parent(call)
    while p is not None and p is not fn:
        if isinstance(p, (ast.If, ast.While, ast.IfExp)) and child is not p.test:
            yield p.test, "if"
        elif isinstance(p, ast.Lambda):
            outer = info.parent(p)
            if isinstance(outer, ast.Call) and info.imports.qualname(outer.func) in _GRAPH_CONTROL_FLOW:
                yield outer, "graph"
        for field in ("body", "orelse", "finalbody"):
            block = getattr(p, field, None)
            if isinstance(block, list) and child in block:
                for stmt in block[: block.index(child)]:
                    if isinstance(stmt, ast.If) and (_ends_the_function(stmt.body) or _ends_the_function(stmt.orelse)):
                        yield stmt.test, "if"
        child, p = p, info.parent(p)
    if p is fn and isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and child in fn.body:
        for stmt in fn.body[: fn.body.index(child)]:
            if isinstance(stmt, ast.If) and (_ends_the_function(stmt.body) or _ends_the_function(stmt.orelse)):
                yield stmt.test, "if"


def _tensor_test(info: ModuleInfo, test: ast.expr, python: set[str]) -> bool:
    if info.tensors.level_of(test) < TENSOR:
        return False
    tensor_names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name) and info.tensors.level_of(n) >= TENSOR}
    return not tensor_names or not tensor_names <= python


@rule(
    "TFG025",
    "recursive-tf-function",
    "A `tf.function` that calls itself under a condition on a tensor: AutoGraph turns the condition into `tf.cond`, "
    "which traces both branches, so tracing recurses until TensorFlow raises `StagingError` (a `RecursionError`).",
)
def find_recursive_tf_function(info: ModuleInfo) -> Iterator[Finding]:
    reach: dict[int, set[int]] = {}
    for ff in list(info.functions.values()):
        if not _traced(ff):
            continue
        python: set[str] | None = None
        for call, callee in _callees(info, ff):
            if callee is not ff and id(ff.node) not in _reachable(info, callee, reach):
                continue
            if python is None:
                python = _python_params(info, ff)
            cause = None
            for test, kind in _guards(info, call, ff.node):
                if kind == "graph" and isinstance(test, ast.Call):
                    cause = (
                        f"inside `{info.text(test.func)}`: its branch functions are all traced, whatever the predicate, "
                        "so tracing recurses until Python raises `RecursionError: maximum recursion depth exceeded`"
                    )
                    break
                if kind == "if" and AUTOGRAPH in ff.modes and _tensor_test(info, test, python):
                    cause = (
                        f"under `{info.text(test)}`, a condition on a tensor: AutoGraph turns it into `tf.cond`, which "
                        "traces both branches, so tracing recurses until TensorFlow raises `StagingError` "
                        "(`RecursionError: maximum recursion depth exceeded`)"
                    )
                    break
            if cause is None:
                continue
            via = "itself" if callee is ff else f"itself through `{callee.node.name}`"
            yield Finding(
                "TFG025",
                f"`{ff.node.name}` ({ff.why or 'traced'}) calls {via} {cause}; loop with `tf.while_loop` or a `for` "
                "over `tf.range` instead, or recurse on a Python int (unrolled while tracing)",
                info.span(call),
                None,
            )
            break  # one finding per function: its other recursive calls are the same mistake
