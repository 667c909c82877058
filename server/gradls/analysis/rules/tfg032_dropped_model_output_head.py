"""TFG032 dropped-model-output-head: a multi-output functional model run with only some of its outputs kept; the
layers feeding only the dropped outputs get None gradients."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.keras_graph import ALL, FunctionalGraphs, FunctionalModel, GraphLayer, Reach, functional_graphs
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import tape_scopes

_TRAINS = {"fit", "train_on_batch", "fit_generator"}
_WEIGHTS = {"trainable_variables", "trainable_weights"}


@rule(
    "TFG032",
    "dropped-model-output-head",
    "A multi-output functional Keras model whose call keeps only some outputs (`base(x)[0]`, `a, _ = model(x)` with "
    "the loss on `a` only): the layers that feed only the dropped outputs get None gradients and never train.",
)
def find_dropped_model_output_head(info: ModuleInfo) -> Iterator[Finding]:
    if "Model" not in info.source:
        return
    g = functional_graphs(info)
    models = g.models()
    if not any(m.listed and len(m.outputs) > 1 for m in models):
        return
    uses = _attribute_uses(info)
    frozen = _trainable_set(info)
    if frozen is None:
        return  # `model.get_layer(...).trainable = ...`: which layers are frozen is not told here
    reported: set[int] = set()
    # A functional model reused inside a new one that keeps some of its outputs (tensorflow#22775).
    for new in models:
        names = g.names_of(new)
        if not any(uses.get(n, set()) & (_TRAINS | _WEIGHTS) for n in names):
            continue  # never trained: no gradient is asked for
        r = g.reach(list(new.outputs), new.scope)
        for finding in _dropped(info, g, r, uses, frozen, f"`{_first(names)}` is trained", own_training_silences=True):
            if finding[0] not in reported:
                reported.add(finding[0])
                yield finding[1]
    # A custom loop whose loss reads some outputs of a multi-output model it differentiates.
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                if tc.method != "gradient" or tc.target is None or tc.sources is None:
                    continue
                src = tc.sources
                if not (isinstance(src, ast.Attribute) and src.attr in _WEIGHTS):
                    continue
                node = scope.node
                if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                m = g.model_of(src.value, node)
                if m is None or not m.listed or len(m.outputs) < 2:
                    continue
                r = g.reach([tc.target], node)
                why = f"`{tape.name}.gradient` is taken w.r.t. `{info.text(src)}`"
                for finding in _dropped(info, g, r, uses, frozen, why, own_training_silences=False, only=m):
                    if finding[0] not in reported:
                        reported.add(finding[0])
                        yield finding[1]


def _dropped(
    info: ModuleInfo,
    g: FunctionalGraphs,
    r: Reach,
    uses: dict[str, set[str]],
    frozen: set[str],
    why: str,
    own_training_silences: bool,
    only: FunctionalModel | None = None,
) -> Iterator[tuple[int, Finding]]:
    if not r.complete:
        return
    by_model: dict[int, tuple[FunctionalModel, list[ast.Call], set[int]]] = {}
    for m, call, idxs in r.model_calls.values():
        if only is not None and m is not only:
            continue
        entry = by_model.setdefault(id(m.ctor), (m, [], set()))
        entry[1].append(call)
        entry[2].update(idxs)
    for m, calls, kept in by_model.values():
        n = len(m.outputs)
        if not m.listed or n < 2 or ALL in kept:
            continue
        dropped = [i for i in range(n) if i not in kept]
        if not dropped:
            continue
        names = g.names_of(m)
        if names & frozen:
            continue
        if own_training_silences and any(uses.get(x, set()) & (_TRAINS | _WEIGHTS) for x in names):
            continue  # the reused model is trained on its own too, every output with it
        lost: dict[int, GraphLayer] = {}
        for d in dropped:
            feeds = g.feeds(m, d)
            for key, layer in feeds.layers.items():
                if layer.trains and key not in r.layers and layer.label not in frozen:
                    lost[key] = layer
        if not lost:
            continue
        call = min(calls, key=lambda c: (c.lineno, c.col_offset))
        yield id(call), _finding(info, call, m, sorted(kept), dropped, list(lost.values()), why)


def _finding(
    info: ModuleInfo,
    call: ast.Call,
    m: FunctionalModel,
    kept: list[int],
    dropped: list[int],
    lost: list[GraphLayer],
    why: str,
) -> Finding:
    def outs(ix: list[int]) -> str:
        return ("output " if len(ix) == 1 else "outputs ") + ", ".join(map(str, ix))

    layers = ", ".join(f"`{x.label}`" for x in sorted(lost, key=lambda x: (x.node.lineno, x.node.col_offset)))
    model = info.text(call.func)
    verb = "reaches" if len(kept) == 1 else "reach"
    msg = (
        f"only {outs(kept)} of the {len(m.outputs)} outputs of the functional model `{model}` (line "
        f"{m.ctor.lineno}) {verb} what is trained ({why}): the layers feeding only {outs(dropped)}, {layers}, get None "
        "gradients and never train (TensorFlow warns `Gradients do not exist for variables ...` and goes on). Put "
        f"{outs(dropped)} in the loss, or build the model from the outputs you train "
        f"(`keras.Model({model}.inputs, {model}.outputs[{kept[0]}])`)"
    )
    return Finding("TFG032", msg, info.span(call))


def _first(names: set[str]) -> str:
    return sorted(names)[0] if names else "the new model"


def _attribute_uses(info: ModuleInfo) -> dict[str, set[str]]:
    """Name -> attributes read on it anywhere (`net.fit`, `net.trainable_variables`)."""
    out: dict[str, set[str]] = {}
    for a in info.all_nodes(ast.Attribute):
        if isinstance(a.value, ast.Name):
            out.setdefault(a.value.id, set()).add(a.attr)
    return out


def _trainable_set(info: ModuleInfo) -> set[str] | None:
    """Names whose `.trainable` the module sets; None when it sets it on something else (`m.get_layer(n)`)."""
    out: set[str] = set()
    for a in info.all_nodes(ast.Assign):
        for t in a.targets:
            if isinstance(t, ast.Attribute) and t.attr == "trainable":
                if isinstance(t.value, ast.Name):
                    out.add(t.value.id)
                elif not (isinstance(t.value, ast.Name) and t.value.id == "self"):
                    return None
    return out
