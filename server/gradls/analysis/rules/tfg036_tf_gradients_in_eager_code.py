"""TFG036 tf-gradients-in-eager-code: `tf.gradients(ys, xs)` (or `K.gradients`) where eager execution is on raises
RuntimeError; it only works while a graph is being built (a `tf.function`, a traced Keras step). Also the TF 1 graph
collections of variables (`tf.compat.v1.trainable_variables()`, ...) read there: TF 2 leaves them empty."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import function_uses
from gradls.analysis.model import Finding
from gradls.analysis.module import EAGER, TF1_OPTIMIZER_METHODS, TF_GRADIENTS, ModuleInfo
from gradls.analysis.rules import rule

_GRADIENTS = TF_GRADIENTS | {"keras.backend.gradients"}
# Functions run eagerly on purpose (`tf.config.run_functions_eagerly(True)`): where code runs is not told from the
# syntax there either.
_EAGER_FUNCTIONS = frozenset({"run_functions_eagerly"})


@rule(
    "TFG036",
    "tf-gradients-in-eager-code",
    "`tf.gradients(ys, xs)` run eagerly (module level, a plain function called from there, an eager training loop): "
    "TensorFlow raises `RuntimeError: tf.gradients is not supported when eager execution is enabled. Use "
    "tf.GradientTape instead`; record the computation under a `tf.GradientTape` and call `tape.gradient`.",
)
def find_tf_gradients_in_eager_code(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if (
        "gradients(" not in src and "variables(" not in src and "get_collection" not in src and "minimize(" not in src
    ) or _builds_graphs(info):
        return
    for c in info.all_nodes(ast.Call):
        if isinstance(c.func, ast.Attribute) and c.func.attr in TF1_OPTIMIZER_METHODS:
            loss = _tensor_loss_of_v1_optimizer(info, c)
            if loss is not None and _runs_eagerly(info, c):
                yield _tensor_loss_finding(info, c, loss)
            continue
        q = info.imports.qualname(c.func)
        if q in _COLLECTIONS or (q in _GET_COLLECTION and _names_variable_collection(info, c)):
            if _runs_eagerly(info, c):
                yield _empty_collection(info, c)
            continue
        if q not in _GRADIENTS or not _runs_eagerly(info, c):
            continue
        shown = info.text(c.func)
        msg = (
            f"`{shown}(...)` runs eagerly here, and TensorFlow 2 raises `RuntimeError: tf.gradients is not supported "
            "when eager execution is enabled. Use tf.GradientTape instead`"
            + (" (Keras 3's own `keras.backend` has no `gradients` at all)" if q == "keras.backend.gradients" else "")
            + "; compute `ys` inside `with tf.GradientTape() as tape:` and call `tape.gradient(ys, xs)`, or run this "
            "code in a `tf.function`"
        )
        yield Finding("TFG036", msg, info.span(c), None)


def _bindings(info: ModuleInfo, scope: ast.AST, name: str) -> list[ast.AST] | None:
    """The values every plain assignment of `name` in `scope`'s own statements binds, or None when `name` is
    also bound another way there (a def, a parameter, a loop target, an unpacking, an import)."""
    values: list[ast.AST] = []
    for n in info.own_nodes(scope):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name:
            return None
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    values.append(n.value)
                elif name in {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}:
                    return None
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.withitem, ast.NamedExpr)):
            target = n.optional_vars if isinstance(n, ast.withitem) else n.target
            if target is not None and name in {x.id for x in ast.walk(target) if isinstance(x, ast.Name)}:
                return None
        elif isinstance(n, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == name for a in n.names):
            return None
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and name in {
        a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)
    }:
        return None
    return values


def _tensor_loss_of_v1_optimizer(info: ModuleInfo, call: ast.Call) -> ast.Name | None:
    """`opt.minimize(loss, ...)` / `opt.compute_gradients(loss, ...)` with `opt` bound only to a
    `tf.compat.v1.train.*Optimizer(...)` and `loss` a name bound only to tensor expressions (no def, no lambda) in the
    same function (or module level): the loss argument, else None."""
    f = call.func
    assert isinstance(f, ast.Attribute)
    loss = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "loss"), None)
    if not isinstance(f.value, ast.Name) or not isinstance(loss, ast.Name):
        return None
    fn = info.enclosing_function(call)
    scope: ast.AST = fn if fn is not None else info.tree
    opts = _bindings(info, scope, f.value.id)
    if not opts and fn is not None and f.value.id not in {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}:
        opts = _bindings(info, info.tree, f.value.id)
    if not opts or not all(
        isinstance(v, ast.Call)
        and (q := info.imports.qualname(v.func) or "").startswith("tensorflow.compat.v1.train.")
        and q.endswith("Optimizer")
        for v in opts
    ):
        return None
    values = _bindings(info, scope, loss.id)
    if not values or not all(isinstance(v, (ast.Call, ast.BinOp, ast.UnaryOp, ast.Subscript)) for v in values):
        return None
    if any(
        isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in info.module_functions for v in values
    ):
        return None  # a factory of the module may return the loss function itself
    return loss


def _tensor_loss_finding(info: ModuleInfo, c: ast.Call, loss: ast.Name) -> Finding:
    assert isinstance(c.func, ast.Attribute)
    msg = (
        f"`{info.text(c.func)}({loss.id}, ...)` runs eagerly here with `{loss.id}` an already computed tensor: a "
        "`tf.compat.v1.train` optimizer differentiates a tensor only while a graph is built, so TensorFlow 2 raises "
        '`RuntimeError` ("`loss` passed to Optimizer.compute_gradients should be a function when eager execution is '
        f'enabled"); pass a function (`{info.text(c.func)}(lambda: <the loss expression>, var_list=...)`), or compute '
        "it under a `tf.GradientTape` and call `apply_gradients`"
    )
    return Finding("TFG036", msg, info.span(c), None)


# TF 1 graph collections of variables. TF 2 variables (tf.Variable, Keras weights) are never added to them, so
# called eagerly these return `[]` (measured under TF 2.21, with a tf.Variable and a built Keras model alive).
_COLLECTIONS = frozenset(
    {
        "tensorflow.compat.v1.trainable_variables",
        "tensorflow.compat.v1.global_variables",
        "tensorflow.compat.v1.all_variables",
        "tensorflow.compat.v1.model_variables",
    }
)
_GET_COLLECTION = frozenset({"tensorflow.compat.v1.get_collection", "tensorflow.compat.v1.get_collection_ref"})
_VARIABLE_KEYS = frozenset({"TRAINABLE_VARIABLES", "GLOBAL_VARIABLES", "MODEL_VARIABLES"})


def _names_variable_collection(info: ModuleInfo, call: ast.Call) -> bool:
    """`get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)` (or the key's string, "trainable_variables")."""
    key = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "key"), None)
    if isinstance(key, ast.Attribute):
        return key.attr in _VARIABLE_KEYS and (info.imports.qualname(key.value) or "").endswith("GraphKeys")
    return isinstance(key, ast.Constant) and key.value in {"trainable_variables", "variables", "model_variables"}


