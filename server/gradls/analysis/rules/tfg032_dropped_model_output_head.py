"""TFG032 dropped-model-output-head: a multi-output functional model (or a Keras class of the module whose `call`
returns a tuple) run with only some of its outputs kept; the layers feeding only the dropped outputs get None
gradients."""

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
    tuple_classes = _tuple_returning_classes(info)
    if not tuple_classes and not any(m.listed and len(m.outputs) > 1 for m in models):
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
    # custom loops differentiating an instance of a tuple-returning class: (reach of the loss, why, the instance)
    class_loops: list[tuple[Reach, str, str]] = []
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
                why = f"`{tape.name}.gradient` is taken w.r.t. `{info.text(src)}`"
                m = g.model_of(src.value, node)
                if m is not None and m.listed and len(m.outputs) > 1:
                    contexts.append((g.reach([tc.target], node), why, m))
                elif tuple_classes and isinstance(src.value, ast.Name):
                    cname = _instance_class(info, src.value.id)
                    if cname in tuple_classes:
                        class_loops.append((g.reach([tc.target], node), why, src.value.id))
    yield from _dropped(info, g, contexts, uses, frozen)
    if tuple_classes:
        yield from _dropped_class_values(info, g, contexts, class_loops, uses, frozen, tuple_classes)


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


# ---------------------------------------------------------------------------------------------------------------
# The same for an instance of a Keras layer or model class of this module whose `call` returns a tuple display
# (transformers#5427: a BERT-like model returning `(sequence_output, pooled_output)`, a functional model built on
# `bert(ids, ...)[0]` only and trained with `fit`).  Measured under TF 2.21 / Keras 3.15: the layers `call` applies
# only on the way to the dropped values (the pooler) keep their initial weights; `fit` warns `Gradients do not exist`.


@dataclass
class _TupleClass:
    call: ast.FunctionDef | ast.AsyncFunctionDef
    values: list[list[ast.expr]]  # per returned position, its expression in every `return`


def _tuple_returning_classes(info: ModuleInfo) -> dict[str, _TupleClass]:
    out: dict[str, _TupleClass] = {}
    subclassed = {b for c in info.classes.values() for b in c.base_names}
    for name, cls in info.classes.items():
        if cls.keras_kind not in {"layer", "model"} or name in subclassed:
            continue
        call = cls.methods.get("call")
        facts = info.facts(call) if call is not None else None
        if call is None or facts is None or not facts.returns:
            continue
        if "add_loss" in info.text(cls.node) or "add_metric" in info.text(cls.node):
            continue  # a loss term may read a dropped value
        rets = [r.value for r in facts.returns]
        if not all(isinstance(r, (ast.Tuple, ast.List)) for r in rets):
            continue
        elts = [r.elts for r in rets if isinstance(r, (ast.Tuple, ast.List))]
        n = len(elts[0])
        if n < 2 or any(len(e) != n for e in elts) or any(isinstance(x, ast.Starred) for e in elts for x in e):
            continue
        out[name] = _TupleClass(call, [[e[i] for e in elts] for i in range(n)])
    return out


def _dropped_class_values(
    info: ModuleInfo,
    g: FunctionalGraphs,
    contexts: list[tuple[Reach, str, FunctionalModel | None]],
    class_loops: list[tuple[Reach, str, str]],
    uses: dict[str, set[str]],
    frozen: set[str],
    classes: dict[str, _TupleClass],
) -> Iterator[Finding]:
    seen: dict[str, tuple[set[int], list[ast.Call], list[str], bool]] = {}  # class -> kept, calls, whys, complete
    differentiated = {name for _r, _why, name in class_loops}
    every: list[tuple[Reach, str, str | None]] = [(r, why, None) for r, why, own in contexts if own is None]
    every += [(r, why, name) for r, why, name in class_loops]
    for r, why, only in every:
        for cname, call, idxs in r.class_calls.values():
            if cname not in classes:
                continue
            if only is not None and not (isinstance(call.func, ast.Name) and call.func.id == only):
                continue  # a custom loop differentiates one instance's weights: the others' calls do not count
            kept, calls, whys, complete = seen.setdefault(cname, (set(), [], [], True))
            kept.update(idxs)
            calls.append(call)
            if why not in whys:
                whys.append(why)
            seen[cname] = (kept, calls, whys, complete and r.complete)
    for cname, (kept, calls, whys, complete) in seen.items():
        tc = classes[cname]
        n = len(tc.values)
        if ALL in kept or not complete or not _instances_accounted(info, cname, calls, uses, frozen, differentiated):
            continue
        dropped = [i for i in range(n) if i not in kept]
        if not dropped:
            continue
        g.kf.own_nodes(tc.call)
        reached: list[Reach] = [g.reach(list(vals), tc.call) for vals in tc.values]
        if not all(reached[i].complete for i in kept):
            continue  # a kept value computed through something the walk cannot see into may use any layer
        used = set().union(*(reached[i].self_calls for i in kept))
        lost = sorted(
            {a for d in dropped for a in reached[d].self_calls - used if _trainable_layer_attr(info, g, cname, a)}
        )
        if not lost:
            continue
        call = min(calls, key=lambda c: (c.lineno, c.col_offset))
        yield _class_finding(info, call, cname, n, sorted(kept), dropped, lost, whys[0])


