"""TFG014 untracked-variable-in-keras-layer: a raw `tf.Variable` stored on a Keras 3 layer or model."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.dtypes import int_dtype_of
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import ClassFacts, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tf_modules import (
    is_tf_module_ctor,
    module_class_variables,
    plain_class_layers,
    self_attr,
    setup_methods,
    stored_calls,
    stored_on_submodule,
    tf_module_classes,
)

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
    yield from _weight_list_assignments(info)
    yield from _plain_objects_holding_layers(info)
    registered: dict[str, set[str]] = {}  # class -> attrs handed to a Keras 2 private weight list (which raises)
    for finding, cls_name, attrs in _private_weight_list_reads(info):
        registered.setdefault(cls_name, set()).update(attrs)
        yield finding
    if "Variable(" not in info.source:
        return
    tf_alias = info.imports.alias_of("tensorflow")
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue  # Keras 2 (`tf_keras`) tracks a raw tf.Variable set as an attribute
        updated: set[str] | None = None
        setup = setup_methods(cls.methods)
        submodules: dict[str, str] = {}  # self.<attr> -> the tf.Module class it holds
        for method in cls.methods.values():
            if method.name not in setup:
                continue  # in call/train_step it is TFG007's business
            for attr, call, held in stored_calls(method, "variable"):
                module_cls = is_tf_module_ctor(info, call) if not held else None
                if module_cls is not None:
                    submodules[attr] = module_cls
                    owned = (
                        module_class_variables(info, tf_module_classes(info)[module_cls])
                        if module_cls != "tf.Module"
                        else []
                    )
                    if owned:
                        if updated is None:
                            updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                        if attr not in updated:
                            yield _module_finding(info, cls, attr, module_cls, owned, call)
                    continue
                if info.imports.qualname(call.func) != "tensorflow.Variable":
                    continue
                if info.object_kind(call) != "variable" or int_dtype_of(info, call) is not None:
                    continue  # non-trainable state and integer counters are not meant to train
                if updated is None:
                    updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if attr in updated:
                    continue  # updated with .assign(), or differentiated and applied by name: not left untrained
                if attr in registered.get(cls.node.name, ()):
                    continue  # the private-list call that registers it raises first: that finding says so
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
        if not submodules:
            continue
        for method in cls.methods.values():
            if method.name not in setup:
                continue
            for where, call in stored_on_submodule(method, set(submodules)):
                if info.imports.qualname(call.func) != "tensorflow.Variable" or info.object_kind(call) != "variable":
                    continue
                if int_dtype_of(info, call) is not None:
                    continue
                if updated is None:
                    updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if where.split(".")[0] in updated:
                    continue
                yield Finding(
                    "TFG014",
                    f"`self.{where}` is a raw `tf.Variable` on `self.{where.split('.')[0]}`, a `tf.Module` held by Keras "
                    f"{cls.keras_kind} `{cls.node.name}`: Keras 3 tracks neither, so it is missing from "
                    "`trainable_variables` and never trains (no error); make it `self.add_weight(...)` on the "
                    f"{cls.keras_kind} itself",
                    info.span(call),
                    None,
                )


def _plain_objects_holding_layers(info: ModuleInfo) -> Iterator[Finding]:
    """`self.blocks = Blocks(...)` in the setup of a Keras 3 layer or model, where `Blocks` is a plain class of the
    module keeping Keras layers on itself (`self.layers = [Dense(...), ...]`). Measured under TF 2.21: the layers'
    weights are missing from the model's `trainable_variables`, and neither a tape over them nor `fit` trains them
    (no error). Quiet when the class hands one of the object's attributes to itself (`self.ls = self.blocks.layers`,
    a tracked list), names the object among what it differentiates or updates, or builds a functional graph."""
    if info.legacy_keras or "class" not in info.source:
        return
    plain = {
        name: attrs
        for name in info.classes
        if info.classes[name].keras_kind is None and (attrs := plain_class_layers(info, name))
    }
    if not plain:
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2 or _builds_functional_graph(cls):
            continue
        setup = setup_methods(cls.methods)
        reached: set[str] | None = None
        for method in cls.methods.values():
            if method.name not in setup:
                continue
            for attr, call, held in stored_calls(method):
                if held or not isinstance(call.func, ast.Name) or call.func.id not in plain:
                    continue
                if reached is None:
                    reached = _handed_on(cls.node) | _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if attr in reached:
                    continue
                owner = call.func.id
                shown = ", ".join(f"`{a}`" for a in plain[owner][:3])
                yield Finding(
                    "TFG014",
                    f"`self.{attr}` is a `{owner}`, a plain Python object keeping Keras layers ({shown}), on Keras "
                    f"{cls.keras_kind} `{cls.node.name}`: Keras 3 tracks only layers, variables and lists, tuples or "
                    "dicts of them set on a layer, so those layers' weights are missing from `trainable_variables` "
                    f"and never train (no error); make `{owner}` a `keras.layers.Layer`, or keep its layers in a list "
                    f"on `{cls.node.name}`",
                    info.span(call),
                    None,
                )


def _builds_functional_graph(cls: ClassFacts) -> bool:
    """`super().__init__(inputs, outputs)` in `__init__`: a functional model, which tracks the layers its graph
    applies wherever they are kept."""
    init = cls.methods.get("__init__")
    if init is None:
        return False
    for n in ast.walk(init):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "__init__"
            and (n.args or any(k.arg in {"inputs", "outputs"} for k in n.keywords))
        ):
            return True
    return False


def _handed_on(cls: ast.ClassDef) -> set[str]:
    """Attributes read in a value the class stores on itself (`self.ls = self.blocks.layers`): what they hold is
    then reachable from a tracked attribute."""
    out: set[str] = set()
    for n in ast.walk(cls):
        if isinstance(n, ast.Assign) and any(self_attr(t) is not None for t in n.targets):
            for m in ast.walk(n.value):
                if isinstance(m, ast.Attribute) and (a := self_attr(m.value)) is not None:
                    out.add(a)
    return out


def _module_finding(
    info: ModuleInfo, cls: ClassFacts, attr: str, module_cls: str, owned: list[str], call: ast.Call
) -> Finding:
    shown = ", ".join(f"`{v}`" for v in owned[:3]) + (" ..." if len(owned) > 3 else "")
    return Finding(
        "TFG014",
        f"`self.{attr}` is a `tf.Module` (`{module_cls}`, with the raw `tf.Variable`s {shown}) on Keras "
        f"{cls.keras_kind} `{cls.node.name}`: Keras 3 does not track a `tf.Module` or its variables, so they are "
        "missing from `trainable_variables` and never train (no error); make "
        f"`{module_cls}` a `keras.layers.Layer` whose weights are made with `self.add_weight(...)`",
        info.span(call),
        None,
    )


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
                attr = self_attr(m)
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
            while isinstance(target, ast.Attribute) and self_attr(target) is None:
                target = target.value  # `self.sub.w.assign(...)`: state of the tf.Module held on `self.sub`
            attr = self_attr(target)
            if attr is not None:
                out.add(attr)
    return out


# Read-only properties of a Keras layer / model (Keras 3 and tf_keras): the Keras 1 way of registering weights,
# `self.trainable_weights = [self.W]`, raises there (measured under TF 2.21 in `__init__` and `build`, for `=` and
# `+=`, on layers and models; `self.trainable = False` and a private `self._trainable_weights` do not).
_WEIGHT_LIST_PROPERTIES = frozenset(
    {
        "trainable_weights",
        "non_trainable_weights",
        "weights",
        "trainable_variables",
        "non_trainable_variables",
        "variables",
    }
)


# Keras 2 kept a layer's weights in the private lists `_trainable_weights` / `_non_trainable_weights` (code appended
# raw variables to them); a Keras 3 layer or model has no such attribute: reading one raises `AttributeError`
# (measured under TF 2.21 for `.append`, `.extend` and `+=`, on layers and models; tf_keras still has them, and a
# plain `self._trainable_weights = [...]` only sets an attribute).
_PRIVATE_WEIGHT_LISTS = frozenset({"_trainable_weights", "_non_trainable_weights"})


def _private_weight_list_reads(info: ModuleInfo) -> Iterator[tuple[Finding, str, set[str]]]:
    """(finding, class name, the `self.<attr>` names handed to the list) for each read of a Keras 2 private
    weight list on `self` in a method of a Keras 3 layer or model that never sets the attribute itself."""
    if not any(p in info.source for p in _PRIVATE_WEIGHT_LISTS):
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue
        set_here = {
            attr
            for n in ast.walk(cls.node)
            if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if (attr := self_attr(t)) in _PRIVATE_WEIGHT_LISTS
        } | {st.name for st in cls.node.body if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for method in cls.methods.values():
            for n in ast.walk(method):
                if isinstance(n, ast.AugAssign):
                    read: ast.AST = n.target
                elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load):
                    read = n
                else:
                    continue
                attr = self_attr(read)
                if attr not in _PRIVATE_WEIGHT_LISTS or attr in set_here:
                    continue
                stmt: ast.AST = n
                while not isinstance(stmt, ast.stmt):
                    up = info.all_parents.get(id(stmt))
                    if up is None:
                        break
                    stmt = up
                handed_attrs = {a for x in ast.walk(stmt) if (a := self_attr(x)) is not None} - {attr}
                yield (
                    Finding(
                        "TFG014",
                        f"Keras 3 {cls.keras_kind} `{cls.node.name}` has no `{attr}` list (Keras 2 kept its weights "
                        f"there): reading `self.{attr}` raises `AttributeError: '{cls.node.name}' object has no "
                        f"attribute '{attr}'` when `{method.name}` runs, so no weight is registered this way; make "
                        "each weight with `self.add_weight(...)` (tracked, and trained by `fit`)",
                        info.span(stmt),
                        None,
                    ),
                    cls.node.name,
                    handed_attrs,
                )


def _weight_list_assignments(info: ModuleInfo) -> Iterator[Finding]:
    if not any(p in info.source for p in _WEIGHT_LIST_PROPERTIES):
        return
    # names a class of the module defines itself (a property with a setter, a plain class attribute)
    redefined: set[str] = set()
    for c in info.classes.values():
        for stmt in c.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                redefined.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                redefined.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"}:
            continue
        for method in cls.methods.values():
            for n in ast.walk(method):
                if isinstance(n, ast.Assign):
                    targets = n.targets
                elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
                    targets = [n.target]
                else:
                    continue
                for target in targets:
                    attr = self_attr(target)
                    if attr not in _WEIGHT_LIST_PROPERTIES or attr in redefined:
                        continue
                    raised = (
                        f'`AttributeError: Can\'t set the attribute "{attr}"`'
                        if cls.keras2
                        else f"`AttributeError: property '{attr}' of '{cls.node.name}' object has no setter`"
                    )
                    yield Finding(
                        "TFG014",
                        f"`self.{attr}` is a read-only property of Keras {cls.keras_kind} `{cls.node.name}`: this "
                        f"assignment raises {raised} when `{method.name}` runs, so no weight is registered this way; "
                        "make each weight with `self.add_weight(...)` (tracked, and trained by `fit`) and drop the "
                        "assignment",
                        info.span(n),
                        None,
                    )
