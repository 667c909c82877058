"""TFG007 variable-created-in-step: `tf.Variable(...)` / `add_weight` in code that runs on every step
(a `tf.function` body, Keras `call`/`train_step`, an eager training step repeated in a loop)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.flow import Flow, FlowScope
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import (
    AUTOGRAPH,
    GRAPH,
    VARIABLE_CTORS,
    FunctionFacts,
    FunctionNode,
    ModuleInfo,
)
from gradls.analysis.rules import rule
from gradls.analysis.tensors import TENSOR

_BUILDERS = (
    "__init__",
    "build",
    "_build",
    "build_",
    "create_",
    "_create",
    "make_",
    "_make",
    "init_",
    "_init",
    "setup",
    "_setup",
    "reset",
    "initialize",
    "_initialize",
)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _creation(info: ModuleInfo, node: ast.Call) -> str | None:
    q = info.imports.qualname(node.func)
    if q in VARIABLE_CTORS:
        return "tf.Variable" if q.startswith("tensorflow") else "keras.Variable"
    if q == "keras.backend.variable":
        # the legacy `tf.keras.backend.variable` builds a `tf.Variable` (float32 by default, unlike tf.Variable(0))
        return "K.variable"
    f = node.func
    if (
        isinstance(f, ast.Attribute)
        and f.attr in {"add_weight", "add_variable"}
        and isinstance(f.value, ast.Name)
        and f.value.id == "self"
    ):
        return f"self.{f.attr}"
    return None


def _trainable(node: ast.Call) -> bool:
    for k in node.keywords:
        if k.arg == "trainable" and isinstance(k.value, ast.Constant) and k.value.value is False:
            return False
    return True


def _guarded(info: ModuleInfo, sc: FlowScope, node: ast.AST) -> bool:
    """Creation that runs once: under an `if` on a Python value, an `or` default, an except handler,
    or `tf.init_scope()`."""
    p = sc.parent(node)
    child = node
    while p is not None and p is not sc.root:
        if isinstance(p, ast.If) and child is not p.test and info.tensors.level_of(p.test) < TENSOR:
            return True
        if isinstance(p, ast.IfExp) and child is not p.test:
            return True
        if isinstance(p, ast.BoolOp) and isinstance(p.op, ast.Or) and child is not p.values[0]:
            return True
        if isinstance(p, ast.ExceptHandler):
            return True
        if isinstance(p, (ast.With, ast.AsyncWith)) and any("init_scope" in info.text(i.context_expr) for i in p.items):
            return True
        if isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute) and p.func.attr == "setdefault":
            return True
        child = p
        p = sc.parent(p)
    return False


def _keras3_state_in_call(ff, what: str) -> bool:
    """`self.add_weight(...)` in the `call` of a Keras 3 layer or model: measured under TF 2.21 / Keras 3.15, Keras
    locks the layer's state once it is built (before `call` runs), so the creation raises `ValueError: You cannot add
    new elements of state` under any guard (`if self.w is None:`, `if flag:`); tf_keras allowed such lazy weights."""
    return (
        what.startswith("self.add")
        and ff is not None
        and ff.keras_method == "call"
        and ff.cls is not None
        and not ff.cls.keras2
    )


def _call_sites(info: ModuleInfo, fn: FunctionNode) -> list[ast.Call]:
    name = fn.name
    out = []
    for n in info.all_nodes(ast.Call):
        f = n.func
        if (isinstance(f, ast.Name) and f.id == name) or (isinstance(f, ast.Attribute) and f.attr == name):
            out.append(n)
    return out


def _runs_once(info: ModuleInfo, flow: Flow, fn: FunctionNode, depth: int = 0) -> bool:
    """Every call of `fn` is guarded, or sits in a builder (`__init__`/`build`)."""
    sites = _call_sites(info, fn)
    if not sites or depth > 3:
        return False
    for call in sites:
        caller = info.enclosing_function(call) if info.parent(call) is not None else _enclosing_by_walk(info, call)
        if caller is not None and caller.name.startswith(_BUILDERS):
            continue
        sc = flow.scope_of(call) if info.parent(call) is not None else None
        if sc is not None and _guarded(info, sc, call):
            continue
        return False
    return True


def _enclosing_by_walk(info: ModuleInfo, call: ast.AST):
    for ff in info.functions.values():
        for n in ast.walk(ff.node):
            if n is call:
                return ff.node
    return None


def _repeated(info: ModuleInfo, flow: Flow, node: ast.AST, depth: int = 0) -> bool:
    """Does this eager code run again and again (a loop around it, or a function called in a loop)?"""
    sc = flow.scope_of(node)
    if sc.loop_of(node) is not None:
        return True
    fn = info.enclosing_function(node)
    if fn is None or depth > 3:
        return False
    sites = _call_sites(info, fn)
    # Two calls in one function are two steps; calls from different functions (say, tests that each build a
    # fresh model with a helper and take one gradient) are not a repetition.
    callers = [info.enclosing_function(c) if info.parent(c) is not None else _enclosing_by_walk(info, c) for c in sites]
    if any(callers.count(c) >= 2 for c in callers):
        return True
    for call in sites:
        if info.parent(call) is None:
            continue
        if _repeated(info, flow, call, depth + 1):
            return True
    return False


def _step_context(ff: FunctionFacts | None, modes: set[str]) -> str | None:
    if ff is None:
        return None
    if AUTOGRAPH in modes or GRAPH in modes:
        return "graph"
    if ff.keras_method or "Keras" in (ff.why or ""):
        return "keras_eager"
    return None


@dataclass(frozen=True)
class VariableInStepFix(FixData):
    """The variable constructor call (`what`: its name as written), the Keras method or tf.function it runs in,
    and the module's TensorFlow alias."""

    call: Span
    what: str
    keras_method: str | None
    tf_function: bool
    tf_alias: str | None


@rule(
    "TFG007",
    "variable-created-in-step",
    "A `tf.Variable`/`add_weight` created in a training step: `tf.function` and Keras `fit` raise `ValueError: "
    "tf.function only supports singleton tf.Variables created on the first call`; eagerly a fresh variable is "
    "made on every step (untracked by the layer, never trained, and the second Keras optimizer step raises "
    "`Unknown variable`).",
)
def find_variable_created_in_step(info: ModuleInfo) -> Iterator[Finding]:
    if "Variable" not in info.source and "variable" not in info.source and "add_weight" not in info.source:
        return
    flow = Flow(info)
    for node, modes in info.region_nodes():
        if not isinstance(node, ast.Call):
            continue
        what = _creation(info, node)
        if what is None:
            continue
        fn = info.enclosing_function(node)
        if fn is not None and fn.name.startswith(_BUILDERS):
            continue
        sc = flow.scope_of(node)
        ff = info.facts(fn)
        if ff is not None and ff.builds_tf1_graph:
            continue  # building a TF 1 graph makes its variables once, by design
        if _guarded(info, sc, node) and not _keras3_state_in_call(ff, what):
            continue
        if (
            fn is not None
            and ff is not None
            and not ff.keras_method
            and not ff.tf_function
            and _runs_once(info, flow, fn)
        ):
            continue
        ctx = _step_context(ff, modes) if fn is not None else None
        where = ff.why if ff and ff.why else "this step"
        if ctx == "graph":
            if what.startswith("self.add"):
                msg = (
                    f"`{what}(...)` in {where} runs on every call: Keras raises `ValueError: You cannot add new "
                    "elements of state (variables or sub-layers) to a layer that is already built`; create the "
                    "weight in `build()` or `__init__()`"
                )
            else:
                msg = (
                    f"`{what}(...)` in {where}: traced code creates a new variable on every trace, so TensorFlow "
                    "raises `ValueError: tf.function only supports singleton tf.Variables created on the first "
                    "call` (building a functional model: `could not be lifted out of a tf.function`); create it once "
                    "in `build()`/`__init__()` or outside the step"
                )
        elif ctx == "keras_eager":
            if what.startswith("self.add"):
                msg = (
                    f"`{what}(...)` in {where}: once the layer is built Keras raises `ValueError: You cannot add new "
                    "elements of state (variables or sub-layers) to a layer that is already built`; create the "
                    "weight in `build()`"
                )
            else:
                msg = (
                    f"`{what}(...)` in {where} makes a fresh variable on every call: it is not tracked by "
                    "`layer.trainable_variables`, so it is never trained (and under `fit` TensorFlow raises "
                    "`tf.function only supports singleton tf.Variables`); create it with `add_weight` in `build()`"
                )
        else:
            if not _trainable(node) or not _repeated(info, flow, node):
                continue
            msg = (
                f"`{what}(...)` inside the training step makes a fresh variable on every step: what the optimizer "
                "updated is thrown away, so it never trains, and the second Keras optimizer step raises `ValueError: "
                "Unknown variable ... This optimizer can only be called for the variables it was originally built "
                "with`; create it once before the loop"
            )
        span = info.span(node)
        fix_data = VariableInStepFix(
            call=span,
            what=what,
            keras_method=ff.keras_method if ff is not None else None,
            tf_function=bool(ff is not None and ff.tf_function),
            tf_alias=info.imports.alias_of("tensorflow"),
        )
        yield Finding("TFG007", msg, span, fix_data)
