"""TFG016 tape-watch-keras-variable: `tape.watch(v)` with a Keras 3 Variable (or a list of them) raises."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.keras_facts import KerasFacts, Scope, tape_names
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import ModuleInfo
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
    "not tf.Tensor or tf.Variable or ExtensionType`; watch `v.value`.",
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
