"""TFG010 tape-reused: a second gradient()/jacobian() on a non-persistent GradientTape."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits, Span
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import Tape, TapeCall, TapeScope, end_pos, pos, tape_scopes

_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

_ERROR = "`RuntimeError: A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)`"


@dataclass(frozen=True)
class PersistentTapeFix(PlannedEdits):
    """`persistent=True` in the tape's constructor, and `del tape` after its last use when that is plain."""


@rule(
    "TFG010",
    "tape-reused",
    "A second `gradient()`/`jacobian()` on a non-persistent `tf.GradientTape` raises `RuntimeError: A "
    "non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)`.",
)
def find_tape_reused(info: ModuleInfo) -> Iterator[Finding]:
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            if tape.persistent is not False or not tape.calls:
                continue
            calls = sorted(tape.calls, key=lambda c: pos(c.call))
            reported = False
            for i, later in enumerate(calls):
                if reported:
                    break
                earlier = next((e for e in calls[:i] if not _exclusive(scope, e.call, later.call)), None)
                if earlier is not None:
                    line = earlier.call.lineno
                    why = f"`{tape.name}` already computed gradients at line {line}"
                elif _repeats(scope, tape, later.call):
                    why = f"`{tape.name}.{later.method}` runs once per loop iteration on the same tape"
                else:
                    continue
                reported = True
                yield _finding(info, tape, later, why, calls)
            if not reported:
                vectorized = next((c for c in calls if _parallel_iterations(c)), None)
                if vectorized is not None:
                    yield _vectorized_finding(info, tape, vectorized, calls)


def _finding(info: ModuleInfo, tape: Tape, call: TapeCall, why: str, calls: list[TapeCall]) -> Finding:
    msg = (
        f"{why}: a second `{call.method}()` on a non-persistent GradientTape raises {_ERROR}; "
        f"create it with `tf.GradientTape(persistent=True)` (and `del {tape.name}` after the last use)"
    )
    return Finding("TFG010", msg, info.span(call.call), _fix_data(info, tape, calls))


def _parallel_iterations(call: TapeCall) -> bool:
    """`jacobian`/`batch_jacobian` given `parallel_iterations=` (not None): TensorFlow computes the gradient once per
    chunk of the batch, several gradients on the one tape."""
    if call.method not in ("jacobian", "batch_jacobian"):
        return False
    given = next((k.value for k in call.call.keywords if k.arg == "parallel_iterations"), None)
    if given is None and len(call.call.args) >= 4:
        given = call.call.args[3]
    return given is not None and not (isinstance(given, ast.Constant) and given.value is None)


def _vectorized_finding(info: ModuleInfo, tape: Tape, call: TapeCall, calls: list[TapeCall]) -> Finding:
    msg = (
        f"`{tape.name}.{call.method}(..., parallel_iterations=...)` computes the gradients in chunks, several "
        f"gradient computations on one tape: on a non-persistent GradientTape TensorFlow raises `RuntimeError: "
        f"GradientTape must be created with persistent=True to compute the {call.method} with parallel_iterations` "
        f"(`jacobian`: `ValueError: Encountered an exception while vectorizing the jacobian computation`); "
        f"create it with `tf.GradientTape(persistent=True)` (and `del {tape.name}` after the last use)"
    )
    return Finding("TFG010", msg, info.span(call.call), _fix_data(info, tape, calls))


def _fix_data(info: ModuleInfo, tape: Tape, calls: list[TapeCall]) -> PersistentTapeFix | None:
    """Edits: `persistent=True` in the constructor, and `del tape` after the last use when that use is a plain
    statement of the block that creates the tape."""
    ctor = tape.ctor
    if any(k.arg is None for k in ctor.keywords) or any(isinstance(a, ast.Starred) for a in ctor.args):
        return None
    edits: list[PlannedEdit] = []
    given = next((k.value for k in ctor.keywords if k.arg == "persistent"), None)
    if given is None and ctor.args:
        given = ctor.args[0]
    if given is not None:
        edits.append(PlannedEdit(info.span(given), "True", info.text(given)))
    else:
        text = info.text(ctor)
        if not text.endswith(")"):
            return None
        func_end = info.span(ctor.func)
        whole = info.span(ctor)
        inner = text[len(info.text(ctor.func)) :]  # "(...)"
        if not (inner.startswith("(") and func_end.end_line == whole.line):
            return None
        body = inner[1:-1]
        if not body.strip():
            edits.append(
                PlannedEdit(
                    Span(whole.line, func_end.end_col, whole.end_line, whole.end_col), "(persistent=True)", inner
                )
            )
        else:
            # right after the last argument: valid with or without a trailing comma
            args = [*ctor.args, *(k.value for k in ctor.keywords)]
            if not args:
                return None
            ls = info.span(max(args, key=end_pos))
            edits.append(PlannedEdit(Span(ls.end_line, ls.end_col, ls.end_line, ls.end_col), ", persistent=True"))
    last_call = calls[-1].call
    stmt = tape.scope.statement(last_call)
    bind_parent = tape.scope.parent(tape.bind)
    if stmt is not None and not isinstance(stmt, (ast.Return, ast.Raise)) and tape.scope.parent(stmt) is bind_parent:
        block = _block_of(bind_parent, tape.bind)
        if block is not None and any(x is stmt for x in block) and block.index(stmt) > block.index(tape.bind):
            end = stmt.end_lineno or stmt.lineno
            text = info.lines[stmt.lineno - 1]
            indent = text[: len(text) - len(text.lstrip())]
            if end < len(info.lines):
                edits.append(PlannedEdit(Span(end + 1, 0, end + 1, 0), f"{indent}del {tape.name}\n"))
    return PersistentTapeFix(f"Make `{tape.name}` persistent", tuple(edits))


