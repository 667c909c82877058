"""TFG045 gradients-never-applied: `grads = tape.gradient(loss, model.trainable_variables)` in a program that
trains, and nothing ever reads `grads`: no `apply_gradients`, no `assign_sub`, so the weights never change."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from gradls.analysis.flow import WEIGHT_LIST_ATTRS
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import TapeScope, tape_scopes

# A program that means to train: it makes an optimizer or applies an update somewhere (plain substring tests: a
# regex alternation tried at every position of a long module cost ~6 ms on array_ops.py).
_TRAINS = ("optimizer", "Optimizer", "apply_gradients", ".minimize(", "assign_sub(")
# Test files and tests compute a gradient to see that it runs.
_TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")


def _weight_sources(scope: TapeScope, sources: ast.AST | None) -> bool:
    """Are the sources a model's or layer's weights (`m.trainable_variables`, `a + b` of such lists, or a name
    bound only to them in this scope)?"""
    if sources is None:
        return False
    if isinstance(sources, ast.Attribute):
        return sources.attr in WEIGHT_LIST_ATTRS  # a gradient of the weights is meant for an update
    if isinstance(sources, ast.BinOp) and isinstance(sources.op, ast.Add):
        return _weight_sources(scope, sources.left) or _weight_sources(scope, sources.right)
    if isinstance(sources, ast.Name):
        defs = scope.defs(sources.id)
        if not defs:
            return False
        values = [getattr(d, "value", None) for d in defs]
        return all(v is not None and _weight_sources(scope, v) for v in values)
    return False


def _loaded_names(info: ModuleInfo, root: ast.AST) -> frozenset[str]:
    """Every name read anywhere below `root` (nested functions included); the module's from its node index."""
    nodes = info.all_nodes(ast.Name) if root is info.tree else ast.walk(root)
    return frozenset(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


class LoopUpdateFix(PlannedEdits):
    """`v = v - lr * g` / `v -= lr * g` in a loop over (variable, gradient) pairs, written in place:
    `v.assign_sub(lr * g)`."""


@rule(
    "TFG045",
    "gradients-never-applied",
    "The gradients of the loss with respect to a model's weights are computed and never used: nothing calls "
    "`optimizer.apply_gradients` (or assigns an update) with them, so the weights never change and the loss stays "
    "where it started, with no error.",
)
def find_gradients_never_applied(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if ".gradient(" not in src:
        return
    # A hand-written update loop is the program's own way to train: no optimizer needed for it.
    yield from _update_rebinds_the_loop_name(info)
    if not any(word in src for word in _TRAINS):
        return
    if info.path is not None and _TEST_FILE.search(str(info.path).replace("\\", "/")):
        return
    yield from _pairs_in_the_wrong_order(info)
    yield from _gradients_appended_to_a_list(info)
    yield from _clipped_pair_not_unpacked(info)
    for scope in tape_scopes(info):
        node = scope.node
        loaded: frozenset[str] | None = None  # built once per scope, when a gradient result needs it
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            continue
        outer = scope.declared_outer()
        for tape in scope.tapes:
            for tc in tape.calls:
                if tc.method != "gradient":
                    continue
                stmt = scope.parent(tc.call)
                if not isinstance(stmt, ast.Assign) or stmt.value is not tc.call:
                    continue
                names: set[str] = set()
                plain = True
                for t in stmt.targets:
                    for n in [t] if isinstance(t, ast.Name) else getattr(t, "elts", [t]):
                        if isinstance(n, ast.Name):
                            names.add(n.id)
                        else:
                            plain = False
                if not plain or not names or names & outer or any(n.startswith("_") for n in names):
                    continue  # stored elsewhere, declared global, or named as deliberately unused
                sources = tc.sources
                if sources is None or not _weight_sources(scope, sources):
                    continue
                # A module-level name can be read by any function of the module.
                if loaded is None:
                    loaded = _loaded_names(info, node)
                if names & loaded:
                    continue
                shown = ", ".join(f"`{n}`" for n in sorted(names))
                yield Finding(
                    "TFG045",
                    f"{shown} (the gradients of `{info.text(tc.target) if tc.target is not None else 'the loss'}` "
                    f"with respect to `{info.text(sources)}`) {'is' if len(names) == 1 else 'are'} never used: "
                    "nothing applies them, so the weights never change and the loss does not go down (no error); "
                    f"call `optimizer.apply_gradients(zip({sorted(names)[0]}, {info.text(sources)}))`",
                    info.span(tc.call),
                )


def _gradient_names(scope: TapeScope) -> set[str]:
    """Names bound in `scope` to the result of a tape's `gradient(...)` call."""
    return {
        t.id
        for tape in scope.tapes
        for tc in tape.calls
        if tc.method == "gradient" and isinstance(stmt := scope.parent(tc.call), ast.Assign) and stmt.value is tc.call
        for t in stmt.targets
        if isinstance(t, ast.Name)
    }


def _zips_applied(scope: TapeScope) -> Iterator[tuple[ast.Call, ast.Call]]:
    """(`opt.apply_gradients(zip(a, b))`, the `zip(a, b)` call) for each such update in `scope`."""
    for n in scope.nodes:
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "apply_gradients"
            and len(n.args) == 1
            and isinstance(z := n.args[0], ast.Call)
            and isinstance(z.func, ast.Name)
            and z.func.id == "zip"
            and len(z.args) == 2
            and not z.keywords
        ):
            yield n, z


def _pairs_in_the_wrong_order(info: ModuleInfo) -> Iterator[Finding]:
    """`optimizer.apply_gradients(zip(model.trainable_variables, grads))`: the pairs are (gradient, variable), so
    the optimizer takes each gradient tensor for the variable to update and raises `AttributeError:
    'EagerTensor' object has no attribute '_unique_id'` (TF 2.21, Keras 3 and tf_keras); nothing is applied."""
    if "apply_gradients" not in info.source:
        return
    for scope in tape_scopes(info):
        grads = _gradient_names(scope)
        if not grads:
            continue
        for _n, z in _zips_applied(scope):
            first, second = z.args
            if not (isinstance(second, ast.Name) and second.id in grads and _weight_sources(scope, first)):
                continue
            if scope.defs(second.id) is None or len(scope.defs(second.id) or []) != 1:
                continue  # rebound in between: not sure it still holds the gradients
            yield Finding(
                "TFG045",
                f"`zip({info.text(first)}, {second.id})` pairs each variable with its gradient in the wrong order: "
                "`apply_gradients` takes (gradient, variable) pairs, so it treats the gradients as the variables "
                "to update and raises `AttributeError: 'EagerTensor' object has no attribute '_unique_id'`; "
                f"write `zip({second.id}, {info.text(first)})`",
                info.span(z),
            )


def _list_display(value: ast.AST | None) -> bool:
    """A non-empty Python list made here: `[...]` with elements, a list comprehension, `list(...)` of something
    (an empty list that gets `+= grads` once just holds them)."""
    return (
        isinstance(value, ast.ListComp)
        or (isinstance(value, ast.List) and bool(value.elts))
        or (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "list"
            and bool(value.args)
        )
    )


def _gradients_appended_to_a_list(info: ModuleInfo) -> Iterator[Finding]:
    """`accum = [tf.zeros_like(v) for v in model.trainable_variables]` then `accum += grads` per micro-batch: on a
    Python list `+=` appends the gradients after the zeros instead of adding them, and `apply_gradients(zip(accum,
    variables))` pairs the variables with the zeros (zip stops at the shorter), so nothing moves (TF 2.21: every
    weight unchanged, no error)."""
    if "+" not in info.source:
        return
    for scope in tape_scopes(info):
        grads = _gradient_names(scope)
        if not grads:
            continue
        for n in scope.nodes:
            if isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Add):
                target, added = n.target, n.value
            elif (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.value, ast.BinOp)
                and isinstance(n.value.op, ast.Add)
                and isinstance(n.value.left, ast.Name)
                and isinstance(n.targets[0], ast.Name)
                and n.targets[0].id == n.value.left.id
            ):
                target, added = n.targets[0], n.value.right
            else:
                continue
            if not (isinstance(target, ast.Name) and isinstance(added, ast.Name) and added.id in grads):
                continue
            defs = scope.defs(target.id)
            if not defs:
                continue
            made = [d for d in defs if d is not n]
            if not made or not all(isinstance(d, ast.Assign) and _list_display(d.value) for d in made):
                continue  # an accumulator of another kind (tensors, a dict, a variable list) or bound opaquely
            yield Finding(
                "TFG045",
                f"`{target.id}` is a Python list, so `+` appends the gradients in `{added.id}` after its elements "
                f"instead of adding them: `zip({target.id}, variables)` then pairs the variables with the first "
                "elements (the initial zeros) and the accumulated gradients are never applied (no error, the weights "
                f"do not move); add them elementwise: `{target.id} = [a + g for a, g in zip({target.id}, {added.id})]`",
                info.span(n),
            )


