"""TFG008 non-differentiable-op: argmax / round / integer casts / comparisons (None gradient) or
`tf.sign` (zero gradient) as the only route from trainable weights to the loss."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from gradls.analysis.call_sites import function_uses
from gradls.analysis.custom_gradient import inside_custom_gradient
from gradls.analysis.dtypes import is_int_cast
from gradls.analysis.flow import Flow, cut_roots, inside_stop_gradient
from gradls.analysis.function_summaries import ParamCut, call_param_cuts, imported_param_cuts
from gradls.analysis.keras_graph import functional_graphs, keras_layer_owns_weights, layer_graph, model_calls
from gradls.analysis.lambda_layers import class_applied_after_weights, lambda_layers, only_way_on, weights_before
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.step_facts import compile_loss_targets, custom_loss_functions, param_names
from gradls.analysis.tensors import DIFF

# op name -> what TensorFlow gives back for its input
NONE_GRAD_OPS = {
    "argmax",
    "argmin",
    "round",
    "floor",
    "ceil",
    "rint",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    # integer / boolean results: sampled or counted, never differentiated
    "argsort",
    "categorical",
    "multinomial",
    "count_nonzero",
    "searchsorted",
    "bucketize",
    "histogram_fixed_width",
    "in_top_k",
    "bincount",
    "non_max_suppression",
    "non_max_suppression_padded",
    "non_max_suppression_with_scores",
    "confusion_matrix",
    "unique_with_counts",
    "floordiv",
    "is_nan",
    "is_inf",
    "is_finite",
    "reduce_any",
    "reduce_all",
}
ZERO_GRAD_OPS = {"sign"}
# tf.image ops whose kernels have no registered gradient: `tape.gradient` raises `LookupError: gradient registry has
# no entry for: AdjustContrastv2` (checked in TF 2.21's gradient registry; rgb_to_hsv, crop_and_resize... have one)
NO_REGISTERED_GRADIENT = {
    "adjust_contrast": "AdjustContrastv2",
    "adjust_hue": "AdjustHue",
    "adjust_saturation": "AdjustSaturation",
}
_COMPARE_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq)


# NumPy's index/rounding functions on a tensor: an integer (or rounded) NumPy array, no gradient either way
# (TFG001 leaves these to this rule: they would cut the gradient as TensorFlow ops too).
_NUMPY_NO_GRADIENT = {"argmax", "argmin", "round", "around", "rint", "floor", "ceil"}


# Keras' accuracy functions compare (or argmax / top_k) the prediction and cast the hits to float
# (keras/src/metrics/accuracy_metrics.py): used as a loss, every gradient through them is None.
_ACCURACY_FUNCTIONS = {
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
}


def _accuracy_prediction(node: ast.Call) -> ast.AST | None:
    """The `y_pred` argument of `keras.metrics.<accuracy>(y_true, y_pred)`."""
    if len(node.args) > 1:
        return node.args[1]
    return next((k.value for k in node.keywords if k.arg == "y_pred"), None)


# Ops with several outputs of which some are integer indices, with no gradient (TF 2.21 registers gradients for
# the values only): op name -> the positions of those outputs.
_INDEX_OUTPUTS = {"top_k": (1,), "max_pool_with_argmax": (1,), "approx_max_k": (1,), "approx_min_k": (1,)}


def _index_outputs(info: ModuleInfo, node: ast.AST) -> tuple[str, tuple[int, ...]] | None:
    """(`tf.math.top_k`, positions) when `node` calls a TensorFlow / Keras op with index outputs."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    q = info.imports.qualname(node.func) or ""
    if not q.startswith(("tensorflow.", "keras.ops.")):
        return None
    last = q.rsplit(".", 1)[-1]
    if last not in _INDEX_OUTPUTS:
        return None
    return ("tf." if q.startswith("tensorflow.") else "keras.ops.") + q.split(".", 1)[1], _INDEX_OUTPUTS[last]


def _op_of(info: ModuleInfo, node: ast.AST) -> tuple[str | None, list[ast.AST]]:
    """(label, differentiable inputs) when `node` is a non-differentiable op."""
    if isinstance(node, ast.Call):
        q = info.imports.qualname(node.func) or ""
        if q.startswith("keras.metrics.") and q.rsplit(".", 1)[-1] in _ACCURACY_FUNCTIONS:
            pred = _accuracy_prediction(node)
            return (f"`{info.text(node.func)}` (a metric)", [pred]) if pred is not None else (None, [])
        if q.startswith("numpy.") and q[len("numpy.") :] in _NUMPY_NO_GRADIENT and node.args:
            return "np." + q[len("numpy.") :], [node.args[0]]
        if not q.startswith(("tensorflow.", "keras.ops.")) or not node.args:
            return None, []
        last = q.rsplit(".", 1)[-1]
        short = ("tf." if q.startswith("tensorflow.") else "keras.ops.") + last
        if last in {"categorical", "multinomial"}:
            short = "tf.random." + last
        if q == "tensorflow.image." + last and last in NO_REGISTERED_GRADIENT:
            return "tf.image." + last, [node.args[0]]
        if q == "tensorflow.unique":
            return "tf.unique", [node.args[0]]
        if last in NONE_GRAD_OPS or last in ZERO_GRAD_OPS:
            return short, list(
                node.args[:2]
                if last in {"equal", "not_equal", "greater", "greater_equal", "less", "less_equal"}
                else node.args[:1]
            )
        if q in {"tensorflow.where", "tensorflow.compat.v1.where"} and len(node.args) == 1 and not node.keywords:
            # `tf.where(cond)` alone returns the int64 coordinates where `cond` holds: no gradient.
            return "`tf.where(cond)` (the indices where it holds)", [node.args[0]]
        if last == "cast" and is_int_cast(info, node):
            return f"`{info.text(node.args[1]) if len(node.args) > 1 else 'integer'}` cast", [node.args[0]]
        return None, []
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "indices"
        and isinstance(node.value, ast.Call)
        and node.value.args
        and (info.imports.qualname(node.value.func) or "").rsplit(".", 1)[-1] == "top_k"
    ):
        return "`top_k(...).indices`", [node.value.args[0]]
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and (multi := _index_outputs(info, node.value)) is not None
        and node.slice.value in multi[1]
    ):
        # `tf.math.top_k(scores, k)[1]`: the indices output
        assert isinstance(node.value, ast.Call)
        return f"`{multi[0]}(...)[{node.slice.value}]` (its indices)", [node.value.args[0]]
    if isinstance(node, ast.Compare) and all(isinstance(o, _COMPARE_OPS) for o in node.ops):
        return "comparison", [node.left, *node.comparators]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv):
        return "floor division", [node.left, node.right]
    return None, []


