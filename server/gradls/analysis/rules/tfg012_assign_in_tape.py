"""TFG012 assign-in-tape: `v.assign(f(W))` under a tape, then `v` read on the way to the loss."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import VARIABLE_CTORS, ModuleInfo
from gradls.analysis.names import dotted
from gradls.analysis.rules import rule
from gradls.analysis.tapes import Tape, TapeScope, def_value, pos, resolve_defs, source_elements, tape_scopes
from gradls.analysis.tensors import DIFF

_ASSIGNS = {"assign", "assign_add", "assign_sub"}


@rule(
    "TFG012",
    "assign-in-tape",
    "`v.assign(f(W))` inside a tape, with `v` then read on the way to the loss, cuts the path to `W`: "
    "`tape.gradient` returns `None` for `W` (while `v` itself still gets a gradient).",
)
def find_assign_in_tape(info: ModuleInfo) -> Iterator[Finding]:
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            if not tape.blocks or not tape.calls:
                continue
            yield from _check_tape(info, scope, tape, scope.recorded(tape))
    yield from _check_layer_calls(info)


_WEIGHT_LISTS = {"trainable_variables", "trainable_weights", "variables", "weights"}
RECV = "@assigned"


def _source_roots(info: ModuleInfo, scope: TapeScope, sources: ast.AST | None) -> set[str]:
    """What a gradient call differentiates with respect to: `@var:W` for a name, `@model:m` for `m.trainable_variables`."""
    out: set[str] = set()
    for el in source_elements(sources):
        if isinstance(el, ast.Name):
            out.add(f"@var:{el.id}")
            r = resolve_defs(info, scope, el.id)
            if r is not None and len(r[0]) == 1:
                v = def_value(r[0][0])
                if isinstance(v, (ast.List, ast.Tuple)):
                    out |= {f"@var:{x.id}" for x in v.elts if isinstance(x, ast.Name)}
        elif isinstance(el, ast.Attribute) and el.attr in _WEIGHT_LISTS:
            k = dotted(el.value)
            if k:
                out.add(f"@model:{k}")
        else:
            k = dotted(el)
            if k:
                out.add(f"@var:{k}")
    return out


def _covers(source: str, root: str) -> bool:
    """`@model:self` (self.trainable_variables) covers `@model:self.dense` and `@var:self.w`."""
    if source == root:
        return True
    if not source.startswith("@model:"):
        return False
    owner = source.split(":", 1)[1]
    return root.split(":", 1)[1].startswith(owner + ".")


class _Taint:
    """Which differentiable roots (variables, models) each name computed under the tape depends on."""

    def __init__(self, info: ModuleInfo, assign: ast.Call, recv: str, params: set[str] | None = None):
        self.info = info
        self.params = params or set()  # a Keras `call`'s tensor parameters: `@param:x`
        self.assign = assign
        self.recv = recv
        self.taint: dict[str, set[str]] = {}
        # `for new_w, w in zip(copy.trainable_variables, ...)`: `new_w` is one of `copy`'s variables, so running
        # `copy` reads what was assigned to it.
        self.recv_owner: str | None = None

    def roots(self, e: ast.AST | None) -> set[str]:
        out: set[str] = set()
        if e is None:
            return out
        todo = [e]
        while todo:
            n = todo.pop()
            if n is self.assign:
                out.add(RECV)
                continue
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _ASSIGNS:
                if dotted(n.func.value) == self.recv:
                    out.add(RECV)
                    continue
            if isinstance(n, ast.Call):
                k = dotted(n.func)
                if k and self.info.tensors.kind_of(n.func) == "layer":
                    out.add(f"@model:{k}")
                    if k == self.recv_owner:
                        out.add(RECV)
            if isinstance(n, ast.Attribute) and n.attr in _WEIGHT_LISTS and isinstance(n.ctx, ast.Load):
                k = dotted(n.value)
                if k and self.info.tensors.kind_of(n.value) == "layer":
                    out.add(f"@model:{k}")
                    continue
            if isinstance(n, (ast.Name, ast.Attribute)) and isinstance(n.ctx, ast.Load):
                k = dotted(n)
                if k is not None and k in self.taint:
                    out |= self.taint[k]
                    continue
                if isinstance(n, ast.Name) and n.id in self.params:
                    out.add(f"@param:{n.id}")
                    continue
                if isinstance(n, ast.Name) and self.info.tensors.level_of(n) >= DIFF:
                    out.add(f"@var:{n.id}")
                elif isinstance(n, ast.Attribute) and k and self.info.tensors.kind_of(n) == "variable":
                    out.add(f"@var:{k}")
                    continue
            if isinstance(n, (ast.Lambda,)):
                continue
            todo.extend(ast.iter_child_nodes(n))
        return out

    def run(self, stmts: list[ast.stmt], upto: tuple[int, int]) -> None:
        for s in stmts:
            if pos(s) >= upto:
                break
            if _contains(s, self.assign):
                self.taint[self.recv] = {RECV}
            if isinstance(s, ast.For):
                self._bind_loop(s)
            elif isinstance(s, ast.Assign):
                r = self.roots(s.value)
                for t in s.targets:
                    for n in ast.walk(t):
                        k = (
                            dotted(n)
                            if isinstance(n, (ast.Name, ast.Attribute)) and isinstance(n.ctx, ast.Store)
                            else None
                        )
                        if k:
                            self.taint[k] = set(r)
            elif isinstance(s, (ast.AugAssign, ast.AnnAssign)) and s.value is not None:
                k = dotted(s.target)
                if k:
                    prev = self.taint.get(k, set()) if isinstance(s, ast.AugAssign) else set()
                    self.taint[k] = prev | self.roots(s.value)

    def _bind_loop(self, s: ast.For) -> None:
        """`for a, b in zip(X, Y)`: `a` holds elements of `X`, `b` of `Y`; `for a in X`: `a` of `X`."""
        it = s.iter
        pairs: list[tuple[ast.expr, ast.expr]]
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "zip"
            and not it.keywords
            and isinstance(s.target, (ast.Tuple, ast.List))
            and len(s.target.elts) == len(it.args)
        ):
            pairs = list(zip(s.target.elts, it.args))
        else:
            pairs = [(s.target, it)]
        for target, source in pairs:
            r = self.roots(source)
            for n in ast.walk(target):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    self.taint[n.id] = set(r)
                    if (
                        n.id == self.recv
                        and target is n
                        and isinstance(source, ast.Attribute)
                        and source.attr in _WEIGHT_LISTS
                        and self.info.tensors.kind_of(source.value) == "layer"
                    ):
                        self.recv_owner = dotted(source.value)


def _contains(s: ast.stmt, node: ast.AST) -> bool:
    if isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)):
        return False  # compound statements are walked through their own simple statements
    return any(n is node for n in ast.walk(s))


def _check_tape(info: ModuleInfo, scope: TapeScope, tape: Tape, under: list[ast.AST]) -> Iterator[Finding]:
    """`under`: the scope's nodes recorded by `tape` (`TapeScope.recorded`)."""
    recorded = sorted((n for n in under if isinstance(n, ast.stmt)), key=pos)
    # `v.assign(f(W))` under the tape.
    candidates: list[tuple[ast.Call, str | None, ast.AST]] = [
        (n, dotted(n.func.value), n.args[0] if n.args else n.keywords[0].value)
        for n in under
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _ASSIGNS
        and (n.args or n.keywords)
    ]
    # `h = tf.Variable(f(W))` under the tape: a new variable initialised from a copy of the value.
    for n in under:
        if (
            isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.value, ast.Call)
            and info.imports.qualname(n.value.func) in VARIABLE_CTORS
        ):
            init = n.value.args[0] if n.value.args else _kwarg(n.value, "initial_value")
            if init is not None:
                candidates.append((n.value, dotted(n.targets[0]), init))
    for a, recv, value in candidates:
        if recv is None:
            continue
        for tc in sorted(tape.calls, key=lambda c: pos(c.call)):
            if tc.target is None or pos(tc.call) < pos(a):
                continue
            before = _Taint(info, a, recv)
            before.run(recorded, pos(a))
            fed = before.roots(value) - {RECV, f"@var:{recv}"}
            wrt = _source_roots(info, scope, tc.sources)
            cut = {r for r in fed if any(_covers(w, r) for w in wrt)}
            if not cut:
                continue
            after = _Taint(info, a, recv)
            # `layer.kernel.assign(w)`: running `layer` reads what was assigned to its weight
            layer_owner = _layer_owning(info, a)
            after.recv_owner = layer_owner
            after.run(recorded, pos(tc.call))
            reach = after.roots(tc.target)
            if RECV not in reach:
                continue
            lost = sorted(cut - reach)
            if lost:
                shown = [x.split(":", 1)[1] for x in lost]
                if layer_owner is not None and after.recv_owner == layer_owner:
                    yield _layer_weight_finding(info, tape, a, recv, shown, tc.call, layer_owner)
                else:
                    yield _finding(info, tape, a, recv, shown, tc.call, after.recv_owner)
                break