def _instances_accounted(
    info: ModuleInfo,
    cname: str,
    calls: list[ast.Call],
    uses: dict[str, set[str]],
    frozen: set[str],
    differentiated: set[str],
) -> bool:
    """Every call of every instance of `cname` bound to a name is one of `calls` (so which values each reads is
    known), and no instance is trained on its own, frozen, or has its weights read (but by the custom loops that
    differentiate it, `differentiated`)."""
    ids = {id(c) for c in calls}
    names: set[str] = set()
    for a in info.all_nodes(ast.Assign):
        v = a.value
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == cname:
            if len(a.targets) != 1 or not isinstance(a.targets[0], ast.Name):
                return False  # `self.bert = Bert()`, an unpacking: its calls are not followed here
            names.add(a.targets[0].id)
    for c in info.all_nodes(ast.Call):
        f = c.func
        if isinstance(f, ast.Name) and f.id in names and id(c) not in ids:
            return False
    for n in names:
        read = uses.get(n, set())
        if n in frozen or read & _TRAINS or (read & _WEIGHTS and n not in differentiated):
            return False
    return True


def _instance_class(info: ModuleInfo, name: str) -> str | None:
    """The module class every assignment of `name` constructs (`enc = Encoder()`), else None."""
    found: set[str] = set()
    for a in info.all_nodes(ast.Assign):
        if any(isinstance(n, ast.Name) and n.id == name for t in a.targets for n in ast.walk(t)):
            v = a.value
            if len(a.targets) != 1 or not isinstance(a.targets[0], ast.Name):
                return None
            if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in info.classes):
                return None
            found.add(v.func.id)
    return next(iter(found)) if len(found) == 1 else None


def _trainable_layer_attr(info: ModuleInfo, g: FunctionalGraphs, cname: str, attr: str) -> bool:
    """`self.<attr>` of class `cname` holds one Keras layer with trainable weights, made once in `__init__` or
    `build`, and called nowhere but in `call` (here or from outside)."""
    cls = info.classes[cname]
    ctors: list[ast.Call] = []
    for mname, m in cls.methods.items():
        for n in ast.walk(m):
            if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == attr and _is_self(t.value) for t in n.targets
            ):
                if mname not in {"__init__", "build"} or not isinstance(n.value, ast.Call):
                    return False
                ctors.append(n.value)
    if len(ctors) != 1:
        return False
    call = cls.methods["call"]
    for n in info.all_nodes(ast.Call):
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr == attr:
            inside = call.lineno <= n.lineno <= (call.end_lineno or call.lineno)
            if not (inside and _is_self(f.value)):
                return False  # applied elsewhere too: another method, or from outside
    layer = g._layer(ctors[0], ctors[0])
    return layer.trains


def _class_finding(
    info: ModuleInfo, call: ast.Call, cname: str, n: int, kept: list[int], dropped: list[int], lost: list[str], why: str
) -> Finding:
    def vals(ix: list[int]) -> str:
        return ("value " if len(ix) == 1 else "values ") + ", ".join(map(str, ix))

    layers = ", ".join(f"`self.{a}`" for a in lost)
    verb = "reaches" if len(kept) == 1 else "reach"
    msg = (
        f"only {vals(kept)} of the {n} values `{cname}.call` returns {verb} what is trained ({why}): the layers "
        f"applied only for {vals(dropped)}, {layers}, get None gradients and never train (TensorFlow warns "
        f"`Gradients do not exist for variables ...` and goes on). Use {vals(dropped)} in the model, or stop "
        f"computing it in `{cname}.call`"
    )
    return Finding("TFG032", msg, info.span(call))