@rule(
    "TFG008",
    "non-differentiable-op",
    "argmax/argmin, round/floor/ceil, casts to integer or bool and comparisons have no gradient (`tape.gradient` "
    "returns None), and `tf.sign` has a zero gradient: on the only route from trainable weights to the loss the "
    "weights before them never learn.",
)
def find_non_differentiable_op(info: ModuleInfo) -> Iterator[Finding]:
    flow: Flow | None = None
    for node, _modes in info.region_nodes():
        if not isinstance(node, (ast.Call, ast.Compare, ast.Attribute, ast.BinOp, ast.Subscript)):
            continue
        label, inputs = _op_of(info, node)
        if label is None:
            continue
        diff_inputs = [a for a in inputs if info.tensors.level_of(a) >= DIFF]
        if not diff_inputs or inside_custom_gradient(info, node):
            continue
        flow = flow or Flow(info, follow_appends=True)
        if inside_stop_gradient(info, flow, node):
            continue
        cut: list[str] = []
        for a in diff_inputs:
            for r in cut_roots(info, flow, node, a, through_indices=True)[0]:
                if r not in cut:
                    cut.append(r)
        if not cut or _callers_keep_a_path(info, flow, node, cut):
            continue
        shown = ", ".join(f"`{c}`" for c in cut[:3])
        if label == "tf.sign" or label == "keras.ops.sign":
            what = (
                f"`{label}` has a registered ZERO gradient and is the only route from {shown} to the loss: no None, "
                "no warning, but those weights never learn"
            )
        elif label == "tf.unique":
            what = (
                f"`tf.unique` has no registered gradient and is on the way from {shown} to the differentiated value: "
                "`tape.gradient` raises `LookupError: gradient registry has no entry for: Unique`"
            )
        elif label.startswith("tf.image.") and label[len("tf.image.") :] in NO_REGISTERED_GRADIENT:
            what = (
                f"`{label}` has no registered gradient and is on the way from {shown} to the differentiated value: "
                "`tape.gradient` raises `LookupError: gradient registry has no entry for: "
                f"{NO_REGISTERED_GRADIENT[label[len('tf.image.') :]]}`"
            )
        else:
            shown_op = label if label.startswith("`") else f"`{label}`"
            if label in {"comparison", "floor division"}:
                shown_op = f"the {label} `{info.text(node)}`"
            if info.builds_tf1_graphs and _in_tf1_graph(info, node):
                what = (
                    f"{shown_op} is not differentiable and is the only route from {shown} to the loss of this TF 1 "
                    "graph: `tf.gradients` gives None for those weights, and `optimizer.minimize` raises `ValueError: "
                    "No gradients provided for any variable` (or trains only the others)"
                )
            else:
                what = (
                    f"{shown_op} is not differentiable and is the only route from {shown} to the loss: `tape.gradient` "
                    "returns None for those weights (Keras optimizers warn `Gradients do not exist for variables` or "
                    "raise `No gradients provided for any variable`)"
                )
        if label.endswith("(a metric)"):
            # An accuracy counts hits: its differentiable counterpart is the matching cross-entropy loss.
            msg = (
                what
                + "; train on a loss (`keras.losses.binary_crossentropy` / `categorical_crossentropy`) and keep the accuracy for reporting"
            )
        else:
            msg = what + "; use a differentiable surrogate (softmax, sigmoid, a straight-through estimator)"
        yield Finding("TFG008", msg, info.span(node), None)
    yield from _unpacked_index_outputs(info)
    yield from _accuracy_compiled_as_loss(info)
    yield from _cut_inside_helpers(info)
    yield from _cut_in_lambda_layers(info)
    yield from _cut_in_layer_classes(info)
    yield from _cut_between_functional_layers(info)
    yield from _cut_in_custom_losses(info)
    yield from _cut_in_imported_losses(info)
    yield from _cut_in_dataset_functions(info)
    yield from _weights_read_in_dataset_map(info)
    yield from _fresh_model_only_in_dataset_map(info)


def _accuracy_compiled_as_loss(info: ModuleInfo) -> Iterator[Finding]:
    """`model.compile(loss=keras.metrics.binary_accuracy)`: the accuracy compares (or takes an argmax) and casts,
    so Keras' loss has no gradient and `fit` raises `No gradients provided for any variable` (TF 2.21, Keras 3 and
    tf_keras)."""
    for value, _call in compile_loss_targets(info):
        q = info.imports.qualname(value) if isinstance(value, (ast.Name, ast.Attribute)) else None
        if not q or q.rsplit(".", 1)[-1] not in _ACCURACY_FUNCTIONS or ".metrics." not in f".{q}":
            continue
        msg = (
            f"`{info.text(value)}` compiled as the loss counts hits by comparison / argmax and a cast, which have no "
            "gradient: every gradient is None and `fit` raises `No gradients provided for any variable`; compile "
            "the matching cross-entropy (`keras.losses.binary_crossentropy` / `categorical_crossentropy`) and pass "
            "the accuracy as `metrics=[...]`"
        )
        yield Finding("TFG008", msg, info.span(value), None)


def _unpacked_index_outputs(info: ModuleInfo) -> Iterator[Finding]:
    """`values, idx = tf.math.top_k(scores, k)` where only `idx` (int32, no gradient) carries the weights behind
    `scores` to the loss: `tape.gradient` returns None for them. The values output is differentiable, so a loss
    that also reads `values` trains them."""
    flow: Flow | None = None
    for node, _modes in info.region_nodes(ast.Call):
        multi = _index_outputs(info, node)
        if multi is None or info.tensors.level_of(node.args[0]) < DIFF:
            continue
        stmt = info.parent(node)
        if not (
            isinstance(stmt, ast.Assign)
            and stmt.value is node
            and len(stmt.targets) == 1
            and isinstance(target := stmt.targets[0], (ast.Tuple, ast.List))
            and not any(isinstance(e, ast.Starred) for e in target.elts)
        ):
            continue
        index_names = [e.id for i, e in enumerate(target.elts) if i in multi[1] and isinstance(e, ast.Name)]
        value_names = [e.id for i, e in enumerate(target.elts) if i not in multi[1] and isinstance(e, ast.Name)]
        if not index_names or inside_custom_gradient(info, node):
            continue
        flow = flow or Flow(info, follow_appends=True)
        if inside_stop_gradient(info, flow, node):
            continue
        sc = flow.scope_of(node)
        index_sinks: set = set()
        for name in index_names:
            for use in sc.uses(name, stmt):
                index_sinks |= flow.sinks(use, cut="index") or flow.sinks(use, cut=False)
        if not index_sinks:
            continue
        value_sinks: set = set()
        for name in value_names:
            for use in sc.uses(name, stmt):
                value_sinks |= flow.sinks(use, cut=True)
        cut: list[str] = []
        for root in flow.roots(node.args[0]):
            targets = [s for s in index_sinks if flow.differentiated(root, s, node)]
            if not targets:
                continue
            other = flow.root_other_sinks(root, node, node) | value_sinks
            if any(s not in other for s in targets) and root not in cut:
                cut.append(root)
        if not cut:
            continue
        shown = ", ".join(f"`{c}`" for c in cut[:3])
        idx = ", ".join(f"`{n}`" for n in index_names)
        msg = (
            f"{idx}, the indices `{multi[0]}` returns, are integers with no gradient and the only route from {shown} "
            "to the loss: `tape.gradient` returns None for those weights (Keras optimizers warn `Gradients do not "
            "exist for variables` or raise `No gradients provided for any variable`); the values output is "
            "differentiable: build the loss from it (or gather the scores with the indices)"
        )
        yield Finding("TFG008", msg, info.span(node), None)


