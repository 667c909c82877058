"""TFG034 gradient-target-is-tensor-array: `tape.jacobian(ta, x)` / `tape.gradient(ta, x)` with a `tf.TensorArray`
object (not a tensor read from it) as the target raises."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import Tape, TapeCall, TapeScope, def_value, resolve_defs, tape_scopes

# TensorArray methods that hand back a TensorArray (the written array; `write` is functional in graph mode).
_ARRAY_METHODS = frozenset({"write", "scatter", "unstack", "split", "identity"})
_ERRORS = {
    "gradient": "TypeError: Cannot convert the argument type_value: <...TensorArray...> to a TensorFlow DType",
    "jacobian": "AttributeError: 'TensorArray' object has no attribute 'shape'",
    "batch_jacobian": "AttributeError: 'TensorArray' object has no attribute 'shape'",
}


@dataclass(frozen=True)
class StackTargetFix(PlannedEdits):
    """The TensorArray target replaced by its `stack()`, computed where the tape records."""


@rule(
    "TFG034",
    "gradient-target-is-tensor-array",
    "`tape.jacobian(ta, x)` / `tape.gradient(ta, x)` with a `tf.TensorArray` as the target: TensorFlow raises "
    "(`AttributeError: 'TensorArray' object has no attribute 'shape'`); differentiate `ta.stack()`, computed inside "
    "the `with tape:` block.",
)
def find_gradient_target_is_tensor_array(info: ModuleInfo) -> Iterator[Finding]:
    if "TensorArray" not in info.source:
        return
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                target = tc.target
                if target is not None and _is_tensor_array(info, scope, target, set()):
                    yield _finding(info, scope, tape, tc, target)


def _is_tensor_array(info: ModuleInfo, scope: TapeScope, e: ast.AST, seen: set[str]) -> bool:
    """`e` is a `tf.TensorArray` on every path: the constructor, a TensorArray method that returns the array, or a
    name every binding of which is one of those."""
    if isinstance(e, ast.Call):
        if info.imports.qualname(e.func) == "tensorflow.TensorArray":
            return True
        f = e.func
        return (
            isinstance(f, ast.Attribute) and f.attr in _ARRAY_METHODS and _is_tensor_array(info, scope, f.value, seen)
        )
    if isinstance(e, ast.Name):
        if e.id in seen:
            return True  # `ta = ta.write(i, v)`: the name's other bindings decide
        found = resolve_defs(info, scope, e.id)
        if not found or not found[0]:
            return False
        defs, where = found
        seen = seen | {e.id}
        return all((v := def_value(d)) is not None and _is_tensor_array(info, where, v, seen) for d in defs)
    return False


def _finding(info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall, target: ast.AST) -> Finding:
    text = info.text(target)
    stacked = f"{text}.stack()"
    msg = (
        f"`{text}` is a `tf.TensorArray`, not a tensor: `{tape.name}.{tc.method}` raises "
        f"`{_ERRORS.get(tc.method, _ERRORS['jacobian'])}`; differentiate `{stacked}` (or a `{text}.read(i)`), "
        f"computed inside the `with {tape.name}:` block"
    )
    # Stacking where the call is only helps while the tape records there: after the block, `stack()` is not on the
    # tape and the gradient is None for every source (TF 2.21, eagerly and in a tf.function).
    fix = None
    if tape.recording(tc.call, scope):
        fix = StackTargetFix(f"Differentiate `{stacked}`", (PlannedEdit(info.span(target), stacked, text),))
    return Finding("TFG034", msg, info.span(target), fix)
