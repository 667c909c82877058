"""Keras layer graphs as written: which layers are applied to values that trainable layers computed.

A layer whose `call` passes nothing differentiable from its input to its output only matters when something
trainable sits before it: `Quantize()(Dense(4)(inp))` starves the Dense; `Quantize()(inp)` harms nothing.
This module answers "is class C applied after weights here?" from the syntax alone (functional graphs,
`Sequential([...])` lists, layers held on `self` and called in `call`), so it works in a project summary too,
where no tensor levels are computed: a layer defined in `layers.py` and wired in `train.py` is judged by
`train.py`'s summary.
"""

from __future__ import annotations

import ast

from gradls.analysis.module import ModuleInfo, is_keras_layer_ctor

# Keras layers that own no weights: applying one does not put anything trainable before what follows.
WEIGHTLESS_LAYERS = frozenset(
    {
        "Lambda",
        "Input",
        "InputLayer",
        "Activation",
        "Dropout",
        "Flatten",
        "Reshape",
        "ReLU",
        "Softmax",
        "LeakyReLU",
        "Permute",
        "RepeatVector",
        "Concatenate",
        "Add",
        "Multiply",
        "Subtract",
        "Average",
        "Maximum",
        "Minimum",
        "Rescaling",
        "Resizing",
        "CenterCrop",
        "GaussianNoise",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "Identity",
    }
)
_SHAPE_ONLY_SUFFIXES = ("Pooling1D", "Pooling2D", "Pooling3D", "Padding1D", "Padding2D", "Cropping2D")


def keras_layer_owns_weights(qualname: str) -> bool:
    """`keras.layers.Dense` yes; `keras.layers.Dropout`, pooling, padding, reshaping no."""
    if not qualname.startswith("keras.layers."):
        return False
    last = qualname.rsplit(".", 1)[-1]
    return last not in WEIGHTLESS_LAYERS and not last.endswith(_SHAPE_ONLY_SUFFIXES)


def layers_applied_after_weights(info: ModuleInfo) -> frozenset[str]:
    """Local names of classes whose instances this module applies to a value computed by a trainable layer,
    or places after a trainable layer in a `Sequential` list."""
    return layer_graph(info).after_weights


def layer_graph(info: ModuleInfo) -> LayerGraph:
    return info.memo(f"{__name__}.layer_graph", lambda: LayerGraph(info))


class LayerGraph:
    """The module's layer wiring, from one walk: layer instances bound to names and `self.<attr>`, the names
    computed by trainable layers, and the names a functional `Model(inputs, outputs)` is built from."""

    def __init__(self, info: ModuleInfo):
        self.info = info
        # name or "self.attr" -> "weighted" (a trainable Keras layer) or the local name of another class
        self.bound: dict[str, str] = {}
        self.assigns: list[ast.Assign] = []
        self.weighted_names: set[str] = set()
        self.model_calls: list[ast.Call] = []
        self.after_weights: frozenset[str] = frozenset()
        if "(" in info.source:
            self._build()

    def _build(self) -> None:
        info = self.info
        # Each kind from its own list of the module's node index (walk order within a kind, all this needs): asking
        # for the three kinds at once filtered the whole tree once more.
        calls = info.all_nodes(ast.Call)
        for n in calls:
            if (info.imports.qualname(n.func) or "") in {"keras.Model", "keras.models.Model"}:
                self.model_calls.append(n)
        if not any(_constructed(info, c) == "weighted" for c in calls):
            # No trainable layer is made here: nothing is computed by one, nothing placed after one, and `weighted`
            # is False for every expression (no binding can hold one), so the bindings are not read at all.
            return
        for a in info.all_nodes(ast.Assign):
            self.assigns.append(a)
            what = _constructed(info, a.value)
            if what is not None:
                for t in a.targets:
                    key = _key(t)
                    if key is not None:
                        self.bound[key] = what
        lists = info.all_nodes(ast.List)
        self.assigns.sort(key=lambda a: (a.lineno, a.col_offset))
        # Twice: a name used before its (textually later) definition in another function still settles.
        for _ in range(2):
            for a in self.assigns:
                if self.weighted(a.value):
                    self.weighted_names |= {k for t in a.targets for k in _names(t)}
        out: set[str] = set()
        for c in calls:
            applied = _applied_class(c, self.bound)
            if applied is not None and c.args and self.weighted(c.args[0]):
                out.add(applied)
        for lst in lists:
            seen_weights = False
            for el in lst.elts:
                what = _constructed(info, el)
                if what == "weighted":
                    seen_weights = True
                elif what is not None and seen_weights:
                    out.add(what)
        self.after_weights = frozenset(out)

    def weighted(self, e: ast.AST) -> bool:
        """Is `e` computed by a trainable layer (directly, or from a name that was)?"""
        return _weighted(self.info, e, self.bound, self.weighted_names)

    def model_output_names(self) -> set[str]:
        """Names a functional `keras.Model(inputs, outputs)` of this module is computed from, followed back
        through the assignments that define them (read only in a module that makes a trainable layer: elsewhere no
        name is computed by one, and `assigns` stays empty)."""
        todo: list[str] = []
        for c in self.model_calls:
            outs = c.args[1] if len(c.args) > 1 else next((k.value for k in c.keywords if k.arg == "outputs"), None)
            if outs is not None:
                todo += [n.id for n in ast.walk(outs) if isinstance(n, ast.Name)]
        defs: dict[str, list[ast.Assign]] = {}
        for a in self.assigns:
            for t in a.targets:
                for name in _names(t):
                    defs.setdefault(name, []).append(a)
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for a in defs.get(name, ()):
                todo += [n.id for n in ast.walk(a.value) if isinstance(n, ast.Name)]
        return seen