def _callers_keep_a_path(info: ModuleInfo, flow: Flow, node: ast.AST, roots: list[str]) -> bool:
    """The op cuts only parameters of a plain module-level helper on their way to its return value
    (`def neighbours(p): return dist(p) < r`): the weights behind the argument starve only where a caller has no
    other way from them to its loss (`tf.reduce_sum(mask * e) + tf.reduce_sum(p)` keeps one). True when every
    call site keeps such a path, so the op is no bug of this program."""
    fn = info.enclosing_function(node)
    if fn is None or info.module_functions.get(fn.name) is not fn:
        return False
    ff = info.facts(fn)
    if ff is None or ff.keras_method or ff.custom_gradient or any(f is fn for _, f in info.tape_withs):
        return False
    if any(f is fn for f, _, _ in custom_loss_functions(info)):
        return False  # Keras calls a compiled loss itself: no call site of ours to judge
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    if not set(roots) <= set(positional) | {a.arg for a in fn.args.kwonlyargs}:
        return False
    uses = function_uses(info).get(fn.name, [])
    if not uses or any(call is None for call, _ in uses):
        return False  # never called here, or handed on as a value (Lambda, map, compile): judged here
    for call, _ in uses:
        assert call is not None
        for r in roots:
            arg = next((k.value for k in call.keywords if k.arg == r), None)
            if arg is None and r in positional and positional.index(r) < len(call.args):
                arg = call.args[positional.index(r)]
            if arg is None or isinstance(arg, ast.Starred):
                return False
            if cut_roots(info, flow, call, arg)[0]:
                return False  # this caller reaches its loss from the argument only through the helper
    return True


def _cut_in_lambda_layers(info: ModuleInfo) -> Iterator[Finding]:
    """`Lambda(lambda t: tf.round(t))` between trainable layers: every path from the layer's input to its
    output goes through an op with no gradient, so no weight before the layer gets one."""
    flow: Flow | None = None
    for layer in lambda_layers(info):
        ops = _cutting_ops(info, layer.returned, layer.params)
        if not ops:
            continue
        if not weights_before(info, layer.ctor):
            wrt = _input_gradient_through(info, layer.ctor)
            if wrt is not None:
                for op in ops:
                    label, _ = _op_of(info, op)
                    shown_op = f"`{label}`" if label and not label.startswith("`") else (label or "this op")
                    yield Finding(
                        "TFG008",
                        f"{shown_op} has no gradient, and this `Lambda` is the only way from `{wrt[1]}`'s input on: "
                        f"`{wrt[2]}.gradient` with respect to `{wrt[0]}`, the tensor `{wrt[1]}` is run on, returns "
                        "None (feature visualisation, saliency and adversarial steps then fail on it); move the "
                        "conversion out of the model, or use a differentiable surrogate",
                        info.span(op),
                        None,
                    )
            continue
        flow = flow or Flow(info, follow_appends=True)
        if not only_way_on(info, flow, layer.ctor):
            continue  # the weighted value also goes on past the Lambda
        for op in ops:
            label, _ = _op_of(info, op)
            shown_op = f"`{label}`" if label and not label.startswith("`") else (label or "this op")
            if label == "comparison":
                shown_op = f"the comparison `{info.text(op)}`"
            if label in {"tf.sign", "keras.ops.sign"}:
                what = f"{shown_op} has a registered ZERO gradient"
                result = "the layers before it get zero gradients and never learn (no None, no warning)"
            else:
                what = f"{shown_op} is not differentiable"
                result = (
                    "`tape.gradient` returns None for every weight before it (Keras optimizers warn "
                    "`Gradients do not exist for variables`, or raise `No gradients provided for any variable`)"
                )
            msg = (
                f"{what}, and every path through this `Lambda` layer goes through it: {result}; use a "
                "differentiable surrogate or a straight-through estimator (`x + tf.stop_gradient(tf.round(x) - x)`)"
            )
            yield Finding("TFG008", msg, info.span(op), None)


def _input_gradient_through(info: ModuleInfo, ctor: ast.Call) -> tuple[str, str, str] | None:
    """`Lambda(f)(inp)` with `inp = keras.Input(...)` bound once at module level and read only there and as the
    input of `m = keras.Model(inp, ...)`, and `m(v)` run where a tape records that takes the gradient with respect to
    the name `v`: (`v`, `m`, the tape's name); None otherwise."""
    parent = info.all_parents.get(id(ctor))
    if not (isinstance(parent, ast.Call) and parent.func is ctor and len(parent.args) == 1):
        return None
    arg = parent.args[0]
    if not isinstance(arg, ast.Name) or info.enclosing_function(parent) is not None:
        return None
    stores = [n for n in info.all_nodes(ast.Name) if n.id == arg.id and not isinstance(n.ctx, ast.Load)]
    loads = [n for n in info.all_nodes(ast.Name) if n.id == arg.id and isinstance(n.ctx, ast.Load)]
    if len(stores) != 1 or len(loads) != 2:
        return None
    bound = info.all_parents.get(id(stores[0]))
    if not (
        isinstance(bound, ast.Assign)
        and isinstance(bound.value, ast.Call)
        and (info.imports.qualname(bound.value.func) or "") in {"keras.Input", "keras.layers.Input"}
    ):
        return None
    other = next(n for n in loads if n is not arg)
    model_call = info.all_parents.get(id(other))
    if isinstance(model_call, ast.keyword) and model_call.arg == "inputs":
        model_call = info.all_parents.get(id(model_call))
    elif not (isinstance(model_call, ast.Call) and model_call.args and model_call.args[0] is other):
        return None
    if not (
        isinstance(model_call, ast.Call)
        and (info.imports.qualname(model_call.func) or "") in {"keras.Model", "keras.models.Model"}
    ):
        return None
    holder = info.all_parents.get(id(model_call))
    if not (isinstance(holder, ast.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0], ast.Name)):
        return None
    model = holder.targets[0].id
    from gradls.analysis.tapes import source_elements, tape_scopes

    for scope in tape_scopes(info):
        for tape in scope.tapes:
            wrt = {
                e.id
                for tc in tape.calls
                if tc.method == "gradient"
                for e in source_elements(tc.sources)
                if isinstance(e, ast.Name)
            }
            if not wrt:
                continue
            for n in scope.recorded(tape):
                if (
                    isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name)
                    and n.func.id == model
                    and n.args
                    and isinstance(n.args[0], ast.Name)
                    and n.args[0].id in wrt
                ):
                    return n.args[0].id, model, tape.name
    return None


