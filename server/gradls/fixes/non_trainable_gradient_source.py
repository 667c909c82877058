"""TFG017: `model.variables` / `model.weights` as gradient sources -> `model.trainable_variables` /
`model.trainable_weights` (only the attribute name is replaced, after checking it is still there)."""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.fixes import register
from gradls.fixes.tape_watch_keras_variable import checked_edits


@register("TFG017")
def use_trainable_variables(source: str, finding: Finding) -> Fix | None:
    edits = checked_edits(source, finding)
    if edits is None:
        return None
    data = finding.fix_data or {}
    return Fix(f"Use `{data.get('new', 'trainable_variables')}`", tuple(edits), safe=bool(data.get("safe", True)))
