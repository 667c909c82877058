"""TFG019 loss-returns-none-or-ignores-prediction: a custom Keras loss (given to `compile(loss=...)`, or a
`keras.losses.Loss` subclass' `call`) that returns `None` on some path, or never reads `y_pred`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import FunctionNode, ModuleInfo, walk_own
from gradls.analysis.rules import rule
from gradls.analysis.step_facts import (
    block_ends,
    custom_loss_functions,
    is_generator,
    none_returns,
    reads_name,
)
from gradls.analysis.tapes import resolve_defs, tape_scopes
from gradls.analysis.tensors import DIFF

_NONE_ERRORS = (
    "under `fit` Keras raises `ValueError: None values not supported.`, and `tape.gradient` on it raises "
    "`TypeError: Argument `target` should be a list or nested structure of Tensors, Variables or CompositeTensors "
    "to be differentiated, but received None.`"
)


def _fix_data(info: ModuleInfo, fn: FunctionNode) -> MissingReturnFix | None:
    """Where a missing `return` can be added: the last statement computes the loss and nothing returns."""
    if any(isinstance(n, ast.Return) for n in walk_own(fn)):
        return None
    last = fn.body[-1]
    if isinstance(last, ast.Assign) and len(last.targets) == 1 and isinstance(last.targets[0], ast.Name):
        return MissingReturnFix("return_name", info.span(last), last.targets[0].id)
    if isinstance(last, ast.AnnAssign) and isinstance(last.target, ast.Name) and last.value is not None:
        return MissingReturnFix("return_name", info.span(last), last.target.id)
    if isinstance(last, ast.Expr) and isinstance(last.value, (ast.Call, ast.BinOp, ast.UnaryOp, ast.Subscript)):
        return MissingReturnFix("return_expr", info.span(last))
    return None


def _reads_outside_weights(info: ModuleInfo, fn: FunctionNode) -> bool:
    """Does the loss read, from outside itself, a value computed from weights (a layer's symbolic output, a
    model, a variable)? Then it depends on weights without `y_pred`: TF gives them gradients (or, for a captured
    Keras tensor, Keras 3 refuses it), so "no gradient at all" is not what happens."""
    local = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    local.update(a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg))
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
            if info.tensors.level_of(n) >= DIFF or info.tensors.kind_of(n) or info.module_objects.get(n.id):
                return True
    return False


@dataclass(frozen=True)
class MissingReturnFix(FixData):
    """The loss's last statement: `return <name>` goes after it (`kind` return_name), or `return ` before the
    expression it computes (return_expr)."""

    kind: str
    stmt: Span
    name: str | None = None


@rule(
    "TFG019",
    "loss-returns-none-or-ignores-prediction",
    "A custom Keras loss that returns `None` (`fit` raises `ValueError: None values not supported.`) or never "
    "reads `y_pred` (every gradient is `None`: `ValueError: No gradients provided for any variable.`).",
)
def find_bad_custom_loss(info: ModuleInfo) -> Iterator[Finding]:
    if "loss" not in info.source.lower():
        return
    adds_losses = "add_loss" in info.source
    compiled = custom_loss_functions(info)
    yield from _valueless_gradient_targets(info, {id(fn) for fn, _, _ in compiled})
    yield from _batch_given_as_prediction(info)
    for fn, index, how in compiled:
        if is_generator(fn) or fn.args.vararg is not None:
            continue
        params = [*fn.args.posonlyargs, *fn.args.args]
        if len(params) <= index:
            continue
        bare = none_returns(fn)
        valued = [n for n in walk_own(fn) if isinstance(n, ast.Return) and n not in bare]
        if not valued:
            msg = f"{how} never returns a value, so it returns `None`: {_NONE_ERRORS}; return the loss tensor"
            yield Finding("TFG019", msg, info.name_span(fn), _fix_data(info, fn))
            continue
        for r in bare:
            msg = f"{how} returns `None` here: when this path runs, {_NONE_ERRORS}; return a loss tensor on every path"
            yield Finding("TFG019", msg, info.span(r), None)
        if not bare and not block_ends(fn.body):
            msg = (
                f"{how} can fall off its end and return `None` (a path with no `return`): when that path runs, "
                f"{_NONE_ERRORS}; return a loss tensor on every path"
            )
            yield Finding("TFG019", msg, info.name_span(fn), None)
        pred = params[index]
        if not adds_losses and not reads_name(fn, pred.arg) and not _reads_outside_weights(info, fn):
            msg = (
                f"{how} never reads `{pred.arg}` (the model's prediction): the loss does not depend on any weight, "
                "so every gradient is `None` and `fit` raises `ValueError: No gradients provided for any variable.`"
            )
            yield Finding("TFG019", msg, info.span(pred), None)


def _valueless(fn: FunctionNode) -> bool:
    """A plain def that never returns a value (no `return <value>` of its own), does not always raise, and is not
    a generator or decorated: calling it gives `None`."""
    if fn.decorator_list or is_generator(fn) or isinstance(fn, ast.AsyncFunctionDef):
        return False
    bare = none_returns(fn)
    if any(isinstance(n, ast.Return) and n not in bare for n in walk_own(fn)):
        return False
    return not block_ends(fn.body) or bool(bare)


def _called_function(info: ModuleInfo, value: ast.AST | None) -> FunctionNode | None:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return info.module_functions.get(value.func.id)
    return None


def _valueless_gradient_targets(info: ModuleInfo, reported: set[int]) -> Iterator[Finding]:
    """A module function with no `return <value>` whose call is the target of `tape.gradient` (directly, or
    through a name every binding of which is such a call): the target is `None`, and `tape.gradient` raises
    `TypeError: Argument `target` should be a list or nested structure of Tensors ... but received None.` The
    custom training loop's form of a loss function that forgot its `return`."""
    seen = set(reported)
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                if tc.method != "gradient":
                    continue
                target = tc.target
                fns: list[FunctionNode] = []
                if isinstance(target, ast.Name):
                    found = resolve_defs(info, scope, target.id)
                    if not found or not found[0]:
                        continue
                    for d in found[0]:
                        value = d.value if isinstance(d, ast.Assign) and len(d.targets) == 1 else None
                        f = _called_function(info, value)
                        if f is None:
                            break
                        fns.append(f)
                    else:
                        fns = fns if all(_valueless(f) for f in fns) else []
                else:
                    f = _called_function(info, target)
                    fns = [f] if f is not None and _valueless(f) else []
                for fn in fns:
                    if id(fn) in seen:
                        continue
                    seen.add(id(fn))
                    msg = (
                        f"`{fn.name}` never returns a value, so the `tape.gradient` target computed by it (line "
                        f"{tc.call.lineno}) is `None`: `tape.gradient` raises `TypeError: Argument `target` should "
                        "be a list or nested structure of Tensors, Variables or CompositeTensors to be "
                        "differentiated, but received None.`; return the loss tensor"
                    )
                    yield Finding("TFG019", msg, info.name_span(fn), _fix_data(info, fn))