def _cutting_ops(info: ModuleInfo, returned: list[ast.expr], params: set[str]) -> list[ast.AST]:
    """Non-differentiable ops that every use of the input parameters in the returned expressions passes
    through (a use outside them would carry the gradient)."""
    out: list[ast.AST] = []
    for expr in returned:
        ops = [
            n
            for n in ast.walk(expr)
            if isinstance(n, (ast.Call, ast.Compare))
            and _op_of(info, n)[0] is not None
            and any(isinstance(x, ast.Name) and x.id in params for x in ast.walk(n))
        ]
        if not ops:
            continue
        inside = {id(x) for op in ops for x in ast.walk(op)}
        free_uses = [n for n in ast.walk(expr) if isinstance(n, ast.Name) and n.id in params and id(n) not in inside]
        if free_uses:
            continue
        # Report the outermost cutting ops only.
        nested = {id(x) for op in ops for x in ast.walk(op) if x is not op}
        out.extend(op for op in ops if id(op) not in nested)
    return out


def _cut_in_layer_classes(info: ModuleInfo) -> Iterator[Finding]:
    """A Keras layer class of this module whose `call` passes its input to its output only through ops with no
    gradient (`tf.cast(tf.cast(x * 10, tf.int32), tf.float32)`), used after layers that own weights: no weight
    before it gets a gradient, although its own output is a float tensor and training runs."""
    flow: Flow | None = None
    for cls in info.classes.values():
        call = cls.methods.get("call")
        if cls.keras_kind != "layer" or call is None or len(call.args.args) < 2:
            continue
        body = info.own_nodes(call)
        if not any(isinstance(n, (ast.Call, ast.Compare)) and _op_of(info, n)[0] is not None for n in body):
            continue
        flow = flow or Flow(info, follow_appends=True)
        x = call.args.args[1].arg
        uses = [n for n in body if isinstance(n, ast.Name) and n.id == x and isinstance(n.ctx, ast.Load)]
        out = ("return", id(call))
        if not uses or not any(out in flow.sinks(u, cut=False) for u in uses):
            continue  # the input never reaches the output: another kind of bug
        if any(out in flow.sinks(u, cut=True) for u in uses):
            continue  # a differentiable path exists
        facts = info.facts(call)
        returned = [r.value for r in facts.returns] if facts is not None else []
        if all(_shape_query(info, flow, u) for u in uses) or any(_non_float_result(info, v) for v in returned):
            continue  # the input is read for its shape only, or the layer returns a mask / indices by design
        if not class_applied_after_weights(info, cls.node.name):
            continue  # nothing trainable before it: no weight starves (checked last: it walks the module)
        for op in _outermost_cuts(info, flow, info.own_nodes(call), out):
            label = _op_of(info, op)[0] or "this op"
            msg = _cut_before_layers(
                info,
                op,
                label,
                f"every path from the input of `{cls.node.name}.call` to its output goes through it",
                "`tape.gradient` returns None for every weight before this layer (Keras optimizers warn "
                "`Gradients do not exist for variables`, or raise `No gradients provided for any variable`)",
                "`x + tf.stop_gradient(tf.round(x) - x)`",
            )
            yield Finding("TFG008", msg, info.span(op), None)
            break  # one finding per layer: the first cut on the path


def _outermost_cuts(info: ModuleInfo, flow: Flow, nodes: Iterable[ast.AST], out: object) -> list[ast.AST]:
    """The ops with no gradient among `nodes` whose value reaches `out`, outside any stop_gradient; an op nested
    in another listed one is the same cut and left out."""
    ops = [
        n
        for n in nodes
        if isinstance(n, (ast.Call, ast.Compare))
        and _op_of(info, n)[0] is not None
        and out in flow.sinks(n, cut=False)
        and not inside_stop_gradient(info, flow, n)
    ]
    nested = {id(c) for op in ops for c in ast.walk(op) if c is not op}
    return [o for o in ops if id(o) not in nested]


def _in_tf1_graph(info: ModuleInfo, node: ast.AST) -> bool:
    """Built into a TF 1 graph: a module-level statement, or a function called while one is built."""
    fn = info.enclosing_function(node)
    ff = info.facts(fn) if fn is not None else None
    return fn is None or (ff is not None and ff.builds_tf1_graph)


def _cut_in_custom_losses(info: ModuleInfo) -> Iterator[Finding]:
    """A loss given to `compile()` (or a `keras.losses.Loss.call`) whose `y_pred` reaches the returned loss only
    through ops with no gradient (`tf.argsort(y_pred)`): every weight of the model gets None, and `fit` raises
    `No gradients provided for any variable`."""
    flow: Flow | None = None
    for fn, index, how in custom_loss_functions(info):
        params = param_names(fn)
        if index >= len(params):
            continue
        body = info.own_nodes(fn)
        if not any(isinstance(n, (ast.Call, ast.Compare)) and _op_of(info, n)[0] is not None for n in body):
            continue
        flow = flow or Flow(info, follow_appends=True)
        y_pred = params[index]
        uses = [n for n in body if isinstance(n, ast.Name) and n.id == y_pred and isinstance(n.ctx, ast.Load)]
        # Judge the parameter's own reads: after `y_pred = tf.cast(y_pred > 0.5, "float32")` the rebound name
        # reaches the loss freely, but what it holds has already been cut.
        uses = [u for u in uses if not flow.scope_of(u).reaching_defs(y_pred, u)]
        out = ("return", id(fn))
        if not uses or not any(out in flow.sinks(u, cut=False) for u in uses):
            continue  # the prediction never reaches the loss: another bug (TFG019)
        if any(out in flow.sinks(u, cut=True) for u in uses) or all(_shape_query(info, flow, u) for u in uses):
            continue
        reads_pred = [n for n in body if any(isinstance(x, ast.Name) and x.id == y_pred for x in ast.walk(n))]
        for op in _outermost_cuts(info, flow, reads_pred, out):
            label = _op_of(info, op)[0] or "this op"
            msg = _cut_before_layers(
                info,
                op,
                label,
                f"every path from `{y_pred}` to the loss ({how}) goes through it",
                "every weight of the model gets a None gradient (`fit` raises `No gradients provided for any "
                "variable`)",
                "a soft surrogate such as a sigmoid/softmax of scaled differences",
            )
            yield Finding("TFG008", msg, info.span(op), None)
            break


