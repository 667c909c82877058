"""TFG042 custom-gradient-variable-in-control-flow: a `@tf.custom_gradient` whose grad_fn reads a `tf.Variable` of
the enclosing scope, called in a `tf.cond` / `tf.while_loop` branch of traced code that a GradientTape
differentiates: building the gradient raises (AttributeError `Tensor.graph is undefined` / ValueError)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.custom_gradient import accepts_variables, find_grad_fn
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo, walk_nodes
from gradls.analysis.rules import rule
from gradls.analysis.tapes import tape_scopes

_CONTROL_FLOW = {"tensorflow.cond": "tf.cond", "tensorflow.while_loop": "tf.while_loop"}


@rule(
    "TFG042",
    "custom-gradient-variable-in-control-flow",
    "A `@tf.custom_gradient` function whose grad_fn reads a `tf.Variable` from outside (not through `variables`), "
    "called inside a `tf.cond` / `tf.while_loop` branch in a `tf.function` under a recording GradientTape: TF 2.21 "
    "raises while building the gradient (`AttributeError: Tensor.graph is undefined when eager execution is "
    "enabled` for `tf.cond`, a `ValueError` for `tf.while_loop`); read the variable's value in the forward pass "
    "and let the grad_fn close over that tensor.",
)
def find_custom_gradient_variable_in_control_flow(info: ModuleInfo) -> Iterator[Finding]:
    if "custom_gradient" not in info.source or not any(w in info.source for w in ("cond(", "while_loop(")):
        return
    readers: dict[str, tuple[str, ast.AST]] = {}  # custom_gradient function name -> (variable, the read)
    names_seen: dict[str, int] = {}
    for ff in info.functions.values():
        names_seen[ff.node.name] = names_seen.get(ff.node.name, 0) + 1
        if not ff.custom_gradient:
            continue
        grad = find_grad_fn(info, ff)
        if grad is None or isinstance(grad, ast.Lambda) or accepts_variables(grad):
            continue
        bound = {n.id for n in walk_nodes(ff.node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        bound |= {a.arg for a in walk_nodes(ff.node) if isinstance(a, ast.arg)}
        for n in walk_nodes(grad):
            if (
                isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)
                and n.id not in bound
                and info.tensors.kind_of(n) == "frozen"  # a non-trainable tf.Variable: the measured case
            ):
                readers[ff.node.name] = (n.id, n)
                break
    readers = {k: v for k, v in readers.items() if names_seen.get(k) == 1}
    if not readers:
        return
    for scope in tape_scopes(info):
        fn = scope.node
        scope_facts = info.facts(fn) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if scope_facts is None or not scope_facts.tf_function:
            continue
        tapes = [t for t in scope.tapes if t.calls and t.blocks]
        for n in scope.nodes:
            if not isinstance(n, ast.Call):
                continue
            shown = _CONTROL_FLOW.get(info.imports.qualname(n.func) or "")
            if shown is None or not any(t.recording(n, scope) for t in tapes):
                continue
            for arg in [*n.args, *(k.value for k in n.keywords)]:
                if not isinstance(arg, ast.Lambda):
                    continue
                for c in walk_nodes(arg.body):
                    if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in readers:
                        var, _read = readers[c.func.id]
                        yield Finding(
                            "TFG042",
                            f"`{c.func.id}` is a `@tf.custom_gradient` function whose grad_fn reads the variable "
                            f"`{var}`, and here it runs in a `{shown}` branch of a `tf.function` under a recording "
                            "tape: TF 2.21 raises while building the gradient ("
                            + (
                                "`AttributeError: Tensor.graph is undefined when eager execution is enabled`"
                                if shown == "tf.cond"
                                else "a `ValueError`"
                            )
                            + f"); read `{var}`'s value in the forward pass (`{var}_value = tf.identity({var})`) and "
                            "use that tensor in the grad_fn",
                            info.span(c),
                            None,
                        )
