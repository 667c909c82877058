"""Function summaries: which parameters of a module function reach its return value only through an op that
passes no gradient back.

`def decode(logits): return tf.cast(tf.argmax(logits, 1), tf.float32)` summarises as "`logits` -> return is cut
by `tf.argmax` at line 2".  A caller that hands it a value computed from trainable weights and trains on the
result starves those weights, wherever the helper lives: the summary is kept in the project index too, so
`from utils import decode` in `train.py` is judged by `utils.py`'s summary.  Built without tensor levels (only
the syntax and the imports), so a project summary can carry it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from gradls.analysis.module import FunctionNode, ModuleInfo


@dataclass(frozen=True)
class ParamCut:
    """Parameter `param` (positional `index`) reaches the return value only through `op` at `line`."""

    index: int
    param: str
    op: str
    line: int
    numpy: bool = False  # the op is NumPy's (or `.numpy()`): the value leaves TensorFlow there (TFG002's, not TFG008's)


def param_cuts(info: ModuleInfo, fn: FunctionNode | ast.Lambda) -> tuple[ParamCut, ...]:
    """The cut parameters of a module-level function, a method (`index` counts the call's positional arguments:
    after `self` / `cls`, none skipped for a `@staticmethod`), a nested def or a lambda; empty for other
    decorated functions (`tf.custom_gradient` and friends define their own gradient) and unknown shapes."""
    table: dict[int, tuple[ParamCut, ...]] = info.memo(f"{__name__}.param_cuts", dict)
    found = table.get(id(fn))
    if found is None:
        found = table[id(fn)] = _lambda_cuts(info, fn) if isinstance(fn, ast.Lambda) else _param_cuts(info, fn)
    return found


def module_param_cuts(info: ModuleInfo) -> dict[str, tuple[ParamCut, ...]]:
    """Module function name (or module-level name bound once to a lambda, or `Cls.method` for a static or class
    method) -> its cut parameters, for those that have any (a project summary)."""
    out: dict[str, tuple[ParamCut, ...]] = {}
    for name, fn in info.module_functions.items():
        cuts = param_cuts(info, fn)
        if cuts:
            out[name] = cuts
    for name, lam in _module_lambdas(info).items():
        if name not in out and name not in info.module_functions:
            cuts = param_cuts(info, lam)
            if cuts:
                out[name] = cuts
    # `Cls.method` for the static and class methods of the module's top-level classes (`Decoders.labels(x)`)
    for cls_name, cls in info.classes.items():
        if info.parent(cls.node) is not info.tree:
            continue
        for name, fn in cls.methods.items():
            if any(decorator_name(info, d) in {"staticmethod", "classmethod"} for d in fn.decorator_list):
                cuts = param_cuts(info, fn)
                if cuts:
                    out[f"{cls_name}.{name}"] = cuts
    return out


# Roots of library modules: their functions are not the project's (no summary to ask).
LIBRARY_ROOTS = frozenset({"tensorflow", "keras", "tf_keras", "numpy", "scipy", "math", "jax", "torch"})


def imported_param_cuts(info: ModuleInfo, e: ast.AST) -> tuple[tuple[ParamCut, ...], str] | None:
    """(the cut parameters, its module as imported: `utils`, `.losses`) of the project function `e` names when the
    module imports it (`decode`, `utils.decode`, `from utils import decode`); None for a name of this module, a
    library's, or one not imported."""
    root = e.value if isinstance(e, ast.Attribute) else e
    if not isinstance(root, ast.Name) or root.id not in info.imports.raw:
        return None
    if (info.imports.qualname(e) or "").split(".")[0] in LIBRARY_ROOTS:
        return None
    level, target = info.imports.raw[root.id]
    return info.external_param_cuts(e), "." * level + (target.rpartition(".")[0] or target)


