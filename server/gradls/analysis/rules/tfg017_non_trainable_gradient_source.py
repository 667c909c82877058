"""TFG017 non-trainable-gradient-source: gradients taken / applied for `model.variables` or `model.weights` of a
model known to hold non-trainable weights (BatchNormalization statistics, `trainable=False` weights, frozen layers)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.keras_facts import KerasFacts, Scope, tape_names
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits, Span
from gradls.analysis.model_reads import frozen_whole, source_model
from gradls.analysis.module import ClassFacts, ModuleInfo
from gradls.analysis.names import keyword_value
from gradls.analysis.rules import rule
from gradls.analysis.tapes import TapeScope, def_value, names_in, resolve_defs, sources_with_aliases, tape_scopes

_ALL_VARS = {"variables": "trainable_variables", "weights": "trainable_weights"}


@dataclass(frozen=True)
class TrainableVariablesFix(PlannedEdits):
    """`model.variables` / `model.weights` -> `model.trainable_variables` / `model.trainable_weights`."""


@rule(
    "TFG017",
    "non-trainable-gradient-source",
    "`model.variables` / `model.weights` include non-trainable weights: BatchNormalization's moving statistics "
    "get `None` gradients (the Keras optimizer warns `Gradients do not exist for variables`) and layers frozen "
    "with `trainable = False` get trained anyway; use `trainable_variables`.",
)
def find_non_trainable_gradient_source(info: ModuleInfo) -> Iterator[Finding]:
    if "trainable" in info.source:
        yield from _unwatched_non_trainable_variables(info)
        yield from _sources_of_a_frozen_model(info)
        yield from _sources_of_a_layer_with_only_frozen_weights(info)
    src = info.source
    if ".variables" not in src and ".weights" not in src:
        return
    if "apply_gradients" not in src and "minimize" not in src and not info.tape_withs:
        return
    tapes = tape_names(info)
    kf = KerasFacts(info)
    seen: set[int] = set()
    for scope in kf.scopes():
        for n in kf.own_nodes(scope):
            if not isinstance(n, ast.Call) or not isinstance(n.func, ast.Attribute):
                continue
            f = n.func
            sources: ast.AST | None = None
            where = ""
            if f.attr in {"gradient", "jacobian"} and isinstance(f.value, ast.Name) and f.value.id in tapes:
                sources = n.args[1] if len(n.args) > 1 else keyword_value(n, "sources")
                where = f"`{f.value.id}.{f.attr}` at line {n.lineno}"
            elif f.attr == "apply_gradients":
                pairs = n.args[0] if n.args else keyword_value(n, "grads_and_vars")
                if isinstance(pairs, ast.Call) and isinstance(pairs.func, ast.Name) and pairs.func.id == "zip":
                    sources = pairs.args[1] if len(pairs.args) > 1 else None
                where = f"`{info.text(f)}` at line {n.lineno}"
            elif f.attr == "apply" and len(n.args) > 1:  # Keras 3 optimizer.apply(grads, variables)
                sources = n.args[1]
                where = f"`{info.text(f)}` at line {n.lineno}"
            elif f.attr == "minimize":
                sources = n.args[1] if len(n.args) > 1 else keyword_value(n, "var_list")
                where = f"`{info.text(f)}` at line {n.lineno}"
            if sources is None:
                continue
            for attr, attr_scope in _all_variables(kf, scope, sources):
                if id(attr) in seen:
                    continue
                reason = kf.non_trainable_reason(attr.value, attr_scope)
                if reason is None:
                    continue
                seen.add(id(attr))
                yield _finding(info, attr, reason, where, f.attr)


def _unwatched_non_trainable_variables(info: ModuleInfo) -> Iterator[Finding]:
    """`tf.Variable(..., trainable=False)` as a `tape.gradient` source: a tape watches only trainable variables
    on its own, so without `tape.watch(v)` the gradient is `None`."""
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            if tape.escapes:
                continue
            watched = {name for w in tape.watches for a in w.args for name in names_in(a)}
            for tc in tape.calls:
                for src, report in sources_with_aliases(info, scope, tc.sources):
                    if not isinstance(src, ast.Name) or src.id in watched or not _frozen_variable(info, scope, src.id):
                        continue
                    yield Finding(
                        "TFG017",
                        f"`{src.id}` is a `tf.Variable` made with `trainable=False`: a GradientTape watches only "
                        f"trainable variables on its own, so `{tape.name}.{tc.method}` returns `None` for it "
                        "(a Keras optimizer given it raises `ValueError: No gradients provided for any variable`, "
                        "or warns `Gradients do not exist for variables` when others have one); make it trainable, "
                        f"or `{tape.name}.watch({src.id})` inside the block if the gradient is wanted anyway",
                        info.span(report),
                        None,
                    )


def _sources_of_a_frozen_model(info: ModuleInfo) -> Iterator[Finding]:
    """`tape.gradient(loss, M.trainable_variables)` after every weight of `M` was frozen: an empty list."""
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                model = source_model(info, tc.sources)
                if model is None or tc.sources is None:
                    continue
                frozen = frozen_whole(info, scope, model, tc.call)
                if frozen is None:
                    continue
                yield Finding(
                    "TFG017",
                    f"`{model}` was frozen at line {frozen.lineno} and never made trainable again, so "
                    f"`{info.text(tc.sources)}` is an empty list: `{tape.name}.{tc.method}` returns `[]`, nothing "
                    "trains, and `apply_gradients(zip(grads, ...))` raises `ValueError: not enough values to "
                    "unpack`; freeze only the layers that must stay fixed, or set `trainable = True` before "
                    "this step",
                    info.span(tc.sources),
                    None,
                )


def _sources_of_a_layer_with_only_frozen_weights(info: ModuleInfo) -> Iterator[Finding]:
    """`tape.gradient(loss, gain.trainable_weights)` with `gain = Gain()` an instance of a Keras layer class of the
    module whose every weight is `self.add_weight(..., trainable=False)` and which holds no other layer or variable:
    an empty list (TF 2.21: `tape.gradient` returns `[]`, `apply_gradients(zip(...))` raises)."""
    if "trainable=False" not in info.source.replace(" ", ""):
        return
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                src = tc.sources
                if not (
                    isinstance(src, ast.Attribute)
                    and src.attr in {"trainable_weights", "trainable_variables"}
                    and isinstance(src.value, ast.Name)
                ):
                    continue
                cls = _instance_class(info, scope, src.value.id)
                if cls is None or not _only_frozen_weights(info, cls.node):
                    continue
                yield Finding(
                    "TFG017",
                    f"every weight of `{cls.node.name}` is made with `add_weight(..., trainable=False)`, so "
                    f"`{info.text(src)}` is an empty list: `{tape.name}.{tc.method}` returns `[]`, nothing trains, and "
                    "`apply_gradients(zip(grads, ...))` raises `ValueError: not enough values to unpack`; drop "
                    "`trainable=False` from the weights that should learn",
                    info.span(src),
                    None,
                )


def _instance_class(info: ModuleInfo, scope: TapeScope, name: str) -> ClassFacts | None:
    """The Keras layer class of the module that `name` is bound to an instance of, at every binding."""
    r = resolve_defs(info, scope, name)
    if r is None or not r[0]:
        return None
    found = None
    for d in r[0]:
        v = def_value(d)
        if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Name)):
            return None
        cls = info.classes.get(v.func.id)
        if cls is None or cls.keras_kind != "layer" or (found is not None and cls is not found):
            return None
        found = cls
    return found


def _only_frozen_weights(info: ModuleInfo, cls: ast.ClassDef) -> bool:
    """Every weight `cls` makes is `self.add_weight(..., trainable=False)` (at least one), its bases are Keras'
    own, it builds no layer or variable, and nothing in the module sets `trainable = True`."""
    if any(isinstance(b, ast.Name) and b.id in info.classes for b in cls.bases):
        return False  # a base class of the module may make weights of its own
    if "trainable = True" in info.source or "trainable=True" in info.source.replace(" ", ""):
        return False
    made = 0
    for n in ast.walk(cls):
        if not isinstance(n, ast.Call):
            continue
        q = info.imports.qualname(n.func) or ""
        if q.startswith(("keras.layers.", "keras.Sequential", "keras.Model", "keras.Variable", "tensorflow.Variable")):
            return False
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr in {"add_weight", "add_variable"}:
            kw = next((k.value for k in n.keywords if k.arg == "trainable"), None)
            if not (isinstance(kw, ast.Constant) and kw.value is False):
                return False
            made += 1
        elif isinstance(f, ast.Name) and f.id in info.classes:
            return False  # another class of the module: may be a layer with weights
    return made > 0


def _frozen_variable(info: ModuleInfo, scope: TapeScope, name: str) -> bool:
    found = resolve_defs(info, scope, name)
    if found is None or not found[0]:
        return False
    for d in found[0]:
        v = def_value(d)
        if not (isinstance(v, ast.Call) and info.imports.qualname(v.func) == "tensorflow.Variable"):
            return False
        flag = next((k.value for k in v.keywords if k.arg == "trainable"), None)
        if not (isinstance(flag, ast.Constant) and flag.value is False):
            return False
    return True


def _all_variables(kf: KerasFacts, scope: Scope, e: ast.AST, depth: int = 0) -> Iterator[tuple[ast.Attribute, Scope]]:
    """`X.variables` / `X.weights` attributes of Keras objects that `e` is or is built from (`+`, aliases)."""
    if depth > 4:
        return
    if isinstance(e, ast.Attribute) and e.attr in _ALL_VARS:
        if kf.is_keras_object(e.value, scope):
            yield e, scope
    elif isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
        yield from _all_variables(kf, scope, e.left, depth + 1)
        yield from _all_variables(kf, scope, e.right, depth + 1)
    elif isinstance(e, ast.Name):
        b = kf.single_value(e, scope)
        if b is not None and b.kind == "assign":
            assert b.stmt is not None and b.value is not None  # an "assign" binding has both
            yield from _all_variables(kf, kf.scope_of(b.stmt), b.value, depth + 1)


def _finding(info: ModuleInfo, attr: ast.Attribute, reason: tuple[str, bool], where: str, how: str) -> Finding:
    text = info.text(attr)
    owner = info.text(attr.value)
    new_attr = _ALL_VARS[attr.attr]
    why, frozen = reason
    role = "gradient sources of" if how in {"gradient", "jacobian"} else "variables given to"
    if frozen:
        consequence = (
            f"`{text}` includes the weights frozen by {why}: the tape still computes real gradients for them and a "
            f"Keras optimizer given them updates them without any warning, so the frozen layer trains anyway"
        )
    else:
        consequence = (
            f"`{text}` includes the non-trainable variables of {why}: their gradients are `None`, and a Keras "
            f"optimizer given them warns `UserWarning: Gradients do not exist for variables [...] when minimizing "
            f"the loss` on every step (`ValueError: No gradients provided for any variable` when none has one)"
        )
    msg = f"`{text}` as the {role} {where}: {consequence}; use `{owner}.{new_attr}`"
    end = info.span(attr)
    # Only the attribute name is replaced: `model.variables` -> `model.trainable_variables`.
    data: TrainableVariablesFix | None = None
    if end.end_col - len(attr.attr) >= 0:
        name_span = Span(end.end_line, end.end_col - len(attr.attr), end.end_line, end.end_col)
        data = TrainableVariablesFix(f"Use `{owner}.{new_attr}`", (PlannedEdit(name_span, new_attr, attr.attr),))
    return Finding("TFG017", msg, info.span(attr), data)