def _block_of(parent: ast.AST | None, stmt: ast.stmt) -> list[ast.AST] | None:
    for name in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    return None


def _exclusive(scope: TapeScope, a: ast.AST, b: ast.AST) -> bool:
    """True when `b` (after `a` in source order) can never run after `a` on the same tape."""
    anc_b = {id(x) for x in scope.ancestors(b)}
    for p in scope.ancestors(a):
        if id(p) in anc_b:
            # First common ancestor: exclusive branches of an if / ternary / match / try.
            if isinstance(p, (ast.If, ast.IfExp)):
                in_body_a = _in_field(scope, a, p, "body")
                in_body_b = _in_field(scope, b, p, "body")
                in_else_a = _in_field(scope, a, p, "orelse")
                in_else_b = _in_field(scope, b, p, "orelse")
                if (in_body_a and in_else_b) or (in_else_a and in_body_b):
                    return True
            if isinstance(p, ast.Match):
                ca = next((c for c in p.cases if scope.within(a, c)), None)
                cb = next((c for c in p.cases if scope.within(b, c)), None)
                if ca is not None and cb is not None and ca is not cb:
                    return True
            if isinstance(p, ast.Try):
                ha = any(scope.within(a, h) for h in p.handlers)
                hb = any(scope.within(b, h) for h in p.handlers)
                if ha and hb:
                    return True
            break
    # `a` sits in a block that ends with return/raise before reaching `b`.
    stmt_a = scope.statement(a)
    node: ast.AST | None = stmt_a
    while node is not None and node is not scope.node:
        parent = scope.parent(node)
        block = _block_of(parent, node) if isinstance(node, ast.stmt) else None
        if block is not None:
            if any(scope.within(b, s) for s in block):
                break  # b is in the same block: the terminator would have to come between them
            idx = next(i for i, s in enumerate(block) if s is node)
            if any(isinstance(s, (ast.Return, ast.Raise)) for s in block[idx:]):
                return True
            if isinstance(parent, (ast.For, ast.While, ast.AsyncFor)) and any(
                isinstance(s, (ast.Break, ast.Continue)) for s in block[idx + 1 :]
            ):
                return False
        node = parent
    return False


def _in_field(scope: TapeScope, node: ast.AST, parent: ast.AST, name: str) -> bool:
    f = getattr(parent, name, None)
    items = f if isinstance(f, list) else [f]
    return any(x is not None and scope.within(node, x) for x in items)


def _repeats(scope: TapeScope, tape: Tape, call: ast.Call) -> bool:
    """The call runs more than once on the same tape: a loop around it that does not re-create the tape."""
    for p in scope.ancestors(call):
        if _in_iterable_evaluated_once(scope, call, p):
            continue  # `for g in tape.gradient(...)`, `[f(g) for g in tape.gradient(...)]`: evaluated once
        if isinstance(p, _LOOPS) and not scope.within(tape.bind, p):
            if isinstance(p, (ast.For, ast.AsyncFor, ast.While)):
                stmt = scope.statement(call)
                top: ast.AST | None = stmt
                while top is not None and scope.parent(top) is not p:
                    top = scope.parent(top)
                if isinstance(top, ast.stmt) and top in p.body:
                    idx = p.body.index(top)
                    if any(isinstance(s, (ast.Break, ast.Return, ast.Raise)) for s in p.body[idx:]):
                        continue  # leaves the loop after the call
                if top is not None and top in p.orelse:
                    continue
                if isinstance(p, (ast.For, ast.AsyncFor)) and _single_iteration(p.iter):
                    continue
            return True
    return False


def _in_iterable_evaluated_once(scope: TapeScope, call: ast.Call, loop: ast.AST) -> bool:
    """The call is inside the iterable a loop or comprehension evaluates once, before iterating."""
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        return scope.within(call, loop.iter)
    if isinstance(loop, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return scope.within(call, loop.generators[0].iter)
    return False


def _single_iteration(it: ast.AST) -> bool:
    if isinstance(it, (ast.List, ast.Tuple)):
        return len(it.elts) <= 1
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and len(it.args) == 1:
        a = it.args[0]
        return isinstance(a, ast.Constant) and isinstance(a.value, int) and a.value <= 1
    return False
