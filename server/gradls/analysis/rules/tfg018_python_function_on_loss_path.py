"""TFG018 python-function-on-loss-path: `tf.numpy_function` (no gradient at all) or a `tf.py_function` whose
Python function leaves TensorFlow (zero gradient), with trainable inputs, on the way to the loss."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.flow import STOP_GRADIENT, Flow
from gradls.analysis.lambda_layers import from_unweighted_input, lambda_layers, only_way_on, weights_before
from gradls.analysis.model import Finding
from gradls.analysis.module import FunctionNode, ModuleInfo, walk_own
from gradls.analysis.rules import rule
from gradls.analysis.tensors import DIFF, LAYER_WEIGHT_ATTRS

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
# Attributes of a variable that read no value of it, or write it: no gradient is expected through them.
_NOT_A_VALUE_READ = {"assign", "assign_add", "assign_sub", "shape", "dtype", "name", "trainable", "device"}
_NOT_TRAINABLE_LAYER_WEIGHTS = {"moving_mean", "moving_variance"}
_NOT_LOSS_FUNCS = ("metric", "log", "summar", "report", "print", "display", "eval", "accuracy")


def _arg(call: ast.Call, index: int, name: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def _wrapped(info: ModuleInfo, func: ast.AST | None, site: ast.AST) -> ast.AST | None:
    """The lambda or def that a py_function runs, when the module shows it: a name, or `self.method` of the class
    around the call (a bound method: its first parameter is the caller's `self`, see _own_names)."""
    if isinstance(func, ast.Lambda):
        return func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
        cls = _class_of(info, site)
        return cls.methods.get(func.attr) if cls is not None else None
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
    """How the wrapped Python function turns its tensors into NumPy, if it does. A `.numpy()` or NumPy call
    that reads none of its parameters or locals (`t * self.scale.numpy()`, a constant from the closure) leaves
    the inputs' recorded path whole."""
    own = _own_names(info, fn)
    for n in ast.walk(fn):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr == "numpy" and not n.args:
            if _reads(f.value, own):
                return "`.numpy()`"
            continue
        q = info.imports.qualname(f)
        if q and q.startswith("numpy.") and any(_reads(a, own) for a in [*n.args, *(k.value for k in n.keywords)]):
            return f"`{info.text(f)}`"
    return None


def _own_names(info: ModuleInfo, fn: ast.AST) -> set[str]:
    """Parameters of the wrapped function and the names its body binds: everything else it reads is a closure."""
    out: set[str] = set()
    args = fn.args if isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if args is not None:
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        if _is_method(info, fn) and params and params[0] is not None and params[0].arg == "self":
            params = params[1:]  # a bound method's `self` is the caller's object, with its variables
        for a in params:
            if a is not None:
                out.add(a.arg)
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            out.add(n.id)
    return out


def _is_method(info: ModuleInfo, fn: ast.AST) -> bool:
    """A def placed directly in a class body (not a static or class method)."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if not isinstance(info.all_parents.get(id(fn)), ast.ClassDef):
        return False
    return not any(isinstance(d, ast.Name) and d.id in {"staticmethod", "classmethod"} for d in fn.decorator_list)


def _class_of(info: ModuleInfo, node: ast.AST):
    fn = info.enclosing_function(node)
    while fn is not None:
        ff = info.facts(fn)
        if ff is None:
            return None
        if ff.cls is not None:
            return ff.cls
        fn = ff.parent
    return None


def _is_trainable_variable(info: ModuleInfo, e: ast.AST, own: set[str], site: ast.AST) -> bool:
    """Is `e`, read inside the wrapped function, a trainable variable it did not get as a parameter?"""
    if isinstance(e, ast.Name):
        if e.id in own or not isinstance(e.ctx, ast.Load):
            return False
        kind = info.tensors.kind_of(e) or info.module_objects.get(e.id)
        return kind == "variable"
    if not isinstance(e, ast.Attribute):
        return False
    base = e.value
    if isinstance(base, ast.Name) and base.id == "self" and "self" not in own:
        cls = _class_of(info, site)
        return cls is not None and e.attr in cls.variable_attrs and e.attr not in cls.frozen_attrs
    if (
        e.attr in LAYER_WEIGHT_ATTRS
        and e.attr not in _NOT_TRAINABLE_LAYER_WEIGHTS
        and isinstance(base, ast.Attribute)
        and isinstance(base.value, ast.Name)
        and base.value.id == "self"
        and "self" not in own
    ):
        cls = _class_of(info, site)
        return cls is not None and base.attr in cls.layer_attrs
    return False


def _closure_variable(info: ModuleInfo, fn: ast.AST, inp: ast.AST, site: ast.AST) -> ast.expr | None:
    """A trainable variable the wrapped function reads from its closure (`self.w.numpy()`, a global `w`) rather
    than through `inp`. TensorFlow differentiates a py_function only with respect to its inputs, so such a
    variable gets no gradient from it. Quiet when the variable is also passed in `inp`, or read outside the
    wrapped function in the function around the call (it then gets a gradient from there)."""
    own = _own_names(info, fn)
    passed = {info.text(n) for n in ast.walk(inp) if isinstance(n, (ast.Name, ast.Attribute))}
    outer = info.enclosing_function(site)
    for n in ast.walk(fn):
        if not isinstance(n, (ast.Name, ast.Attribute)) or not _is_trainable_variable(info, n, own, site):
            continue
        parent = info.all_parents.get(id(n))
        if isinstance(parent, ast.Attribute) and parent.attr in _NOT_A_VALUE_READ:
            continue
        text = info.text(n)
        if text in passed:
            continue
        if outer is not None and _read_outside(info, outer, fn, text):
            continue
        return n
    return None


def _read_outside(info: ModuleInfo, outer: ast.AST, inner: ast.AST, text: str) -> bool:
    inside = {id(n) for n in ast.walk(inner)}
    for n in ast.walk(outer):
        if id(n) in inside or not isinstance(n, (ast.Name, ast.Attribute)) or info.text(n) != text:
            continue
        parent = info.all_parents.get(id(n))
        if isinstance(parent, ast.Attribute) and parent.attr in _NOT_A_VALUE_READ:
            continue
        if _names_a_source(info, n):
            continue
        return True
    return False


def _names_a_source(info: ModuleInfo, node: ast.AST) -> bool:
    """Is `node` a variable named as what to differentiate for (`tape.gradient(loss, [w])`, `tape.watch(w)`,
    `opt.apply_gradients(...)`) rather than a value the loss is computed from?"""
    child, p = node, info.all_parents.get(id(node))
    while p is not None and not isinstance(p, ast.stmt):
        if isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute):
            if p.func.attr in {"watch", "apply_gradients"}:
                return True
            if p.func.attr in {"gradient", "jacobian", "batch_jacobian"} and not (p.args and p.args[0] is child):
                return True
        child, p = p, info.all_parents.get(id(p))
    return False


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
    """`_reads`, except reads inside `tf.stop_gradient(...)`: no gradient flows back through them (the
    straight-through estimator's `h + tf.stop_gradient(f(h) - h)`: `f` may be a NumPy function, the gradient goes
    through `h`)."""
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Call) and info.imports.qualname(n.func) in STOP_GRADIENT:
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
        if isinstance(p, ast.Call) and info.imports.qualname(p.func) in STOP_GRADIENT:
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
        if inp is None:
            continue
        if _inside_custom_gradient(info, call):
            continue  # TF differentiates a custom-gradient function with its grad_fn, never through its ops
        func = _arg(call, 0, "func")
        body = _wrapped(info, func, call)
        captured = _closure_variable(info, body, inp, call) if body is not None else None
        how = None
        if captured is None:
            if info.tensors.level_of(inp) < DIFF:
                continue  # data loading / labels only: nothing trainable goes in
            if from_unweighted_input(info, inp):
                continue  # the input of a layer applied with nothing trainable before it
            if q in _PY_FUNCTION:
                if body is None or isinstance(func, ast.Attribute):
                    # TF ops inside a py_function are differentiated: fine unless it leaves TF. A layer's own
                    # NumPy method (a decoder, a simulator) is a deliberate non-differentiable stage of the
                    # layer, not a slip in a loss: only the weights it reads behind `inp` are reported.
                    continue
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
        if captured is not None:
            name = _NO_GRADIENT.get(q) or _PY_FUNCTION[q]
            var = info.text(captured)
            msg = (
                f"`{name}`{where} runs a Python function that reads the trainable variable `{var}` from its "
                f"closure, not through `inp`: TensorFlow differentiates it only with respect to its inputs, so "
                f"`{var}` gets a `None` gradient (a Keras optimizer warns `Gradients do not exist for variables` "
                f"and leaves it unchanged); pass `{var}` in `inp` and compute with TensorFlow ops"
            )
        elif q in _NO_GRADIENT:
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
    yield from _numpy_function_in_lambda_layers(info)


def _numpy_function_in_lambda_layers(info: ModuleInfo) -> Iterator[Finding]:
    """`Lambda(lambda t: tf.numpy_function(np.tanh, [t], tf.float32), output_shape=...)` after trainable layers,
    with every use of the layer's input inside the NumPy call and nothing else carrying the weighted value on:
    no weight before the layer gets a gradient (TF 2.21: None; without `output_shape` Keras 3 cannot even build it)."""
    flow: Flow | None = None
    for layer in lambda_layers(info):
        calls = [
            n
            for expr in layer.returned
            for n in ast.walk(expr)
            if isinstance(n, ast.Call) and info.imports.qualname(n.func) in _NO_GRADIENT
        ]
        if not calls:
            continue
        inside = {id(x) for c in calls for x in ast.walk(c)}
        if any(
            isinstance(n, ast.Name) and n.id in layer.params and id(n) not in inside
            for expr in layer.returned
            for n in ast.walk(expr)
        ):
            continue  # the input also goes on past the NumPy call: a differentiable path remains
        if not weights_before(info, layer.ctor):
            continue
        flow = flow or Flow(info)
        if not only_way_on(info, flow, layer.ctor):
            continue
        for c in calls:
            name = _NO_GRADIENT[info.imports.qualname(c.func) or ""]
            if any(k.arg == "output_shape" for k in layer.ctor.keywords):
                msg = (
                    f"`{name}` in this `Lambda` layer has no gradient, and every path through the layer goes through "
                    "it: every weight before the layer gets `None` (a Keras optimizer raises `No gradients provided "
                    "for any variable`, or warns `Gradients do not exist for variables` when later layers still "
                    "train); compute it with TensorFlow ops"
                )
            else:
                msg = (
                    f"`{name}` in this `Lambda` layer: Keras 3 cannot infer the layer's output shape through it and "
                    "raises `NotImplementedError` when the model is built; given `output_shape`, the layer still has "
                    "no gradient and every weight before it gets `None`; compute it with TensorFlow ops"
                )
            yield Finding("TFG018", msg, info.span(c))