def _layer_owning(info: ModuleInfo, a: ast.AST) -> str | None:
    """`target.kernel.assign(...)` with `target` a Keras layer or model: `target` (None otherwise)."""
    if not (isinstance(a, ast.Call) and isinstance(a.func, ast.Attribute) and a.func.attr in _ASSIGNS):
        return None
    recv = a.func.value
    if not isinstance(recv, ast.Attribute) or recv.attr in _WEIGHT_LISTS:
        return None
    if info.tensors.kind_of(recv.value) != "layer":
        return None
    return dotted(recv.value)


def _check_layer_calls(info: ModuleInfo) -> Iterator[Finding]:
    """A Keras layer's `call` that stores a value computed from its inputs, its sublayers or its trainable weights
    into one of its variables with `assign`, and returns what it reads back from that variable: whatever reaches
    the output only through the assignment gets no gradient wherever the layer is trained or differentiated
    (tensorflow#54532, keras-team/keras#16128). Only a straight-line `call` body is judged."""
    if "assign" not in info.source:
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"}:
            continue
        fn = cls.methods.get("call")
        if fn is None or isinstance(fn, ast.AsyncFunctionDef):
            continue
        body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            continue
        if any(not isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)) for s in body):
            continue
        if any(isinstance(n, ast.Return) for s in body[:-1] for n in ast.walk(s)):
            continue
        # Keras hands `call` its inputs; parameters with a default (`training=None`, `mask=None`) are flags or
        # optional extras, not what is differentiated.
        positional = fn.args.posonlyargs + fn.args.args
        required = positional[1 : len(positional) - len(fn.args.defaults)]
        params = {a.arg for a in required}
        ret = body[-1]
        for s in body[:-1]:
            for a in ast.walk(s):
                if not (
                    isinstance(a, ast.Call)
                    and isinstance(a.func, ast.Attribute)
                    and a.func.attr in _ASSIGNS
                    and (a.args or a.keywords)
                ):
                    continue
                recv = dotted(a.func.value)
                if recv is None or not recv.startswith("self.") or recv.count(".") != 1:
                    continue
                value = a.args[0] if a.args else a.keywords[0].value
                before = _Taint(info, a, recv, params)
                before.run(body, pos(a))
                fed = before.roots(value) - {RECV, f"@var:{recv}"}
                after = _Taint(info, a, recv, params)
                after.run(body, pos(ret))
                reach = after.roots(ret.value)
                if RECV not in reach:
                    continue
                lost = sorted(r for r in fed - reach if r.startswith(("@param:", "@model:self.", "@var:self.")))
                if lost:
                    yield _call_finding(info, cls.node.name, a, recv, [x.split(":", 1)[1] for x in lost])


