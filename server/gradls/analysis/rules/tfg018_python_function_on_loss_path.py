"""TFG018 python-function-on-loss-path: `tf.numpy_function` (no gradient at all) or a `tf.py_function` whose
Python function leaves TensorFlow (zero gradient), with trainable inputs, on the way to the loss."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.lambda_layers import from_unweighted_input
from gradls.analysis.model import Finding
from gradls.analysis.module import FunctionNode, ModuleInfo, walk_own
from gradls.analysis.rules import rule
from gradls.analysis.tensors import DIFF

_NO_GRADIENT = {
    "tensorflow.numpy_function": "tf.numpy_function",
    "tensorflow.compat.v1.numpy_function": "tf.compat.v1.numpy_function",
    "tensorflow.compat.v1.py_func": "tf.compat.v1.py_func",
    "tensorflow.py_func": "tf.py_func",
}
_PY_FUNCTION = {
    "tensorflow.py_function": "tf.py_function",
    "tensorflow.compat.v1.py_function": "tf.compat.v1.py_function",
}
_OBJECTIVE_METHODS = {"gradient", "jacobian", "batch_jacobian", "add_loss", "minimize"}
_LIST_GROWERS = {"append", "extend", "insert"}
# A value read only inside these carries no gradient back (the straight-through estimator's
# `h + tf.stop_gradient(f(h) - h)`: `f` may be a NumPy function, the gradient goes through `h`).
_STOP_GRADIENT = {
    "tensorflow.stop_gradient",
    "keras.ops.stop_gradient",
    "keras.backend.stop_gradient",
    "tensorflow.keras.backend.stop_gradient",
}
_NOT_LOSS_FUNCS = ("metric", "log", "summar", "report", "print", "display", "eval", "accuracy")


def _arg(call: ast.Call, index: int, name: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def _wrapped(info: ModuleInfo, func: ast.AST | None, site: ast.AST) -> ast.AST | None:
    """The lambda or def that a py_function runs, when the module shows it."""
    if isinstance(func, ast.Lambda):
        return func
    if not isinstance(func, ast.Name):
        return None
    fn = info.enclosing_function(site)
    while fn is not None:
        ff = info.facts(fn)
        if ff is None:
            break
        if func.id in ff.nested:
            return ff.nested[func.id]
        fn = ff.parent
    return info.module_functions.get(func.id)


def _leaves_tensorflow(info: ModuleInfo, fn: ast.AST) -> str | None:
    """How the wrapped Python function turns its tensors into NumPy, if it does."""
    for n in ast.walk(fn):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr == "numpy" and not n.args:
            return "`.numpy()`"
        q = info.imports.qualname(f)
        if q and q.startswith("numpy."):
            return f"`{info.text(f)}`"
    return None


def _inside_custom_gradient(info: ModuleInfo, node: ast.AST) -> bool:
    """Is `node` in a `@tf.custom_gradient` function (its forward body or its grad_fn)?"""
    ff = info.facts(info.enclosing_function(node))
    while ff is not None:
        if ff.custom_gradient:
            return True
        ff = info.facts(ff.parent)
    return False


def _scope_statements(root: ast.AST) -> list[ast.stmt]:
    return [n for n in walk_own(root) if isinstance(n, ast.stmt) and n is not root]


def _targets(stmt: ast.stmt) -> set[str]:
    out: set[str] = set()
    ts = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    for t in ts:
        if t is None:
            continue
        for n in ast.walk(t):
            if isinstance(n, ast.Name):
                out.add(n.id)
    return out


def _grown_list(stmt: ast.stmt, tainted: set[str]) -> str | None:
    """`rhos.append(rho)` (or `extend`/`insert`) with a tainted value: the list now holds it, and
    `tf.reduce_sum(rhos)` / `tf.stack(rhos)` differentiate through it."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return None
    f = stmt.value.func
    if not (isinstance(f, ast.Attribute) and f.attr in _LIST_GROWERS and isinstance(f.value, ast.Name)):
        return None
    return f.value.id if any(_reads(a, tainted) for a in stmt.value.args) else None


def _reads(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load) for n in ast.walk(node))


def _reads_differentiably(info: ModuleInfo, node: ast.AST, names: set[str]) -> bool:
    """`_reads`, except reads inside `tf.stop_gradient(...)`: no gradient flows back through them."""
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Call) and info.imports.qualname(n.func) in _STOP_GRADIENT:
            continue
        if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load):
            return True
        todo.extend(ast.iter_child_nodes(n))
    return False


