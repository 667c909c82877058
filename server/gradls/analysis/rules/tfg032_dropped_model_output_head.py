"""TFG032 dropped-model-output-head: a multi-output functional model run with only some of its outputs kept; the
layers feeding only the dropped outputs get None gradients."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    if any(
        isinstance(c.func, ast.Attribute) and c.func.attr == "add_loss" and not _is_self(c.func.value)
        for c in info.all_nodes(ast.Call)
    ):
        return  # `model.add_loss(f(b))`: a loss term outside the outputs may train the dropped head
    uses = _attribute_uses(info)
    frozen = _trainable_set(info)
    if frozen is None:
        return  # `model.get_layer(...).trainable = ...`: which layers are frozen is not told here
    # Every place a gradient is asked for: a new model (reusing others) that is trained, and a custom loop
    # differentiating a multi-output model's own weights.  Outputs left out in one place may be trained in another
    # (two task models sharing a base, one gradient per head): a layer is lost only when no place reaches it.
    contexts: list[tuple[Reach, str, FunctionalModel | None]] = []
    for new in models:
        names = g.names_of(new)
        if any(uses.get(n, set()) & (_TRAINS | _WEIGHTS) for n in names):
            contexts.append((g.reach(list(new.outputs), new.scope), f"`{_first(names)}` is trained", None))
    for scope in tape_scopes(info):
        node = scope.node
        if not isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for tape in scope.tapes:
            for tc in tape.calls:
                src = tc.sources
                if tc.method != "gradient" or tc.target is None or not isinstance(src, ast.Attribute):
                    continue
                if src.attr not in _WEIGHTS:
                    continue
                m = g.model_of(src.value, node)
                if m is not None and m.listed and len(m.outputs) > 1:
                    why = f"`{tape.name}.gradient` is taken w.r.t. `{info.text(src)}`"
                    contexts.append((g.reach([tc.target], node), why, m))
    yield from _dropped(info, g, contexts, uses, frozen)


def _dropped(
    info: ModuleInfo,
    g: FunctionalGraphs,
    contexts: list[tuple[Reach, str, FunctionalModel | None]],
    uses: dict[str, set[str]],
    frozen: set[str],
) -> Iterator[Finding]:
    by_model: dict[int, _Uses] = {}
    for r, why, own in contexts:
        here: set[int] = set()
        for m, call, idxs in r.model_calls.values():
            if own is not None and m is not own:
                continue
            u = by_model.setdefault(id(m.ctor), _Uses(m))
            u.calls.append(call)
            u.kept.update(idxs)
            if id(m.ctor) not in here:
                here.add(id(m.ctor))
                u.whys.append(why)
                u.reached.update(r.layers)
                u.complete = u.complete and r.complete
                u.own_loop = u.own_loop or own is not None
    for u in by_model.values():
        m, kept, n = u.model, u.kept, len(u.model.outputs)
        if not m.listed or n < 2 or ALL in kept or not u.complete:
            continue
        dropped = [i for i in range(n) if i not in kept]
        names = g.names_of(m)
        if not dropped or names & frozen:
            continue
        read: set[str] = set().union(*(uses.get(x, set()) for x in names))
        if read & _TRAINS or (read & _WEIGHTS and not u.own_loop):
            continue  # the model is trained on its own too (fit: a loss per output), or its weights go elsewhere
        lost: dict[int, GraphLayer] = {}
        for d in dropped:
            for key, layer in g.feeds(m, d).layers.items():
                if layer.trains and key not in u.reached and layer.label not in frozen:
                    lost[key] = layer
        if not lost:
            continue
        call = min(u.calls, key=lambda c: (c.lineno, c.col_offset))
        yield _finding(info, call, m, sorted(kept), dropped, list(lost.values()), u.whys[0])


@dataclass
class _Uses:
    """What the places that train a multi-output model read of it."""

    model: FunctionalModel
    calls: list[ast.Call] = field(default_factory=list)
    kept: set[int] = field(default_factory=set)  # output indices read (ALL: the whole result)
    reached: set[int] = field(default_factory=set)  # id(ctor) of every layer reached
    whys: list[str] = field(default_factory=list)
    complete: bool = True
    own_loop: bool = False  # differentiated through its own trainable_variables in a custom loop


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


def _is_self(e: ast.AST) -> bool:
    return isinstance(e, ast.Name) and e.id == "self"


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
    """Names whose `.trainable` the module sets; None when it sets it on something else (`m.get_layer(n)`, a loop
    variable over layers)."""
    out: set[str] = set()
    looped = {
        n.id
        for f in info.all_nodes((ast.For, ast.AsyncFor, ast.comprehension))
        for n in ast.walk(getattr(f, "target", f))
        if isinstance(n, ast.Name)
    }
    for a in info.all_nodes(ast.Assign):
        for t in a.targets:
            if isinstance(t, ast.Attribute) and t.attr == "trainable":
                if isinstance(t.value, ast.Name) and t.value.id in looped:
                    return None  # `for layer in base.layers: layer.trainable = False`
                if isinstance(t.value, ast.Name):
                    out.add(t.value.id)
                elif not (isinstance(t.value, ast.Name) and t.value.id == "self"):
                    return None
    return out
