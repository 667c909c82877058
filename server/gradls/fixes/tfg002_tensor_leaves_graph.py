"""TFG002 tensor-leaves-graph: drop the conversion and keep the TensorFlow value.

    x = inputs.numpy()                  ->  x = inputs
    np.asarray(t) / np.array(t)         ->  t
    np.asarray(t, dtype=np.float32)     ->  tf.cast(t, tf.float32)
    float(t)                            ->  tf.cast(t, tf.float32)
    t.numpy().item()                    ->  t
    tf.constant(t.numpy())              ->  t          (tf.constant of a symbolic tensor raises)

Only where keeping a tensor is right: the converted value must flow only into arithmetic, TensorFlow /
Keras calls, `tape.gradient`, a `return`, or a name whose every use is such a place.  Refused (None):
`int(t)` (an integer has no gradient either way), `copy=`/`order=`/integer `dtype=` arguments, values
used as Python numbers (`range()`, shapes and other list/tuple displays, subscripts, comparisons and
`if`, f-strings, `print`, method calls such as `.sum()`), values handed to NumPy, `tf.Variable(...)`
initialisers, and attribute / unpacking targets.

Safe only when exact: dropping `.numpy()` / `np.asarray` keeps shape and dtype; `float(t)` and `.item()`
keep the shape only when `t` is certainly a scalar (a `tf.reduce_*` / `tf.norm` without `axis`).
"""

from __future__ import annotations

import ast

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.analysis.rules.tfg002_tensor_leaves_graph import LeavesGraphFix
from gradls.fixes._imports import (
    Refuse,
    SourceContext,
    parse_module,
    tf_binding,
)

_NUMPY_CONVERSIONS = {
    "numpy.array",
    "numpy.asarray",
    "numpy.asanyarray",
    "numpy.ascontiguousarray",
    "numpy.copy",
    "keras.ops.convert_to_numpy",
}
_WITH_DTYPE = {"numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray"}
_FLOAT_DTYPES = {
    "float16": "float16",
    "float32": "float32",
    "float64": "float64",
    "double": "float64",
    "single": "float32",
    "half": "float16",
    "float_": "float64",
}
_ARITH = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult)
_SCALAR_REDUCTIONS = {
    "reduce_sum",
    "reduce_mean",
    "reduce_max",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_variance",
    "reduce_logsumexp",
    "reduce_euclidean_norm",
    "norm",
}
# TensorFlow calls that must not receive the tensor: they detach it again or need a Python value.
_TF_REFUSED = {
    "tensorflow.Variable",
    "tensorflow.constant",
    "tensorflow.py_function",
    "tensorflow.numpy_function",
    "tensorflow.print",
}
_ATOMS = (
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.Subscript,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)


_Refuse = Refuse


class _Ctx(SourceContext):
    def text(self, node: ast.AST) -> str:
        t = ast.get_source_segment(self.source, node)
        if t is None:
            raise _Refuse
        return t

    def scope_of(self, node: ast.AST) -> ast.AST:
        p = self.parent(node)
        while p is not None and not isinstance(p, _SCOPES):
            p = self.parent(p)
        return p or self.tree