def _cut_between_functional_layers(info: ModuleInfo) -> Iterator[Finding]:
    """`h = Dense(8)(inp); h = keras.ops.round(h); out = Dense(1)(h); Model(inp, out)`: the op is recorded in the
    model's graph, and every path from the first Dense to the output goes through it, so that layer never
    gets a gradient (under `fit` too)."""
    if not model_calls(info):
        return
    graph = layer_graph(info)
    feeds_output = graph.model_output_names()
    flow: Flow | None = None
    for a in graph.assigns:
        if not any(name in feeds_output for t in a.targets for name in _target_names(t)):
            continue
        for op in ast.walk(a.value):
            if not isinstance(op, (ast.Call, ast.Compare)):
                continue
            label, inputs = _op_of(info, op)
            q = info.imports.qualname(op.func) if isinstance(op, ast.Call) else None
            if label is None or label.startswith("tf.") or (q or "").startswith("tensorflow."):
                continue  # a `tf.*` op (`tf.cast` too) on a symbolic Keras tensor raises instead (TFG015)
            weighted = [x for x in inputs if isinstance(x, (ast.Name, ast.Call)) and graph.weighted(x)]
            if not weighted:
                continue
            source = weighted[0]
            if isinstance(source, ast.Name):
                flow = flow or Flow(info, follow_appends=True)
                sc = flow.scope_of(a)
                defining = [s for s, _ in sc.reaching_defs(source.id, a)]
                if len(defining) != 1:
                    continue
                uses = sc.uses(source.id, defining[0])
                if any(not any(_within(sc, u, c) for c in _cut_ops(info, a.value)) for u in uses):
                    continue  # the weighted value also reaches the output another way
            # else `ops.cast(Dense(4)(inp), "int32")`: the layer's output made for this op alone
            shown = source.id if isinstance(source, ast.Name) else info.text(source)
            msg = _cut_before_layers(
                info,
                op,
                label,
                f"it sits between the model's layers on the only path from `{shown}` to the output",
                "every layer before it gets a None gradient (`fit` warns `Gradients do not exist for variables` "
                "and leaves them untrained, or raises `No gradients provided for any variable`)",
                "`x + ops.stop_gradient(ops.round(x) - x)`",
            )
            yield Finding("TFG008", msg, info.span(op), None)
            break


def _target_names(t: ast.AST) -> list[str]:
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _target_names(e)]
    return []


def _cut_ops(info: ModuleInfo, e: ast.AST) -> list[ast.AST]:
    return [n for n in ast.walk(e) if isinstance(n, (ast.Call, ast.Compare)) and _op_of(info, n)[0] is not None]


def _within(sc, node: ast.AST, outer: ast.AST) -> bool:
    return sc.contains(outer, node)


def _cut_in_imported_losses(info: ModuleInfo) -> Iterator[Finding]:
    """`compile(loss=rank_loss)` where `rank_loss` comes from another module of the project and passes its `y_pred`
    on to the loss only through ops with no gradient (its summary): as for a loss of this module, every weight of
    the model gets None and `fit` raises `No gradients provided for any variable`. Reported at the name given to
    `compile()`, the op being out of sight."""
    if info.project is None:
        return
    for v, _call in compile_loss_targets(info):
        if not isinstance(v, ast.Name):
            continue
        imported = imported_param_cuts(info, v)
        if imported is None:
            continue
        cut = next((c for c in imported[0] if c.index == 1 and not c.numpy), None)
        if cut is None:
            continue
        module = imported[1]
        result = (
            "which has a ZERO gradient: every weight of the model gets zeros and `fit` trains nothing, with no warning"
            if cut.op.rsplit(".", 1)[-1] in ZERO_GRAD_OPS
            else "which is not differentiable: every weight of the model gets a None gradient (`fit` raises `No "
            "gradients provided for any variable`)"
        )
        msg = (
            f"the loss `{v.id}` passed to `compile()` passes `{cut.param}` on to its result only through "
            f"`{cut.op}` (`{module}`, line {cut.line}), {result}; use a differentiable surrogate (a soft surrogate "
            "such as a sigmoid/softmax of scaled differences)"
        )
        yield Finding("TFG008", msg, info.span(v), None)


def _cut_inside_helpers(info: ModuleInfo) -> Iterator[Finding]:
    """`pred = decode(model(x))` where `decode` (in this module or another of the project) passes its argument
    on only through `tf.argmax`: the weights behind the argument get no gradient, though the op is out of sight."""
    flow: Flow | None = None
    for node, _modes in info.region_nodes(ast.Call):
        if not node.args or not isinstance(node.func, (ast.Name, ast.Attribute)):
            continue
        # a function of this module: module-level, nested, a method, a static/class method, a lambda bound to a name
        local = call_param_cuts(info, node)
        cuts: tuple[ParamCut, ...]
        if local is not None:
            cuts = local
            where = "line {line}"
        else:
            # a function of another module of the project, or `Cls.method` of a class imported from one
            imported = imported_param_cuts(info, node.func)
            if imported is None:
                continue
            cuts, module = imported
            where = f"`{module}`, line {{line}}"
        for c in cuts:
            if c.numpy or c.index >= len(node.args) or isinstance(node.args[c.index], ast.Starred):
                continue  # a NumPy cut is TFG002's (in the helper itself when it is this module's)
            arg = node.args[c.index]
            if info.tensors.level_of(arg) < DIFF:
                continue
            flow = flow or Flow(info, follow_appends=True)
            roots = cut_roots(info, flow, node, arg)[0]
            if not roots:
                continue
            shown = ", ".join(f"`{r}`" for r in roots[:3])
            if c.op.rsplit(".", 1)[-1] in ZERO_GRAD_OPS:
                # `tf.sign` has a registered gradient, all zeros: no None, no warning.
                what = (
                    f"which has a ZERO gradient, and this is the only route from {shown} to the loss: "
                    "`tape.gradient` returns zeros for those weights, with no warning, and they never learn"
                )
            else:
                what = (
                    f"which is not differentiable, and this is the only route from {shown} to the loss: "
                    "`tape.gradient` returns None for those weights (Keras optimizers warn `Gradients do not exist "
                    "for variables` or raise `No gradients provided for any variable`)"
                )
            msg = (
                f"`{info.text(node.func)}` passes `{c.param}` on to its result only through `{c.op}` "
                f"({where.format(line=c.line)}), {what}; use a differentiable surrogate (softmax, sigmoid, a "
                "straight-through estimator)"
            )
            yield Finding("TFG008", msg, info.span(node), None)
            break


