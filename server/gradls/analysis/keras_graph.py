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
    return info.memo(f"{__name__}.after_weights", lambda: frozenset(_after_weights(info)))


def _after_weights(info: ModuleInfo) -> set[str]:
    if "(" not in info.source:
        return set()
    # Instances bound to names and to `self.<attr>`: name -> class (local name) or "weighted" for a
    # trainable Keras layer.
    bound: dict[str, str] = {}
    assigns: list[ast.Assign] = []
    calls: list[ast.Call] = []
    lists: list[ast.List] = []
    for n in ast.walk(info.tree):
        if isinstance(n, ast.Assign):
            assigns.append(n)
            what = _constructed(info, n.value)
            if what is not None:
                for t in n.targets:
                    key = _key(t)
                    if key is not None:
                        bound[key] = what
        elif isinstance(n, ast.Call):
            calls.append(n)
        elif isinstance(n, ast.List):
            lists.append(n)
    weighted_names: set[str] = set()
    assigns.sort(key=lambda a: (a.lineno, a.col_offset))
    # Twice: a name used before its (textually later) definition in another function still settles.
    for _ in range(2):
        for a in assigns:
            if _weighted(info, a.value, bound, weighted_names):
                weighted_names |= {k for t in a.targets for k in _names(t)}
    out: set[str] = set()
    for c in calls:
        applied = _applied_class(c, bound)
        if applied is not None and c.args and _weighted(info, c.args[0], bound, weighted_names):
            out.add(applied)
    for lst in lists:
        seen_weights = False
        for el in lst.elts:
            what = _constructed(info, el)
            if what == "weighted":
                seen_weights = True
            elif what is not None and seen_weights:
                out.add(what)
    return out


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
