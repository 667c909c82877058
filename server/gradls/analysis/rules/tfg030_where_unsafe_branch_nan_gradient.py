"""TFG030 where-unsafe-branch-nan-gradient: `tf.where(x > c, f(x), ...)` guards the value of `f(x)` but not its
gradient: `f` is computed for every element, and where it is NaN or infinite the gradient is NaN."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tensors import DIFF

_WHERE = {"tensorflow.where", "tensorflow.where_v2", "tensorflow.compat.v1.where_v2", "tensorflow.compat.v2.where"}
_COMPARE_CALLS = {
    "tensorflow.greater": ast.Gt,
    "tensorflow.math.greater": ast.Gt,
    "tensorflow.greater_equal": ast.GtE,
    "tensorflow.math.greater_equal": ast.GtE,
    "tensorflow.less": ast.Lt,
    "tensorflow.math.less": ast.Lt,
    "tensorflow.less_equal": ast.LtE,
    "tensorflow.math.less_equal": ast.LtE,
    "tensorflow.equal": ast.Eq,
    "tensorflow.math.equal": ast.Eq,
    "tensorflow.not_equal": ast.NotEq,
    "tensorflow.math.not_equal": ast.NotEq,
}
_FLIP: dict[type, type] = {
    ast.Gt: ast.Lt,
    ast.Lt: ast.Gt,
    ast.GtE: ast.LtE,
    ast.LtE: ast.GtE,
    ast.Eq: ast.Eq,
    ast.NotEq: ast.NotEq,
}


def _log(x: float) -> float:
    return math.log(x)  # ValueError at 0 and below: -inf / NaN in TensorFlow


# Elementwise TensorFlow functions with a Python counterpart that fails (ValueError / OverflowError) or overflows
# float32 exactly where TensorFlow's value or gradient is infinite or NaN.
_FUNCS: dict[str, Callable[..., float]] = {
    "log": _log,
    "log1p": lambda x: math.log1p(x) if x > -1 else _log(0.0),
    "sqrt": lambda x: math.sqrt(x) if x > 0 else _log(0.0),  # sqrt's gradient is infinite at 0
    "rsqrt": lambda x: 1.0 / math.sqrt(x),
    "reciprocal": lambda x: 1.0 / x,
    "exp": math.exp,
    "pow": lambda a, b: math.pow(a, b),
    "acos": lambda x: math.acos(x) if -1 < x < 1 else _log(0.0),
    "asin": lambda x: math.asin(x) if -1 < x < 1 else _log(0.0),
    "atanh": math.atanh,
}
_RISKY = {"log", "log1p", "sqrt", "rsqrt", "reciprocal", "pow", "acos", "asin", "atanh"}
_FLOAT32_MAX = 3.4028234663852886e38


@rule(
    "TFG030",
    "where-unsafe-branch-nan-gradient",
    "`tf.where(x > c, f(x), y)` keeps `f(x)` only where the condition holds, but TensorFlow computes `f` (and its "
    "gradient) for every element: where `f` is NaN or infinite (`log`, `sqrt`, `pow` of an `exp` past the guard), "
    "the gradient through `tf.where` is NaN, with no warning.",
)
def find_where_unsafe_branch(info: ModuleInfo) -> Iterator[Finding]:
    if "where" not in info.source:
        return
    for node, _modes in info.region_nodes(ast.Call):
        q = info.imports.qualname(node.func) or ""
        if q not in _WHERE or len(node.args) != 3 or node.keywords:
            continue
        cond = _comparison(info, node.args[0])
        if cond is None:
            continue
        guarded, op, bound = cond
        for branch, taken in ((node.args[1], True), (node.args[2], False)):
            if _segment_mean(info, node, branch, guarded):
                continue
            found = _unsafe_part(info, branch, guarded, _outside_points(op, bound, taken), bound)
            if found is None or info.tensors.level_of(branch) < DIFF:
                continue
            part, point = found
            g = info.text(guarded)
            c = info.text(node.args[0])
            kept = "holds" if taken else "does not hold"
            tf_alias = info.imports.alias_of("tensorflow") or "tf"
            safe = f"{tf_alias}.where({c}, {g}, <safe value>)" if taken else f"{tf_alias}.where({c}, <safe value>, {g})"
            msg = (
                f"`{info.text(node.func)}` keeps `{info.text(part)}` only where `{c}` {kept}, but TensorFlow computes "
                f"it, and its gradient, for every element: at `{g}` = {point:g} it is NaN or infinite, and that "
                f"gradient times `tf.where`'s zero is NaN, so the gradients through this `tf.where` are NaN, with no "
                f"warning; give the op a guarded input as well (`{safe}`)"
            )
            yield Finding("TFG030", msg, info.span(node))
            break


# Ops that sum their data into slots named by an index argument: an empty slot receives no input, and their
# gradient reads only the filled slots (gather by the same indices).
_SCATTERS = {
    "tensorflow.scatter_nd": 0,
    "tensorflow.math.unsorted_segment_sum": 1,
    "tensorflow.math.segment_sum": 1,
    "tensorflow.unsorted_segment_sum": 1,
    "tensorflow.segment_sum": 1,
}


def _segment_mean(info: ModuleInfo, where: ast.Call, branch: ast.AST, guarded: ast.expr) -> bool:
    """`sums / counts` kept where `counts > 0`, both summed into slots by the same indices (`tf.scatter_nd(idx,
    x, ...)` and `tf.scatter_nd(idx, ones, ...)`; `unsorted_segment_sum(..., ids, n)`): the slots where `counts` is
    zero got nothing of `x`, so the NaN gradient there is never gathered back (tensorflow-ranking's padded list
    mean; the segment mean of graph pooling)."""
    if not (isinstance(branch, ast.BinOp) and isinstance(branch.op, ast.Div)):
        return False
    fn = info.enclosing_function(where)
    num = _scatter_index(info, branch.left, fn)
    return num is not None and num == _scatter_index(info, guarded, fn) == _scatter_index(info, branch.right, fn)


def _scatter_index(info: ModuleInfo, e: ast.AST, fn: ast.AST | None) -> str | None:
    """The text of the index argument of the scatter / segment sum that `e` is (or a name bound once to one)."""
    if isinstance(e, ast.Name):
        from gradls.analysis.python_scopes import function_bindings, module_bindings

        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bindings = function_bindings(info, fn).get(e.id, [])
        elif fn is None:
            bindings = [b for b in module_bindings(info).get(e.id, []) if b.function is None]
        else:
            return None
        # The binding that reaches the use in straight-line code: the last one above it.
        before = [b for b in bindings if b.stmt.lineno < e.lineno]
        if not before or before[-1].value is None or before[-1].kind != "assign":
            return None
        e = before[-1].value
    if not isinstance(e, ast.Call):
        return None
    pos = _SCATTERS.get(info.imports.qualname(e.func) or "")
    if pos is None or len(e.args) <= pos:
        return None
    return info.text(e.args[pos])


def _comparison(info: ModuleInfo, cond: ast.AST) -> tuple[ast.expr, type, float] | None:
    """`x > c`, `c <= x`, `tf.greater(x, c)`: (x, the operator with `x` on the left, c)."""
    if isinstance(cond, ast.Compare) and len(cond.ops) == 1:
        left, op, right = cond.left, type(cond.ops[0]), cond.comparators[0]
    elif isinstance(cond, ast.Call) and len(cond.args) == 2 and not cond.keywords:
        found = _COMPARE_CALLS.get(info.imports.qualname(cond.func) or "")
        if found is None:
            return None
        left, op, right = cond.args[0], found, cond.args[1]
    else:
        return None
    if op not in _FLIP:
        return None
    c = _number(right)
    if c is not None and _plain(left):
        return left, op, c
    c = _number(left)
    if c is not None and _plain(right):
        return right, _FLIP[op], c
    return None


def _plain(e: ast.AST) -> bool:
    return isinstance(e, ast.Name) or (isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name))


def _number(e: ast.AST) -> float | None:
    if isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
        return float(e.value)
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        v = _number(e.operand)
        return None if v is None else -v
    return None


def _outside_points(op: type, c: float, taken: bool) -> list[float]:
    """Values of `x` where the branch is computed but not kept: the other side of `x <op> c`."""
    below, above = [c - 1.0, c - 0.5], [c + 0.5, c + 1.0]
    true_side: dict[type, list[float]] = {
        ast.Gt: above,
        ast.GtE: [c, *above],
        ast.Lt: below,
        ast.LtE: [*below, c],
        ast.Eq: [c],
        ast.NotEq: [*below, *above],
    }
    false_side: dict[type, list[float]] = {
        ast.Gt: [*below, c],
        ast.GtE: below,
        ast.Lt: [c, *above],
        ast.LtE: above,
        ast.Eq: [*below, *above],
        ast.NotEq: [c],
    }
    return false_side[op] if taken else true_side[op]


def _unsafe_part(
    info: ModuleInfo, branch: ast.AST, guarded: ast.expr, points: list[float], bound: float
) -> tuple[ast.AST, float] | None:
    """A call or division in `branch` built from `guarded` and numbers only, NaN or infinite at one of `points`,
    whose bad value reaches a gradient (with that point): it multiplies a trainable value (`alpha * log(x)`: the
    gradient of `alpha` is that value times `tf.where`'s zero), divides one (`alpha / x` at x = 0), or it is a
    `pow`/`exp` of a trainable value, whose gradient is its own infinite value times zero; or it is infinite there
    (`1. / x`, `log(x)` at x = 0) and the gradient flows into `guarded` itself, through a derivative that is
    infinite too. (The gradient of `log`/`sqrt` at a negative input is finite in TF 2.21, and so is `sqrt`'s at 0
    under `tf.where`'s zero, so `tf.where(x > 0, tf.sqrt(x), 0)` alone keeps finite gradients.)"""
    key = info.text(guarded)
    parents = {id(c): n for n in ast.walk(branch) for c in ast.iter_child_nodes(n)}
    for n in ast.walk(branch):
        division = _division_by(info, n, key)
        if not division and (not isinstance(n, ast.Call) or not _uses_risky(info, n)):
            continue
        if isinstance(n, ast.BinOp):
            point = _zero_point(info, n.right, key, points) if division else None
        else:
            point = _bad_point(info, n, key, points)
        if point is None:
            continue
        if isinstance(n, ast.BinOp) and info.tensors.level_of(n.left) >= DIFF:
            return n, point  # alpha / x
        parent = parents.get(id(n))
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Mult, ast.Div)):
            other = parent.right if parent.left is n else parent.left
            if info.tensors.level_of(other) >= DIFF:
                return n, point
        if isinstance(n, ast.Call) and _func(info, n) in {"pow", "exp"} and info.tensors.level_of(n) >= DIFF:
            return n, point
        if info.tensors.level_of(guarded) >= DIFF:
            # Infinite at the first bad point, or at the guard's bound when the guard leaves the bound out: `log(x)`
            # kept where `x > 0` is NaN at -1, with a finite derivative there, and infinite at 0, the value the
            # guard was written for (a ReLU output, a zero padding).
            infinite = next((p for p in (point, bound) if p in points and _infinite_at(info, n, key, p)), None)
            if infinite is not None:
                return n, infinite
    return None


