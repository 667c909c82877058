"""TFG031 gradient-source-is-keras-object: `tape.gradient(loss, model)` with a Keras model or layer object (not its
weights) among the sources raises."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.keras_facts import KerasFacts
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import tape_scopes


@dataclass(frozen=True)
class TrainableVariablesFix(PlannedEdits):
    """The model or layer given as a source replaced by its `trainable_variables`."""


@rule(
    "TFG031",
    "gradient-source-is-keras-object",
    "`tape.gradient(loss, model)` with a Keras model or layer object (or `model.layers`) as the sources, not its "
    "weights: TensorFlow raises `AttributeError: 'Sequential' object has no attribute '_id'`; pass "
    "`model.trainable_variables`.",
)
def find_gradient_source_is_keras_object(info: ModuleInfo) -> Iterator[Finding]:
    scopes = tape_scopes(info)
    if not scopes:
        return
    kf: KerasFacts | None = None
    for scope in scopes:
        for tape in scope.tapes:
            for tc in tape.calls:
                if tc.method != "gradient":
                    continue
                sources = tc.sources
                if sources is None:
                    continue
                items = sources.elts if isinstance(sources, (ast.List, ast.Tuple)) else [sources]
                for e in items:
                    if isinstance(e, ast.Starred):
                        continue
                    if kf is None:
                        kf = KerasFacts(info)
                    where = kf.scope_of(tc.call)
                    layers = isinstance(e, ast.Attribute) and e.attr == "layers"
                    obj = e.value if isinstance(e, ast.Attribute) and layers else e
                    if kf.is_keras_object(obj, where):
                        yield _finding(info, tape.name, e, layers, in_display=e is not sources)
                        break


def _finding(info: ModuleInfo, tape: str, e: ast.AST, layers: bool, in_display: bool) -> Finding:
    text = info.text(e)
    if layers:
        assert isinstance(e, ast.Attribute)
        base = info.text(e.value)
        what = f"`{text}` is a list of Keras layer objects"
        new = f"{base}.trainable_variables"
    else:
        what = f"`{text}` is a Keras model or layer object"
        new = f"{text}.trainable_variables"
    msg = (
        f"{what}, not its weights: `{tape}.gradient` takes tensors and variables as sources and raises "
        f"`AttributeError: '<class>' object has no attribute '_id'`; pass `{new}`"
    )
    # Inside a list of sources the weights are spliced in, keeping the list flat (`[*dense.trainable_variables]`).
    edit = f"*{new}" if in_display else new
    fix = TrainableVariablesFix(f"Use `{new}`", (PlannedEdit(info.span(e), edit, text),))
    return Finding("TFG031", msg, info.span(e), fix)
