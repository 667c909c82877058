"""TFG047 zero-initialized-consecutive-layers: two chained layers whose weights both start at exactly zero, the
first with an activation that maps 0 to 0 (ReLU, tanh, linear...): the hidden output is 0 and the next kernel is 0,
so the gradient of both kernels (and of the hidden bias) is exactly zero at every step; only the last bias learns."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.names import keyword_value
from gradls.analysis.rules import rule

_DENSE = frozenset({"keras.layers.Dense", "keras.layers.EinsumDense"})
# Layers between two Dense layers that map an all-zero input to an all-zero output.
_TRANSPARENT = frozenset(
    {
        "keras.layers.Dropout",
        "keras.layers.Flatten",
        "keras.layers.Reshape",
        "keras.layers.ReLU",
        "keras.layers.Activation",
        "keras.layers.GaussianNoise",
    }
)
_INPUTS = frozenset({"keras.Input", "keras.layers.Input", "keras.layers.InputLayer"})
# Activations with f(0) = 0 (sigmoid, softplus and softmax do not: their zero layer still passes a gradient on).
_ZERO_PRESERVING = frozenset(
    {"linear", "relu", "tanh", "elu", "selu", "gelu", "swish", "silu", "leaky_relu", "relu6", "mish", "hard_silu"}
)
_ZERO_INITIALIZERS = frozenset({"zeros", "Zeros", "zero"})
_ZERO_INIT_CTORS = frozenset(
    {"keras.initializers.Zeros", "keras.initializers.zeros", "tensorflow.zeros_initializer", "keras.initializers.Zero"}
)
_ZERO_MAKERS = frozenset({"tensorflow.zeros", "numpy.zeros", "keras.ops.zeros"})
_ACTIVATION_OPS = frozenset(
    {
        "tensorflow.nn.relu",
        "tensorflow.nn.relu6",
        "tensorflow.nn.elu",
        "tensorflow.nn.selu",
        "tensorflow.nn.leaky_relu",
        "tensorflow.nn.gelu",
        "tensorflow.nn.silu",
        "tensorflow.nn.swish",
        "tensorflow.nn.tanh",
        "tensorflow.tanh",
        "tensorflow.math.tanh",
        "keras.activations.relu",
        "keras.activations.tanh",
        "keras.ops.relu",
        "keras.ops.tanh",
    }
)
_MATMULS = frozenset({"tensorflow.matmul", "tensorflow.linalg.matmul", "keras.ops.matmul"})
# What shows the program trains (a gradient, an optimizer step, fit).
_TRAINS = (".gradient(", ".fit(", "minimize(", "apply_gradients(", "train_on_batch(")


@rule(
    "TFG047",
    "zero-initialized-consecutive-layers",
    "Two chained layers whose kernels both start at zero, the first with an activation that maps 0 to 0: the hidden "
    "output and the next kernel are zero, so both kernels get exactly zero gradients at every step and never learn.",
)
def find_zero_initialized_consecutive_layers(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if "zero" not in src.lower() or not any(t in src for t in _TRAINS):
        return
    yield from _keras_layer_chains(info)
    yield from _hand_written_layers(info)


# ---------------------------------------------------------------------------------------------- Keras layers
def _is_zero_initializer(info: ModuleInfo, e: ast.expr | None) -> bool:
    if isinstance(e, ast.Constant) and isinstance(e.value, str):
        return e.value in _ZERO_INITIALIZERS
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or ""
        if q in _ZERO_INIT_CTORS:
            return True
        if q in {"keras.initializers.Constant", "keras.initializers.constant", "tensorflow.constant_initializer"}:
            v = e.args[0] if e.args else keyword_value(e, "value")
            return isinstance(v, ast.Constant) and v.value == 0 and not isinstance(v.value, bool)
    return False


def _zero_dense(info: ModuleInfo, call: ast.expr) -> bool:
    """A Dense layer constructor whose kernel starts at zero."""
    return (
        isinstance(call, ast.Call)
        and info.imports.qualname(call.func) in _DENSE
        and _is_zero_initializer(info, keyword_value(call, "kernel_initializer"))
    )


def _passes_zero(info: ModuleInfo, call: ast.Call) -> bool:
    """A zero-kernel Dense layer whose output is exactly 0 at the start: its bias starts at zero (the default, or
    none) and its activation maps 0 to 0."""
    bias_init = keyword_value(call, "bias_initializer")
    use_bias = keyword_value(call, "use_bias")
    if bias_init is not None and not _is_zero_initializer(info, bias_init):
        if not (isinstance(use_bias, ast.Constant) and use_bias.value is False):
            return False
    act = keyword_value(call, "activation")
    if act is None and len(call.args) > 1:
        act = call.args[1]
    if act is None or (isinstance(act, ast.Constant) and act.value is None):
        return True
    if isinstance(act, ast.Constant) and isinstance(act.value, str):
        return act.value in _ZERO_PRESERVING
    q = info.imports.qualname(act) or ""
    return q in _ACTIVATION_OPS or q.rsplit(".", 1)[-1] in _ZERO_PRESERVING and q.startswith(("keras.", "tensorflow."))


def _transparent(info: ModuleInfo, e: ast.expr) -> bool:
    if not isinstance(e, ast.Call):
        return False
    q = info.imports.qualname(e.func) or ""
    if q == "keras.layers.Activation":
        a = e.args[0] if e.args else keyword_value(e, "activation")
        return isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value in _ZERO_PRESERVING
    return q in _TRANSPARENT


def _sequences(info: ModuleInfo) -> Iterator[list[ast.expr]]:
    """The layer lists of `Sequential([...])` calls and the layers added one by one to a model (`m.add(...)`)."""
    added: dict[str, list[ast.expr]] = {}
    for n in info.all_nodes(ast.Call):
        q = info.imports.qualname(n.func) or ""
        if q in {"keras.Sequential", "keras.models.Sequential"}:
            layers = n.args[0] if n.args else keyword_value(n, "layers")
            if isinstance(layers, (ast.List, ast.Tuple)):
                yield list(layers.elts)
        elif (
            isinstance(n.func, ast.Attribute)
            and n.func.attr == "add"
            and isinstance(n.func.value, ast.Name)
            and len(n.args) == 1
            and isinstance(n.args[0], ast.Call)
        ):
            added.setdefault(n.func.value.id, []).append(n.args[0])
    yield from added.values()


def _keras_layer_chains(info: ModuleInfo) -> Iterator[Finding]:
    seen: set[int] = set()
    for layers in _sequences(info):
        prev: ast.Call | None = None
        for e in layers:
            if isinstance(e, ast.Call) and info.imports.qualname(e.func) in _INPUTS:
                continue
            if prev is not None and _transparent(info, e):
                continue
            if _zero_dense(info, e):
                assert isinstance(e, ast.Call)
                if prev is not None and id(prev) not in seen:
                    seen.add(id(prev))
                    yield _layer_finding(info, prev, e)
                prev = e if _passes_zero(info, e) else None
            else:
                prev = None
    yield from _functional_chains(info, seen)


def _functional_chains(info: ModuleInfo, seen: set[int]) -> Iterator[Finding]:
    """`h = Dense(8, kernel_initializer="zeros", activation="relu")(x)` then `Dense(1, kernel_initializer="zeros")(h)`."""
    made: dict[str, list[ast.Call]] = {}  # name -> the zero-output layers whose output it is bound to
    bound: dict[str, int] = {}
    for a in info.all_nodes(ast.Assign):
        for t in a.targets:
            if isinstance(t, ast.Name):
                bound[t.id] = bound.get(t.id, 0) + 1
                v = a.value
                if isinstance(v, ast.Call) and isinstance(v.func, ast.Call) and _zero_dense(info, v.func):
                    if _passes_zero(info, v.func):
                        made.setdefault(t.id, []).append(v.func)
    if not made:
        return
    for c in info.all_nodes(ast.Call):
        layer = c.func
        if not (
            isinstance(layer, ast.Call) and _zero_dense(info, layer) and c.args and isinstance(c.args[0], ast.Name)
        ):
            continue
        name = c.args[0].id
        if bound.get(name) != 1 or name not in made:
            continue
        first = made[name][0]
        if id(first) in seen:
            continue
        seen.add(id(first))
        yield _layer_finding(info, first, layer)


def _layer_finding(info: ModuleInfo, first: ast.Call, second: ast.Call) -> Finding:
    msg = (
        f"this layer and the next (`{info.text(second)[:50]}`, line {second.lineno}) both start with all-zero "
        "kernels, and this one maps 0 to 0 (its bias starts at zero and its activation keeps 0): its output is 0 and "
        "the next kernel is 0, so the gradient of both kernels and of this bias is exactly zero at every step "
        "(TF 2.21: no error, no warning); they never learn and only the last bias moves; keep the default "
        "`glorot_uniform` for the kernels (zero biases are fine)"
    )
    return Finding("TFG047", msg, info.span(first))


# ---------------------------------------------------------------------------------------------- raw variables
def _zero_variables(info: ModuleInfo) -> dict[str, ast.Assign]:
    """Names bound once in the module to `tf.Variable(tf.zeros(...))` (or `np.zeros`), never assigned to."""
    counts: dict[str, int] = {}
    found: dict[str, ast.Assign] = {}
    for n in info.all_nodes(ast.Assign):
        for t in n.targets:
            for name in [t] if isinstance(t, ast.Name) else getattr(t, "elts", []):
                if isinstance(name, ast.Name):
                    counts[name.id] = counts.get(name.id, 0) + 1
        if len(n.targets) != 1 or not isinstance(n.targets[0], ast.Name) or not isinstance(n.value, ast.Call):
            continue
        v = n.value
        if info.imports.qualname(v.func) != "tensorflow.Variable":
            continue
        init = v.args[0] if v.args else keyword_value(v, "initial_value")
        if isinstance(init, ast.Call) and info.imports.qualname(init.func) in _ZERO_MAKERS:
            found[n.targets[0].id] = n
    assigned = {
        n.func.value.id
        for n in info.all_nodes(ast.Call)
        if isinstance(n.func, ast.Attribute) and n.func.attr.startswith("assign") and isinstance(n.func.value, ast.Name)
    }
    return {k: v for k, v in found.items() if counts.get(k) == 1 and k not in assigned}


def _matmul_operands(info: ModuleInfo, e: ast.expr) -> tuple[ast.expr, ast.expr] | None:
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.MatMult):
        return e.left, e.right
    if isinstance(e, ast.Call) and info.imports.qualname(e.func) in _MATMULS and len(e.args) >= 2:
        return e.args[0], e.args[1]
    return None


def _zero_output(info: ModuleInfo, e: ast.expr, zeros: dict[str, ast.Assign]) -> str | None:
    """The zero variable `w` when `e` is exactly 0 at the start: `act(x @ w + b)`, `x @ w`, with `w` (and `b`, if
    any) zero variables and `act` mapping 0 to 0."""
    if isinstance(e, ast.Call) and info.imports.qualname(e.func) in _ACTIVATION_OPS and len(e.args) == 1:
        return _zero_output(info, e.args[0], zeros)
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
        for a, b in ((e.left, e.right), (e.right, e.left)):
            if isinstance(b, ast.Name) and b.id in zeros:
                return _zero_output(info, a, zeros)
        return None
    ops = _matmul_operands(info, e)
    if ops is not None and isinstance(ops[1], ast.Name) and ops[1].id in zeros:
        return ops[1].id
    return None


def _hand_written_layers(info: ModuleInfo) -> Iterator[Finding]:
    zeros = _zero_variables(info)
    if len(zeros) < 2:
        return
    # name -> (zero variable behind it) for names bound once to a zero output (`h = tf.nn.relu(x @ w1 + b1)`)
    hidden: dict[str, str] = {}
    counts: dict[str, int] = {}
    for a in info.all_nodes(ast.Assign):
        for t in a.targets:
            if isinstance(t, ast.Name):
                counts[t.id] = counts.get(t.id, 0) + 1
                w = _zero_output(info, a.value, zeros)
                if w is not None:
                    hidden[t.id] = w
    reported: set[str] = set()
    for node in info.all_nodes((ast.BinOp, ast.Call)):
        ops = _matmul_operands(info, node) if isinstance(node, (ast.BinOp, ast.Call)) else None
        if ops is None:
            continue
        left, right = ops
        if not (isinstance(right, ast.Name) and right.id in zeros):
            continue
        first: str | None
        if isinstance(left, ast.Name) and counts.get(left.id) == 1 and left.id in hidden:
            first = hidden[left.id]
        else:
            first = _zero_output(info, left, zeros)
        if first is None or first == right.id or right.id in reported:
            continue
        reported.add(right.id)
        made = zeros[right.id]
        msg = (
            f"`{right.id}` (line {made.lineno}) and `{first}` (line {zeros[first].lineno}) both start at exactly "
            f"zero, and what `{right.id}` multiplies is computed from `{first}` through an activation that keeps 0: "
            f"that input is 0 and `{right.id}` is 0, so the gradients of both (and of the bias between them) are "
            "exactly zero at every step (TF 2.21: no error, no warning); they never learn; initialise the weight "
            "matrices randomly (`tf.random.normal(shape, stddev=0.1)`, Glorot); zero biases are fine"
        )
        yield Finding("TFG047", msg, info.span(made.value))
