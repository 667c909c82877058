"""TFG021 layer-or-optimizer-created-in-step: a Keras layer, model or optimizer constructed in code that runs
on every step (Keras `call`/`train_step`, a `@tf.function` step, the body of an eager training loop)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.call_sites import call_index
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import (
    AUTOGRAPH,
    GRAPH,
    KERAS_STEP_METHODS,
    FunctionFacts,
    FunctionNode,
    ModuleInfo,
    walk_nodes,
)
from gradls.analysis.rules import rule
from gradls.analysis.step_facts import FUNCS, LOOPS, ancestors, keras_object
from gradls.analysis.tensors import TENSOR

_BUILDERS = {"__init__", "build", "_build", "build_model", "setup"}
_SINGLETON = "`ValueError: tf.function only supports singleton tf.Variables created on the first call`"
_NEW_STATE = (
    "`ValueError: You cannot add new elements of state (variables or sub-layers) to a layer that is already built`"
)
_UNKNOWN = (
    "`ValueError: Unknown variable: ... This optimizer can only be called for the variables it was originally "
    "built with`"
)


def _object(info: ModuleInfo, call: ast.Call) -> tuple[str, str] | None:
    """keras_object, plus calls of module functions that build and return a Keras model/layer."""
    obj = keras_object(info, call)
    if obj is not None:
        return obj
    if isinstance(call.func, ast.Name) and call.func.id in info.module_functions:
        if _is_factory(info, info.module_functions[call.func.id]):
            return "layer", f"{call.func.id}()"
    return None


def _is_factory(info: ModuleInfo, fn: FunctionNode) -> bool:
    ff = info.facts(fn)
    if ff is None:
        return False
    for r in ff.returns:
        v = r.value
        if isinstance(v, ast.Call) and keras_object(info, v) is not None:
            return True
        if isinstance(v, ast.Name):
            for n in ast.walk(fn):
                if (
                    isinstance(n, ast.Assign)
                    and isinstance(n.value, ast.Call)
                    and any(isinstance(t, ast.Name) and t.id == v.id for t in n.targets)
                    and keras_object(info, n.value) is not None
                ):
                    return True
    return False


def _guard(info: ModuleInfo, parents: dict[int, ast.AST], node: ast.AST, stop: ast.AST) -> bool:
    """Created only under a condition: an `if` on a Python value, `x or Ctor()`, an except handler."""
    child = node
    for p in ancestors(parents, node):
        if p is stop:
            return False
        if isinstance(p, ast.If) and child is not p.test and info.tensors.level_of(p.test) < TENSOR:
            return True
        if isinstance(p, ast.IfExp) and child is not p.test:
            return True
        if isinstance(p, ast.BoolOp) and isinstance(p.op, ast.Or) and child is not p.values[0]:
            return True
        if isinstance(p, ast.ExceptHandler):
            return True
        child = p
    return False


def _stored_on_self(parents: dict[int, ast.AST], call: ast.Call) -> str | None:
    p = parents.get(id(call))
    if isinstance(p, ast.Assign) and p.value is call:
        for t in p.targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                return t.attr
    return None


def _innermost_loop(parents: dict[int, ast.AST], node: ast.AST, stop: ast.AST | None) -> ast.AST | None:
    for p in ancestors(parents, node):
        if p is stop or isinstance(p, FUNCS):
            return None
        if isinstance(p, LOOPS):
            return p
    return None


def _keras_method(ff: FunctionFacts) -> bool:
    return bool(
        ff.keras_method in KERAS_STEP_METHODS
        and ff.cls is not None
        and ff.cls.keras_kind in {"layer", "model"}
        and not getattr(ff.cls, "keras2", False)
    )


def _factory_body(info: ModuleInfo, ff: FunctionFacts) -> bool:
    """A plain module function that builds and returns a model: its call site in the step is reported."""
    return (
        not ff.tf_function
        and not ff.keras_method
        and ff.parent is None
        and ff.cls is None
        and (_is_factory(info, ff.node))
    )


def _where(ff: FunctionFacts) -> str:
    return ff.why or f"`{ff.node.name}`"


def _fix_data(info: ModuleInfo, call: ast.Call, context: str, ff: FunctionFacts | None) -> CreatedInStepFix:
    return CreatedInStepFix(info.span(call), context)


_RUNS_TRACED = frozenset({"fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch"})


def _only_built_symbolically(info: ModuleInfo) -> bool:
    """The module builds its models symbolically (`Input`, `Sequential`) but runs them only eagerly: no
    `fit`/`evaluate`/`predict`-like call, no `tf.function`, an eager `GradientTape` loop.  Measured under TF 2.21 /
    Keras 3.15: a layer made in `call` passes the symbolic build (no singleton error there) and, called eagerly, is
    a fresh untrained layer on every call; only a traced `fit` raises the singleton `ValueError`."""
    if not info.tape_withs or (info.project is not None and info.path is not None and _imported_elsewhere(info)):
        return False
    if any(ff.tf_function for ff in info.functions.values()):
        return False
    return not any(isinstance(n.func, ast.Attribute) and n.func.attr in _RUNS_TRACED for n in info.all_nodes(ast.Call))


def _imported_elsewhere(info: ModuleInfo) -> bool:
    """Another module of the project imports one of this module's classes and runs models as graphs (`fit`...)."""
    project, path = info.project, info.path
    assert project is not None and path is not None
    for name in info.classes:
        try:
            users = project.users(name, path)
        except (OSError, RecursionError, ValueError):
            return True
        if any(u.runs_graph for u in users):
            return True
    return False