def _clipped_pair_not_unpacked(info: ModuleInfo) -> Iterator[Finding]:
    """`grads = tf.clip_by_global_norm(grads, 1.0)` then `apply_gradients(zip(grads, variables))`: the op returns
    `(clipped_list, global_norm)`, so zip pairs the first variable with the whole list and the second with the norm;
    TF 2.21 raises `InvalidArgumentError: Shapes of all inputs must match` (Keras 3 and tf_keras), naming neither."""
    if "clip_by_global_norm" not in info.source or "apply_gradients" not in info.source:
        return
    for scope in tape_scopes(info):
        clipped: dict[str, ast.Assign] = {}
        for n in scope.nodes:
            if (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name)
                and isinstance(n.value, ast.Call)
                and info.imports.qualname(n.value.func)
                in {"tensorflow.clip_by_global_norm", "tensorflow.compat.v1.clip_by_global_norm"}
            ):
                clipped[n.targets[0].id] = n
        if not clipped:
            continue
        for n, z in _zips_applied(scope):
            if not (isinstance(z.args[0], ast.Name) and z.args[0].id in clipped):
                continue
            name = z.args[0].id
            made = clipped[name]
            defs = scope.defs(name) or []
            if any(d is not made and made.lineno < getattr(d, "lineno", 0) < n.lineno for d in defs):
                continue  # rebound between the clip and the update
            yield Finding(
                "TFG045",
                f"`tf.clip_by_global_norm` returns a pair `(clipped_gradients, global_norm)`, and `{name}` holds the "
                f"pair: `zip({name}, ...)` at line {n.lineno} pairs the first variable with the whole list and the "
                f"second with the norm, and TF raises `InvalidArgumentError: Shapes of all inputs must match`; unpack "
                f"it: `{name}, _ = tf.clip_by_global_norm(...)`",
                info.span(made),
            )


