"""TFG043 keras-object-in-tf-module: a `tf.Module` holding Keras 3 layers, models or variables, whose
`trainable_variables` the program relies on."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import bound_values, call_index, passed_argument
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tf_modules import (
    module_class_variables,
    setup_methods,
    stored_calls,
    stored_parameters,
    tf_module_classes,
    weight_list_reads,
)

_KERAS_VARIABLES = {"keras.Variable", "keras.backend.Variable"}


def _keras3_object(info: ModuleInfo, call: ast.Call) -> str | None:
    """What Keras 3 object `call` constructs ("layer", "variable"), None for anything else or Keras 2."""
    if info.legacy_keras or info.imports.is_keras2(call.func):
        return None  # tf_keras layers are tf.Modules: collected
    q = info.imports.qualname(call.func)
    if q in _KERAS_VARIABLES:
        return "variable"
    if info.object_kind(call) == "layer":
        if isinstance(call.func, ast.Name) and call.func.id in info.classes and info.classes[call.func.id].keras2:
            return None
        return "layer"
    return None


def _handed_in(info: ModuleInfo, cls_name: str, init: ast.AST, param: str) -> tuple[ast.Call, ast.Call] | None:
    """(construction site, Keras 3 object call) for the first `cls_name(...)` of the module that passes a Keras 3
    object as `param` of its `__init__`: the call itself as the argument, or a name bound in the site's scope only
    to such calls (`enc = keras.Sequential(...); Wrapper(enc)`)."""
    if not isinstance(init, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    a = init.args
    positional = [p.arg for p in [*a.posonlyargs, *a.args][1:]]
    for site in call_index(info).by_name.get(cls_name, []):
        arg = passed_argument(site, positional, param)
        if isinstance(arg, ast.Call):
            candidates: list[ast.expr | None] = [arg]
        elif isinstance(arg, ast.Name):
            scope = info.enclosing_function(site) or info.tree
            candidates = bound_values(info, scope).get(arg.id) or [None]
        else:
            continue
        calls = [c for c in candidates if isinstance(c, ast.Call) and _keras3_object(info, c) is not None]
        if calls and len(calls) == len(candidates):
            return site, calls[0]
    return None


@rule(
    "TFG043",
    "keras-object-in-tf-module",
    "A `tf.Module` does not collect Keras 3 layers, models or `keras.Variable`s held as its attributes: its "
    "`trainable_variables` leaves their weights out, so they never train (an empty list makes `apply_gradients` "
    "raise `ValueError: not enough values to unpack`).",
)
def find_keras_object_in_tf_module(info: ModuleInfo) -> Iterator[Finding]:
    if "Module" not in info.source:
        return
    for name, cls in tf_module_classes(info).items():
        setup = setup_methods(cls.methods)
        held: list[tuple[str, ast.Call, str, str]] = []  # (attr, call, how, what)
        for mname, method in cls.methods.items():
            if mname not in setup:
                continue
            for attr, call, how in stored_calls(method):
                what = _keras3_object(info, call)
                if what is not None and all(attr != h[0] for h in held):
                    held.append((attr, call, how, what))
        init = cls.methods.get("__init__")
        handed: dict[str, tuple[ast.Assign, ast.Call, ast.Call]] = {}  # attr -> (store, site, Keras object call)
        if isinstance(init, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for attr, param, store in stored_parameters(init):
                if attr in handed or any(attr == h[0] for h in held):
                    continue
                found = _handed_in(info, name, init, param)
                if found is not None:
                    handed[attr] = (store, *found)
        if not held and not handed:
            continue
        # A parameter stored but not seen to be a Keras object may be a `tf.Variable`: the list is then not empty.
        handed_other = isinstance(init, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            a not in handed for a, _p, _s in stored_parameters(init)
        )
        reads = sorted(weight_list_reads(info, name), key=lambda r: (r.lineno, r.col_offset))
        if not reads:
            continue  # nothing asks the module for its weights
        # One finding per class, at its first Keras object: the class is the one thing to change. An object handed
        # in to `__init__` is reported where the class stores it, naming the construction that passes it.
        span_node: ast.AST
        if held:
            attr, call, how, what = min(held, key=lambda h: (h[1].lineno, h[1].col_offset))
            span_node = call
        else:
            attr, (store, site, call) = min(handed.items(), key=lambda kv: (kv[1][0].lineno, kv[1][0].col_offset))
            what = _keras3_object(info, call) or "layer"
            how = f"`self.{attr}` (passed in by `{info.text(site.func)}(...)` at line {site.lineno})"
            span_node = store
        others = [f"`self.{h[0]}`" for h in held if h[0] != attr] + [f"`self.{a}`" for a in handed if a != attr]
        read = reads[0]
        consequence = (
            "they never train, silently (only the module's own `tf.Variable`s are in the list)"
            if module_class_variables(info, cls) or handed_other
            else "the list is empty: `tape.gradient` returns `[]` and `apply_gradients` raises `ValueError: not "
            "enough values to unpack (expected 2, got 0)`"
        )
        subject = how or f"`self.{attr}`"
        kind = "a Keras 3 variable" if what == "variable" else f"a Keras 3 layer (`{info.text(call.func)}`)"
        also = (
            f", as {'is' if len(others) == 1 else 'are'} {', '.join(others[:3])}{' ...' if len(others) > 3 else ''}"
            if others
            else ""
        )
        fix = (
            f"make it a `tf.Variable`, or derive `{name}` from `keras.Model` (it tracks both)"
            if what == "variable" and not others
            else f"derive `{name}` from `keras.Model` (it tracks both), or differentiate with respect to the Keras "
            "objects' own `trainable_variables`"
        )
        yield Finding(
            "TFG043",
            f"{subject} is {kind} on `tf.Module` `{name}`{also}: `tf.Module` collects only `tf.Variable`s and "
            f"`tf.Module`s, so `{info.text(read)}` (line {read.lineno}) leaves their weights out and {consequence}; "
            f"{fix}",
            info.span(span_node),
        )
