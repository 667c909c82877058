"""Facts shared by TFG018-TFG021: Keras object construction, loss functions, loops and fall-through.

Pure functions of a `ModuleInfo` (nothing is stored on it); each call recomputes what it needs,
and the rules call them only after a cheap text pre-check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.module import FunctionNode, ModuleInfo, is_keras_layer_ctor, walk_own

LOOPS = (ast.For, ast.AsyncFor, ast.While)
FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)

# Keras 3 layers that create no variable at all: constructing one per call is harmless.
WEIGHTLESS_LAYERS = frozenset(
    """Activation ReLU LeakyReLU ELU Softmax ThresholdedReLU Flatten Reshape Permute RepeatVector Add Subtract
    Multiply Average Maximum Minimum Concatenate Dot Lambda Cropping1D Cropping2D Cropping3D ZeroPadding1D
    ZeroPadding2D ZeroPadding3D UpSampling1D UpSampling2D UpSampling3D MaxPooling1D MaxPooling2D MaxPooling3D
    MaxPool1D MaxPool2D MaxPool3D AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D
    AvgPool3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalMaxPooling1D
    GlobalMaxPooling2D GlobalMaxPooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D
    GlobalMaxPool2D GlobalMaxPool3D Identity Masking ActivityRegularization InputLayer Resizing Rescaling CenterCrop
    UnitNormalization Hashing CategoryEncoding""".split()
)
# Weightless, but they own a random SeedGenerator (a variable): fine eagerly, a new variable when traced.
SEEDED_LAYERS = frozenset(
    """Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D GaussianDropout GaussianNoise AlphaDropout
    RandomFlip RandomRotation RandomZoom RandomTranslation RandomContrast RandomCrop RandomBrightness""".split()
)


def keras_object(info: ModuleInfo, call: ast.Call) -> tuple[str, str] | None:
    """('layer' | 'seeded' | 'optimizer', display name) when `call` constructs a Keras object that creates
    variables (a weighted layer or model, a layer with a seed generator, an optimizer); else None."""
    q = info.imports.qualname(call.func)
    if q:
        last = q.rsplit(".", 1)[-1]
        if q.startswith(("keras.optimizers.", "tensorflow.optimizers.")) and last[:1].isupper():
            if ".schedules." in q:
                return None
            return "optimizer", _display(q)
        if is_keras_layer_ctor(q):
            if last in WEIGHTLESS_LAYERS:
                return None
            if last in SEEDED_LAYERS:
                return "seeded", _display(q)
            return "layer", _display(q)
        return None
    f = call.func
    if isinstance(f, ast.Name):
        cls = info.classes.get(f.id)
        if cls is not None and cls.keras_kind in {"layer", "model"} and _class_has_state(info, cls, set()):
            return "layer", f.id
    return None


def _display(q: str) -> str:
    return q if q.startswith("keras.") else q.replace("tensorflow.", "tf.", 1)


def _class_has_state(info: ModuleInfo, cls, seen: set[int]) -> bool:
    """A Keras subclass of this module that owns weights or sub-layers (or inherits a Keras layer that does)."""
    if id(cls) in seen:
        return True
    seen.add(id(cls))
    if cls.layer_attrs or cls.variable_attrs or cls.frozen_attrs or "build" in cls.methods:
        return True
    for b in cls.base_names:
        if b in info.classes:
            if _class_has_state(info, info.classes[b], seen):
                return True
        elif b.startswith("keras.") and b.rsplit(".", 1)[-1] not in {"Layer", "Model"}:
            last = b.rsplit(".", 1)[-1]
            if last not in WEIGHTLESS_LAYERS:
                return True
        elif b in {"keras.Model", "keras.models.Model"}:
            # A model subclass with no sub-layer of its own may still add weights in `__init__` via helpers.
            continue
    for m in cls.methods.values():
        for n in ast.walk(m):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr
                in {
                    "add_weight",
                    "add_variable",
                }
            ):
                return True
    return False


# ----------------------------------------------------------------------------- parents outside regions
def ancestors(parents: dict[int, ast.AST], node: ast.AST) -> Iterator[ast.AST]:
    p = parents.get(id(node))
    while p is not None:
        yield p
        p = parents.get(id(p))


# ----------------------------------------------------------------------------- losses
def compile_loss_targets(info: ModuleInfo) -> list[tuple[ast.AST, ast.Call]]:
    """Every value given as `loss=` to a `.compile(...)` call (dict/list values unpacked), with its call.  Built
    once per analysed module (two passes ask for it); callers must not mutate the list."""
    return info.memo(f"{__name__}.compile_loss_targets", lambda: _compile_loss_targets(info))


def _compile_loss_targets(info: ModuleInfo) -> list[tuple[ast.AST, ast.Call]]:
    out: list[tuple[ast.AST, ast.Call]] = []
    if ".compile(" not in info.source:
        return out
    for node in info.all_nodes(ast.Call):
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "compile"):
            continue
        for k in node.keywords:
            if k.arg != "loss":
                continue
            v = k.value
            values = v.elts if isinstance(v, (ast.List, ast.Tuple)) else (v.values if isinstance(v, ast.Dict) else [v])
            out.extend((x, node) for x in values)
    return out


def returned_closure(info: ModuleInfo, factory: FunctionNode) -> FunctionNode | None:
    """The nested def a loss factory returns (`def make_loss(w): def loss(y_true, y_pred): ...; return loss`)."""
    ff = info.facts(factory)
    if ff is None or len(ff.returns) != 1:
        return None
    v = ff.returns[0].value
    if isinstance(v, ast.Name) and v.id in ff.nested:
        return ff.nested[v.id]
    return None


def custom_loss_functions(info: ModuleInfo) -> list[tuple[FunctionNode, int, str]]:
    """(function, index of its y_pred parameter, how Keras gets it) for each custom loss of this module:
    module functions and factory closures given to `compile(loss=...)`, and `keras.losses.Loss` subclasses'
    `call`."""
    out: dict[int, tuple[FunctionNode, int, str]] = {}
    for v, _ in compile_loss_targets(info):
        fn = None
        if isinstance(v, ast.Name) and v.id in info.module_functions:
            fn = info.module_functions[v.id]
            how = f"loss `{v.id}` passed to `compile()`"
        elif isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in info.module_functions:
            fn = returned_closure(info, info.module_functions[v.func.id])
            how = f"loss returned by `{v.func.id}(...)` and passed to `compile()`"
        if fn is not None:
            out.setdefault(id(fn), (fn, 1, how))
    for cls in info.classes.values():
        # A subclass that overrides `__call__` (tensorflow-addons' SequenceLoss) never runs its `call` through Keras.
        if cls.keras_kind == "loss" and "call" in cls.methods and "__call__" not in cls.methods:
            fn = cls.methods["call"]
            out.setdefault(id(fn), (fn, 2, f"`{cls.node.name}.call` (a `keras.losses.Loss`)"))
    return list(out.values())


def param_names(fn: FunctionNode) -> list[str]:
    a = fn.args
    return [p.arg for p in [*a.posonlyargs, *a.args]]


def reads_name(fn: FunctionNode, name: str) -> bool:
    """Is `name` read anywhere in `fn` (nested defs and lambdas included, `del name` excluded)?"""
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load):
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in {"locals", "vars", "eval"}:
            return True
    return False


# ----------------------------------------------------------------------------- fall-through
def _is_false(e: ast.AST) -> bool:
    return isinstance(e, ast.Constant) and not e.value


def _is_true(e: ast.AST) -> bool:
    return isinstance(e, ast.Constant) and bool(e.value)


def block_ends(stmts: list[ast.stmt]) -> bool:
    """Does executing this block always end in `return <value>`/`raise` (never falls off its end)?"""
    return any(stmt_ends(s) for s in stmts)


def stmt_ends(s: ast.stmt) -> bool:
    if isinstance(s, ast.Return):
        return True
    if isinstance(s, ast.Raise):
        return True
    if isinstance(s, ast.Assert) and _is_false(s.test):
        return True
    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
        q = s.value.func
        name = q.attr if isinstance(q, ast.Attribute) else (q.id if isinstance(q, ast.Name) else "")
        if name in {"exit", "_exit", "abort"}:
            return True
    if isinstance(s, ast.If):
        if _is_true(s.test):
            return block_ends(s.body)
        return block_ends(s.body) and block_ends(s.orelse)
    if isinstance(s, (ast.With, ast.AsyncWith)):
        return block_ends(s.body)
    if isinstance(s, ast.Try) or (hasattr(ast, "TryStar") and isinstance(s, ast.TryStar)):
        if block_ends(s.finalbody):
            return True
        main = block_ends(s.body) or block_ends(s.orelse)
        return main and all(block_ends(h.body) for h in s.handlers)
    if isinstance(s, ast.While) and _is_true(s.test):
        return not any(isinstance(n, ast.Break) for n in walk_own(s))
    if isinstance(s, ast.Match):
        return True  # exhaustiveness cannot be told from the syntax: stay quiet
    return False


def none_returns(fn: FunctionNode) -> list[ast.Return]:
    """`return` / `return None` statements of `fn` itself (not of nested defs)."""
    return [
        n
        for n in walk_own(fn)
        if isinstance(n, ast.Return)
        and (n.value is None or (isinstance(n.value, ast.Constant) and n.value.value is None))
    ]


def is_generator(fn: FunctionNode) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_own(fn))