def _division_by(info: ModuleInfo, n: ast.AST, key: str) -> bool:
    """`a / f(x)`: a division whose denominator is built from `key` and numbers only."""
    return (
        isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Div)
        and any(isinstance(m, (ast.Name, ast.Attribute)) and info.text(m) == key for m in ast.walk(n.right))
    )


def _infinite_at(info: ModuleInfo, n: ast.AST, key: str, x: float) -> bool:
    """`n` is infinite at `key` = x with an infinite derivative: a division by zero, `log`/`reciprocal` of 0,
    `log1p` of -1 (`sqrt` is not: its gradient under `tf.where`'s zero stays finite at 0 in TF 2.21)."""
    try:
        if isinstance(n, ast.BinOp):
            return _evaluate(info, n.right, key, x) == 0.0
        if isinstance(n, ast.Call) and len(n.args) == 1 and not n.keywords:
            name = _func(info, n)
            arg = _evaluate(info, n.args[0], key, x)
            return arg is not None and (
                (name in {"log", "reciprocal"} and arg == 0.0) or (name == "log1p" and arg == -1.0)
            )
    except (ValueError, OverflowError, ZeroDivisionError):
        return False
    return False


def _zero_point(info: ModuleInfo, e: ast.AST, key: str, points: list[float]) -> float | None:
    """The first of `points` where the denominator `e` is zero (or itself NaN or infinite)."""
    return _first_point(info, e, key, points, zero_counts=True)


