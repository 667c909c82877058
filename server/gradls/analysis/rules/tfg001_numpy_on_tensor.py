"""TFG001 numpy-on-tensor: a NumPy function applied to a tensor in differentiable code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import EAGER, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.rules._common import consequence_mode, only_logged
from gradls.analysis.tensors import DIFF, TENSOR

# NumPy functions that compute on their inputs.  Conversions (np.array, np.asarray, float
# casts) belong to TFG002; argmax/round & co. carry no gradient in TensorFlow either.
NUMPY_COMPUTE = {
    "multiply",
    "add",
    "subtract",
    "divide",
    "true_divide",
    "power",
    "float_power",
    "negative",
    "reciprocal",
    "dot",
    "matmul",
    "vdot",
    "inner",
    "outer",
    "tensordot",
    "einsum",
    "kron",
    "cross",
    "sum",
    "mean",
    "average",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "std",
    "var",
    "cumsum",
    "cumprod",
    "median",
    "nansum",
    "nanmean",
    "nanmax",
    "nanmin",
    "ptp",
    "trace",
    "diff",
    "logsumexp",
    "exp",
    "expm1",
    "exp2",
    "log",
    "log1p",
    "log2",
    "log10",
    "sqrt",
    "cbrt",
    "square",
    "abs",
    "absolute",
    "fabs",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "arctan2",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arctanh",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "clip",
    "where",
    "hypot",
    "erf",
    "heaviside",
    "sinc",
    "concatenate",
    "concat",
    "stack",
    "vstack",
    "hstack",
    "dstack",
    "column_stack",
    "split",
    "tile",
    "repeat",
    "transpose",
    "reshape",
    "expand_dims",
    "squeeze",
    "flip",
    "roll",
    "moveaxis",
    "swapaxes",
    "pad",
    "take",
    "linalg.norm",
    "linalg.inv",
    "linalg.det",
    "linalg.solve",
    "linalg.svd",
    "linalg.eigh",
    "linalg.cholesky",
    "linalg.pinv",
    "linalg.slogdet",
    "linalg.qr",
}


@dataclass(frozen=True)
class NumpyCallFix(FixData):
    """The NumPy call to rewrite with TensorFlow ops: its span, its canonical name (`numpy.mean`), the module's
    TensorFlow alias."""

    call: Span
    func: str
    tf_alias: str | None


def _numpy_compute(info: ModuleInfo, call: ast.Call, roots: set[str]) -> str | None:
    """The qualified name of `call` when it is a NumPy function that computes on its arguments (`numpy.dot`...);
    `roots`, the names that can start a NumPy reference, filter before the name is resolved."""
    root = call.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name) or root.id not in roots:
        return None
    q = info.imports.qualname(call.func)
    if not q or not q.startswith("numpy.") or q[len("numpy.") :] not in NUMPY_COMPUTE:
        return None
    return q


@rule(
    "TFG001",
    "numpy-on-tensor",
    "A NumPy function on a tensor returns a NumPy array: the tape stops recording there and the gradient "
    "is silently None (eager), or tracing raises `NotImplementedError: Cannot convert a symbolic tf.Tensor "
    "to a numpy array` (tf.function, Keras fit).",
)
def find_numpy_on_tensor(info: ModuleInfo) -> Iterator[Finding]:
    if not info.imports.uses("numpy"):
        return
    tf_alias = info.imports.alias_of("tensorflow")
    # Names that can start a NumPy reference (`np`, `numpy`, `from numpy import sum`): a cheap filter
    # before resolving the qualified name of every call in differentiable code.
    roots = {name for name, q in info.imports.aliases.items() if q == "numpy" or q.startswith("numpy.")}
    generators = _Generators(info)
    for node, modes in info.region_nodes(ast.Call):
        q = _numpy_compute(info, node, roots)
        if q is None:
            continue
        levels = [info.tensors.level_of(a) for a in node.args] + [info.tensors.level_of(k.value) for k in node.keywords]
        top = max(levels, default=0)
        mode = consequence_mode(modes)
        short = "np." + q[len("numpy.") :]
        if mode == EAGER:
            # Eagerly NumPy only hurts when the value depends on trainable weights and reaches the loss.
            if top < DIFF or only_logged(info, node) or _feeds_sampling_or_index(info, node, generators):
                continue
            msg = (
                f"`{short}` on a tensor returns a NumPy array: the GradientTape stops recording here, so "
                "gradients of the weights behind it are silently None"
            )
        else:
            if top < TENSOR:
                continue
            ff = info.facts(info.enclosing_function(node))
            where = ff.why if ff and ff.why else "this code"
            msg = (
                f"`{short}` on a symbolic tensor: tracing {where} raises `NotImplementedError: Cannot convert a "
                "symbolic tf.Tensor to a numpy array` (use the TensorFlow op)"
            )
        span = info.span(node)
        yield Finding("TFG001", msg, span, NumpyCallFix(span, q, tf_alias))
    yield from _numpy_in_layer_lambdas(info, roots, tf_alias)


def _numpy_in_layer_lambdas(info: ModuleInfo, roots: set[str], tf_alias: str | None) -> Iterator[Finding]:
    """A NumPy function on the input of a `lambda` handed to a Keras layer (`Lambda(lambda t: np.log1p(t))`,
    `activation=lambda x: np.tanh(x)`): the layer runs it on its input. Measured under TF 2.21: a Lambda without
    `output_shape` raises `NotImplementedError` as the model is built (its output shape cannot be inferred), any of
    them under `fit` (a symbolic tensor cannot be converted to a NumPy array); called eagerly, the layer returns a
    NumPy array and the weights before it get None gradients. A named function handed to a layer is a region of its
    own (`regions._seed_layer_callables`)."""
    if "lambda" not in info.source:
        return
    from gradls.analysis.module import is_keras_layer_ctor

    if info.legacy_keras:
        return  # not measured under Keras 2
    for ctor in info.all_nodes(ast.Call):
        if not any(isinstance(v, ast.Lambda) for v in [*ctor.args, *(k.value for k in ctor.keywords)]):
            continue
        cq = info.imports.qualname(ctor.func) or ""
        if not is_keras_layer_ctor(cq) or info.imports.is_keras2(ctor.func):
            continue
        layer = cq.rsplit(".", 1)[-1]
        # The function the layer runs on its input: a Lambda's / an Activation's first argument, an activation
        # keyword (not `output_shape=`, `mask=`, which get shapes and masks).
        run = [k.value for k in ctor.keywords if k.arg and "activation" in k.arg]
        if layer in {"Lambda", "Activation"}:
            run += [k.value for k in ctor.keywords if k.arg in {"function", "activation"}] + ctor.args[:1]
        for fn in run:
            if not isinstance(fn, ast.Lambda) or not fn.args.args:
                continue
            param = fn.args.args[0].arg
            for node in ast.walk(fn.body):
                if not isinstance(node, ast.Call):
                    continue
                q = _numpy_compute(info, node, roots)
                if q is None:
                    continue
                if not any(_reads(a, param) for a in [*node.args, *(k.value for k in node.keywords)]):
                    continue
                short = "np." + q[len("numpy.") :]
                msg = (
                    f"`{short}` on the input of the function handed to `{layer}` at line {ctor.lineno}: where Keras "
                    f"runs it on a symbolic tensor (under `fit`; a `Lambda` without `output_shape` as the model is "
                    f"built) it raises `NotImplementedError`, and called eagerly it returns a NumPy array, so the "
                    f"weights before it get None gradients; use the TensorFlow op"
                )
                span = info.span(node)
                yield Finding("TFG001", msg, span, NumpyCallFix(span, q, tf_alias))


def _reads(e: ast.AST, name: str) -> bool:
    """Does `e` read `name`, other than inside a nested lambda that rebinds it?"""
    if isinstance(e, ast.Name):
        return e.id == name and isinstance(e.ctx, ast.Load)
    if isinstance(e, ast.Lambda) and name in {a.arg for a in e.args.args}:
        return False
    return any(_reads(c, name) for c in ast.iter_child_nodes(e))


_PY_SCALAR_BUILTINS = {"int", "float", "bool", "len", "round", "str", "repr"}


def _feeds_sampling_or_index(info: ModuleInfo, node: ast.AST, generators: _Generators) -> bool:
    """Eagerly, a NumPy value that only picks an action or an index (`np.random.choice(p=np.squeeze(probs))`)
    cuts nothing: the gradient still flows through the tensor it was read from."""
    child, p = node, info.parent(node)
    while p is not None and not isinstance(p, ast.stmt):
        if isinstance(p, ast.Call) and child is not p.func:
            q = info.imports.qualname(p.func) or ""
            if q.startswith("numpy.") and q[len("numpy.") :] not in NUMPY_COMPUTE:
                return True
            if isinstance(p.func, ast.Name) and p.func.id in _PY_SCALAR_BUILTINS and q == "":
                return True
            if generators.is_method(p.func):
                return True
        if isinstance(p, ast.Subscript) and child is p.slice:
            return True
        child, p = p, info.parent(p)
    return False


_GENERATORS = {"numpy.random.RandomState", "numpy.random.default_rng", "numpy.random.Generator"}


class _Generators:
    """`rng.choice(...)` with `rng` bound only to `np.random.RandomState(...)` / `np.random.default_rng(...)`: a
    sampling call, like `np.random.choice`; what it returns is a drawn value or index, not a gradient path.

    The module's assignments are read once per check, into the values bound to each name (a scan of every
    assignment per call made a script with many calls quadratic)."""

    def __init__(self, info: ModuleInfo):
        self.info = info
        self._values: dict[str, list[ast.expr]] | None = None
        self._answers: dict[str, bool] = {}

    def is_method(self, func: ast.AST) -> bool:
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return False
        name = func.value.id
        answer = self._answers.get(name)
        if answer is None:
            if self._values is None:
                self._values = {}
                for n in self.info.all_nodes(ast.Assign):
                    # each assignment once per name it binds, in the module's walk order
                    for target in dict.fromkeys(t.id for t in n.targets if isinstance(t, ast.Name)):
                        self._values.setdefault(target, []).append(n.value)
            values = self._values.get(name, [])
            answer = self._answers[name] = bool(values) and all(
                isinstance(v, ast.Call) and (self.info.imports.qualname(v.func) or "") in _GENERATORS for v in values
            )
        return answer