def _empty_collection(info: ModuleInfo, c: ast.Call) -> Finding:
    shown = info.text(c)
    msg = (
        f"`{shown}` runs eagerly here and returns `[]`: TensorFlow 2 never adds its variables (`tf.Variable`, Keras "
        "weights) to the TF 1 graph collections, so gradients taken or applied over this list update nothing "
        "(`apply_gradients` of the empty list raises `ValueError`); list the variables to train yourself "
        "(`model.trainable_variables`, `[w, b]`)"
    )
    return Finding("TFG036", msg, info.span(c), None)


def _builds_graphs(info: ModuleInfo) -> bool:
    """Does the code build TF 1 graphs on purpose (`ModuleInfo.builds_tf1_graphs`: eager execution off, a graph made
    the default, sessions, placeholders), or run functions eagerly? There `tf.gradients` is the right tool, and
    where it runs is not told from the syntax. The Keras backend's `placeholder` does not count: tf_keras builds it
    in its own graph with eager execution still on, so a `K.gradients(...)` run at module level beside it raises all
    the same (the Great Courses L21 notebook, great_courses_ml#78); a program that really runs `K.gradients` in a
    graph turns eager off or enters one, which the other names show."""
    return info.builds_tf1_graphs or info.uses_names(_EAGER_FUNCTIONS)