def _bad_point(info: ModuleInfo, e: ast.AST, key: str, points: list[float]) -> float | None:
    """The first of `points` where `e` is NaN or infinite."""
    return _first_point(info, e, key, points, zero_counts=False)


def _first_point(info: ModuleInfo, e: ast.AST, key: str, points: list[float], zero_counts: bool) -> float | None:
    for p in points:
        try:
            v = _evaluate(info, e, key, p)
        except (ValueError, OverflowError, ZeroDivisionError):
            return p
        if v is None:
            return None  # not a function of `key` alone
        if (zero_counts and v == 0.0) or math.isnan(v) or abs(v) > _FLOAT32_MAX:
            return p
    return None


def _uses_risky(info: ModuleInfo, e: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _func(info, n) in _RISKY for n in ast.walk(e))


def _func(info: ModuleInfo, call: ast.Call) -> str | None:
    q = info.imports.qualname(call.func) or ""
    for prefix in ("tensorflow.math.", "tensorflow."):
        if q.startswith(prefix) and q[len(prefix) :] in _FUNCS:
            return q[len(prefix) :]
    return None


def _evaluate(info: ModuleInfo, e: ast.AST, key: str, x: float) -> float | None:
    """The value of `e` with `key` = x, when `e` is built from `key`, numbers, + - * / ** and the functions of
    `_FUNCS`; None for anything else."""
    if isinstance(e, (ast.Name, ast.Attribute)) and info.text(e) == key:
        return x
    c = _number(e)
    if c is not None:
        return c
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        v = _evaluate(info, e.operand, key, x)
        return None if v is None else -v
    if isinstance(e, ast.BinOp):
        a, b = _evaluate(info, e.left, key, x), _evaluate(info, e.right, key, x)
        if a is None or b is None:
            return None
        if isinstance(e.op, ast.Add):
            return a + b
        if isinstance(e.op, ast.Sub):
            return a - b
        if isinstance(e.op, ast.Mult):
            return a * b
        if isinstance(e.op, ast.Div):
            return a / b
        if isinstance(e.op, ast.Pow):
            return math.pow(a, b)
        return None
    if isinstance(e, ast.Call) and not e.keywords:
        name = _func(info, e)
        if name is None:
            return None
        args = [_evaluate(info, a, key, x) for a in e.args]
        if any(a is None for a in args):
            return None
        return float(_FUNCS[name](*args))
    return None
