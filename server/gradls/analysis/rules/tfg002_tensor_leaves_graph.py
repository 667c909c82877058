"""TFG002 tensor-leaves-graph: `.numpy()`, `np.array(t)`, `float(t)`, `int(t)` ... on a tensor in
differentiable code, where TensorFlow loses the gradient or raises."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.custom_gradient import custom_gradient_parameter, inside_custom_gradient
from gradls.analysis.eager_guards import runs_only_eagerly
from gradls.analysis.flow import Flow
from gradls.analysis.function_summaries import imported_param_cuts
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import AUTOGRAPH, EAGER, GRAPH, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.step_facts import compile_loss_targets
from gradls.analysis.tensors import DIFF, TENSOR

NUMPY_CONVERSIONS = {
    "numpy.array",
    "numpy.asarray",
    "numpy.asanyarray",
    "numpy.ascontiguousarray",
    "numpy.copy",
    "keras.ops.convert_to_numpy",
}
# The legacy `tf.keras.backend.get_value` / `eval` return `x.numpy()` for a tensor (keras/src/legacy/backend.py).
_BACKEND_GET_VALUE = {"keras.backend.get_value", "keras.backend.eval", "keras.backend.batch_get_value"}
# Keras `predict` runs the model in its own loop and hands back NumPy arrays.
_PREDICT_METHODS = {"predict", "predict_on_batch"}
# Keras `evaluate` runs its own loop too and hands back Python floats.
_EVALUATE_METHODS = {"evaluate", "test_on_batch"}
_NOT_LOSS_RETURNS = {"train_step", "test_step", "predict_step"}
# Keras `get_weights` returns `[v.numpy() for v in weights]` (keras/src/layers/layer.py): traced, a variable's
# numpy() raises.
_WEIGHT_COPIES = {"get_weights"}


def _conversion(info: ModuleInfo, node: ast.Call) -> tuple[str, ast.expr] | None:
    """(kind, converted expression): kind is 'numpy', 'np', 'float', 'int' or 'predict'; None for no conversion."""
    f = node.func
    if isinstance(f, ast.Attribute) and f.attr == "numpy" and not node.args and not node.keywords:
        return "numpy", f.value
    if isinstance(f, ast.Name) and f.id in {"float", "int"} and len(node.args) == 1 and not node.keywords:
        if f.id in info.imports.aliases:
            return None
        return f.id, node.args[0]
    q = info.imports.qualname(f)
    if q in NUMPY_CONVERSIONS and node.args:
        return "np", node.args[0]
    if q in _BACKEND_GET_VALUE and node.args:
        return "get_value", node.args[0]
    if node.args and info.tensors.kind_of(f) == "metric":
        # `mse = keras.metrics.MeanSquaredError(); loss = mse(y, pred)`: the worst-levelled argument
        return "metric", max(node.args, key=info.tensors.level_of)
    if (
        isinstance(f, ast.Attribute)
        and f.attr == "result"
        and not node.args
        and isinstance(f.value, ast.Name)
        and info.tensors.kind_of(f.value) == "metric"
    ):
        # `mse.update_state(y, pred)` then `loss = mse.result()`: what the metric was updated with
        updates = _metric_updates(info, node, f.value.id)
        if updates:
            return "metric", max(updates, key=info.tensors.level_of)
    if (
        isinstance(f, ast.Attribute)
        and f.attr in _PREDICT_METHODS
        and node.args
        and info.tensors.kind_of(f.value) == "layer"
    ):
        return "predict", f.value
    if (
        isinstance(f, ast.Attribute)
        and f.attr in _EVALUATE_METHODS
        and node.args
        and info.tensors.kind_of(f.value) == "layer"
    ):
        return "evaluate", f.value
    if (
        isinstance(f, ast.Attribute)
        and f.attr in _WEIGHT_COPIES
        and not node.args
        and not node.keywords
        and _keras_weight_owner(info, f.value)
    ):
        return "get_weights", f.value
    return None


def _keras_weight_owner(info: ModuleInfo, receiver: ast.expr) -> bool:
    """A Keras layer / model, or a receiver of unknown kind when no class of the module defines its own
    `get_weights` (a model made by a helper method, `self.encoder = self.create_encoder()`)."""
    kind = info.tensors.kind_of(receiver)
    if kind == "layer":
        return True
    if kind is not None:
        return False
    return not any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in _WEIGHT_COPIES
        for n in info.all_nodes((ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _metric_updates(info: ModuleInfo, result: ast.Call, metric: str) -> list[ast.expr]:
    """The arguments of `metric.update_state(...)` calls in the function (or module body) that reads
    `metric.result()` at `result`, made before it."""
    scope = info.enclosing_function(result) or info.tree
    out: list[ast.expr] = []
    for n in info.walk(scope):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "update_state"
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == metric
            and (n.lineno, n.col_offset) < (result.lineno, result.col_offset)
        ):
            out.extend(n.args)
    return out


def _metric_as_loss(info: ModuleInfo, node: ast.Call) -> Finding:
    f = node.func
    metric = f.value if isinstance(f, ast.Attribute) and f.attr == "result" else f
    msg = (
        f"`{info.text(metric)}` is a Keras metric, and its result reaches the loss: a metric accumulates its "
        "value in state variables (updated with `assign`), which is not differentiable, so every gradient "
        "through it is silently `None` (a Keras optimizer then raises `No gradients provided for any variable`); "
        "use the loss of the same name from `keras.losses` (metrics are for reporting)"
    )
    return Finding("TFG002", msg, info.span(node), None)


def _guarded_eager_only(info: ModuleInfo, node: ast.AST) -> bool:
    """Inside `if tf.executing_eagerly():`, or in a function handed to tf.py_function / numpy_function."""
    p = info.parent(node)
    while p is not None:
        if isinstance(p, ast.If) and "executing_eagerly" in info.text(p.test):
            return True
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if _passed_to_py_function(info, p.name):
                return True
        p = info.parent(p)
    return False


def _passed_to_py_function(info: ModuleInfo, name: str) -> bool:
    if "py_function" not in info.source and "numpy_function" not in info.source and "py_func" not in info.source:
        return False
    for n in info.all_nodes(ast.Call):
        if (info.imports.qualname(n.func) or "").rsplit(".", 1)[-1] in {
            "py_function",
            "numpy_function",
            "py_func",
        }:
            for a in [*n.args, *[k.value for k in n.keywords]]:
                if isinstance(a, ast.Name) and a.id == name:
                    return True
    return False


def _in_a_tape_block(info: ModuleInfo, node: ast.AST) -> bool:
    """Inside the body of a `with tf.GradientTape() as tape:` block of its own function."""
    p = info.parent(node)
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        if isinstance(p, (ast.With, ast.AsyncWith)) and any(info.is_tape_ctor(item.context_expr) for item in p.items):
            return True
        p = info.parent(p)
    return False


def _reaches_objective(info: ModuleInfo, flow: Flow, node: ast.AST) -> bool:
    for s in flow.sinks(node, cut=False):
        if s[0] in {"grad", "add_loss"}:
            return True
        if s[0] == "return":
            fn = info.enclosing_function(node)
            while fn is not None and id(fn) != s[1]:
                fn = info.enclosing_function(fn)
            if fn is None:
                continue
            ff = info.facts(fn)
            if ff is not None and ff.modes and fn.name not in _NOT_LOSS_RETURNS:
                return True
    return False


def _computes_array(info: ModuleInfo, call: ast.Call) -> bool:
    """A NumPy / `math` / TensorFlow function of its arguments (not `append` itself, nor a check like `isfinite`)."""
    q = info.imports.qualname(call.func) or ""
    last = q.rsplit(".", 1)[-1]
    return q.startswith(("numpy.", "math.", "tensorflow.", "keras.ops.")) and last not in {"append", "isfinite"}


def _collected_into_objective(info: ModuleInfo, flow: Flow, node: ast.AST) -> bool:
    """`losses.append(float(loss))` and later `dist(losses)` on the way to the loss: the list carries the Python
    values on (tensorflow#30190), although an `append` is otherwise where a logged value stops. The element may
    be computed from the converted value first (`log_probs.append(np.log(probs.numpy()[a]))`)."""
    call = info.parent(node)
    while (
        (isinstance(call, ast.Subscript) and call.value is node)
        or isinstance(call, (ast.BinOp, ast.UnaryOp))
        or (isinstance(call, ast.Call) and node in call.args and _computes_array(info, call))
    ):
        node, call = call, info.parent(call)
    if not (
        isinstance(call, ast.Call)
        and node in call.args
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in {"append", "extend", "insert"}
        and isinstance(call.func.value, ast.Name)
    ):
        return False
    # A script's top-level loop (a policy-gradient episode) collects into a module-level list the same way.
    scope: ast.AST = info.enclosing_function(node) or info.tree
    name = call.func.value.id
    for n in info.own_nodes(scope):
        if not (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)):
            continue
        up = info.parent(n)
        if isinstance(up, ast.Attribute) and up.attr in {"append", "extend", "insert"}:
            continue  # another element going in, not the list going on
        if _reaches_objective(info, flow, n):
            return True
    return False


@dataclass(frozen=True)
class LeavesGraphFix(FixData):
    """The call that leaves the graph (`kind`: numpy, np, float, predict, int) and the module's TensorFlow alias."""

    call: Span
    kind: str
    tf_alias: str | None


@rule(
    "TFG002",
    "tensor-leaves-graph",
    "`.numpy()`, `np.array(t)`, `float(t)` or `int(t)` turns a tensor into a Python/NumPy value: eagerly the "
    "gradient through it is silently None; in `tf.function` and Keras `fit` it raises (`AttributeError`, "
    "`NotImplementedError`, `TypeError`), and inside `tf.function` `int(t)` becomes an integer cast with no gradient.",
)
def find_tensor_leaves_graph(info: ModuleInfo) -> Iterator[Finding]:
    flow: Flow | None = None
    tf_alias = info.imports.alias_of("tensorflow")
    functions_eager = "run_functions_eagerly(True)" in info.source
    for node, modes in info.region_nodes():
        via_list = False
        if not isinstance(node, ast.Call):
            continue
        conversion = _conversion(info, node)
        if conversion is None:
            continue
        kind, arg = conversion
        level = DIFF if kind in {"predict", "evaluate", "get_weights"} else info.tensors.level_of(arg)
        if level < TENSOR:
            continue
        if kind == "metric":
            if level >= DIFF:
                flow = flow or Flow(info)
                if _reaches_objective(info, flow, node):
                    yield _metric_as_loss(info, node)
            continue
        if GRAPH in modes:
            mode = GRAPH
        elif AUTOGRAPH in modes and not functions_eager:
            mode = AUTOGRAPH
        else:
            mode = EAGER
        if mode != EAGER and (_guarded_eager_only(info, node) or runs_only_eagerly(info, node)):
            continue
        if kind in {"predict", "evaluate"} and mode != EAGER:
            continue  # traced code cannot run Keras' predict loop at all: not a gradient question
        if kind == "get_weights" and mode == EAGER:
            # Eagerly a NumPy copy of the weights, read on purpose (saving, logging, copying to a target network),
            # unless it feeds a loss a tape differentiates (`reg = sum(tf.reduce_sum(w ** 2) for w in
            # model.get_weights())`): that term then has no gradient, silently.
            flow = flow or Flow(info)
            if not (_in_a_tape_block(info, node) and _reaches_objective(info, flow, node)):
                continue
            msg = (
                f"`{info.text(node)}` returns NumPy copies of `{info.text(arg)}`'s weights, and they reach the loss "
                "differentiated here: the term computed from them has no gradient (silently; a weight penalty built "
                f"this way regularizes nothing); read the variables instead (`{info.text(arg)}.trainable_weights`)"
            )
            yield Finding("TFG002", msg, info.span(node), None)
            continue
        if mode == EAGER and inside_custom_gradient(info, node):
            continue  # eagerly the custom grad_fn, not the tape, defines the gradient here
        ff = info.facts(info.enclosing_function(node))
        where = ff.why if ff and ff.why else "this code"
        shown = (
            info.text(node)
            if len(info.text(node)) <= 40
            else {"numpy": "`.numpy()`", "np": "np.asarray(...)"}.get(kind, f"{kind}(...)")
        )
        shown = shown if shown.startswith("`") else f"`{shown}`"
        if kind == "get_weights":
            msg = (
                f"{shown} copies every weight of `{info.text(arg)}` with `.numpy()`: tracing {where} raises "
                "`NotImplementedError: numpy() is only available when eager execution is enabled.`; read the "
                f"variables (`{info.text(arg)}.weights`) and update them with `assign`"
            )
        elif mode == GRAPH or (mode == AUTOGRAPH and kind in {"numpy", "np", "get_value"}):
            err = {
                "numpy": "`AttributeError: 'SymbolicTensor' object has no attribute 'numpy'`",
                "get_value": "`AttributeError: 'SymbolicTensor' object has no attribute 'numpy'` (it calls `.numpy()`)",
                "np": "`NotImplementedError: Cannot convert a symbolic tf.Tensor to a numpy array`",
                "float": "`TypeError: float() argument must be a string or a real number, not 'SymbolicTensor'`",
                "int": "`TypeError: int() argument must be a string, a bytes-like object or a real number, not 'SymbolicTensor'`",
            }[kind]
            what = "a symbolic tensor"
            if kind == "numpy" and info.tensors.kind_of(arg) == "variable" and not custom_gradient_parameter(info, arg):
                # A variable stays a variable when traced; its own numpy() refuses instead of being absent.
                what = "a variable"
                err = "`NotImplementedError: numpy() is only available when eager execution is enabled.`"
            msg = f"{shown} on {what}: tracing {where} raises {err}; keep the TensorFlow value"
        elif mode == AUTOGRAPH:
            if kind == "float" or level < DIFF:
                continue  # AutoGraph turns float(t) into tf.cast: the gradient flows
            flow = flow or Flow(info)
            if not _reaches_objective(info, flow, node):
                continue
            msg = (
                f"{shown} inside {where}: AutoGraph turns it into a cast to int32, which has no gradient, so "
                "`tape.gradient` returns None for the weights behind it"
            )
        else:
            if level < DIFF:
                continue
            flow = flow or Flow(info)
            if not _reaches_objective(info, flow, node):
                # Dropping the conversion alone would leave a list of tensors going into NumPy: no quick fix.
                via_list = _collected_into_objective(info, flow, node)
                if not via_list:
                    continue
            if kind == "evaluate":
                msg = (
                    f"{shown} returns Python floats computed in Keras' own loop, outside the GradientTape, and they "
                    f"reach the loss: every gradient of `{info.text(arg)}`'s weights is silently None; compute the "
                    f"loss from `{info.text(arg)}(x, training=True)` inside the tape instead"
                )
            elif kind == "predict":
                msg = (
                    f"{shown} returns a NumPy array computed outside the GradientTape, and it reaches the loss: "
                    f"every gradient through it is silently None (`{info.text(arg)}`'s weights, and those of whatever "
                    f"computed its inputs, such as an actor whose actions it scores); call the model "
                    f"(`{info.text(arg)}(x, training=False)`) inside the tape instead"
                )
            else:
                msg = (
                    f"{shown} turns a tensor computed from trainable weights into a Python/NumPy value that reaches "
                    "the loss: the GradientTape stops recording here, so their gradients are silently None "
                    "(`.numpy()` is fine for logging only)"
                )
        span = info.span(node)
        yield Finding(
            "TFG002",
            msg,
            span,
            None if kind in {"evaluate", "get_weights"} or via_list else LeavesGraphFix(span, kind, tf_alias),
        )
    yield from _metric_compiled_as_loss(info)
    yield from _numpy_inside_imported_helpers(info)
    yield from _numpy_in_imported_compiled_losses(info)


def _metric_compiled_as_loss(info: ModuleInfo) -> Iterator[Finding]:
    """`model.compile(loss=keras.metrics.AUC())` (or a name bound to a metric object): Keras calls the metric as
    the loss, which updates its state variables and returns their ratio, so every gradient is None and `fit`
    raises `No gradients provided for any variable` (Keras 3 and tf_keras alike, measured with TF 2.21; even
    `keras.metrics.MeanSquaredError()`, whose loss namesake trains)."""
    for value, _call in compile_loss_targets(info):
        if not (
            info.object_kind(value) == "metric"
            or (isinstance(value, ast.Name) and info.tensors.kind_of(value) == "metric")
            or (isinstance(value, ast.Name) and info.module_objects.get(value.id) == "metric")
        ):
            continue
        msg = (
            f"`{info.text(value)}` is a Keras metric object compiled as the loss: Keras calls it on every batch, "
            "it updates its state variables (with `assign`, not differentiable) and returns their result, so every "
            "gradient is `None` and `fit` raises `No gradients provided for any variable`; compile the matching "
            "loss from `keras.losses` and pass the metric as `metrics=[...]`"
        )
        yield Finding("TFG002", msg, info.span(value), None)


def _numpy_inside_imported_helpers(info: ModuleInfo) -> Iterator[Finding]:
    """`out = normalize(model(x))` in differentiated code, where `normalize` (another module of the project) turns
    its argument into a NumPy array (`np.asarray(t)`, `t.numpy()`) on the only way to its result: the value reaching
    the loss carries no gradient, though the conversion is out of sight (a helper of this module is judged inside
    it, where the engine follows the call)."""
    if not info.imports.raw:
        return
    flow: Flow | None = None
    for node, _modes in info.region_nodes(ast.Call):
        f = node.func
        if not node.args or not isinstance(f, (ast.Name, ast.Attribute)):
            continue
        imported = imported_param_cuts(info, f)
        if imported is None:
            continue
        for c in imported[0]:
            if not c.numpy or c.index >= len(node.args) or isinstance(node.args[c.index], ast.Starred):
                continue
            if info.tensors.level_of(node.args[c.index]) < DIFF:
                continue
            flow = flow or Flow(info)
            if not _reaches_objective(info, flow, node):
                continue
            where = f"`{imported[1]}`, line {c.line}"
            msg = (
                f"`{info.text(f)}` turns `{c.param}` into a NumPy value (`{c.op}`, {where}) on its only way to the "
                "result, and the result reaches the loss: the GradientTape stops recording there, so every gradient "
                "through it is silently None (a Keras optimizer then raises `No gradients provided for any "
                "variable`); keep the helper in TensorFlow ops (`tf.math`, `tf.reduce_mean`...)"
            )
            yield Finding("TFG002", msg, info.span(node), None)
            break


def _numpy_in_imported_compiled_losses(info: ModuleInfo) -> Iterator[Finding]:
    """`model.compile(loss=rmsle)` where `rmsle` (another module of the project) passes `y_pred` to its result only
    through NumPy: Keras traces a compiled loss, so `fit` raises `NotImplementedError: Cannot convert a symbolic
    tf.Tensor to a numpy array` (with `run_eagerly=True`, every gradient is None instead)."""
    if info.project is None or "compile" not in info.source:
        return
    for v, _call in compile_loss_targets(info):
        if not isinstance(v, ast.Name):
            continue
        imported = imported_param_cuts(info, v)
        if imported is None:
            continue
        cut = next((c for c in imported[0] if c.index == 1 and c.numpy), None)
        if cut is None:
            continue
        module = imported[1]
        msg = (
            f"the loss `{v.id}` passed to `compile()` turns `{cut.param}` into a NumPy value (`{cut.op}`, "
            f"`{module}`, line {cut.line}): Keras traces a compiled loss, so `fit` raises `NotImplementedError: "
            "Cannot convert a symbolic tf.Tensor to a numpy array` (with `run_eagerly=True` every gradient is None "
            "instead); write the loss with TensorFlow ops"
        )
        yield Finding("TFG002", msg, info.span(v), None)