def _reads(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(node))


def _update_rebinds_the_loop_name(info: ModuleInfo) -> Iterator[Finding]:
    """`for v, g in zip(model.trainable_variables, grads): v = v - lr * g` (or `v -= lr * g`): the statement binds
    the loop name to a new tensor and the model's variable is never written. TF 2.21: Keras 3 variables define no
    `-=`, so both spellings leave every weight unchanged with no error; on a `tf.Variable`, `-=` raises
    `RuntimeError: variable -= value with tf.Variables is not supported`."""
    if "zip(" not in info.source:
        return
    for scope in tape_scopes(info):
        grads = _gradient_names(scope)
        if not grads:
            continue
        for loop in scope.nodes:
            if not (
                isinstance(loop, ast.For)
                and isinstance(z := loop.iter, ast.Call)
                and isinstance(z.func, ast.Name)
                and z.func.id == "zip"
                and len(z.args) == 2
                and isinstance(loop.target, ast.Tuple)
                and len(loop.target.elts) == 2
                and all(isinstance(e, ast.Name) for e in loop.target.elts)
            ):
                continue
            names = [e.id for e in loop.target.elts if isinstance(e, ast.Name)]
            g_at = [i for i, a in enumerate(z.args) if isinstance(a, ast.Name) and a.id in grads]
            if len(g_at) != 1:
                continue
            var, grad = names[1 - g_at[0]], names[g_at[0]]
            variables = z.args[1 - g_at[0]]
            update = _loop_name_update(loop.body, var, grad)
            if update is None:
                continue
            in_place = _in_place(info, update, var)
            shown = info.text(update)
            grads_text = info.text(z.args[g_at[0]])
            sp = info.span(update)
            fix = None
            if in_place is not None and sp.line == sp.end_line:
                fix = LoopUpdateFix(f"Update `{var}` in place: `{in_place}`", (PlannedEdit(sp, in_place, shown),))
            yield Finding(
                "TFG045",
                f"`{shown}` binds the loop name `{var}` to a new tensor: the variable from `{info.text(variables)}` "
                "is never written, so the weights never change and the loss stays where it started (no error with "
                "Keras variables; `-=` on a `tf.Variable` raises `RuntimeError: variable -= value with tf.Variables "
                f"is not supported`); update it in place: `{in_place or var + '.assign(...)'}`, or "
                f"`optimizer.apply_gradients(zip({grads_text}, {info.text(variables)}))`",
                sp,
                fix,
            )


def _loop_name_update(body: list[ast.stmt], var: str, grad: str) -> ast.stmt | None:
    """The statement of a loop body that rebinds `var` from the gradient `grad` (`var = var - lr * grad`,
    `var -= lr * grad`), when nothing in the body writes through `var` (`var.assign(...)`) or reads the new value
    afterwards (`new_weights.append(var)`: a functional update that is used)."""
    found: ast.stmt | None = None
    for stmt in body:
        if found is not None:
            if _reads(stmt, var):
                return None
            continue
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, (ast.Sub, ast.Add)):
            if isinstance(stmt.target, ast.Name) and stmt.target.id == var and _reads(stmt.value, grad):
                found = stmt
                continue
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == var
            and _reads(stmt.value, var)
            and _reads(stmt.value, grad)
        ):
            found = stmt
            continue
        if _reads(stmt, var):
            # `var.assign_sub(...)` or another use before any rebinding: it is not a no-op update
            if any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == var
                for n in ast.walk(stmt)
            ):
                return None
    return found


def _in_place(info: ModuleInfo, stmt: ast.stmt, var: str) -> str | None:
    """The in-place form of a loop name's update: `v.assign_sub(lr * g)` for `v = v - lr * g` or `v -= lr * g`."""
    if isinstance(stmt, ast.AugAssign):
        method = "assign_sub" if isinstance(stmt.op, ast.Sub) else "assign_add"
        return f"{var}.{method}({info.text(stmt.value)})"
    if not isinstance(stmt, ast.Assign):
        return None
    v = stmt.value
    if isinstance(v, ast.BinOp) and isinstance(v.left, ast.Name) and v.left.id == var:
        if isinstance(v.op, ast.Sub):
            return f"{var}.assign_sub({info.text(v.right)})"
        if isinstance(v.op, ast.Add):
            return f"{var}.assign_add({info.text(v.right)})"
    return f"{var}.assign({info.text(v)})"
