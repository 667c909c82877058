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
import builtins
from dataclasses import dataclass, field

from gradls.analysis.call_sites import arguments_for
from gradls.analysis.keras_facts import KerasFacts, Scope
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


def model_calls(info: ModuleInfo) -> list[ast.Call]:
    """The module's `keras.Model(...)` calls, in walk order: asked before the layer graph (most modules make no
    functional model, and then nothing else of the graph is needed: keras/src, 11 of 735 modules)."""
    return info.memo(f"{__name__}.model_calls", lambda: _model_calls(info))


def _model_calls(info: ModuleInfo) -> list[ast.Call]:
    if "(" not in info.source:
        return []
    return [
        n
        for n in info.all_nodes(ast.Call)
        if (info.imports.qualname(n.func) or "") in {"keras.Model", "keras.models.Model"}
    ]


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
        self.model_calls = model_calls(info)
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


# ------------------------------------------------------------------------------------------ reachability
# Which layers of a functional graph feed which outputs: a backward walk from some tensors (a model's outputs, a
# loss) through the assignments of the scope that computes them, recording every layer applied on the way and, for
# each call of a functional model, which of its outputs the walk reached (`base(x)[0]`, `a, _ = base(x)`: output 0
# only).  A functional model's own outputs are walked in the scope that built it (its factory function), so a model
# reused inside another is seen through: the layers feeding only the outputs nobody reads are the ones whose
# gradients are None (tensorflow#22775).

ALL = -1  # an index set holding ALL: the whole value was read (every output)
_MODEL_CTORS = {"keras.Model", "keras.models.Model"}
_OTHER_MODELS = {"keras.Sequential", "keras.models.Sequential"}
_PURE_PREFIXES = ("tensorflow.", "keras.ops.", "keras.backend.", "keras.activations.", "keras.losses.", "numpy.")
_BUILTIN_NAMES = frozenset(dir(builtins))
_PURE_BUILTINS = {"len", "float", "int", "list", "tuple", "zip", "sum", "abs", "min", "max", "range", "print"}


@dataclass(frozen=True)
class GraphLayer:
    """A layer applied in a graph: `node` is its constructor call (a nested model's `keras.Model(...)` call)."""

    node: ast.Call
    label: str  # `dense_b` (bound name or name=), else `Conv2D(...)`
    trains: bool  # owns trainable weights, no trainable=False, no regularizer (whose loss would reach it)


@dataclass(frozen=True)
class FunctionalModel:
    """A functional `keras.Model(inputs, outputs)` call of this module with its output tensors as written."""

    ctor: ast.Call
    scope: Scope
    outputs: tuple[ast.expr, ...]
    listed: bool  # outputs given as a list/tuple display: calling the model gives one value per element


@dataclass
class Reach:
    """What a backward walk from some tensors reached."""

    layers: dict[int, GraphLayer] = field(default_factory=dict)  # id(ctor) -> layer, nested models' layers included
    # id(call of a functional model) -> (the model, the call, output indices read; ALL in it for the whole value)
    model_calls: dict[int, tuple[FunctionalModel, ast.Call, set[int]]] = field(default_factory=dict)
    # id(call of an instance of a Keras class of this module) -> (the class name, the call, indices read)
    class_calls: dict[int, tuple[str, ast.Call, set[int]]] = field(default_factory=dict)
    self_calls: set[str] = field(default_factory=set)  # `self.<attr>(...)` calls reached (a walk inside a method)
    complete: bool = True  # False when a value came from something the walk cannot see into (a user function)


