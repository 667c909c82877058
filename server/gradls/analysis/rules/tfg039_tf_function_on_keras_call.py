"""TFG039 tf-function-on-keras-call: `@tf.function` on the `call` of a Keras 3 layer or model whose sublayers are
built lazily: their weights are created while that function traces `call`, and the trace that creates them does not
let a GradientTape see them (gradient None for every weight; `fit` raises `No gradients provided for any
variable`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import cast

from gradls.analysis.keras_facts import KerasFacts
from gradls.analysis.model import Finding
from gradls.analysis.module import ClassFacts, ModuleInfo
from gradls.analysis.names import dotted
from gradls.analysis.rules import rule

# Built-in layers that hold no weights: a class whose only sublayers are these creates nothing in the trace.
_WEIGHTLESS = frozenset(
    "Activation ReLU LeakyReLU ELU Softmax ThresholdedReLU Dropout GaussianNoise GaussianDropout AlphaDropout Flatten "
    "Reshape Permute RepeatVector Lambda Masking Add Subtract Multiply Average Maximum Minimum Concatenate Dot "
    "InputLayer Identity Rescaling Resizing CenterCrop".split()
)
_WEIGHTLESS_PREFIXES = (
    "MaxPool",
    "AveragePool",
    "AvgPool",
    "GlobalMax",
    "GlobalAverage",
    "GlobalAvg",
    "Cropping",
    "ZeroPadding",
    "UpSampling",
    "SpatialDropout",
    "Random",
)
_TRAINING_METHODS = frozenset({"fit", "train_on_batch"})


@rule(
    "TFG039",
    "tf-function-on-keras-call",
    "`@tf.function` on the `call` of a Keras 3 layer or model whose sublayers (made in `__init__`, no `build()`) "
    "create their weights on the first call: they are created while the `tf.function` traces `call`, and that "
    "trace does not let a GradientTape see them, so every gradient is `None` (`fit`: `ValueError: No gradients "
    "provided for any variable`; tf.keras 2 trained it). Keras already traces `call`; drop the decorator.",
)
def find_tf_function_on_keras_call(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if "function" not in src or "def call" not in src or ".build(" in src:
        return  # an explicit build() creates the weights before any trace (measured: trains)
    if info.keras2_program:
        return  # tf_keras / TF_USE_LEGACY_KERAS=1: the same program trains (measured)
    kf: KerasFacts | None = None
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2 or "build" in cls.methods:
            continue
        call = cls.methods.get("call")
        deco = _tf_function_decorator(info, call) if call is not None else None
        if deco is None or not _makes_weighted_sublayers(info, cls):
            continue
        if kf is None:
            kf = KerasFacts(info)
        uses = _uses(info, kf, cls)
        if uses is None or not uses:
            continue  # an instance called outside training (or one it cannot follow): which trace trains is open
        yield Finding(
            "TFG039",
            f"`@tf.function` on `{cls.node.name}.call`: its sublayers create their weights on the first call, inside "
            "this function's trace, and in Keras 3 that trace does not let a GradientTape see them: every "
            "gradient is `None` (`fit`, `apply_gradients`: `ValueError: No gradients provided for any variable`; "
            "tf.keras 2 trained it); drop the decorator (Keras already traces `call` under `fit` and inside a "
            "`tf.function` step), or create the weights first in a `build()` method",
            info.span(deco),
            None,
        )


def _tf_function_decorator(info: ModuleInfo, fn: ast.AST) -> ast.expr | None:
    for d in getattr(fn, "decorator_list", []):
        target = d.func if isinstance(d, ast.Call) else d
        if info.imports.qualname(target) == "tensorflow.function":
            return d
    return None


def _makes_weighted_sublayers(info: ModuleInfo, cls: ClassFacts) -> bool:
    """`__init__` stores a freshly constructed layer that has weights on `self` (an attribute, or a list held
    there: `self.hidden.append(Dense(...))`)."""
    init = cls.methods.get("__init__")
    if init is None:
        return False
    for n in ast.walk(init):
        made: list[ast.AST] = []
        if isinstance(n, ast.Assign) and any(_self_attr(t) for t in n.targets):
            v = n.value
            made = (
                list(v.elts)
                if isinstance(v, (ast.List, ast.Tuple))
                else [v.elt]
                if isinstance(v, ast.ListComp)
                else [v]
            )
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in {"append", "insert"}
            and _self_attr(n.func.value)
            and n.args
        ):
            made = [n.args[-1]]
        if any(isinstance(m, ast.Call) and _weighted_layer(info, m) for m in made):
            return True
    return False


def _weighted_layer(info: ModuleInfo, c: ast.Call) -> bool:
    q = info.imports.qualname(c.func) or ""
    if q.startswith("keras.layers."):
        name = q[len("keras.layers.") :]
        return "." not in name and name not in _WEIGHTLESS and not name.startswith(_WEIGHTLESS_PREFIXES)
    if isinstance(c.func, ast.Name):
        other = info.classes.get(c.func.id)
        if other is not None and other.keras_kind in {"layer", "model"}:
            return bool(other.layer_attrs or other.variable_attrs or "build" in other.methods)
    return False


def _uses(info: ModuleInfo, kf: KerasFacts, cls: ClassFacts) -> list[ast.AST] | None:
    """How the instances of `cls` are used: the training uses (a call inside a `GradientTape` block, `fit`,
    `train_on_batch`), or None when an instance is used in any other way (called outside a tape, `predict`,
    passed on) or is held where it cannot be followed."""
    holders: set[str] = set()
    for ctor in info.all_nodes(ast.Call):
        if isinstance(ctor.func, ast.Name) and ctor.func.id == cls.node.name:
            key = _holder_of(info, ctor)
            if key is None:
                return None
            holders.add(key)
    if not holders:
        return None
    in_tape = {id(x) for w, _ in info.tape_withs for s in w.body for x in ast.walk(s)}
    # `self.net` set in a class is `solver.net` outside it: an attribute of that name on anything is a use.
    attrs = {k.split(".")[-1].removesuffix("[]") for k in holders if k.startswith("self.")}
    uses: list[ast.AST] = []
    for n in info.all_nodes((ast.Name, ast.Attribute, ast.Subscript)):
        key = _key(n)
        if key not in holders and not (isinstance(n, ast.Attribute) and n.attr in attrs):
            continue
        if _is_binding_target(n):
            continue
        parent = _parent_in_tree(info, n)
        if isinstance(parent, ast.Call) and parent.func is n:
            if id(parent) not in in_tape:
                return None
            uses.append(parent)
        elif isinstance(parent, ast.Attribute) and parent.value is n:
            grand = _parent_in_tree(info, parent)
            if parent.attr in _TRAINING_METHODS and isinstance(grand, ast.Call) and grand.func is parent:
                uses.append(grand)
            elif parent.attr in {"trainable_variables", "trainable_weights", "compile", "summary"}:
                continue
            else:
                return None
        elif (
            isinstance(parent, ast.Assign)
            and parent.value is n
            and all(isinstance(t, ast.Name) for t in parent.targets)
        ):
            alias = cast(ast.Name, parent.targets[0]).id  # `model = self.net`: its calls are the holder's
            scope = info.enclosing_function(parent)
            for m in ast.walk(scope if scope is not None else info.tree):
                if isinstance(m, ast.Call) and isinstance(m.func, ast.Name) and m.func.id == alias:
                    if id(m) not in in_tape:
                        return None
                    uses.append(m)
        elif isinstance(parent, ast.Subscript) and parent.value is n:
            continue  # `self.nets[p]`: judged as the holder `self.nets[]`
        else:
            return None
    return uses


def _holder_of(info: ModuleInfo, ctor: ast.Call) -> str | None:
    """Where a constructor call's instance is kept: `x = C()` / `self.x = C()` -> `x` / `self.x`;
    `self.xs.append(C())` -> `self.xs[]`."""
    p = _parent_in_tree(info, ctor)
    if isinstance(p, ast.Assign) and p.value is ctor and len(p.targets) == 1:
        return _key(p.targets[0])
    if isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute) and p.func.attr == "append":
        base = _key(p.func.value)
        return base + "[]" if base else None
    return None


def _key(e: ast.AST) -> str | None:
    if isinstance(e, ast.Subscript):
        base = dotted(e.value)
        return base + "[]" if base else None
    return dotted(e) if isinstance(e, (ast.Name, ast.Attribute)) else None


def _is_binding_target(e: ast.AST) -> bool:
    return isinstance(getattr(e, "ctx", None), (ast.Store, ast.Del))


def _parent_in_tree(info: ModuleInfo, node: ast.AST) -> ast.AST | None:
    return info.all_parents.get(id(node))


def _self_attr(e: ast.AST) -> str | None:
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        return e.attr
    return None