def _traced(info: ModuleInfo, parents: dict[int, ast.AST], done: set[int]) -> Iterator[Finding]:
    eager_only: bool | None = None
    for call, modes in info.region_nodes(ast.Call):
        if not isinstance(call, ast.Call) or id(call) in done:
            continue
        fn = info.enclosing_function(call)
        ff = info.facts(fn)
        if fn is None or ff is None or fn.name in _BUILDERS or ff.custom_gradient:
            continue
        obj = _object(info, call)
        if ff.builds_tf1_graph:
            continue  # building a TF 1 graph makes its layers and optimizers once, by design
        if obj is None or info.imports.is_keras2(call.func) or "Keras 2" in (ff.why or ""):
            continue  # Keras 2 (`tf_keras`) layers built lazily in `call` under `tf.init_scope()` are its idiom
        kind, name = obj
        traced = bool(modes & {AUTOGRAPH, GRAPH})
        where = _where(ff)
        if _keras_method(ff):
            if traced:
                if eager_only is None:
                    eager_only = _only_built_symbolically(info)
                traced = not eager_only
            attr = _stored_on_self(parents, call)
            guarded = _guard(info, parents, call, fn)
            if attr is not None or guarded:
                msg = (
                    f"`{name}(...)` is constructed in {where}, after the layer is built: Keras 3 raises {_NEW_STATE} "
                    "(a `None` guard does not help); create it in `__init__()`"
                )
            elif traced:
                msg = (
                    f"`{name}(...)` is constructed in {where}, which Keras traces: its variables are created on every "
                    f"trace and TensorFlow raises {_SINGLETON}; create it once in `__init__()`"
                )
            elif kind == "seeded":
                continue
            else:
                msg = (
                    f"`{name}(...)` is constructed in {where}: a fresh, untrained {kind} on every call, not tracked "
                    "in `trainable_variables`, so it never learns (and under a traced `fit` TensorFlow raises "
                    f"{_SINGLETON}); create it once in `__init__()`"
                )
            done.add(id(call))
            yield Finding("TFG021", msg, info.span(call), _fix_data(info, call, "keras", ff))
        elif traced:
            if _guard(info, parents, call, fn) or _factory_body(info, ff):
                continue
            msg = (
                f"`{name}(...)` is constructed in {where}: it creates its variables while the step is traced, so "
                f"TensorFlow raises {_SINGLETON}; create it once, outside the step"
            )
            done.add(id(call))
            yield Finding("TFG021", msg, info.span(call), _fix_data(info, call, "tf_function", ff))


def _call_sites_in_loop(info: ModuleInfo, parents: dict[int, ast.AST], fn: FunctionNode) -> bool:
    # The module's calls by callee name, indexed once (a walk per tape function made long modules quadratic).
    return any(_innermost_loop(parents, n, None) is not None for n in call_index(info).by_name.get(fn.name, ()))