_SHAPE_QUERIES = {"shape", "shape_n", "size", "rank", "ndim"}


def _shape_query(info: ModuleInfo, flow: Flow, use: ast.AST) -> bool:
    """`keras.ops.shape(x)`, `tf.shape(x)`, `x.shape`: the value itself is not consumed."""
    p = flow.scope_of(use).parent(use)
    if isinstance(p, ast.Attribute) and p.value is use and p.attr in _SHAPE_QUERIES:
        return True
    if isinstance(p, ast.Call) and use in p.args:
        q = info.imports.qualname(p.func) or ""
        return q.startswith(("tensorflow.", "keras.ops.")) and q.rsplit(".", 1)[-1] in _SHAPE_QUERIES
    return False


def _non_float_result(info: ModuleInfo, value: ast.AST | None) -> bool:
    """A returned comparison or integer/bool cast: the layer makes a mask or indices, not a value to train."""
    if isinstance(value, ast.Compare):
        return True
    if isinstance(value, ast.Call):
        q = info.imports.qualname(value.func) or ""
        if q.rsplit(".", 1)[-1] == "cast" and is_int_cast(info, value):
            return True
    if isinstance(value, ast.Name):
        fn = info.enclosing_function(value)
        assigned = [
            n
            for n in (info.own_nodes(fn) if fn is not None else [])
            if isinstance(n, ast.Assign)
            and n.lineno <= value.lineno
            and any(isinstance(t, ast.Name) and t.id == value.id for t in n.targets)
        ]
        if assigned:
            last = max(assigned, key=lambda n: (n.lineno, n.col_offset))
            return _non_float_result(info, last.value)
    return False
    return False


def _cut_before_layers(info: ModuleInfo, op: ast.AST, label: str, where: str, none_result: str, ste: str) -> str:
    """The message for an op that starves every layer before it: None gradients, or zero ones for `sign`."""
    shown_op = (
        f"the comparison `{info.text(op)}`"
        if label == "comparison"
        else (label if label.startswith("`") else f"`{label}`")
    )
    zero = label in {"tf.sign", "keras.ops.sign"}
    what = "has a registered ZERO gradient" if zero else "is not differentiable"
    result = "the layers before it get zero gradients and never learn (no None, no warning)" if zero else none_result
    return f"{shown_op} {what}, and {where}: {result}; use a differentiable surrogate or a straight-through estimator ({ste})"


# ------------------------------------------------------------------ tf.data functions
_DATASET_ADVICE = (
    "compute the loss from the elements with ordinary ops under the tape (iterate the dataset eagerly, or take "
    "whole batches from it) and keep the weights out of dataset functions"
)


def _free_names(fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Name]:
    """Names a function reads but does not bind itself (its parameters and assignments)."""
    a = fn.args
    bound = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p}
    body = [fn.body] if isinstance(fn, ast.Lambda) else fn.body
    loads: list[ast.Name] = []
    for root in body:
        for n in ast.walk(root):
            if isinstance(n, ast.Name):
                if isinstance(n.ctx, ast.Store):
                    bound.add(n.id)
                else:
                    loads.append(n)
    return [n for n in loads if n.id not in bound]


def _weight_seen(info: ModuleInfo, name: str, at: ast.AST, skip: ast.AST) -> bool:
    """Whether `name`, as the code around `at` sees it, is a trainable weight, a layer/model or a tensor computed
    from one: read from the uses of `name` the engine evaluated in the same function before `at` (outside `skip`,
    the dataset function, which the engine does not evaluate), else from the module's bindings."""
    t = info.tensors
    fn = info.enclosing_function(at)
    if fn is not None:
        inside = {id(n) for n in ast.walk(skip)}
        for n in ast.walk(fn):
            if (
                isinstance(n, ast.Name)
                and n.id == name
                and id(n) not in inside
                and getattr(n, "lineno", 0) <= getattr(at, "lineno", 0)
                and (t.level_of(n) >= DIFF or t.kind_of(n) in {"variable", "layer"})
            ):
                return True
    kind = t.module_env.kinds.get(name) or info.module_objects.get(name)
    return kind in {"variable", "layer"} or t.module_env.levels.get(name, 0) >= DIFF


def _cut_in_dataset_functions(info: ModuleInfo) -> Iterator[Finding]:
    """Two ways a loss ends up computed inside a tf.data pipeline, whose ops have no gradient (the ReduceDataset
    op has none registered, and a dataset function runs in its own graph the tape never records), so
    `tape.gradient` returns None with no error:
    - `ds.reduce(init, fn)` whose `fn` reads a weight (or a tensor computed from one);
    - under AutoGraph (`@tf.function`), a Python `for` over a dataset becomes exactly such a reduction: a value
      carried from one pass to the next and computed from weights inside a tape opened around the loop.
    Eagerly, `for x in ds` yields plain tensors and the tape records the loop body: no finding there."""
    tape_bodies = [w for w, _ in info.tape_withs]
    for node, modes in info.region_nodes():
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "reduce"
            and info.tensors.kind_of(node.func.value) == "dataset"
        ):
            reducer = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "reduce_func"), None)
            )
            fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef | None = None
            if isinstance(reducer, ast.Lambda):
                fn = reducer
            elif isinstance(reducer, ast.Name):
                fn = info.module_functions.get(reducer.id)
            if fn is None:
                continue
            captured = []
            for n in _free_names(fn):
                if n.id not in captured and _weight_seen(info, n.id, node, fn):
                    captured.append(n.id)
            if not captured:
                continue
            shown = ", ".join(f"`{c}`" for c in captured[:3])
            msg = (
                f"`{info.text(node.func)}` runs its reduce function inside the tf.data pipeline, which the "
                f"GradientTape does not record (the ReduceDataset op has no gradient): the function reads {shown}, "
                f"and `tape.gradient` returns None for {'it' if len(captured) == 1 else 'them'}, with no error; "
                + _DATASET_ADVICE
            )
            yield Finding("TFG008", msg, info.span(node.func), None)
        elif isinstance(node, (ast.For, ast.AsyncFor)) and modes == {"autograph"}:
            if info.tensors.kind_of(node.iter) != "dataset":
                continue
            if any(_within_with(info, node, w) for w in tape_bodies):
                carried = _carried_from_weights(info, node)
            else:
                carried = _carried_to_callers_tape(info, node, tape_bodies)
            if carried is None:
                continue
            name, stmt = carried
            msg = (
                f"AutoGraph turns this `for` over a dataset into a dataset reduction (this code runs in "
                f"`@tf.function`): `{name}` is carried from one pass to the next inside it, and that reduction has no "
                f"gradient, so `tape.gradient` returns None for the weights it reads (line {stmt.lineno}), with no "
                f"error, while the same loop run eagerly works; " + _DATASET_ADVICE + ", or open the tape inside "
                "the loop body and apply the gradients per batch"
            )
            yield Finding("TFG008", msg, info.span(node.iter), None)