class FunctionalGraphs:
    """Resolution of names to functional models and backward walks, for one module (see `functional_graphs`)."""

    def __init__(self, info: ModuleInfo):
        self.info = info
        self.kf = KerasFacts(info)
        self._models: dict[int, FunctionalModel | None] = {}
        self._feeds: dict[tuple[int, int], Reach] = {}
        self._call_models: dict[int, FunctionalModel | None] = {}

    def scope_of(self, node: ast.AST) -> Scope:
        """The function (or the module) whose own code holds `node`."""
        parents = self.info.all_parents
        p = parents.get(id(node))
        while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
            p = parents.get(id(p))
        return p if p is not None else self.info.tree

    # ------------------------------------------------------------------ models
    def models(self) -> list[FunctionalModel]:
        """Every functional `keras.Model(inputs, outputs)` call of the module."""
        out = []
        for c in model_calls(self.info):  # the module's keras.Model(...) calls, found once for all rules
            m = self._model_of_ctor(c)
            if m is not None:
                out.append(m)
        return out

    def _model_of_ctor(self, c: ast.Call) -> FunctionalModel | None:
        if id(c) in self._models:
            return self._models[id(c)]
        m = None
        outs = c.args[1] if len(c.args) > 1 else next((k.value for k in c.keywords if k.arg == "outputs"), None)
        if outs is not None and not any(k.arg is None for k in c.keywords):
            scope = self.scope_of(c)
            self.kf.own_nodes(scope)
            listed = isinstance(outs, (ast.List, ast.Tuple))
            if not listed and isinstance(outs, ast.Name):
                b = self.kf.single_value(outs, scope)
                if b is not None and b.kind == "assign" and isinstance(b.value, (ast.List, ast.Tuple)):
                    outs, listed = b.value, True
            if listed:
                assert isinstance(outs, (ast.List, ast.Tuple))
                elts = tuple(outs.elts)
                if not any(isinstance(e, ast.Starred) for e in elts):
                    m = FunctionalModel(c, scope, elts, True)
            else:
                m = FunctionalModel(c, scope, (outs,), False)
        self._models[id(c)] = m
        return m

    def model_of(self, e: ast.AST, scope: Scope, depth: int = 0) -> FunctionalModel | None:
        """The functional model `e` is (a name bound to one, a factory function's call, a parameter every call
        fills with the same one), else None."""
        if depth > 6:
            return None
        kf = self.kf
        if isinstance(e, ast.Call):
            if id(e) in self._call_models:
                return self._call_models[id(e)]
            self._call_models[id(e)] = None  # a factory reached again while it is resolved: not a model
            hit = self._call_model(e, depth)
            self._call_models[id(e)] = hit
            return hit
        if isinstance(e, ast.Name):
            b = kf.bindings(e.id, scope, e)
            if not b:
                return None
            found: dict[int, FunctionalModel] = {}
            for x in b:
                if x.kind == "assign" and x.value is not None:
                    m = self.model_of(x.value, self.scope_of(x.stmt) if x.stmt is not None else scope, depth + 1)
                elif x.kind == "opaque" and isinstance(x.stmt, ast.arg):
                    m = self._param_model(x.stmt, depth)
                else:
                    m = None
                if m is None:
                    return None
                found[id(m.ctor)] = m
            return next(iter(found.values())) if len(found) == 1 else None
        return None

    def _call_model(self, e: ast.Call, depth: int) -> FunctionalModel | None:
        info, kf = self.info, self.kf
        q = info.imports.qualname(e.func) or ""
        if q in _MODEL_CTORS:
            return self._model_of_ctor(e)
        if isinstance(e.func, ast.Name) and e.func.id in info.module_functions:
            fn = info.module_functions[e.func.id]
            ff = info.facts(fn)
            rets = [r.value for r in ff.returns] if ff is not None else []
            if not rets or any(r is None for r in rets):
                return None
            kf.own_nodes(fn)
            got = [self.model_of(r, fn, depth + 1) for r in rets if r is not None]
            ids = {id(m.ctor) for m in got if m is not None}
            return got[0] if len(ids) == 1 and all(m is not None for m in got) else None
        return None

    def _param_model(self, param: ast.arg, depth: int) -> FunctionalModel | None:
        passed = arguments_for(self.info, param)
        if not passed:
            return None
        found: dict[int, FunctionalModel] = {}
        for call, arg in passed:
            m = self.model_of(arg, self.scope_of(call), depth + 1)
            if m is None:
                return None
            found[id(m.ctor)] = m
        return next(iter(found.values())) if len(found) == 1 else None

    def names_of(self, m: FunctionalModel) -> set[str]:
        """Names the module binds to `m` (`net = keras.Model(...)`, `net = get_net()` for a factory returning it)."""
        out: set[str] = set()
        functions = self.info.module_functions
        for a in self.info.all_nodes(ast.Assign):
            if len(a.targets) == 1 and isinstance(a.targets[0], ast.Name) and isinstance(a.value, ast.Call):
                v = a.value
                if v is m.ctor or (
                    isinstance(v.func, ast.Name) and v.func.id in functions and self.model_of(v, self.scope_of(a)) is m
                ):
                    out.add(a.targets[0].id)
        return out

    # ------------------------------------------------------------------ reachability
    def feeds(self, m: FunctionalModel, index: int) -> Reach:
        """What output `index` of `m` is computed from (in the scope that built `m`)."""
        key = (id(m.ctor), index)
        r = self._feeds.get(key)
        if r is None:
            self._feeds[key] = Reach(complete=False)  # a model reached from its own outputs: not seen through
            r = self.reach([m.outputs[index]], m.scope)
            self._feeds[key] = r
        return r

    def reach(self, roots: list[ast.AST], scope: Scope) -> Reach:
        """Backward walk from `roots` (tensors of `scope`)."""
        r = Reach()
        seen: set[tuple[int, int]] = set()
        todo: list[tuple[ast.AST, Scope, int]] = [(e, scope, ALL) for e in roots]
        while todo:
            e, sc, idx = todo.pop()
            if (id(e), idx) in seen or len(seen) > 5000:
                r.complete = r.complete and len(seen) <= 5000
                continue
            seen.add((id(e), idx))
            todo += self._step(e, sc, idx, r)
        for m, _call, idxs in list(r.model_calls.values()):
            wanted = range(len(m.outputs)) if ALL in idxs or not m.listed else sorted(i for i in idxs if 0 <= i)
            for i in wanted:
                if i >= len(m.outputs):
                    continue
                inner = self.feeds(m, i)
                r.layers.update(inner.layers)
                r.complete = r.complete and inner.complete
        return r

    def _step(self, e: ast.AST, sc: Scope, idx: int, r: Reach) -> list[tuple[ast.AST, Scope, int]]:
        info, kf = self.info, self.kf
        if isinstance(e, ast.Name):
            b = kf.bindings(e.id, sc, e)
            out: list[tuple[ast.AST, Scope, int]] = []
            for x in _before(b or [], e):
                where = self.scope_of(x.stmt) if x.stmt is not None else sc
                if x.kind == "assign" and x.value is not None:
                    out.append((x.value, where, idx))
                elif x.kind == "unpack" and x.value is not None:
                    out.append((x.value, where, _unpack_position(x.stmt, e.id)))
                elif x.kind == "for" and x.value is not None:
                    out.append((x.value, where, ALL))
                elif x.kind == "opaque" and not isinstance(x.stmt, (ast.arg, ast.Import, ast.ImportFrom)):
                    r.complete = False  # `x += ...`, `global x`, a `with ... as x`
            return out
        if isinstance(e, ast.Subscript):
            s = e.slice
            if isinstance(s, ast.Constant) and type(s.value) is int:
                return [(e.value, sc, s.value if s.value >= 0 else ALL)]  # [-1]: counted from the end, not told
            return [(e.value, sc, ALL), (s, sc, ALL)]
        if isinstance(e, ast.Call):
            return self._call_step(e, sc, idx, r)
        if isinstance(e, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return []
        return [(c, sc, ALL) for c in info.child_nodes(e) if isinstance(c, ast.expr)]

    def _call_step(self, e: ast.Call, sc: Scope, idx: int, r: Reach) -> list[tuple[ast.AST, Scope, int]]:
        info = self.info
        args: list[ast.AST] = [*e.args, *(k.value for k in e.keywords)]
        out = [(a, sc, ALL) for a in args]
        f = e.func
        q = info.imports.qualname(f) or ""
        if q in _MODEL_CTORS or q in _OTHER_MODELS or q.startswith("keras.Input") or q == "keras.layers.Input":
            return []  # the model object, or an input: no tensor computed from layers
        m = self.model_of(f, sc)
        if m is not None:
            got = r.model_calls.setdefault(id(e), (m, e, set()))[2]
            got.add(idx)
            r.layers[id(m.ctor)] = GraphLayer(m.ctor, info.text(f), trains=False)  # its own layers count
            return out
        ctor = self._layer_ctor(f, sc)
        if ctor is not None:
            r.layers.setdefault(id(ctor), self._layer(ctor, f))
            if isinstance(ctor.func, ast.Name) and ctor.func.id in info.classes:
                r.class_calls.setdefault(id(e), (ctor.func.id, e, set()))[2].add(idx)
            return out
        if q.startswith(_PURE_PREFIXES) or (isinstance(f, ast.Name) and f.id in _PURE_BUILTINS and not q):
            return out
        if isinstance(f, ast.Attribute) and not q:
            if isinstance(f.value, ast.Name) and f.value.id == "self":
                r.self_calls.add(f.attr)
            return [*out, (f.value, sc, ALL)]  # a method of a value: `t.reshape(...)`, `loss_fn(...)` objects
        if isinstance(f, ast.Name) and (self._loss_object(f, sc) or self._reads_only_args(f)):
            return out
        r.complete = False  # a user function or something unknown: it may read layers or tensors of its own
        return out

    def _reads_only_args(self, f: ast.Name) -> bool:
        """A module-level function of this module that reads nothing but its parameters, its own locals, imported
        modules and the module's functions and classes (a loss written as `def my_loss(y, p)`): what it returns is
        computed from its arguments."""
        info = self.info
        fn = info.module_functions.get(f.id)
        if fn is None:
            return False
        memo: dict[int, bool] = info.memo(f"{__name__}.reads_only_args", dict)
        known = memo.get(id(fn))
        if known is None:
            local = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
            local |= {a.arg for a in (fn.args.vararg, fn.args.kwarg) if a is not None}
            loads: set[str] = set()
            for n in ast.walk(fn):
                if isinstance(n, ast.Name):
                    (local if isinstance(n.ctx, ast.Store) else loads).add(n.id)
                elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not fn:
                    local.add(n.name)
                elif isinstance(n, (ast.Global, ast.Nonlocal)):
                    loads |= set(n.names)
            allowed = set(info.imports.aliases) | set(info.module_functions) | set(info.classes) | _BUILTIN_NAMES
            known = memo[id(fn)] = all(x in local or x in allowed for x in loads)
        return known

    def _loss_object(self, f: ast.Name, sc: Scope) -> bool:
        b = self.kf.single_value(f, sc)
        if b is None or b.kind != "assign" or not isinstance(b.value, ast.Call):
            return False
        return (self.info.imports.qualname(b.value.func) or "").startswith(("keras.losses.", "keras.metrics."))

    def _layer_ctor(self, f: ast.AST, sc: Scope) -> ast.Call | None:
        """The constructor call of the layer `f` is: `Dense(4)` in `Dense(4)(x)`, the value of `d = Dense(4)`."""
        info = self.info
        if isinstance(f, ast.Call):
            q = info.imports.qualname(f.func) or ""
            if is_keras_layer_ctor(q) or _constructed(info, f) is not None:
                return f
            return None
        if isinstance(f, ast.Name):
            b = self.kf.single_value(f, sc)
            if b is not None and b.kind == "assign" and isinstance(b.value, ast.Call):
                return self._layer_ctor(b.value, self.scope_of(b.stmt) if b.stmt is not None else sc)
        return None

    def _layer(self, ctor: ast.Call, applied: ast.AST) -> GraphLayer:
        info = self.info
        q = info.imports.qualname(ctor.func) or ""
        cls_name = q.rsplit(".", 1)[-1] if q else (ctor.func.id if isinstance(ctor.func, ast.Name) else "layer")
        own = keras_layer_owns_weights(q) if q else _constructed(info, ctor) == "weighted"
        kws = {k.arg for k in ctor.keywords}
        frozen = any(
            k.arg == "trainable" and not (isinstance(k.value, ast.Constant) and k.value.value is True)
            for k in ctor.keywords
        )
        # A regularizer's loss reaches the weights whenever the model's losses are added (fit always adds them).
        trainable = not frozen and not any(k and k.endswith("_regularizer") for k in kws) and None not in kws
        if not q:
            cls = info.classes.get(cls_name)
            if cls is None or "add_loss" in info.text(cls.node):
                trainable = False
        name_kw = next(
            (k.value.value for k in ctor.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None
        )
        if isinstance(applied, ast.Name):
            label = applied.id
        elif isinstance(name_kw, str):
            label = f'{cls_name}(name="{name_kw}")'
        else:
            label = f"{cls_name}(...) at line {ctor.lineno}"
        return GraphLayer(ctor, label, trains=own and trainable)


def _before(bindings: list, use: ast.Name) -> list:
    """The bindings a straight-line read can see: those made by statements ending before `use` (all of them when
    there is none, as for a function reading a name bound further down the module)."""
    at = (use.lineno, use.col_offset)
    seen = [
        x
        for x in bindings
        if x.stmt is None
        or isinstance(x.stmt, ast.arg)
        or (getattr(x.stmt, "end_lineno", None) or 0, getattr(x.stmt, "end_col_offset", None) or 0) <= at
    ]
    return seen or bindings


def _unpack_position(stmt: ast.AST | None, name: str) -> int:
    """Position of `name` in the flat tuple target of `a, b = value` (ALL when nested, starred or not found)."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else []
    for t in targets:
        if isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(x, ast.Name) for x in t.elts):
            names = [x.id for x in t.elts if isinstance(x, ast.Name)]
            if names.count(name) == 1:
                return names.index(name)
    return ALL


def functional_graphs(info: ModuleInfo) -> FunctionalGraphs:
    return info.memo(f"{__name__}.functional_graphs", lambda: FunctionalGraphs(info))