def _eager_loops(info: ModuleInfo, parents: dict[int, ast.AST], done: set[int]) -> Iterator[Finding]:
    seen_scopes: set[int] = set()
    for w, fn in info.tape_withs:
        ff = info.facts(fn)
        if ff is not None and ff.modes & {AUTOGRAPH, GRAPH}:
            continue
        loop = _innermost_loop(parents, w, None)
        if loop is not None:
            scope, where = loop, "the training loop"
        elif fn is not None and ff is not None and ff.parent is None and _call_sites_in_loop(info, parents, fn):
            scope, where = fn, f"`{fn.name}`, called on every step"
        else:
            continue
        if id(scope) in seen_scopes:
            continue
        seen_scopes.add(id(scope))
        for call in walk_nodes(scope):  # ast.walk's order, without the context/operator leaves
            if not isinstance(call, ast.Call) or id(call) in done:
                continue
            # What the call makes first (a lookup), where it sits after (a walk up its ancestors): most calls of a
            # training loop make no Keras object, and every test here only skips the call.
            obj = _object(info, call)
            if obj is None or obj[0] == "seeded" or info.imports.is_keras2(call.func):
                continue
            inner = _innermost_loop(parents, call, scope if scope is fn else None)
            if scope is loop and inner is not loop:
                continue
            if scope is fn and inner is not None:
                continue
            if any(
                isinstance(p, (*FUNCS, ast.Lambda, ast.ClassDef)) and p is not scope
                for p in _up_to(parents, call, scope)
            ):
                continue
            if _guard(info, parents, call, scope):
                continue
            kind, name = obj
            if kind == "optimizer":
                msg = (
                    f"`{name}(...)` in {where} makes a new optimizer on every step: no error, but its state restarts "
                    "each time (`iterations` stays at 1, momentum and Adam's moments never build up, schedules never "
                    "advance); create it once before the loop"
                )
            else:
                msg = (
                    f"`{name}(...)` in {where} makes a fresh, untrained {kind} on every step: whatever the optimizer "
                    f"updated is thrown away with it, and a Keras optimizer given its weights raises {_UNKNOWN} on "
                    "the second step; create it once before the loop"
                )
            done.add(id(call))
            yield Finding("TFG021", msg, info.span(call), _fix_data(info, call, "eager_loop", ff))


def _up_to(parents: dict[int, ast.AST], node: ast.AST, stop: ast.AST) -> list[ast.AST]:
    out = []
    for p in ancestors(parents, node):
        if p is stop:
            break
        out.append(p)
    return out


@dataclass(frozen=True)
class CreatedInStepFix(FixData):
    """The constructor call, and where it runs (`context`: keras, tf_function, eager_loop), which decides where
    the object is created once instead."""

    call: Span
    context: str