def _loss_like_function(info: ModuleInfo, fn: FunctionNode | None) -> bool:
    """A function whose return value is the loss or a layer output (not a metric/logging helper)."""
    if fn is None:
        return False
    ff = info.facts(fn)
    if ff is None or not ff.modes:
        return False
    return not any(w in fn.name.lower() for w in _NOT_LOSS_FUNCS)


def _reaches_objective(info: ModuleInfo, parents: dict[int, ast.AST], call: ast.Call) -> bool:
    """Does the value of `call` flow (by assignments, in its own function or tape body) into `tape.gradient`,
    `add_loss`/`minimize`, or the return value of differentiable code?"""
    fn = info.enclosing_function(call)
    scope = fn if fn is not None else info.tree
    # Where the call itself sits.
    p = parents.get(id(call))
    while p is not None and not isinstance(p, ast.stmt):
        if isinstance(p, ast.Call) and info.imports.qualname(p.func) in _STOP_GRADIENT:
            return False
        if isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute) and p.func.attr in _OBJECTIVE_METHODS:
            return True
        p = parents.get(id(p))
    if p is None:
        return False
    if isinstance(p, ast.Return):
        return _loss_like_function(info, fn)
    tainted = _targets(p) if isinstance(p, (ast.Assign, ast.AugAssign, ast.AnnAssign)) else set()
    if not tainted:
        return False
    stmts = _scope_statements(scope)
    changed = True
    while changed:
        changed = False
        for s in stmts:
            if isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and s.value is not None:
                if _reads_differentiably(info, s.value, tainted):
                    new = _targets(s) - tainted
                    if new:
                        tainted |= new
                        changed = True
            else:
                grown = _grown_list(s, tainted)
                if grown is not None and grown not in tainted:
                    tainted.add(grown)
                    changed = True
    for s in stmts:
        if isinstance(s, ast.Return) and s.value is not None and _reads_differentiably(info, s.value, tainted):
            if _loss_like_function(info, fn):
                return True
        for n in ast.walk(s):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in _OBJECTIVE_METHODS
                and n.args
                and _reads_differentiably(info, n.args[0], tainted)
            ):
                return True
    return False


@rule(
    "TFG018",
    "python-function-on-loss-path",
    "`tf.numpy_function` on the way to the loss has no gradient (every weight before it gets `None`; the Keras "
    "optimizer raises `ValueError: No gradients provided for any variable.`), and a `tf.py_function` whose Python "
    "code uses NumPy passes back a silent zero gradient.",
)
def find_python_function_on_loss_path(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if "numpy_function" not in src and "py_func" not in src:
        return
    parents: dict[int, ast.AST] | None = None
    for call, _modes in info.region_nodes(ast.Call):
        if not isinstance(call, ast.Call):
            continue
        q = info.imports.qualname(call.func)
        if q not in _NO_GRADIENT and q not in _PY_FUNCTION:
            continue
        inp = _arg(call, 1, "inp")
        if inp is None or info.tensors.level_of(inp) < DIFF:
            continue  # data loading / labels only: nothing trainable goes in
        if _inside_custom_gradient(info, call):
            continue  # TF differentiates a custom-gradient function with its grad_fn, never through its ops
        if from_unweighted_input(info, inp):
            continue  # the input of a layer applied with nothing trainable before it
        how = None
        if q in _PY_FUNCTION:
            body = _wrapped(info, _arg(call, 0, "func"), call)
            if body is None:
                continue  # TF ops inside a py_function are differentiated: fine unless it leaves TF
            how = _leaves_tensorflow(info, body)
            if how is None:
                continue
        if parents is None:
            parents = info.all_parents
        if not _reaches_objective(info, parents, call):
            continue
        fn = info.enclosing_function(call)
        ff = info.facts(fn)
        where = f" in {ff.why}" if ff is not None and ff.why else ""
        if q in _NO_GRADIENT:
            name = _NO_GRADIENT[q]
            msg = (
                f"`{name}`{where} has no gradient: every weight on the way to its inputs gets `None` (a Keras "
                "optimizer then raises `ValueError: No gradients provided for any variable.`, or only warns "
                "`Gradients do not exist for variables [...]` when other weights still get one); compute it with "
                "TensorFlow ops"
            )
        else:
            name = _PY_FUNCTION[q]
            msg = (
                f"`{name}`{where} runs a Python function that leaves TensorFlow ({how}): TensorFlow hands back a zero "
                "gradient through it, so nothing before it learns (silently, or an `InvalidArgumentError` in the "
                "backward pass when a broadcasting op before it reshapes that gradient); use TensorFlow ops inside it"
            )
        yield Finding(
            "TFG018",
            msg,
            info.span(call),
        )
