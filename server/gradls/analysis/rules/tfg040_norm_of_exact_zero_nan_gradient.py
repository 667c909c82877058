"""TFG040 norm-of-exact-zero-nan-gradient: the Euclidean norm (or `sqrt` of a sum of squares) of a value that is
exactly zero by construction, differentiated: the gradient of `sqrt` at 0 is infinite, times the zero derivative of
the squares it is NaN, and the NaN reaches every weight behind it, with no warning. Also an elementwise `sqrt` of a
product with a literal coefficient that has a 0 entry (0 * inf there)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tensors import DIFF

_NORMS = frozenset({"tensorflow.norm", "tensorflow.linalg.norm", "keras.ops.norm", "tensorflow.math.l2_norm"})
_SQRTS = frozenset({"tensorflow.sqrt", "tensorflow.math.sqrt", "keras.ops.sqrt"})
_SUMS = frozenset({"tensorflow.reduce_sum", "tensorflow.math.reduce_sum", "keras.ops.sum"})
_SQUARES = frozenset({"tensorflow.square", "tensorflow.math.square", "keras.ops.square"})
_FULL_REDUCTIONS = frozenset(
    {"tensorflow.reduce_mean", "tensorflow.math.reduce_mean", "keras.ops.mean", *_SUMS, "tensorflow.add_n"}
)
_PASS_THROUGH = frozenset({"tensorflow.exp", "tensorflow.math.exp", "keras.ops.exp"})
_EXPAND = frozenset({"tensorflow.expand_dims", "keras.ops.expand_dims"})
_ZERO_MAKERS = frozenset(
    {
        "tensorflow.zeros",
        "tensorflow.zeros_like",
        "numpy.zeros",
        "numpy.zeros_like",
        "keras.ops.zeros",
        "keras.ops.zeros_like",
    }
)
_WRAPPERS = frozenset(
    {"tensorflow.Variable", "tensorflow.constant", "tensorflow.convert_to_tensor", "numpy.array", "numpy.asarray"}
)


@rule(
    "TFG040",
    "norm-of-exact-zero-nan-gradient",
    "The Euclidean norm (`tf.norm`, or `tf.sqrt` of a sum of squares) of a value that is exactly zero by "
    "construction (a variable created as zeros, the diagonal of a pairwise-distance matrix of a tensor with itself) "
    "has an infinite `sqrt` gradient there; times the zero derivative of the squares it is NaN, and every weight "
    "behind it turns NaN, with no warning.",
)
def find_norm_of_exact_zero(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if "norm" not in src and "sqrt" not in src:
        return
    if "GradientTape" not in src and "def " not in src:
        return
    seen: set[int] = set()
    for node, _modes in info.region_nodes(ast.Call):
        product = _sqrt_of_zero_coefficient_product(info, node)
        if product is not None and id(node) not in seen:
            coefficient, factor = product
            if not _reaches_loss(info, node, full_reduction_needed=False):
                continue
            seen.add(id(node))
            msg = (
                f"`{info.text(node)[:60]}` takes an elementwise square root of `{info.text(factor)}` times "
                f"`{coefficient}`, a literal with a 0 entry: there the derivative is 0 * 0.5 / sqrt(0) = 0 * inf, NaN "
                f"(measured under TF 2.21), so `{info.text(factor)}` and every weight behind it get a NaN gradient at "
                f"that entry, with no warning; take the root of `tf.maximum(..., eps)` or leave the zero-coefficient "
                f"entries out of the product"
            )
            yield Finding("TFG040", msg, info.span(node))
            continue
        arg, axis = _norm_operand(info, node)
        if arg is None or id(node) in seen:
            continue
        pair = _pairwise_self_difference(info, arg)
        if pair is not None:
            if info.tensors.level_of(pair) < DIFF or not _reaches_loss(info, node, full_reduction_needed=True):
                continue
            seen.add(id(node))
            msg = (
                f"`{info.text(node)[:60]}` is a pairwise distance of `{info.text(pair)}` with itself: its diagonal is "
                f"exactly 0, where the gradient of `sqrt` is infinite, and times the zero derivative of the squared "
                f"differences it is NaN (measured under TF 2.21); the loss reduces every entry, so every weight "
                f"behind `{info.text(pair)}` gets a NaN gradient at the first step, with no warning; mask the diagonal "
                f"before the square root, or take it of `sum + eps` (`tf.sqrt(d2 + 1e-12)`)"
            )
            yield Finding("TFG040", msg, info.span(node))
            continue
        zero = _zero_variable(info, arg, axis)
        if zero is None:
            continue
        name, why = zero
        if not _differentiated_wrt(info, node, name):
            continue
        seen.add(id(node))
        msg = (
            f"`{info.text(node)[:60]}` takes the Euclidean norm of `{name}`, which is {why}: the gradient of the "
            f"norm at 0 is `{name} / norm(...)` = 0/0, NaN (measured under TF 2.21; `tf.norm` has no subgradient "
            f"there), so `tape.gradient` gives NaN for `{name}` at the first step and an optimizer step makes it NaN "
            f"for good, with no warning; start it away from zero, or take the norm of `sum of squares + eps`"
        )
        yield Finding("TFG040", msg, info.span(node))


# ---------------------------------------------------------------------------------------------- what is normed
def _q(info: ModuleInfo, call: ast.Call) -> str:
    return info.imports.qualname(call.func) or ""


def _kw(call: ast.Call, name: str, pos: int) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return call.args[pos] if len(call.args) > pos else None


def _axis(e: ast.expr | None) -> int | None | str:
    """An axis literal: None (absent or None), an int, or "?" (anything else)."""
    if e is None or (isinstance(e, ast.Constant) and e.value is None):
        return None
    if isinstance(e, ast.Constant) and isinstance(e.value, int):
        return e.value
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) and isinstance(e.operand, ast.Constant):
        v = e.operand.value
        return -v if isinstance(v, int) else "?"
    return "?"


def _norm_operand(info: ModuleInfo, call: ast.Call) -> tuple[ast.expr | None, int | None | str]:
    """`x` and the axis when `call` is the Euclidean norm of `x`: `tf.norm(x[, axis])` (ord absent, 2, 'euclidean',
    'fro'), or `tf.sqrt(tf.reduce_sum(tf.square(x)[, axis]))`."""
    q = _q(info, call)
    if q in _NORMS and call.args:
        order = _kw(call, "ord", 1)
        if order is not None and not (isinstance(order, ast.Constant) and order.value in {"euclidean", "fro", 2}):
            return None, None
        return call.args[0], _axis(_kw(call, "axis", 2))
    if q in _SQRTS and len(call.args) == 1 and not call.keywords:
        inner = call.args[0]
        if isinstance(inner, ast.Call) and _q(info, inner) in _SUMS and inner.args:
            sq = inner.args[0]
            if isinstance(sq, ast.Call) and _q(info, sq) in _SQUARES and len(sq.args) == 1:
                return sq.args[0], _axis(_kw(inner, "axis", 1))
            if isinstance(sq, ast.BinOp) and isinstance(sq.op, ast.Pow):
                if isinstance(sq.right, ast.Constant) and sq.right.value == 2:
                    return sq.left, _axis(_kw(inner, "axis", 1))
    return None, None


def _single_assign(info: ModuleInfo, name: str) -> ast.Assign | None:
    """The one statement of the module that binds `name` (a plain `name = value`), or None."""
    stored, params, assigns = _bindings(info)
    stores = stored.get(name, ())
    if len(stores) != 1 or name in params:
        return None
    return assigns.get(id(stores[0]))


def _bindings(info: ModuleInfo) -> tuple[dict[str, list[ast.Name]], set[str], dict[int, ast.Assign]]:
    """The module's stored / deleted names by id, its parameter names, and its one-target assignments by
    id(target): read once per module (the rule asks about every name it meets, and each question filtered every
    name and assignment of the module)."""

    def build() -> tuple[dict[str, list[ast.Name]], set[str], dict[int, ast.Assign]]:
        stored: dict[str, list[ast.Name]] = {}
        for n in info.all_nodes(ast.Name):
            if isinstance(n.ctx, (ast.Store, ast.Del)):
                stored.setdefault(n.id, []).append(n)
        assigns: dict[int, ast.Assign] = {}
        for a in info.all_nodes(ast.Assign):
            if len(a.targets) == 1:
                assigns.setdefault(id(a.targets[0]), a)
        return stored, {a.arg for a in info.all_nodes(ast.arg)}, assigns

    return info.memo(f"{__name__}.bindings", build)


def _resolved(info: ModuleInfo, e: ast.expr) -> ast.expr:
    if isinstance(e, ast.Name):
        a = _single_assign(info, e.id)
        if a is not None:
            return a.value
    return e


# ---------------------------------------------------------------------------------------------- pairwise form
def _expansion(info: ModuleInfo, e: ast.expr) -> tuple[str, int] | None:
    """(`E`, where the new axis goes) for `E[:, None]`, `E[None, :]`, `E[:, None, :]`, `tf.expand_dims(E, k)`."""
    if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name):
        s = e.slice
        elts = list(s.elts) if isinstance(s, ast.Tuple) else [s]
        nones = [i for i, x in enumerate(elts) if isinstance(x, ast.Constant) and x.value is None]
        rest_ok = all(
            (isinstance(x, ast.Slice) and x.lower is None and x.upper is None and x.step is None)
            or (isinstance(x, ast.Constant) and x.value is None)
            for x in elts
        )
        if len(nones) == 1 and rest_ok:
            return e.value.id, nones[0]
        return None
    if isinstance(e, ast.Call) and _q(info, e) in _EXPAND and len(e.args) == 2 and isinstance(e.args[0], ast.Name):
        ax = _axis(e.args[1])
        if isinstance(ax, int) and ax >= 0:
            return e.args[0].id, ax
    return None


def _pairwise_self_difference(info: ModuleInfo, arg: ast.expr) -> ast.Name | None:
    """`E` when `arg` is `E[:, None] - E[None, :]` (or the expand_dims spelling), directly or through one name."""
    e = _resolved(info, arg)
    if not (isinstance(e, ast.BinOp) and isinstance(e.op, ast.Sub)):
        return None
    a, b = _expansion(info, e.left), _expansion(info, e.right)
    if a is None or b is None or a[0] != b[0] or a[1] == b[1]:
        return None
    left = e.left.value if isinstance(e.left, ast.Subscript) else e.left.args[0]  # type: ignore[attr-defined]
    return left if isinstance(left, ast.Name) else None


# ---------------------------------------------------------------------------------------------- zero form
def _zero_literal_slices(v: object, axis: int | None | str) -> bool:
    """Does the literal nested list `v` have an all-zero part that the norm over `axis` reduces alone?"""

    def all_zero(x: object) -> bool:
        if isinstance(x, (list, tuple)):
            return len(x) > 0 and all(all_zero(y) for y in x)
        return isinstance(x, (int, float)) and not isinstance(x, bool) and x == 0

    if axis is None:
        return all_zero(v)
    if not isinstance(v, (list, tuple)) or not v or not all(isinstance(r, (list, tuple)) for r in v):
        return False
    rows = [list(r) for r in v]
    if len({len(r) for r in rows}) != 1 or any(isinstance(x, (list, tuple)) for r in rows for x in r):
        return False  # 2-D literals only
    if axis in (1, -1):
        return any(all_zero(r) for r in rows)
    if axis in (0, -2):
        return any(all_zero([r[j] for r in rows]) for j in range(len(rows[0])))
    return False


def _zero_value(info: ModuleInfo, e: ast.expr, axis: int | None | str, depth: int = 0) -> str | None:
    if depth > 3:
        return None
    if isinstance(e, ast.Name):
        a = _single_assign(info, e.id)
        return _zero_value(info, a.value, axis, depth + 1) if a is not None else None
    if isinstance(e, ast.Call):
        q = _q(info, e)
        if q in _ZERO_MAKERS:
            return f"created by `{info.text(e)[:40]}`"
        if q in _WRAPPERS and e.args:
            inner = _zero_value(info, e.args[0], axis, depth + 1)
            return inner
        return None
    if isinstance(e, (ast.List, ast.Tuple)):
        try:
            v = ast.literal_eval(e)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
        if _zero_literal_slices(v, axis):
            return "made from a literal whose normed part is all zeros"
    return None


def _has_zero_entry(v: object) -> bool:
    if isinstance(v, (list, tuple)):
        return any(_has_zero_entry(x) for x in v)
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0


def _literal_with_zero_entry(info: ModuleInfo, e: ast.expr, depth: int = 0) -> bool:
    """Is `e` (through names bound once and `tf.constant` / `np.array` wrappers) a list literal with an exact 0?"""
    if depth > 3:
        return False
    if isinstance(e, ast.Name):
        a = _single_assign(info, e.id)
        return a is not None and _literal_with_zero_entry(info, a.value, depth + 1)
    if isinstance(e, ast.Call):
        return _q(info, e) in _WRAPPERS and bool(e.args) and _literal_with_zero_entry(info, e.args[0], depth + 1)
    if isinstance(e, (ast.List, ast.Tuple)):
        try:
            v = ast.literal_eval(e)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return False
        return _has_zero_entry(v)
    return False


def _sqrt_of_zero_coefficient_product(info: ModuleInfo, call: ast.Call) -> tuple[str, ast.expr] | None:
    """(the coefficient's text, the differentiable factor) for `tf.sqrt(c * x)` / `tf.sqrt(x * c)` where `c` is a
    literal with an exact 0 entry and `x` depends on trainable values (tensorflow#4914)."""
    if _q(info, call) not in _SQRTS or len(call.args) != 1 or call.keywords:
        return None
    e = call.args[0]
    if not (isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult)):
        return None
    for coefficient, factor in ((e.left, e.right), (e.right, e.left)):
        if _literal_with_zero_entry(info, coefficient) and info.tensors.level_of(factor) >= DIFF:
            return info.text(coefficient), factor
    return None


def _zero_variable(info: ModuleInfo, arg: ast.expr, axis: int | None | str) -> tuple[str, str] | None:
    """(name, why) when `arg` is a name bound once to a value that is zero where the norm reduces."""
    if not isinstance(arg, ast.Name) or axis == "?":
        return None
    a = _single_assign(info, arg.id)
    if a is None:
        return None
    why = _zero_value(info, a.value, axis)
    return (arg.id, f"{why} (line {a.lineno}) and never assigned before") if why else None


# ---------------------------------------------------------------------------------------------- the way to a loss
def _tape_with(info: ModuleInfo, node: ast.AST) -> tuple[ast.With, str] | None:
    p = info.all_parents.get(id(node))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        if isinstance(p, ast.With):
            for item in p.items:
                if info.is_tape_ctor(item.context_expr) and isinstance(item.optional_vars, ast.Name):
                    return p, item.optional_vars.id
        p = info.all_parents.get(id(p))
    return None


def _gradient_calls(info: ModuleInfo, tape: str, after: int) -> list[ast.Call]:
    return [
        c
        for c in info.all_nodes(ast.Call)
        if isinstance(c.func, ast.Attribute)
        and c.func.attr == "gradient"
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id == tape
        and c.lineno > after
        and c.args
    ]


def _up_to_statement(info: ModuleInfo, node: ast.expr) -> tuple[ast.stmt | None, bool]:
    """Walk up from `node` through ops that keep its gradient nonzero; the statement reached (None when some
    other op consumes it) and whether a full reduction was passed."""
    reduced = False
    cur: ast.AST = node
    while True:
        p = info.all_parents.get(id(cur))
        if isinstance(p, ast.stmt):
            return p, reduced
        if isinstance(p, ast.UnaryOp) and isinstance(p.op, (ast.USub, ast.UAdd)):
            cur = p
            continue
        if isinstance(p, ast.BinOp):
            other = p.right if p.left is cur else p.left
            if isinstance(p.op, (ast.Add, ast.Sub)):
                cur = p
                continue
            if isinstance(p.op, (ast.Mult, ast.Div)) and (
                (isinstance(other, ast.Constant) and isinstance(other.value, (int, float)) and other.value != 0)
                or (isinstance(p.op, ast.Mult) and isinstance(other, ast.Name) and p.left is other)
            ):
                cur = p
                continue
            return None, reduced
        if isinstance(p, ast.Call) and p.args and p.args[0] is cur:
            q = info.imports.qualname(p.func) or ""
            if q in _FULL_REDUCTIONS:
                if q != "tensorflow.add_n" and _kw(p, "axis", 1) is None:
                    reduced = True
                cur = p
                continue
            if q in _PASS_THROUGH:
                cur = p
                continue
        if isinstance(p, (ast.List, ast.Tuple)):
            gp = info.all_parents.get(id(p))
            if isinstance(gp, ast.Call) and (info.imports.qualname(gp.func) or "") == "tensorflow.add_n":
                cur = gp
                continue
        return None, reduced


def _reaches_loss(
    info: ModuleInfo, node: ast.expr, full_reduction_needed: bool, target_names: set[str] | None = None
) -> bool:
    """Does `node`'s value reach a gradient target of its tape (or, outside a tape block, a `return` after a full
    reduction), through ops that pass it a nonzero gradient and names bound once in the same block?"""
    tw = _tape_with(info, node)
    cur: ast.expr = node
    reduced_any = False
    for _ in range(6):
        stmt, reduced = _up_to_statement(info, cur)
        reduced_any = reduced_any or reduced
        if stmt is None:
            return False
        if isinstance(stmt, ast.Return):
            return tw is None and reduced_any
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            return False
        name = stmt.targets[0].id
        if _single_assign(info, name) is not stmt:
            return False
        if tw is not None:
            w, tape = tw
            for g in _gradient_calls(info, tape, w.lineno):
                if isinstance(g.args[0], ast.Name) and g.args[0].id == name:
                    return not full_reduction_needed or reduced_any
        # the next statement of the same block that reads it, when it is the only reader
        readers = [n for n in info.all_nodes(ast.Name) if n.id == name and isinstance(n.ctx, ast.Load)]
        if len(readers) != 1 or readers[0].lineno <= stmt.lineno:
            return False
        cur = readers[0]
    return False


def _differentiated_wrt(info: ModuleInfo, node: ast.Call, name: str) -> bool:
    """Is `node` inside a tape block whose `gradient` call takes sources including `name`, with the norm on the way
    to the target, and no `name.assign...` before the block?"""
    tw = _tape_with(info, node)
    if tw is None:
        return False
    w, tape = tw
    for c in info.all_nodes(ast.Call):
        f = c.func
        if (
            isinstance(f, ast.Attribute)
            and f.attr.startswith("assign")
            and isinstance(f.value, ast.Name)
            and f.value.id == name
            and c.lineno < w.lineno
        ):
            return False
    for g in _gradient_calls(info, tape, w.lineno):
        src = g.args[1] if len(g.args) > 1 else next((k.value for k in g.keywords if k.arg == "sources"), None)
        names = [src] if isinstance(src, ast.Name) else list(src.elts) if isinstance(src, (ast.List, ast.Tuple)) else []
        if any(isinstance(n, ast.Name) and n.id == name for n in names):
            return _reaches_loss(info, node, full_reduction_needed=False)
    return False