def _call_finding(info: ModuleInfo, cls: str, a: ast.Call, recv: str, lost: list[str]) -> Finding:
    assert isinstance(a.func, ast.Attribute)
    shown = ", ".join(f"`{w}`" for w in lost)
    verb, gets = ("reach", "get") if len(lost) > 1 else ("reaches", "gets")
    msg = (
        f"`{recv}.{a.func.attr}(...)` in `{cls}.call` stores a value computed from {shown}, and `call` returns what "
        f"it reads back from `{recv}`: an assignment is not differentiable, so {shown} {verb} the output only "
        f"through it and {gets} no gradient (`None`, `Gradients do not exist for variables`) wherever `{cls}` is trained or "
        f"differentiated; compute the output from the new value itself (`new = ...; {recv}.{a.func.attr}(new)`, "
        "then use `new`)"
    )
    return Finding("TFG012", msg, info.span(a), None)


def _layer_weight_finding(
    info: ModuleInfo, tape: Tape, a: ast.Call, recv: str, lost: list[str], call: ast.Call, owner: str
) -> Finding:
    shown = ", ".join(f"`{w}`" for w in lost)
    assert isinstance(a.func, ast.Attribute) and isinstance(call.func, ast.Attribute)
    msg = (
        f"`{recv}.{a.func.attr}(...)` under `{tape.name}` writes a value computed from {shown} into a weight of "
        f"`{owner}`, and the loss then runs `{owner}`: an assignment is not differentiable, so "
        f"`{tape.name}.{call.func.attr}` at line {call.lineno} returns `None` for {shown} (TensorFlow then raises "
        f"`No gradients provided for any variable` when nothing else reaches the loss); compute the output from the "
        f"tensor itself (`tf.matmul(x, w)` for a generated kernel) instead of assigning it to `{owner}`"
    )
    return Finding("TFG012", msg, info.span(a), None)


