"""TFG032 dropped-model-output-head: a multi-output functional model run with only some of its outputs kept; the
layers feeding only the dropped outputs get None gradients."""

from __future__ import annotations

from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule


@rule(
    "TFG032",
    "dropped-model-output-head",
    "A multi-output functional Keras model whose call keeps only some outputs (`base(x)[0]`): the layers that feed "
    "only the dropped outputs get None gradients and never train.",
)
def find_dropped_model_output_head(info: ModuleInfo) -> Iterator[Finding]:
    return iter(())
