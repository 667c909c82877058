"""TFG033 loss-scale-optimizer-keras2-method: `LossScaleOptimizer.get_scaled_loss` / `get_unscaled_gradients`
(the tf.keras 2 API of the TF mixed precision guide) on a Keras 3 optimizer raise AttributeError."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.keras_facts import KerasFacts, Scope
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits, Span
from gradls.analysis.module import ModuleInfo
from gradls.analysis.optimizers import UNKNOWN_CLASS, keras3_optimizer_method_calls
from gradls.analysis.python_scopes import in_loop
from gradls.analysis.rules import rule

_METHODS = ("get_scaled_loss", "get_unscaled_gradients")
_APPLY = {"apply_gradients", "apply"}


@dataclass(frozen=True)
class ScaleLossFix(PlannedEdits):
    """`opt.get_scaled_loss(loss)` -> `opt.scale_loss(loss)`; `opt.get_unscaled_gradients(g)` -> `g` where the
    gradients only go to the same optimizer's `apply_gradients` (which unscales them in Keras 3)."""


@rule(
    "TFG033",
    "loss-scale-optimizer-keras2-method",
    "`opt.get_scaled_loss(loss)` / `opt.get_unscaled_gradients(grads)` on a Keras 3 `LossScaleOptimizer`: "
    "`AttributeError: 'LossScaleOptimizer' object has no attribute 'get_scaled_loss'`; use `opt.scale_loss(loss)` "
    "and pass the scaled gradients to `apply_gradients`, which unscales them.",
)
def find_loss_scale_optimizer_keras2_method(info: ModuleInfo) -> Iterator[Finding]:
    if "get_scaled_loss" not in info.source and "get_unscaled_gradients" not in info.source:
        return
    if info.legacy_keras:
        return  # TF_USE_LEGACY_KERAS=1: `tf.keras` is Keras 2, whose LossScaleOptimizer has both methods
    kf = KerasFacts(info)
    for c, f, cls, scope in keras3_optimizer_method_calls(info, kf, _METHODS):
        yield _finding(info, kf, c, f, cls, scope)


def _finding(info: ModuleInfo, kf: KerasFacts, c: ast.Call, f: ast.Attribute, cls: str, scope: Scope) -> Finding:
    opt = info.text(f.value)
    what = "a Keras 3 `LossScaleOptimizer`" if cls == "LossScaleOptimizer" else "a Keras 3 optimizer"
    if cls == UNKNOWN_CLASS:
        cls = "<optimizer class>"
    err = f"`AttributeError: '{cls}' object has no attribute '{f.attr}'`"
    fix: ScaleLossFix | None = None
    if f.attr == "get_scaled_loss":
        msg = (
            f"`{opt}` is {what}, which has no `get_scaled_loss` (the tf.keras 2 mixed precision API): TensorFlow "
            f"raises {err}; Keras 3 scales the loss with `{opt}.scale_loss(loss)`"
        )
        end = f.end_col_offset or 0
        line = f.end_lineno or f.lineno
        span = Span(line, info.col(line, end - len(f.attr)), line, info.col(line, end))
        fix = ScaleLossFix(f"Use `{opt}.scale_loss`", (PlannedEdit(span, "scale_loss", f.attr),))
    else:
        msg = (
            f"`{opt}` is {what}, which has no `get_unscaled_gradients` (the tf.keras 2 mixed precision API): "
            f"TensorFlow raises {err}; in Keras 3 `{opt}.apply_gradients` unscales the gradients of the scaled loss "
            "itself, so pass them to it as they are"
        )
        arg = c.args[0] if len(c.args) == 1 and not c.keywords and not isinstance(c.args[0], ast.Starred) else None
        if arg is not None and _only_applied(info, kf, c, opt, scope):
            edit = _drop_self_assignment(info, kf, c, arg) or PlannedEdit(info.span(c), info.text(arg), info.text(c))
            fix = ScaleLossFix(f"Pass the gradients to `{opt}.apply_gradients` as they are", (edit,))
    return Finding("TFG033", msg, info.span(c), fix)


def _drop_self_assignment(info: ModuleInfo, kf: KerasFacts, c: ast.Call, arg: ast.AST) -> PlannedEdit | None:
    """`grads = opt.get_unscaled_gradients(grads)` alone on its lines: the whole statement goes (it would become
    `grads = grads`)."""
    stmt = kf.parent(c)
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and info.text(stmt.targets[0]) == info.text(arg)):
        return None
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    if last >= len(info.lines) or info.lines[first - 1][: stmt.col_offset].strip():
        return None
    rest = info.lines[last - 1][stmt.end_col_offset or 0 :].strip()
    if rest and not rest.startswith("#"):
        return None
    old = "".join(line + "\n" for line in info.lines[first - 1 : last])
    return PlannedEdit(Span(first, 0, last + 1, 0), "", old)


def _only_applied(info: ModuleInfo, kf: KerasFacts, c: ast.Call, opt: str, scope: Scope) -> bool:
    """Do the unscaled gradients only reach `<opt>.apply_gradients(...)`? (Then leaving them scaled is what Keras 3
    wants: its apply unscales them. Clipped, logged or summed they would be off by the loss scale.)"""
    parent = kf.parent(c)
    if _inside_apply(kf, c, opt, info):
        return True
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return False
    name = parent.targets[0].id
    end = (parent.end_lineno or parent.lineno, parent.end_col_offset or 0)
    later = [
        n for n in kf.own_nodes(scope) if isinstance(n, ast.Name) and n.id == name and (n.lineno, n.col_offset) > end
    ]
    if any(not isinstance(n.ctx, ast.Load) for n in later) or in_loop(info, parent):
        return False  # bound again afterwards, or in a loop: which value each read sees is not told here
    return bool(later) and all(_inside_apply(kf, n, opt, info) for n in later)


def _inside_apply(kf: KerasFacts, n: ast.AST, opt: str, info: ModuleInfo) -> bool:
    """`n` is an argument of `<opt>.apply_gradients(...)`, directly or inside `zip(...)`/`list(zip(...))`."""
    p = kf.parent(n)
    while isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and p.func.id in {"zip", "list"}:
        p = kf.parent(p)
    return (
        isinstance(p, ast.Call)
        and isinstance(p.func, ast.Attribute)
        and p.func.attr in _APPLY
        and info.text(p.func.value) == opt
    )
