"""TFG029 distributed-step-outside-strategy-run: a Keras optimizer created under a `tf.distribute` strategy's scope
applies gradients in code that `strategy.run` does not run."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import function_uses
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule

# Strategies whose behaviour was observed under TF 2.21 (one CPU replica): the optimizer's `apply_gradients`
# outside `strategy.run` raises whatever the device count.
_STRATEGIES = {"tensorflow.distribute.MirroredStrategy", "tensorflow.distribute.OneDeviceStrategy"}
_RUN = {"run", "experimental_run_v2"}
_APPLY = {"apply_gradients", "minimize"}
_SGD = "keras.optimizers.SGD"


@rule(
    "TFG029",
    "distributed-step-outside-strategy-run",
    "A Keras optimizer created under `strategy.scope()` (MirroredStrategy, OneDeviceStrategy) updates distributed "
    "variables: its `apply_gradients` called directly, not through `strategy.run`, raises `RuntimeError: Need to be "
    'inside "with strategy.scope()"`, or inside the scope `ValueError: ... handle is not available outside the '
    "replica context`.",
)
def find_distributed_step_outside_strategy_run(info: ModuleInfo) -> Iterator[Finding]:
    if ".scope()" not in info.source or "Strategy" not in info.source:
        return
    strategies = _module_strategies(info)
    if not strategies:
        return
    optimizers = _optimizers_in_scope(info, strategies)
    outside = _optimizers_in_scope(info, strategies, outside=True)
    if not optimizers and not outside:
        return
    uses = function_uses(info)
    for name, fn in info.module_functions.items():
        if isinstance(fn, ast.AsyncFunctionDef) or name in _rebinds(info):
            continue
        calls = uses.get(name, [])
        direct = [c for c, root in calls if c is not None and root is info.tree and not _in_lambda(info, c)]
        if not direct or any(c is None and not _is_tf_function_wrap(info, name) for c, _ in calls):
            continue  # never called at module level, or passed somewhere (`strategy.run(train_step, ...)`)
        local = _local_names(fn)
        in_block = [(c, s) for c in direct if (s := _scope_block_owner(info, c, strategies)) is not None]
        for n in ast.walk(fn):
            hit = _apply_of(n, optimizers)
            if hit is not None and hit not in local and isinstance(n, ast.Call):
                yield _finding(info, n, hit, optimizers[hit], name, direct[0])
                continue
            hit = _apply_of(n, outside)
            if hit is not None and hit not in local and isinstance(n, ast.Call) and in_block:
                yield _finding_outside(info, n, hit, outside[hit][1], name, *in_block[0])


def _module_strategies(info: ModuleInfo) -> dict[str, ast.Call]:
    out: dict[str, ast.Call] = {}
    for s in info.tree.body:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            if isinstance(s.value, ast.Call) and info.imports.qualname(s.value.func) in _STRATEGIES:
                out[s.targets[0].id] = s.value
    return out


def _optimizers_in_scope(
    info: ModuleInfo, strategies: dict[str, ast.Call], outside: bool = False
) -> dict[str, tuple[str, ast.Assign]]:
    """Module-level names bound exactly once, to a Keras optimizer, inside a module-level `with S.scope():`
    -> (strategy name, the binding).  With `outside`: those bound once at module level outside every such block
    -> ("", the binding)."""
    bound: dict[str, list[ast.Assign]] = {}
    scoped: dict[int, str] = {}
    for s in info.tree.body:
        if isinstance(s, ast.With):
            owner = next(
                (
                    it.context_expr.func.value.id
                    for it in s.items
                    if isinstance(it.context_expr, ast.Call)
                    and isinstance(it.context_expr.func, ast.Attribute)
                    and it.context_expr.func.attr == "scope"
                    and isinstance(it.context_expr.func.value, ast.Name)
                    and it.context_expr.func.value.id in strategies
                ),
                None,
            )
            for b in s.body:
                if owner is not None:
                    scoped[id(b)] = owner
        for b in s.body if isinstance(s, ast.With) else [s]:
            if isinstance(b, ast.Assign):
                for t in b.targets:
                    if isinstance(t, ast.Name):
                        bound.setdefault(t.id, []).append(b)
    out: dict[str, tuple[str, ast.Assign]] = {}
    for name, binds in bound.items():
        if len(binds) != 1 or (id(binds[0]) in scoped) == outside or not isinstance(binds[0].value, ast.Call):
            continue
        q = info.imports.qualname(binds[0].value.func) or ""
        # Plain SGD creates no variables on its first step, and on one replica its direct call runs: left alone.
        if q.startswith("keras.optimizers.") and ".legacy." not in q and ".schedules." not in q and q != _SGD:
            out[name] = (scoped.get(id(binds[0]), ""), binds[0])
    return out


def _scope_block_owner(info: ModuleInfo, node: ast.AST, strategies: dict[str, ast.Call]) -> str | None:
    """The strategy whose module-level `with S.scope():` block holds `node` (at any depth: a loop inside it)."""
    parents = info.all_parents
    p = parents.get(id(node))
    while p is not None:
        if isinstance(p, ast.With):
            for it in p.items:
                e = it.context_expr
                if (
                    isinstance(e, ast.Call)
                    and isinstance(e.func, ast.Attribute)
                    and e.func.attr == "scope"
                    and isinstance(e.func.value, ast.Name)
                    and e.func.value.id in strategies
                ):
                    return e.func.value.id
        p = parents.get(id(p))
    return None


def _rebinds(info: ModuleInfo) -> set[str]:
    """Module-level function names bound again at module level (`train_step = tf.function(train_step)`)."""
    return {
        t.id
        for s in info.tree.body
        if isinstance(s, ast.Assign)
        for t in s.targets
        if isinstance(t, ast.Name) and t.id in info.module_functions
    }


def _is_tf_function_wrap(info: ModuleInfo, name: str) -> bool:
    """Every value use of `name` is `tf.function(name)(...)` called at module level."""
    for n in info.all_nodes(ast.Call):
        if any(isinstance(a, ast.Name) and a.id == name for a in n.args):
            if info.imports.qualname(n.func) != "tensorflow.function":
                return False
            parent = info.parent(n)
            if not (isinstance(parent, ast.Call) and parent.func is n and info.enclosing_function(parent) is None):
                return False
    return True


def _in_lambda(info: ModuleInfo, node: ast.AST) -> bool:
    """`strategy.run(lambda: train_step(x))`: the lambda decides where the call runs."""
    p = info.parent(node)
    while p is not None:
        if isinstance(p, ast.Lambda):
            return True
        p = info.parent(p)
    return False


def _local_names(fn: ast.FunctionDef) -> set[str]:
    a = fn.args
    params = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
    params |= {x.arg for x in (a.vararg, a.kwarg) if x is not None}
    stored = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return params | stored


def _apply_of(n: ast.AST, optimizers: dict[str, tuple[str, ast.Assign]]) -> str | None:
    if (
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _APPLY
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id in optimizers
    ):
        return n.func.value.id
    return None


def _finding(
    info: ModuleInfo, site: ast.Call, opt: str, made: tuple[str, ast.Assign], fn: str, called: ast.Call
) -> Finding:
    strategy, binding = made
    assert isinstance(site.func, ast.Attribute)
    msg = (
        f"`{opt}` was created under `{strategy}.scope()` (line {binding.lineno}), so it updates distributed "
        f"variables in the replica context `{strategy}.run` sets up; `{fn}` is called directly at line "
        f"{called.lineno}, not through `{strategy}.run`, so `{opt}.{site.func.attr}` raises `RuntimeError: Need to be "
        f'inside "with strategy.scope()"` (inside the scope: `ValueError: ... handle is not available outside the '
        f"replica context`); run the step per replica: `{strategy}.run({fn}, args=(...))`, inside a `tf.function`"
    )
    return Finding("TFG029", msg, info.span(site), None)


def _finding_outside(
    info: ModuleInfo, site: ast.Call, opt: str, binding: ast.Assign, fn: str, called: ast.Call, strategy: str
) -> Finding:
    assert isinstance(site.func, ast.Attribute)
    msg = (
        f"`{fn}` is called directly inside `with {strategy}.scope():` (line {called.lineno}), not through "
        f"`{strategy}.run`, and `{opt}` was created outside that scope (line {binding.lineno}): its "
        f"`{site.func.attr}` there raises (`RuntimeError: Mixing different tf.distribute.Strategy objects`, or with "
        f"the model made in the scope `ValueError: ... handle is not available outside the replica context`); create "
        f"the model and `{opt}` under `{strategy}.scope()` and run the step per replica: "
        f"`{strategy}.run({fn}, args=(...))`, inside a `tf.function`"
    )
    return Finding("TFG029", msg, info.span(site), None)