def _batch_names(fn: FunctionNode, data: str) -> dict[str, ast.stmt]:
    """Names a `train_step` binds once, and only from its batch: `x, y = data`, `y = data[1]`."""
    stores: dict[str, int] = {}
    from_batch: dict[str, ast.stmt] = {}
    for n in walk_own(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            stores[n.id] = stores.get(n.id, 0) + 1
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1):
            continue
        value, target = n.value, n.targets[0]
        if isinstance(value, ast.Subscript):
            value = value.value
        if not (isinstance(value, ast.Name) and value.id == data):
            continue
        targets = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        for t in targets:
            if isinstance(t, ast.Name):
                from_batch[t.id] = n
    return {name: stmt for name, stmt in from_batch.items() if stores.get(name) == 1}


def _batch_given_as_prediction(info: ModuleInfo) -> Iterator[Finding]:
    """`self.compute_loss(x=x, y=y, y_pred=y)` in a Keras model's `train_step`: the prediction handed to the
    compiled loss is a tensor of the batch, not the model's output, so the loss reads no weight."""
    if "compute_loss" not in info.source:
        return
    for cls in info.classes.values():
        fn = cls.methods.get("train_step")
        if cls.keras_kind != "model" or fn is None or "compute_loss" in cls.methods:
            continue
        params = [*fn.args.posonlyargs, *fn.args.args]
        if len(params) < 2:
            continue
        data = params[1].arg
        batch = _batch_names(fn, data)
        if not batch:
            continue
        for n in walk_own(fn):
            if not (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "compute_loss"
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == params[0].arg
            ):
                continue
            pred = next((k.value for k in n.keywords if k.arg == "y_pred"), n.args[2] if len(n.args) > 2 else None)
            if not isinstance(pred, ast.Name) or pred.id not in batch:
                continue
            msg = (
                f"`{pred.id}` given as `y_pred` to `compute_loss` comes from the batch `{data}` (line "
                f"{batch[pred.id].lineno}), not from the model: the loss reads no weight, so every gradient is `None` "
                "and `apply_gradients` raises `ValueError: No gradients provided for any variable.`; pass the model's output (`y_pred = self(x, training=True)`)"
            )
            yield Finding("TFG019", msg, info.span(pred), None)
