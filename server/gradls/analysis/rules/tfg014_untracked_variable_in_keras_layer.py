"""TFG014 untracked-variable-in-keras-layer: a raw `tf.Variable` stored on a Keras 3 layer or model."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.dtypes import int_dtype_of
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule

# Keras 3 tracks only its own keras.Variable; these keywords mean the same on both.
_PORTABLE_KWARGS = {"trainable", "name", "dtype"}


@dataclass(frozen=True)
class KerasVariableFix(FixData):
    """`tf.Variable` (the callee's span, as `<tf_alias>.Variable`) to become `<tf_alias>.keras.Variable`."""

    func: Span
    tf_alias: str


@rule(
    "TFG014",
    "untracked-variable-in-keras-layer",
    "Keras 3 does not track a raw `tf.Variable` stored on a layer or model: it is missing from "
    "`trainable_variables`, so `fit()` and `tape.gradient(loss, model.trainable_variables)` never update it.",
)
def find_untracked_variable_in_keras_layer(info: ModuleInfo) -> Iterator[Finding]:
    if "Variable(" not in info.source:
        return
    tf_alias = info.imports.alias_of("tensorflow")
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue  # Keras 2 (`tf_keras`) tracks a raw tf.Variable set as an attribute
        updated: set[str] | None = None
        for method in cls.methods.values():
            if method.name not in {"__init__", "build"}:
                continue  # in call/train_step it is TFG007's business
            for stmt in ast.walk(method):
                if not isinstance(stmt, ast.Assign) or not isinstance(stmt.value, ast.Call):
                    continue
                targets = [
                    t
                    for t in stmt.targets
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                ]
                if not targets:
                    continue
                call = stmt.value
                if info.imports.qualname(call.func) != "tensorflow.Variable":
                    continue
                if info.object_kind(call) != "variable" or int_dtype_of(info, call) is not None:
                    continue  # non-trainable state and integer counters are not meant to train
                attr = targets[0].attr
                if updated is None:
                    updated = _assigned_state(cls.node)
                if attr in updated:
                    continue  # state the layer updates itself with .assign(): not meant to train
                span = info.span(call)
                portable = all(k.arg in _PORTABLE_KWARGS for k in call.keywords) and len(call.args) <= 1
                yield Finding(
                    "TFG014",
                    f"`self.{attr}` is a raw `tf.Variable` on Keras {cls.keras_kind} `{cls.node.name}`: Keras 3 does not "
                    "track it, so it is missing from `trainable_variables` and never trains (no error; only when no weight "
                    "of the model is tracked does `fit` warn `The model does not have any trainable weights`); "
                    "use `self.add_weight(...)` or `keras.Variable(...)`",
                    span,
                    KerasVariableFix(info.span(call.func), tf_alias) if portable and tf_alias else None,
                )


def _assigned_state(cls: ast.ClassDef) -> set[str]:
    """Attributes the class updates by hand: `self.x.assign(...)`, `assign_add`, `assign_sub`."""
    out = set()
    for n in ast.walk(cls):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr.startswith("assign")
            and isinstance(n.func.value, ast.Attribute)
            and isinstance(n.func.value.value, ast.Name)
            and n.func.value.value.id == "self"
        ):
            out.add(n.func.value.attr)
    return out
