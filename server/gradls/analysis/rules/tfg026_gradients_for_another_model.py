"""TFG026 gradients-for-another-model: `tape.gradient(loss, M.trainable_variables)` where nothing on the way to
`loss` runs `M`, or gradients taken for one model's variables handed to an optimizer with another model's."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.model_reads import applied_to_other_model, model_reads
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import tape_scopes


@rule(
    "TFG026",
    "gradients-for-another-model",
    "Gradients taken for a model the loss never ran (`None` for all of them: `ValueError: No gradients provided "
    "for any variable`), or one model's gradients applied to another model's variables (a shape error, or the "
    "wrong weights trained).",
)
def find_gradients_for_another_model(info: ModuleInfo) -> Iterator[Finding]:
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                if not isinstance(tc.target, ast.Name):
                    continue
                for reads in model_reads(info, scope, tape, tc):
                    if reads.recorded or reads.unrecorded:
                        continue
                    model = reads.model
                    yield Finding(
                        "TFG026",
                        f"`{tc.target.id}` is never computed from `{model}`: nothing on its way runs `{model}`, so "
                        f"`{tape.name}.{tc.method}` returns `None` for every one of `{model}.trainable_variables` "
                        "(a Keras optimizer then raises `ValueError: No gradients provided for any variable`); "
                        f"take the gradient of a loss computed from `{model}`'s output, or for the variables of the "
                        "model the loss did use",
                        info.span(tc.call),
                        None,
                    )
        for n in scope.nodes:
            if not isinstance(n, ast.Call):
                continue
            found = applied_to_other_model(info, scope, n)
            if found is None:
                continue
            source, applied, node = found
            yield Finding(
                "TFG026",
                f"the gradients zipped here were taken for `{source}.trainable_variables`, but are applied to "
                f"`{applied}.trainable_variables`: each gradient lands on another model's variable (a shape "
                "mismatch raises `InvalidArgumentError: Incompatible shapes`; matching shapes silently train the "
                f"wrong weights, and `{source}` never trains); zip them with `{source}.trainable_variables`",
                info.span(node),
                None,
            )