@rule(
    "TFG021",
    "layer-or-optimizer-created-in-step",
    "A Keras layer, model or optimizer constructed inside a training step: traced, TensorFlow raises `ValueError: "
    "tf.function only supports singleton tf.Variables created on the first call`; eagerly every step gets a fresh, "
    "untrained layer (or an optimizer whose state restarts).",
)
def find_layer_or_optimizer_created_in_step(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if "keras" not in src and "optimizers" not in src:
        return
    parents = _Parents(info)
    done: set[int] = set()
    yield from _traced(info, parents, done)
    yield from _eager_loops(info, parents, done)
    yield from _fresh_optimizer_per_call(info, parents, done)
    yield from _built_in_lambda_function(info, done)


def _lambda_function(info: ModuleInfo, ctor: ast.Call) -> FunctionNode | None:
    """The def a `Lambda(...)` layer runs: `Lambda(fn)`, or `Lambda(lambda x: fn(x))`, with `fn` a def nested in the
    function that makes the layer or a module-level def."""
    fn = ctor.args[0] if ctor.args else next((k.value for k in ctor.keywords if k.arg == "function"), None)
    if isinstance(fn, ast.Lambda) and isinstance(fn.body, ast.Call) and isinstance(fn.body.func, ast.Name):
        fn = fn.body.func
    if not isinstance(fn, ast.Name):
        return None
    parents = info.all_parents
    p = parents.get(id(ctor))
    while p is not None and not isinstance(p, FUNCS):
        p = parents.get(id(p))
    outer = info.facts(p) if isinstance(p, FUNCS) else None
    while outer is not None:
        if fn.id in outer.nested:
            return outer.nested[fn.id]
        outer = info.facts(outer.parent) if outer.parent is not None else None
    return info.module_functions.get(fn.id)


def _own_calls(fn: FunctionNode) -> list[ast.Call]:
    """The calls of `fn`'s body outside nested defs, lambdas and classes, in source order."""
    out: list[ast.Call] = []
    todo: list[ast.AST] = list(reversed(fn.body))
    while todo:
        n = todo.pop()
        if isinstance(n, (*FUNCS, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(n, ast.Call):
            out.append(n)
        todo.extend(reversed(list(ast.iter_child_nodes(n))))
    return out


def _built_in_lambda_function(info: ModuleInfo, done: set[int]) -> Iterator[Finding]:
    """keras-applications#168: a layer or model constructed in the function a `Lambda` layer runs. Keras runs the
    function on every call of the layer and traces it in `fit`: TF 2.21 raises the singleton-variable ValueError
    (Keras 2 left the layers untracked, never trained). One finding per function, at its first constructor."""
    if "Lambda" not in info.source:
        return
    seen: set[int] = set()
    for ctor in info.all_nodes(ast.Call):
        if info.imports.qualname(ctor.func) != "keras.layers.Lambda" or info.imports.is_keras2(ctor.func):
            continue
        fn = _lambda_function(info, ctor)
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        for call in _own_calls(fn):
            if id(call) in done:
                continue
            obj = _object(info, call)
            if obj is None or obj[0] not in {"layer", "model"}:
                continue
            done.add(id(call))
            yield Finding(
                "TFG021",
                f"`{obj[1]}(...)` is constructed in `{fn.name}`, the function of a `Lambda` layer, which Keras runs on "
                f"every call and traces in `fit`: TensorFlow raises {_SINGLETON}, and its weights are not the Lambda's "
                "(not tracked, never trained); build the layers once outside and use them in a subclassed Layer or "
                "directly in the model",
                info.span(call),
                None,
            )
            break


class _Parents(dict[int, ast.AST]):
    """`info.all_parents`, built on the first question `info.parents` cannot answer: a statement's or a node of
    differentiable code's parent is there already (the tape `with` blocks' loops of `_eager_loops`), and only a
    constructor call found in a step asks about other nodes (most modules, library code among them, give this rule
    none), while the parents of the whole tree cost a walk of their own."""

    def __init__(self, info: ModuleInfo):
        super().__init__()
        self._info = info

    def get(self, key, default=None):
        found = self._info.parents.get(key)  # the node's own parent, as in the whole tree's
        if found is not None:
            return found
        parents = self._info.all_parents
        self.get = parents.get  # type: ignore[method-assign]  # from now on the dict's own lookup
        return parents.get(key, default)


def _fresh_optimizer_per_call(info: ModuleInfo, parents: dict[int, ast.AST], done: set[int]) -> Iterator[Finding]:
    """`for run in ...: optimizer = Adam(); train_step(x, y, model, optimizer)` with `train_step` one module-level
    `@tf.function` that applies the optimizer it is given: each new optimizer object makes the function trace again,
    and its first `apply_gradients` builds the optimizer's variables in that later trace (attributionpriors#6)."""
    if "apply_gradients" not in info.source:
        return
    index = call_index(info)
    for name, fn in info.module_functions.items():
        ff = info.facts(fn)
        if ff is None or not ff.tf_function:
            continue
        params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
        applied = {
            n.func.value.id
            for n in ast.walk(fn)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in {"apply_gradients", "minimize"}
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id in params
        }
        for call in index.by_name.get(name, ()):
            for p in applied:
                i = params.index(p)
                arg = next((k.value for k in call.keywords if k.arg == p), None)
                if arg is None and i < len(call.args):
                    arg = call.args[i]
                if not isinstance(arg, ast.Name):
                    continue
                loop = _innermost_loop(parents, call, None)
                if loop is None:
                    continue
                made = [
                    n.value
                    for n in ast.walk(loop)
                    if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == arg.id for t in n.targets)
                    and isinstance(n.value, ast.Call)
                    and (_object(info, n.value) or ("",))[0] == "optimizer"
                ]
                if len(made) != 1 or not isinstance(made[0], ast.Call) or id(made[0]) in done:
                    continue
                ctor = made[0]
                done.add(id(ctor))
                msg = (
                    f"a new `{info.text(ctor.func)}` is made on every pass of this loop and handed to the "
                    f"`@tf.function` `{name}`, which applies it: each new optimizer object makes `{name}` trace "
                    "again, and its first `apply_gradients` creates the optimizer's variables in that later trace, so "
                    f"TensorFlow raises {_SINGLETON}; make one optimizer before the loop, or a fresh "
                    f"`tf.function({name}.python_function)` per run"
                )
                yield Finding("TFG021", msg, info.span(ctor))
