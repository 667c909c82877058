"""TFG016: watch the tf.Variable behind a Keras 3 Variable: `tape.watch(v)` -> `tape.watch(v.value)`,
`tape.watch(model.trainable_variables)` (or `....trainable_variables.value`) -> `[w.value for w in ...]`.

The rule computed the edits (`WatchValueFix`); `_planned` checks that the source still holds what they replace.
"""

from __future__ import annotations

from gradls.analysis.model import Finding, Fix
from gradls.analysis.rules.tfg016_tape_watch_keras_variable import WatchValueFix
from gradls.fixes._planned import planned_fix


def build(source: str, finding: Finding, data: WatchValueFix) -> Fix | None:
    return planned_fix(source, data)