def call_param_cuts(info: ModuleInfo, call: ast.Call) -> tuple[ParamCut, ...] | None:
    """The cut parameters of the function of this module `call` runs, indexed by the call's positional
    arguments: a module function or a nested def called by name, a method called on an instance
    (`self.decode(x)`) or a static/class method on its class (`Helpers.decode(x)`), a name bound only to a
    lambda.  None when the callee is not one of this module's (another module's may still be known)."""
    from gradls.analysis.regions import _method_of, resolve_callee
    from gradls.analysis.tapes import plain_scope, resolve_defs

    f = call.func
    caller = info.enclosing_function(call)
    callee = resolve_callee(info, call, caller)
    if callee is not None:
        if callee.cls is not None and callee.parent is None and not isinstance(f, ast.Attribute):
            return ()  # a class's method reached by a bare name: not a call this summary indexes
        return param_cuts(info, callee.node)
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in info.classes:
        method = _method_of(info, info.classes[f.value.id], f.attr)
        if method is None:
            return None
        if not any(decorator_name(info, d) in {"staticmethod", "classmethod"} for d in method.node.decorator_list):
            return ()  # `Cls.method(obj, x)`: the instance is passed too, the index would be off by one
        return param_cuts(info, method.node)
    if not isinstance(f, ast.Name) or f.id not in _lambda_names(info):
        return None
    if caller is None:
        lam = _module_lambdas(info).get(f.id)
        return param_cuts(info, lam) if lam is not None else None
    found = resolve_defs(info, plain_scope(info, caller), f.id)
    if found is None or len(found[0]) != 1:
        return None
    (d,) = found[0]
    if isinstance(d, ast.Assign) and len(d.targets) == 1 and isinstance(d.value, ast.Lambda):
        return param_cuts(info, d.value)
    return None


def _lambda_names(info: ModuleInfo) -> frozenset[str]:
    """Every name some `name = lambda ...` of the module binds (a quick filter before a scope lookup)."""

    def build() -> frozenset[str]:
        return frozenset(
            t.id
            for n in info.all_nodes(ast.Assign)
            if isinstance(n.value, ast.Lambda)
            for t in n.targets
            if isinstance(t, ast.Name)
        )

    return info.memo(f"{__name__}.lambda_names", build)


def _module_lambdas(info: ModuleInfo) -> dict[str, ast.Lambda]:
    """Module-level names bound exactly once, to a lambda (`decode = lambda t: tf.argmax(t, 1)`)."""

    def build() -> dict[str, ast.Lambda]:
        from gradls.analysis.tapes import module_scope

        mod = module_scope(info)
        out: dict[str, ast.Lambda] = {}
        for n in info.tree.body:
            if (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name)
                and isinstance(n.value, ast.Lambda)
            ):
                defs = mod.defs(n.targets[0].id)
                if defs is not None and len(defs) == 1:
                    out[n.targets[0].id] = n.value
        return out

    return info.memo(f"{__name__}.module_lambdas", build)


# Decorators that leave a function's body running as written when it is called (shared with model_reads).
TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod", "tensorflow.function"})


def decorator_name(info: ModuleInfo, d: ast.expr) -> str:
    """`staticmethod` / `classmethod` by name, else the decorator's (or decorator factory's) qualified name."""
    f = d.func if isinstance(d, ast.Call) else d
    if isinstance(f, ast.Name) and f.id in {"staticmethod", "classmethod"}:
        return f.id
    return info.imports.qualname(f) or ""


