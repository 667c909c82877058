"""TFG014 untracked-variable-in-keras-layer: a raw `tf.Variable` stored on a Keras 3 layer or model."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.dtypes import int_dtype_of
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule

# Keras 3 tracks only its own keras.Variable; these keywords mean the same on both.
_PORTABLE_KWARGS = {"trainable", "name", "dtype"}


@dataclass(frozen=True)
class KerasVariableFix(FixData):
    """`tf.Variable` (the callee's span, as `<tf_alias>.Variable`) to become `<tf_alias>.keras.Variable`."""

    func: Span
    tf_alias: str


@rule(
    "TFG014",
    "untracked-variable-in-keras-layer",
    "Keras 3 does not track a raw `tf.Variable` stored on a layer or model: it is missing from "
    "`trainable_variables`, so `fit()` and `tape.gradient(loss, model.trainable_variables)` never update it.",
)
def find_untracked_variable_in_keras_layer(info: ModuleInfo) -> Iterator[Finding]:
    if "Variable(" not in info.source:
        return
    tf_alias = info.imports.alias_of("tensorflow")
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue  # Keras 2 (`tf_keras`) tracks a raw tf.Variable set as an attribute
        updated: set[str] | None = None
        setup = _setup_methods(cls.methods)
        for method in cls.methods.values():
            if method.name not in setup:
                continue  # in call/train_step it is TFG007's business
            for attr, call, held in _stored_variables(method):
                if info.imports.qualname(call.func) != "tensorflow.Variable":
                    continue
                if info.object_kind(call) != "variable" or int_dtype_of(info, call) is not None:
                    continue  # non-trainable state and integer counters are not meant to train
                if updated is None:
                    updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if attr in updated:
                    continue  # updated with .assign(), or differentiated and applied by name: not left untrained
                span = info.span(call)
                portable = all(k.arg in _PORTABLE_KWARGS for k in call.keywords) and len(call.args) <= 1
                yield Finding(
                    "TFG014",
                    f"{held or f'`self.{attr}`'} is a raw `tf.Variable` on Keras {cls.keras_kind} `{cls.node.name}`: Keras 3 does not "
                    "track it, so it is missing from `trainable_variables` and never trains (no error; only when no weight "
                    "of the model is tracked does `fit` warn `The model does not have any trainable weights`); "
                    "use `self.add_weight(...)` or `keras.Variable(...)`",
                    span,
                    KerasVariableFix(info.span(call.func), tf_alias) if portable and tf_alias else None,
                )


def _setup_methods(methods: dict) -> set[str]:
    """`__init__`, `build` and the methods of the class they call as `self.m(...)` (transitively): where the class
    sets up its state (`self.buildFoo(siz)` from `__init__`)."""
    out = {"__init__", "build"} & set(methods)
    todo = list(out)
    while todo:
        for n in ast.walk(methods[todo.pop()]):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and _self_attr(n.func) in methods:
                name = n.func.attr
                if name not in out and name not in {"call", "__call__"}:
                    out.add(name)
                    todo.append(name)
    return out


def _self_attr(e: ast.AST) -> str | None:
    """`x` of `self.x`."""
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        return e.attr
    return None


def _stored_variables(method: ast.AST) -> Iterator[tuple[str, ast.Call, str]]:
    """(attr, call, how) for each call stored on `self.attr`: `self.attr = call`, or as an element of a list held
    there (`self.attr = [call, ...]`, a list comprehension of calls, `self.attr.append(call)` / `insert` /
    `extend([call, ...])`). `how` is empty for a direct binding, else the subject of the message for the list."""
    for n in ast.walk(method):
        if isinstance(n, ast.Assign):
            attrs = [a for a in (_self_attr(t) for t in n.targets) if a is not None]
            if not attrs:
                continue
            v = n.value
            if isinstance(v, ast.Call):
                yield attrs[0], v, ""
            elif isinstance(v, ast.ListComp) and isinstance(v.elt, ast.Call):
                yield attrs[0], v.elt, f"each variable of the list `self.{attrs[0]}`"
            elif isinstance(v, (ast.List, ast.Tuple)):
                for el in v.elts:
                    if isinstance(el, ast.Call):
                        yield attrs[0], el, f"an element of the list `self.{attrs[0]}`"
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            attr = _self_attr(n.func.value)
            if attr is None:
                continue
            if n.func.attr == "append" and len(n.args) == 1:
                items = n.args
            elif n.func.attr == "insert" and len(n.args) == 2:
                items = n.args[1:]
            elif n.func.attr == "extend" and len(n.args) == 1 and isinstance(n.args[0], (ast.List, ast.Tuple)):
                items = n.args[0].elts
            else:
                continue
            for el in items:
                if isinstance(el, ast.Call):
                    yield attr, el, f"the variable put in the list `self.{attr}` with `.{n.func.attr}(...)`"


_GRADIENT_METHODS = frozenset({"gradient", "jacobian", "apply_gradients", "minimize", "apply"})


def _differentiated_by_name(cls: ast.ClassDef) -> set[str]:
    """Attributes the class names among the sources of a gradient or an update (`tape.gradient(loss,
    [self.log_alpha])`, `opt.apply_gradients(zip(g, [self.log_alpha]))`, `var_list=[...]`): trained by reference,
    whether Keras tracks them or not (tf2rl's SAC temperature)."""
    out = set()
    for n in ast.walk(cls):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _GRADIENT_METHODS):
            continue
        places = n.args[1:] if n.func.attr in {"gradient", "jacobian"} else n.args
        places = [*places, *(k.value for k in n.keywords if k.arg in {"sources", "var_list", "grads_and_vars"})]
        for p in places:
            for m in ast.walk(p):
                attr = _self_attr(m)
                if attr is not None:
                    out.add(attr)
    return out


def _assigned_state(cls: ast.ClassDef) -> set[str]:
    """Attributes the class updates by hand: `self.x.assign(...)`, `assign_add`, `assign_sub`, also on an element
    of a list held there (`self.x[i].assign(...)`)."""
    out = set()
    for n in ast.walk(cls):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr.startswith("assign"):
            target = n.func.value
            if isinstance(target, ast.Subscript):
                target = target.value
            attr = _self_attr(target)
            if attr is not None:
                out.add(attr)
    return out