def _runs_eagerly(info: ModuleInfo, call: ast.Call, seen: set[int] | None = None) -> bool:
    """Only eagerly: at module level, in a def that only eager code calls, or in a lambda (or a def passed by name)
    that TensorFlow's functional control flow (`tf.map_fn`, `tf.cond`, ...) runs where it is itself called eagerly."""
    parents = info.all_parents
    p = parents.get(id(call))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        p = parents.get(id(p))
    if p is None:
        return True
    if isinstance(p, ast.Lambda):
        op_call = _control_flow_op_running(info, p)
        return op_call is not None and _runs_eagerly(info, op_call, seen)
    if not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False  # a class body: where it runs is someone else's choice
    return _eager_function(info, p, set() if seen is None else seen)


# TensorFlow's functional control flow, called eagerly, calls these callables eagerly too (measured in TF 2.21:
# `tf.gradients` in each raises the eager RuntimeError): name -> (positions, keywords) of the callable arguments.
# `tf.vectorized_map` is not here: it traces its function (there `tf.gradients` runs).
_EAGER_CALLABLE_ARGS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "tensorflow.map_fn": ((0,), ("fn",)),
    "tensorflow.scan": ((0,), ("fn",)),
    "tensorflow.foldl": ((0,), ("fn",)),
    "tensorflow.foldr": ((0,), ("fn",)),
    "tensorflow.while_loop": ((0, 1), ("cond", "body")),
    "tensorflow.cond": ((1, 2), ("true_fn", "false_fn")),
    "tensorflow.switch_case": ((1,), ("branch_fns",)),
}


def _control_flow_op_running(info: ModuleInfo, lam: ast.expr) -> ast.Call | None:
    """The `tf.map_fn(...)` / `tf.cond(...)` ... call that takes `lam` (a lambda, or a function's name) as one of its
    callables, else None."""
    parents = info.all_parents
    holder = parents.get(id(lam))
    arg: ast.AST = lam
    if isinstance(holder, (ast.List, ast.Tuple)):  # `tf.switch_case(i, [lambda: ..., ...])`
        arg, holder = holder, parents.get(id(holder))
    elif isinstance(holder, ast.Dict) and any(v is lam for v in holder.values):
        arg, holder = holder, parents.get(id(holder))
    if isinstance(holder, ast.keyword):
        call = parents.get(id(holder))
        if not isinstance(call, ast.Call):
            return None
        spec = _EAGER_CALLABLE_ARGS.get(info.imports.qualname(call.func) or "")
        return call if spec is not None and holder.arg in spec[1] else None
    if not isinstance(holder, ast.Call):
        return None
    spec = _EAGER_CALLABLE_ARGS.get(info.imports.qualname(holder.func) or "")
    if spec is None:
        return None
    return holder if any(i < len(holder.args) and holder.args[i] is arg for i in spec[0]) else None


def _eager_function(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, seen: set[int]) -> bool:
    ff = info.facts(fn)
    if ff is None or ff.tf_function or ff.custom_gradient or ff.parent is not None or ff.cls is not None:
        return False
    if fn.decorator_list:
        return False  # a decorator may trace it (tf.function under another name, a framework's wrapper)
    if ff.modes:
        return ff.modes == {EAGER}  # regions: called under an eager GradientTape only
    # Not differentiable code: eager when every use of it is a direct call from module level or from another
    # function that only runs eagerly.
    if id(fn) in seen:
        return False
    seen.add(id(fn))
    uses = function_uses(info).get(fn.name, [])
    if not uses:
        return False
    for call, root in uses:
        if call is None:
            continue  # passed as a value: below
        if root is info.tree:
            continue
        if not isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)) or not _eager_function(info, root, seen):
            return False
    # Passed by name: eager only as a callable of `tf.map_fn` / `tf.while_loop` / ... where that op runs eagerly
    # (anything else, `tf.function(f)`, `map(f, ...)`, a callback, is not known to run it eagerly).
    for n in info.all_nodes(ast.Name):
        if n.id != fn.name or not isinstance(n.ctx, ast.Load) or _is_callee(info, n):
            continue
        op_call = _control_flow_op_running(info, n)
        if op_call is None or not _runs_eagerly(info, op_call, seen):
            return False
    return True


def _is_callee(info: ModuleInfo, name: ast.Name) -> bool:
    parent = info.all_parents.get(id(name))
    return isinstance(parent, ast.Call) and parent.func is name