def _own_walk(scope: ast.AST):
    """Nodes of `scope` itself, not of nested functions/classes (lambdas and comprehensions included)."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            todo.extend(n.decorator_list)
            continue
        todo.extend(ast.iter_child_nodes(n))


def _tensor_ok(ctx: _Ctx, node: ast.expr, seen: set[str], depth: int = 0) -> bool:
    """Does the value of `node` only go where a tensor is as good as the Python/NumPy value?"""
    if depth > 8:
        return False
    p = ctx.parent(node)
    if isinstance(p, ast.BinOp) and isinstance(p.op, _ARITH):
        return _tensor_ok(ctx, p, seen, depth + 1)
    if isinstance(p, ast.UnaryOp) and isinstance(p.op, (ast.USub, ast.UAdd)):
        return _tensor_ok(ctx, p, seen, depth + 1)
    if isinstance(p, ast.Return):
        return True
    if isinstance(p, ast.keyword):
        p = ctx.parent(p)
        if not isinstance(p, ast.Call):
            return False
    if isinstance(p, ast.Call) and node is not p.func:
        if any(isinstance(a, ast.Starred) and a.value is node for a in p.args):
            return False
        q = ctx.qual(p.func) or ""
        if q in _TF_REFUSED:
            return False
        if q.startswith(("tensorflow.", "keras.")):
            return True
        f = p.func
        if isinstance(f, ast.Attribute) and f.attr == "gradient":
            return True  # tape.gradient(target, ...)
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
            return True  # a sub-layer: self.dense(x)
        return isinstance(f, ast.Name) and f.id == "abs"
    if isinstance(p, (ast.Tuple, ast.List)) and isinstance(ctx.parent(p), ast.Return):
        return True
    if isinstance(p, ast.Dict) and node in p.values and isinstance(ctx.parent(p), ast.Return):
        return True
    if isinstance(p, ast.Assign) and node is p.value:
        if len(p.targets) != 1 or not isinstance(p.targets[0], ast.Name):
            return False
        return _name_ok(ctx, p.targets[0].id, ctx.scope_of(p), seen, depth + 1)
    return False


def _name_ok(ctx: _Ctx, name: str, scope: ast.AST, seen: set[str], depth: int) -> bool:
    if name in seen:
        return True
    seen = seen | {name}
    loads = []
    for n in _own_walk(scope):
        if isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names:
            return False
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load):
            loads.append(n)
    # Read by a nested function (or, for a module-level name, any function): we cannot follow it there.
    for n in ast.walk(scope):
        if (
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            and n is not scope
            and any(isinstance(x, ast.Name) and x.id == name for x in ast.walk(n))
        ):
            return False
    return all(_tensor_ok(ctx, n, seen, depth) for n in loads)


def _scalar(ctx: _Ctx, e: ast.expr) -> bool:
    """Certainly a scalar tensor: a full reduction (no axis, no keepdims)."""
    if not isinstance(e, ast.Call):
        return False
    q = ctx.qual(e.func) or ""
    if not q.startswith("tensorflow.") or q.rsplit(".", 1)[-1] not in _SCALAR_REDUCTIONS:
        return False
    return len(e.args) == 1 and all(k.arg == "name" for k in e.keywords)


def _paren(ctx: _Ctx, e: ast.expr) -> str:
    t = ctx.text(e)
    if isinstance(e, _ATOMS) and not (isinstance(e, ast.Tuple) and not t.startswith("(")):
        return t
    return f"({t})"


def _dtype_name(ctx: _Ctx, e: ast.expr) -> str | None:
    if isinstance(e, ast.Constant) and isinstance(e.value, str):
        return _FLOAT_DTYPES.get(e.value)
    if isinstance(e, ast.Name) and e.id == "float" and "float" not in ctx.imports.raw:
        return "float64"
    q = ctx.qual(e) or ""
    head, _, last = q.rpartition(".")
    if head in {"numpy", "tensorflow"}:
        return _FLOAT_DTYPES.get(last)
    return None


def _find_call(ctx: _Ctx, span: Span) -> ast.Call | None:
    for n in ast.walk(ctx.tree):
        if isinstance(n, ast.Call) and n.lineno == span.line and n.end_lineno == span.end_line and ctx.span(n) == span:
            return n
    return None


def build(source: str, finding: Finding, data: LeavesGraphFix) -> Fix | None:
    span, kind = data.call, data.kind
    tree = parse_module(source)
    if tree is None or kind not in {"numpy", "np", "float", "predict"}:
        return None  # int(t): an integer has no gradient whatever we write
    try:
        return _build(_Ctx(source, tree), span, kind, data)
    except (_Refuse, RecursionError):
        return None


def _build(ctx: _Ctx, span: Span, kind: str, data: LeavesGraphFix) -> Fix | None:
    call = _find_call(ctx, span)
    if call is None:
        return None
    f = call.func
    cast_to: str | None = None
    if kind == "predict":
        # model.predict(x, verbose=0) -> model(x, training=False): the same inference-mode forward pass,
        # recorded by the tape.  predict's own options (batch_size, verbose, callbacks) have no meaning here.
        if not (isinstance(f, ast.Attribute) and len(call.args) == 1 and not isinstance(call.args[0], ast.Starred)):
            return None
        model = ast.get_source_segment(ctx.source, f.value)
        x = ast.get_source_segment(ctx.source, call.args[0])
        if not model or not x or "\n" in model:
            return None
        return Fix(
            f"Call `{model}(..., training=False)` instead of `.{f.attr}()`",
            (Edit(ctx.span(call), f"{model}({x}, training=False)"),),
            safe=False,
        )
    if kind == "numpy":
        if not (isinstance(f, ast.Attribute) and f.attr == "numpy" and not call.args and not call.keywords):
            return None
        arg = f.value
        exact = True
    elif kind == "float":
        if not (isinstance(f, ast.Name) and f.id == "float" and len(call.args) == 1 and not call.keywords):
            return None
        if "float" in ctx.imports.raw or isinstance(call.args[0], ast.Starred):
            return None
        arg = call.args[0]
        cast_to = "float32"
        exact = _scalar(ctx, arg)
    else:
        q = ctx.qual(f)
        if q not in _NUMPY_CONVERSIONS or not call.args or isinstance(call.args[0], ast.Starred):
            return None
        arg = call.args[0]
        dtype = None
        rest = call.args[1:]
        if rest:
            if q not in _WITH_DTYPE or len(rest) > 1:
                return None
            dtype = rest[0]
        for k in call.keywords:
            if k.arg != "dtype" or q not in _WITH_DTYPE or dtype is not None:
                return None  # copy=, order=, ndmin=, like=, **kwargs
            dtype = k.value
        if dtype is not None:
            cast_to = _dtype_name(ctx, dtype)
            if cast_to is None:
                return None  # an integer / unknown dtype: no gradient through it either way
        exact = True
    replaced: ast.expr = call
    p = ctx.parent(call)
    if kind == "numpy" and isinstance(p, ast.Attribute) and p.attr == "item":
        gp = ctx.parent(p)
        if not (isinstance(gp, ast.Call) and gp.func is p and not gp.args and not gp.keywords):
            return None
        replaced = gp
        exact = _scalar(ctx, arg)  # item() of a (1,)-shaped array is a scalar; the tensor keeps its shape
        p = ctx.parent(gp)
    if (
        isinstance(p, ast.Call)
        and ctx.qual(p.func) == "tensorflow.constant"
        and p.args
        and p.args[0] is replaced
        and len(p.args) == 1
        and not p.keywords
    ):
        replaced = p  # tf.constant(t.numpy()) -> t: tf.constant of a symbolic tensor raises
    if not _tensor_ok(ctx, replaced, set()):
        return None
    imports: tuple[Edit, ...] = ()
    if cast_to is None:
        tight = isinstance(ctx.parent(replaced), (ast.BinOp, ast.UnaryOp))
        new = _paren(ctx, arg) if tight else ctx.text(arg)
        title = f"Keep the tensor: drop `{_short(ctx.text(replaced))}`"
    else:
        binding = tf_binding(ctx.source, ctx.tree, data.tf_alias)
        if binding is None:
            return None
        tf, imports = binding
        new = f"{tf}.cast({ctx.text(arg)}, {tf}.{cast_to})"
        title = f"Keep the tensor: `{tf}.cast(..., {tf}.{cast_to})` instead of `{_short(ctx.text(replaced))}`"
    edit = Edit(ctx.span(replaced), new)
    return Fix(title, (edit,) + imports, safe=exact)


def _short(t: str) -> str:
    t = " ".join(t.split())
    return t if len(t) <= 40 else t[:37] + "..."
