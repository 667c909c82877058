"""TFG016 tape-watch-keras-variable: `tape.watch(v)` with a Keras 3 Variable (or a list of them), or with a NumPy
array, raises: the tape watches only tensors and tf.Variables."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.keras_facts import KerasFacts, Scope, tape_names
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import ModuleInfo
from gradls.analysis.python_scopes import function_bindings, module_bindings
from gradls.analysis.rules import rule

_ERROR = "`ValueError: Passed in object <Variable path=...> of type 'Variable', not tf.Tensor or tf.Variable or ExtensionType`"


@dataclass(frozen=True)
class WatchValueFix(PlannedEdits):
    """The watched Keras Variable replaced by the tf.Variable behind it (`v.value`, `[w.value for w in ...]`)."""


@rule(
    "TFG016",
    "tape-watch-keras-variable",
    "`tape.watch()` of a Keras 3 Variable (`keras.Variable`, `add_weight`, `layer.kernel`, "
    "`model.trainable_variables`) raises `ValueError: Passed in object <Variable ...> of type 'Variable', "
    "not tf.Tensor or tf.Variable or ExtensionType`; watch `v.value`. A NumPy array (an image loaded for a saliency "
    "map) raises the same error.",
)
def find_tape_watch_keras_variable(info: ModuleInfo) -> Iterator[Finding]:
    if "watch" not in info.source or not info.tape_withs:
        return
    tapes = tape_names(info)
    if not tapes:
        return
    kf = KerasFacts(info)
    for scope in kf.scopes():
        for n in kf.own_nodes(scope):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "watch"
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id in tapes
                and len(n.args) == 1
            ):
                yield from _check_watched(info, kf, scope, n, n.func.value.id)


def _watches_accessed(info: ModuleInfo, call: ast.Call, tape: str) -> bool:
    """False when the `with` that opens `tape` around `call` passes `watch_accessed_variables=False`."""
    p = info.parent(call)
    while p is not None:
        if isinstance(p, (ast.With, ast.AsyncWith)):
            for item in p.items:
                v = item.optional_vars
                if isinstance(v, ast.Name) and v.id == tape and isinstance(item.context_expr, ast.Call):
                    kw = next((k for k in item.context_expr.keywords if k.arg == "watch_accessed_variables"), None)
                    return not (kw is not None and isinstance(kw.value, ast.Constant) and kw.value.value is False)
        p = info.parent(p)
    return True


def _check_watched(info: ModuleInfo, kf: KerasFacts, scope: Scope, call: ast.Call, tape: str) -> Iterator[Finding]:
    drop = _watches_accessed(info, call, tape)
    arg = call.args[0]
    items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
    for e in items:
        if isinstance(e, ast.Starred):
            continue
        if isinstance(e, ast.ListComp) and len(e.generators) == 1:
            if kf.keras_variable(e.elt, scope) == "var":
                yield _finding(info, e.elt, "var", tape, drop)
            continue
        if isinstance(e, ast.Attribute) and e.attr == "value" and kf.keras_variable(e.value, scope) == "list":
            yield _finding(info, e, "list.value", tape, drop)
            continue
        kind = kf.keras_variable(e, scope)
        if kind is not None:
            yield _finding(info, e, kind, tape, drop)
        elif _numpy_value(info, e, call):
            text = info.text(e)
            yield Finding(
                "TFG016",
                f"`{tape}.watch({text})`: `{text}` is a NumPy array, and `GradientTape.watch` takes only tensors and "
                f"tf.Variables: it raises `ValueError: Passed in object [...] of type 'ndarray', not tf.Tensor or "
                f"tf.Variable or ExtensionType`; convert it first (`{text} = tf.convert_to_tensor({text})`) and use "
                "that tensor in the computation, so the tape records the ops on the one it watches",
                info.span(e),
                None,
            )


# Methods of an ndarray that return an ndarray, and calls that hand back NumPy.
_ARRAY_METHODS = frozenset({"astype", "reshape", "copy", "squeeze", "transpose", "flatten", "ravel"})
_TO_NUMPY_METHODS = frozenset({"numpy", "predict", "predict_on_batch"})
_ARRAY_FUNCTIONS = frozenset({"keras.utils.img_to_array", "keras.preprocessing.image.img_to_array"})


def _numpy_value(info: ModuleInfo, e: ast.AST, at: ast.AST, depth: int = 0) -> bool:
    """Is `e` a NumPy array by what made it: a NumPy call, `.numpy()`, a Keras `predict`, an ndarray method or
    index of one, arithmetic with numbers, or a name every binding of which in its scope is one of those."""
    if depth > 4:
        return False
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or ""
        if q.startswith("numpy.") or q.removeprefix("tensorflow.") in _ARRAY_FUNCTIONS:
            return True
        f = e.func
        if isinstance(f, ast.Attribute):
            if f.attr in _TO_NUMPY_METHODS and not q.startswith(("tensorflow.", "keras.")):
                return True
            if f.attr in _ARRAY_METHODS:
                return _numpy_value(info, f.value, at, depth + 1)
        return False
    if isinstance(e, ast.Subscript):
        return _numpy_value(info, e.value, at, depth + 1)
    if isinstance(e, ast.BinOp):
        sides = [e.left, e.right]
        return any(_numpy_value(info, x, at, depth + 1) for x in sides) and all(
            isinstance(x, ast.Constant) or _numpy_value(info, x, at, depth + 1) for x in sides
        )
    if isinstance(e, ast.Name):
        fn = info.enclosing_function(at)
        if fn is not None and e.id in {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}:
            return False  # a parameter holds what the callers pass
        bindings = (function_bindings(info, fn) if fn is not None else module_bindings(info)).get(e.id, [])
        return bool(bindings) and all(
            b.kind == "assign" and b.value is not None and _numpy_value(info, b.value, at, depth + 1) for b in bindings
        )
    return False


def _finding(info: ModuleInfo, e: ast.AST, kind: str, tape: str, drop: bool = True) -> Finding:
    """`drop`: the tape watches the variables it reads, so removing the call is a fix too."""
    text = info.text(e)
    # With watch_accessed_variables=False the call is the only thing that makes the tape record the variable.
    or_drop = ", or drop the call: a tape watches the trainable variables it reads anyway" if drop else ""
    if kind == "list.value":
        assert isinstance(e, ast.Attribute)  # `X.value` (the caller checked)
        base = info.text(e.value)
        msg = (
            f"`{text}`: `{base}` is a Python list of Keras variables, and a list has no `.value`: "
            f"`AttributeError: 'list' object has no attribute 'value'`; watch `[w.value for w in {base}]`"
        )
        new = f"[w.value for w in {base}]"
    elif kind == "list":
        msg = (
            f"`{tape}.watch({text})`: `{text}` is a list of Keras 3 Variables, and `GradientTape.watch` takes only "
            f"tensors and tf.Variables: it raises {_ERROR}; watch `[w.value for w in {text}]` (the tf.Variables "
            f"behind them){or_drop}"
        )
        new = f"[w.value for w in {text}]"
    else:
        msg = (
            f"`{tape}.watch({text})`: `{text}` is a Keras 3 Variable, and `GradientTape.watch` takes only tensors "
            f"and tf.Variables: it raises {_ERROR}; watch `{text}.value` (the tf.Variable behind it){or_drop}"
        )
        new = (
            f"{text}.value" if isinstance(e, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)) else f"({text}).value"
        )
    data = WatchValueFix(f"Watch `{new}`", (PlannedEdit(info.span(e), new, text),))
    return Finding("TFG016", msg, info.span(e), data)
