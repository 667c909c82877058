"""`tf.Module` and Keras 3 objects: which of the two collects which weights.

Measured under TF 2.21 / Keras 3.15.1: `tf.Module.trainable_variables` walks attributes for `tf.Variable`s and
other `tf.Module`s only, so Keras 3 layers, models and `keras.Variable`s held by a `tf.Module` (directly or in a
list) are not in it; and a Keras 3 layer tracks Keras objects only, so a `tf.Module` it holds (with its
`tf.Variable`s) is missing from the layer's `trainable_variables`. Keras 2 (`tf_keras`) layers are `tf.Module`s
and are collected. Shared by TFG014 (a Keras layer holding a `tf.Module`) and TFG043 (a `tf.Module` holding Keras
objects)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.module import ClassFacts, FunctionNode, ModuleInfo

TF_MODULE = "tensorflow.Module"


def tf_module_classes(info: ModuleInfo) -> dict[str, ClassFacts]:
    """Classes of the module that derive from `tf.Module` (directly or through another class of the module) and are
    not Keras classes."""

    def build() -> dict[str, ClassFacts]:
        out: dict[str, ClassFacts] = {}
        changed = True
        while changed:
            changed = False
            for name, cls in info.classes.items():
                if name in out or cls.keras_kind is not None:
                    continue
                if any(b == TF_MODULE or b in out for b in cls.base_names):
                    out[name] = cls
                    changed = True
        return out

    return info.memo(f"{__name__}.tf_module_classes", build)


def setup_methods(methods: dict[str, FunctionNode]) -> set[str]:
    """`__init__`, `build` and the methods of the class they call as `self.m(...)` (transitively): where the class
    sets up its state (`self.buildFoo(siz)` from `__init__`)."""
    out = {"__init__", "build"} & set(methods)
    todo = list(out)
    while todo:
        for n in ast.walk(methods[todo.pop()]):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and self_attr(n.func) in methods:
                name = n.func.attr
                if name not in out and name not in {"call", "__call__"}:
                    out.add(name)
                    todo.append(name)
    return out


def self_attr(e: ast.AST) -> str | None:
    """`x` of `self.x`."""
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        return e.attr
    return None


def stored_calls(method: ast.AST, noun: str = "element") -> Iterator[tuple[str, ast.Call, str]]:
    """(attr, call, how) for each call stored on `self.attr`: `self.attr = call` (also unpacked from a tuple of
    calls, `self.w, self.b = tf.Variable(...), tf.Variable(...)`), or as an element of a list held
        there (`self.attr = [call, ...]`, a list comprehension of calls, `self.attr.append(call)` / `insert` /
        `extend([call, ...])`). `how` is empty for a direct binding, else the subject of the message for the list (`noun`
    names what the list holds)."""
    for n in ast.walk(method):
        if isinstance(n, ast.Assign):
            if (
                len(n.targets) == 1
                and isinstance(n.targets[0], (ast.Tuple, ast.List))
                and isinstance(n.value, (ast.Tuple, ast.List))
                and len(n.targets[0].elts) == len(n.value.elts)
                and not any(isinstance(e, ast.Starred) for e in (*n.targets[0].elts, *n.value.elts))
            ):
                # `self.w, self.b = tf.Variable(...), tf.Variable(...)`: each call is stored where it lands.
                for t, el in zip(n.targets[0].elts, n.value.elts):
                    if (a := self_attr(t)) is not None and isinstance(el, ast.Call):
                        yield a, el, ""
                continue
            attrs = [a for a in (self_attr(t) for t in n.targets) if a is not None]
            if not attrs:
                continue
            v = n.value
            if isinstance(v, ast.Call):
                yield attrs[0], v, ""
            elif isinstance(v, ast.ListComp) and isinstance(v.elt, ast.Call):
                yield attrs[0], v.elt, f"each {noun} of the list `self.{attrs[0]}`"
            elif isinstance(v, (ast.List, ast.Tuple)):
                for el in v.elts:
                    if isinstance(el, ast.Call):
                        yield attrs[0], el, f"an element of the list `self.{attrs[0]}`"
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            attr = self_attr(n.func.value)
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
                    yield attr, el, f"the {noun} put in the list `self.{attr}` with `.{n.func.attr}(...)`"


def stored_parameters(method: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[tuple[str, str, ast.Assign]]:
    """(attr, parameter, assignment) for `self.attr = param` (or `self.attr = [param, ...]`) in `method`, where
    `param` is one of its own parameters: an object handed in by whoever constructs the class."""
    a = method.args
    params = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs][1:]}
    for n in ast.walk(method):
        if not isinstance(n, ast.Assign):
            continue
        attrs = [x for x in (self_attr(t) for t in n.targets) if x is not None]
        if not attrs:
            continue
        values = n.value.elts if isinstance(n.value, (ast.List, ast.Tuple)) else [n.value]
        for v in values:
            if isinstance(v, ast.Name) and v.id in params:
                yield attrs[0], v.id, n


def stored_on_submodule(method: ast.AST, submodules: set[str]) -> Iterator[tuple[str, ast.Call]]:
    """(`sub.name`, call) for `self.sub.name = call` where `self.sub` is one of `submodules`."""
    for n in ast.walk(method):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call):
            for t in n.targets:
                if isinstance(t, ast.Attribute):
                    sub = self_attr(t.value)
                    if sub is not None and sub in submodules:
                        yield f"{sub}.{t.attr}", n.value


def is_tf_module_ctor(info: ModuleInfo, call: ast.Call) -> str | None:
    """The class name when `call` constructs a `tf.Module` (itself, or a `tf.Module` class of the module)."""
    if info.imports.qualname(call.func) == TF_MODULE:
        return "tf.Module"
    if isinstance(call.func, ast.Name) and call.func.id in tf_module_classes(info):
        return call.func.id
    return None


def module_class_variables(info: ModuleInfo, cls: ClassFacts) -> list[str]:
    """Attributes a `tf.Module` class stores trainable `tf.Variable`s on in its setup methods."""
    out: list[str] = []
    setup = setup_methods(cls.methods)
    for name, method in cls.methods.items():
        if name not in setup:
            continue
        for attr, call, _how in stored_calls(method):
            if info.imports.qualname(call.func) == "tensorflow.Variable" and info.object_kind(call) == "variable":
                if attr not in out:
                    out.append(attr)
    return out


def plain_class_layers(info: ModuleInfo, name: str) -> list[str]:
    """Attributes on which `name`, a plain Python class of the module (no base class but `object`: not a Keras class,
    not a `tf.Module`), stores Keras 3 layers in its setup methods: directly, or as elements of a list, tuple or dict
    (displays and comprehensions). Keras 3 tracks a layer's attributes that are layers, variables or containers of
    them; a plain object is none, and what it holds is not walked."""
    cls = info.classes.get(name)
    if cls is None or cls.keras_kind is not None or cls.keras2 or any(b != "object" for b in cls.base_names):
        return []
    out: list[str] = []
    setup = setup_methods(cls.methods)
    for mname, method in cls.methods.items():
        if mname not in setup:
            continue
        found = [(attr, call) for attr, call, _how in stored_calls(method)]
        for n in ast.walk(method):
            if isinstance(n, ast.Assign) and isinstance(n.value, (ast.Dict, ast.DictComp)):
                attr = next((a for a in (self_attr(t) for t in n.targets) if a is not None), None)
                values = n.value.values if isinstance(n.value, ast.Dict) else [n.value.value]
                found += [(attr, v) for v in values if attr is not None and isinstance(v, ast.Call)]
        for attr, call in found:
            if info.object_kind(call) == "layer" and not info.imports.is_keras2(call.func) and attr not in out:
                out.append(attr)
    return out


_WEIGHT_LISTS = frozenset({"trainable_variables", "variables"})


def weight_list_reads(info: ModuleInfo, cls_name: str) -> list[ast.Attribute]:
    """`m.trainable_variables` / `m.variables` of an instance of the module class `cls_name`: a name every binding
    of which in its scope (the module, or the function that reads it) is `cls_name(...)`, or `self` in a method of
    the class."""
    cls = info.classes.get(cls_name)
    out: list[ast.Attribute] = []
    bindings: dict[tuple[int, str], list[ast.AST]] = {}
    for s in ast.walk(info.tree):
        if isinstance(s, ast.Assign):
            owner = info.enclosing_function(s)
            for t in s.targets:
                if isinstance(t, ast.Name):
                    bindings.setdefault((id(owner) if owner is not None else 0, t.id), []).append(s.value)
    for n in ast.walk(info.tree):
        if not (isinstance(n, ast.Attribute) and n.attr in _WEIGHT_LISTS and isinstance(n.ctx, ast.Load)):
            continue
        v = n.value
        if not isinstance(v, ast.Name):
            continue
        if v.id == "self":
            fn = info.enclosing_function(n)
            ff = info.facts(fn)
            if cls is not None and ff is not None and ff.cls is cls:
                out.append(n)
            continue
        owner = info.enclosing_function(n)
        values = bindings.get((id(owner) if owner is not None else 0, v.id))
        if values is None and owner is not None:
            values = bindings.get((0, v.id))  # a module-level instance read in a function
        if values and all(
            isinstance(b, ast.Call) and isinstance(b.func, ast.Name) and b.func.id == cls_name for b in values
        ):
            out.append(n)
    return out