def _kwarg(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _finding(
    info: ModuleInfo, tape: Tape, a: ast.Call, recv: str, lost: list[str], call: ast.Call, owner: str | None = None
) -> Finding:
    shown = ", ".join(f"`{w}`" for w in lost)
    assert isinstance(call.func, ast.Attribute)  # a tape call: `tape.gradient(...)`
    if owner is not None and isinstance(a.func, ast.Attribute):
        msg = (
            f"`{recv}.{a.func.attr}(...)` under `{tape.name}` writes a value computed from {shown} into a variable of "
            f"`{owner}`, and the loss then runs `{owner}`: an assignment is not differentiable, so "
            f"`{tape.name}.{call.func.attr}` at line {call.lineno} returns `None` for the weights of {shown}; compute "
            f"the loss from the new values themselves (a forward pass with the tensors `w - lr * g`), not from "
            f"`{owner}` after `assign`"
        )
        return Finding("TFG012", msg, info.span(a), None)
    if not isinstance(a.func, ast.Attribute) or a.func.attr not in _ASSIGNS:
        msg = (
            f"`{recv} = {info.text(a.func)}(...)` under `{tape.name}` creates a new variable from a copy of a value "
            f"computed from {shown}, and the loss then reads `{recv}`: creating a variable is not differentiable, so "
            f"`{tape.name}.{call.func.attr}` at line {call.lineno} returns `None` for {shown}; use the computed "
            "tensor itself (no `tf.Variable` around it)"
        )
        return Finding("TFG012", msg, info.span(a), None)
    msg = (
        f"`{recv}.{a.func.attr}(...)` under `{tape.name}` stores a value computed from {shown}, and the loss then "
        f"reads `{recv}`: an assignment is not differentiable, so `{tape.name}.{call.func.attr}` at line {call.lineno} "
        f'returns `None` for {shown} (while `{recv}` itself still gets a gradient, so "some gradients exist" proves '
        f"nothing); use the computed tensor directly and assign outside the tape"
    )
    return Finding("TFG012", msg, info.span(a), None)