# Dataset methods that run a function of the elements inside the pipeline: (positional index, keyword).
_DATASET_FUNCTIONS = {"map": (0, "map_func"), "filter": (0, "predicate"), "flat_map": (0, "map_func")}
_WEIGHT_LISTS = frozenset({"trainable_variables", "trainable_weights", "variables", "weights"})


def _dataset_functions(info: ModuleInfo) -> list[tuple[ast.Call, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(`ds.map(fn)` call, `fn`) for every dataset map / filter / flat_map of the module whose function it shows."""
    out: list[tuple[ast.Call, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in info.all_nodes(ast.Call):  # the module's node index: the calls in `ast.walk` order
        if not isinstance(node.func, ast.Attribute):
            continue
        spec = _DATASET_FUNCTIONS.get(node.func.attr)
        if spec is None or info.tensors.kind_of(node.func.value) != "dataset":
            continue
        arg = node.args[spec[0]] if len(node.args) > spec[0] else None
        arg = arg or next((k.value for k in node.keywords if k.arg == spec[1]), None)
        fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef | None = None
        if isinstance(arg, ast.Lambda):
            fn = arg
        elif isinstance(arg, ast.Name):
            fn = info.module_functions.get(arg.id)
        if fn is not None:
            out.append((node, fn))
    return out


# What a program does with a model it trains, loads or hands on: any of these elsewhere keeps the rule quiet.
_TRAINED_OR_LOADED = {
    "fit",
    "compile",
    "train_on_batch",
    "trainable_variables",
    "trainable_weights",
    "load_weights",
    "set_weights",
    "__call__",
}


def _fresh_weighted_model(info: ModuleInfo, value: ast.AST) -> bool:
    """A model or layer built here from fresh layers that own trainable weights: `keras.Model(inputs, outputs)` whose
    graph applies one, `keras.Sequential([...])` listing one, or such a layer itself (`Embedding(20, 4)`). Loaded
    or pretrained models (`load_model`, `keras.applications.*`) are not fresh."""
    if not isinstance(value, ast.Call):
        return False
    q = info.imports.qualname(value.func) or ""
    if keras_layer_owns_weights(q):
        return not any(k.arg in {"weights", "trainable"} for k in value.keywords)
    if q in {"keras.Sequential", "keras.models.Sequential"} and value.args and isinstance(value.args[0], ast.List):
        return any(isinstance(e, ast.Call) and _fresh_weighted_model(info, e) for e in value.args[0].elts) and all(
            isinstance(e, ast.Call) for e in value.args[0].elts
        )
    if q in {"keras.Model", "keras.models.Model"}:
        fg = functional_graphs(info)
        m = next((m for m in fg.models() if m.ctor is value), None)
        if m is None:
            return False
        reach = fg.reach(list(m.outputs), m.scope)
        return reach.complete and any(layer.trains for layer in reach.layers.values())
    return False


def _inspected(info: ModuleInfo, use: ast.Name) -> bool:
    """`preproc.get_layer(...)`, `.summary()`, `.weights`: an attribute read that neither trains, loads nor runs it."""
    p = info.all_parents.get(id(use))
    return isinstance(p, ast.Attribute) and p.value is use and p.attr not in _TRAINED_OR_LOADED


def _fresh_model_only_in_dataset_map(info: ModuleInfo) -> Iterator[Finding]:
    """A model (or layer) with fresh trainable weights called only inside a `tf.data` map function of a program that
    trains (tensorflow/gnn#646: an Embedding in a preprocessing model mapped over the pipeline): tf.data runs the
    function in its own graph, outside every tape and every `fit`, and the model is no part of what is trained, so
    its weights keep their random initial values (TF 2.21: the table never changes)."""
    src = info.source
    if ".map(" not in src or not any(w in src for w in (".fit(", "train_on_batch(", "apply_gradients")):
        return
    dataset_calls = _dataset_functions(info)
    if not dataset_calls:
        return
    bindings: dict[str, list[ast.Assign]] = {}
    for stmt in info.tree.body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    bindings.setdefault(t.id, []).append(stmt)
    inside = {id(n) for _, fn in dataset_calls for n in ast.walk(fn)}
    names: dict[str, list[ast.Name]] | None = None  # every Name node by id, built for the first candidate
    reported: set[str] = set()
    for _ds, fn in dataset_calls:
        for n in _free_names(fn):
            name = n.id
            call = info.all_parents.get(id(n))
            if name in reported or not (isinstance(call, ast.Call) and call.func is n):
                continue
            made = bindings.get(name, [])
            if len(made) != 1 or not _fresh_weighted_model(info, made[0].value):
                continue
            if names is None:
                names = {}
                for x in info.all_nodes(ast.Name):
                    names.setdefault(x.id, []).append(x)
            if any(isinstance(x.ctx, ast.Store) and not any(x is t for t in made[0].targets) for x in names[name]):
                continue  # bound again somewhere else
            if any(
                isinstance(u.ctx, ast.Load) and id(u) not in inside and not _inspected(info, u) for u in names[name]
            ):
                continue  # used outside the pipeline: trained, loaded or handed on there
            reported.add(name)
            msg = (
                f"`{name}` has trainable weights made here and runs only inside `{info.text(_ds.func)}`: tf.data runs "
                "the function in a graph of its own, outside every GradientTape and `fit`, and no model that is "
                f"trained holds `{name}`, so its weights keep their random initial values (no error); move it into "
                "the trained model (its first layer) and keep only weightless preprocessing in the pipeline"
            )
            yield Finding("TFG008", msg, info.span(call), None)


def _weights_read_in_dataset_map(info: ModuleInfo) -> Iterator[Finding]:
    """`ds.map(lambda x, i: (x, tf.gather(w, i)))` with a module-level variable (or layer / model) `w` that a
    `tape.gradient` differentiates, and that nothing else reads: tf.data runs the function in its own graph, the
    tape never records it, and the elements carry `w`'s values as constants: `tape.gradient` returns None for `w`.
    Silent when `w` is read anywhere else (a direct use under the tape keeps a gradient)."""
    if ".gradient(" not in info.source:
        return
    # The dataset functions first: most modules have none, and the gradient sources take a pass over every tape call.
    dataset_calls = _dataset_functions(info)
    if not dataset_calls:
        return
    sources = _gradient_source_names(info)
    if not sources:
        return
    allowed = {id(n) for _, fn in dataset_calls for n in ast.walk(fn)} | sources[1]
    loads: dict[str, list[ast.Name]] = {}
    for n in info.all_nodes(ast.Name):
        if isinstance(n.ctx, ast.Load):
            loads.setdefault(n.id, []).append(n)
    kinds = info.tensors.module_env.kinds
    reported: set[str] = set()
    for node, fn in dataset_calls:
        for n in _free_names(fn):
            name = n.id
            if name in reported or name not in sources[0]:
                continue
            if (kinds.get(name) or info.module_objects.get(name)) not in {"variable", "layer"}:
                continue
            if any(id(u) not in allowed for u in loads.get(name, ())):
                continue  # read elsewhere too: the gradient does not rest on the dataset function alone
            reported.add(name)
            msg = (
                f"`{info.text(node.func)}` runs its function inside the tf.data pipeline, in a graph of its own that "
                f"the GradientTape never records: `{name}` is read only there, so the elements carry its values as "
                f"constants and `tape.gradient` returns None for `{name}` (a Keras optimizer raises `No gradients "
                "provided for any variable`); pass indices (or the raw inputs) through the pipeline and read "
                f"`{name}` under the tape"
            )
            yield Finding("TFG008", msg, info.span(node.func), None)


def _gradient_source_names(info: ModuleInfo) -> tuple[set[str], set[int]]:
    """The names `tape.gradient` differentiates with respect to (`w`, `[w, b]`, `model.trainable_variables`), and
    the ids of the name nodes read in the sources arguments and in `apply_gradients(...)` calls."""
    from gradls.analysis.tapes import source_elements, tape_scopes

    names: set[str] = set()
    nodes: set[int] = set()
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                if tc.method != "gradient" or tc.sources is None:
                    continue
                nodes.update(id(n) for n in ast.walk(tc.sources))
                todo = source_elements(tc.sources)
                while todo:
                    e = todo.pop()
                    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):  # `a.trainable_variables + [w]`
                        todo.extend(source_elements(e.left) + source_elements(e.right))
                    elif isinstance(e, ast.Name):
                        names.add(e.id)
                    elif isinstance(e, ast.Attribute) and e.attr in _WEIGHT_LISTS and isinstance(e.value, ast.Name):
                        names.add(e.value.id)
    for n in info.all_nodes(ast.Call):
        if isinstance(n.func, ast.Attribute) and n.func.attr == "apply_gradients":
            nodes.update(id(c) for a in n.args for c in ast.walk(a))
    return names, nodes


def _within_with(info: ModuleInfo, node: ast.AST, w: ast.AST) -> bool:
    p = info.parent(node)
    while p is not None:
        if p is w:
            return True
        p = info.parent(p)
    return False


def _carried_from_weights(info: ModuleInfo, loop: ast.For | ast.AsyncFor) -> tuple[str, ast.stmt] | None:
    """A name the loop body rebinds from its own previous value (`loss += f(w)`, `x = x * d`) with a value
    computed from trainable weights, and that is read after the loop: what AutoGraph carries through the dataset
    reduction."""
    after = {
        n.id
        for s in _statements_after(info, loop)
        for n in ast.walk(s)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    for s in ast.walk(loop):
        if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
            name, value = s.target.id, s.value
        elif (
            isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and any(isinstance(n, ast.Name) and n.id == s.targets[0].id for n in ast.walk(s.value))
        ):
            name, value = s.targets[0].id, s.value
        else:
            continue
        if name in after and info.tensors.level_of(value) >= DIFF:
            return name, s
    return None


def _carried_to_callers_tape(
    info: ModuleInfo, loop: ast.For | ast.AsyncFor, tape_bodies: list[ast.With]
) -> tuple[str, ast.stmt] | None:
    """The traced function's loop carries one of its parameters (`x = x * d`) to its `return`, and a caller runs
    the traced function under a tape with a differentiable argument there: the caller's gradient then goes
    through the dataset reduction AutoGraph made of the loop."""
    fn = info.enclosing_function(loop)
    if fn is None or info.module_functions.get(fn.name) is not fn:
        return None
    params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    returned = {
        r.value.id
        for r in ast.walk(fn)
        if isinstance(r, ast.Return) and isinstance(r.value, ast.Name) and not _within_with(info, r, loop)
    }
    carried: tuple[str, ast.stmt, int] | None = None
    for s in ast.walk(loop):
        if (
            isinstance(s, ast.AugAssign)
            and isinstance(s.target, ast.Name)
            or isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and any(isinstance(n, ast.Name) and n.id == s.targets[0].id for n in ast.walk(s.value))
        ):
            target = s.target if isinstance(s, ast.AugAssign) else s.targets[0]
            assert isinstance(target, ast.Name)
            if target.id in returned and target.id in params:
                carried = (target.id, s, params.index(target.id))
                break
    if carried is None:
        return None
    name, stmt, position = carried
    # The names the traced function is called by: itself when decorated, `g = tf.function(fn)` aliases.
    decorated = any(
        info.imports.qualname(d.func if isinstance(d, ast.Call) else d) == "tensorflow.function"
        for d in fn.decorator_list
    )
    traced = {fn.name} if decorated else set()
    for n in ast.walk(info.tree):
        if (
            isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name)
            and isinstance(n.value, ast.Call)
            and info.imports.qualname(n.value.func) == "tensorflow.function"
            and n.value.args
            and isinstance(n.value.args[0], ast.Name)
            and n.value.args[0].id == fn.name
        ):
            traced.add(n.targets[0].id)
    for w in tape_bodies:
        for n in ast.walk(w):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Name)
                and n.func.id in traced
                and position < len(n.args)
                and info.tensors.level_of(n.args[position]) >= DIFF
            ):
                return name, stmt
    return None


def _statements_after(info: ModuleInfo, stmt: ast.stmt) -> list[ast.stmt]:
    """The statements that run after `stmt` in its block and in the enclosing blocks of its function."""
    out: list[ast.stmt] = []
    node: ast.AST = stmt
    parent = info.parent(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and node in block:
                out.extend(block[block.index(node) + 1 :])
        node, parent = parent, info.parent(parent)
    if parent is not None:
        block = parent.body
        if node in block:
            out.extend(block[block.index(node) + 1 :])
    return out