def _param_cuts(info: ModuleInfo, fn: FunctionNode) -> tuple[ParamCut, ...]:
    from gradls.analysis.flow import Flow

    kinds = {decorator_name(info, d) for d in fn.decorator_list}
    if kinds - TRANSPARENT_DECORATORS:
        return ()  # decorated: tf.custom_gradient and friends define their own gradient
    ff = info.facts(fn)
    if ff is None:
        return ()
    if ff.cls is not None and ff.parent is None:
        # A method called on an instance (`self.custom_loss(y, pred)`; not one Keras calls, which reaches its
        # loss its own way): its first parameter is the instance (the class for a classmethod), not an argument.
        if ff.keras_method:
            return ()
        skip = 0 if "staticmethod" in kinds else 1
    elif ff.parent is not None or info.module_functions.get(fn.name) is fn:
        skip = 0  # a nested def or a module function
    else:
        return ()
    body = info.own_nodes(fn)  # also records the parents the flow walks
    flow: Flow = info.memo(f"{__name__}.flow", lambda: Flow(info))
    cutting = [n for n in body if isinstance(n, ast.Call) and _cutting_op(info, flow, n)]
    if not cutting:
        return ()
    reaching = [c for c in cutting if flow.reaches_return(c, fn, cut=False)]
    if not reaching:
        return ()
    reaching.sort(key=lambda c: (c.lineno, c.col_offset))
    # The op to name: one whose output reaches the return without a stop_gradient or an index position on the
    # way (`tf.round(tf.stop_gradient(hard - soft) + soft)`: the round, not the argmin that only picks `hard`).
    unstopped = [c for c in reaching if flow.reaches_return(c, fn, cut="index")]
    candidates = unstopped or reaching
    op = next((c for c in candidates if not _numpy_op(info, c)), candidates[0])  # a TensorFlow op first
    a = fn.args
    out: list[ParamCut] = []
    params = [x.arg for x in [*a.posonlyargs, *a.args]][skip:]
    loads: dict[str, list[ast.Name]] = {}  # one pass over the body for every parameter
    for n in body:
        if type(n) is ast.Name and type(n.ctx) is ast.Load:
            loads.setdefault(n.id, []).append(n)
    for i, p in enumerate(params):
        uses = loads.get(p, [])
        if not uses or not any(flow.reaches_return(u, fn, cut=False) for u in uses):
            continue  # never reaches the return (or only through what the flow cannot follow)
        if any(flow.reaches_return(u, fn, cut=True) for u in uses):
            continue  # a differentiable path exists
        out.append(
            ParamCut(
                i,
                p,
                info.text(op) if _numpy_op(info, op) else (info.text(op.func) or "an op"),
                op.lineno,
                _numpy_op(info, op),
            )
        )
    return tuple(out)


def _lambda_cuts(info: ModuleInfo, lam: ast.Lambda) -> tuple[ParamCut, ...]:
    """`lambda t: tf.cast(tf.argmax(t, 1), tf.float32)`: the parameters every use of which in the body is an
    argument of an op with no gradient for it (the body is the returned value)."""
    from gradls.analysis.flow import Flow

    flow: Flow = info.memo(f"{__name__}.flow", lambda: Flow(info))
    parents = {id(c): n for n in ast.walk(lam.body) for c in ast.iter_child_nodes(n)}
    a = lam.args
    out: list[ParamCut] = []
    for i, p in enumerate(x.arg for x in [*a.posonlyargs, *a.args]):
        uses = [n for n in ast.walk(lam.body) if isinstance(n, ast.Name) and n.id == p and isinstance(n.ctx, ast.Load)]
        ops: list[ast.Call] = []
        for u in uses:
            op = _cut_above(info, flow, u, parents)
            if op is None:
                break
            ops.append(op)
        else:
            if ops:
                op = min(ops, key=lambda c: (c.lineno, c.col_offset))
                out.append(ParamCut(i, p, info.text(op.func) or "an op", op.lineno))
    return tuple(out)


def _cut_above(info: ModuleInfo, flow, use: ast.AST, parents: dict[int, ast.AST]) -> ast.Call | None:
    """The innermost TensorFlow call above `use` that passes no gradient back into the argument holding it;
    None when a differentiable path leads from `use` to the top (or the shape is one not followed)."""
    cur: ast.AST = use
    up = parents.get(id(cur))
    while up is not None:
        if isinstance(up, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return None  # a nested scope may rebind the name
        if isinstance(up, ast.Call) and cur is not up.func:
            arg = cur.value if isinstance(cur, ast.keyword) else cur
            if _cutting_op(info, flow, up) and flow.is_cut(up, arg) == "nondiff":
                return up
        cur, up = up, parents.get(id(up))
    return None


def _cutting_op(info: ModuleInfo, flow, call: ast.Call) -> bool:
    """A TensorFlow / keras.ops call with no gradient for some argument (argmax, round, an integer cast...), or a
    NumPy call / `.numpy()` (the value leaves TensorFlow)."""
    if _numpy_op(info, call):
        return True
    q = info.imports.qualname(call.func) or ""
    if not q.startswith(("tensorflow.", "keras.ops.")):
        return False
    return any(flow.is_cut(call, a) == "nondiff" for a in call.args)


def _numpy_op(info: ModuleInfo, call: ast.Call) -> bool:
    """`np.asarray(t)`, `np.exp(t)`, `t.numpy()`: a NumPy value from here on."""
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr == "numpy" and not call.args and not call.keywords:
        return True
    return (info.imports.qualname(f) or "").startswith("numpy.") and bool(call.args)