def _key(t: ast.AST) -> str | None:
    if isinstance(t, ast.Name):
        return t.id
    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
        return f"self.{t.attr}"
    return None


def _names(t: ast.AST) -> list[str]:
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _names(e)]
    key = _key(t)
    return [key] if key else []


def _constructed(info: ModuleInfo, e: ast.AST) -> str | None:
    """'weighted' for a trainable Keras layer made here, the class's local name for a class of this module or
    an imported one (`Quantize()`), else None."""
    if not isinstance(e, ast.Call):
        return None
    q = info.imports.qualname(e.func) or ""
    if keras_layer_owns_weights(q):
        return "weighted"
    if isinstance(e.func, ast.Name):
        name = e.func.id
        cls = info.classes.get(name)
        if cls is not None:
            if cls.keras_kind in {"layer", "model"} and (cls.variable_attrs or cls.layer_attrs):
                return "weighted"
            return name
        if name in info.imports.raw and name[:1].isupper():
            return name
    if q and is_keras_layer_ctor(q):
        return None  # a weightless Keras layer
    return None


def _applied_class(c: ast.Call, bound: dict[str, str]) -> str | None:
    """`C(...)(x)` -> C; `q(x)` / `self.q(x)` with `q = C(...)` -> C."""
    f = c.func
    if isinstance(f, ast.Call) and isinstance(f.func, ast.Name):
        return f.func.id if f.func.id[:1].isupper() else None
    key = _key(f)
    if key is not None:
        what = bound.get(key)
        return what if what not in (None, "weighted") else None
    return None


def _weighted(info: ModuleInfo, e: ast.AST, bound: dict[str, str], names: set[str], depth: int = 0) -> bool:
    """Is `e` computed by a trainable layer (directly, or from a name that was)?"""
    if depth > 6:
        return False
    if isinstance(e, ast.Name):
        return e.id in names
    if isinstance(e, ast.Attribute):
        key = _key(e)
        return key in names if key else False
    if isinstance(e, ast.Call):
        f = e.func
        if isinstance(f, ast.Call) and _constructed(info, f) == "weighted":
            return True  # Dense(4)(h)
        key = _key(f)
        if key is not None and bound.get(key) == "weighted":
            return True  # self.dense(h), d(h)
        return any(_weighted(info, a, bound, names, depth + 1) for a in [*e.args, *(k.value for k in e.keywords)])
    if isinstance(e, ast.BinOp):
        return _weighted(info, e.left, bound, names, depth + 1) or _weighted(info, e.right, bound, names, depth + 1)
    if isinstance(e, (ast.Tuple, ast.List)):
        return any(_weighted(info, x, bound, names, depth + 1) for x in e.elts)
    return False
