"""TFG011 loss-outside-tape: the target of `tape.gradient` is computed where the tape is not recording."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits, Span
from gradls.analysis.model_reads import model_reads, sub_model_reads
from gradls.analysis.module import ModuleInfo, located, walk_nodes
from gradls.analysis.regions import resolve_callee
from gradls.analysis.rules import rule
from gradls.analysis.tapes import Tape, TapeCall, TapeScope, names_in, pos, tape_scopes
from gradls.analysis.tensors import DIFF, TENSOR

_NOT_TF = {"numpy", "item", "tolist", "float", "int", "bool", "str", "len", "print", "repr", "format"}
_BRANCHING = tuple(
    getattr(ast, n)
    for n in ("If", "Try", "TryStar", "For", "AsyncFor", "While", "Match", "ExceptHandler")
    if hasattr(ast, n)
)
_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Pass)


@dataclass(frozen=True)
class TargetInTapeFix(PlannedEdits):
    """The statements computing the target, from after the `with` block, indented into it."""


@rule(
    "TFG011",
    "loss-outside-tape",
    "A `tape.gradient` target computed outside the `with tape:` block was not recorded: the gradient is `None` "
    "for every source, with no warning (a Keras optimizer then raises `ValueError: No gradients provided for any "
    "variable`).",
)
def find_loss_outside_tape(info: ModuleInfo) -> Iterator[Finding]:
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            if not tape.blocks:
                continue
            taped = _taped_names(scope, tape)
            for tc in tape.calls:
                f = _check(info, scope, tape, tc, taped)
                if f is not None:
                    yield f
    yield from _minimize_of_captured_loss(info)


def _minimize_of_captured_loss(info: ModuleInfo) -> Iterator[Finding]:
    """`cost = f(w)` then `opt.minimize(lambda: cost, var_list=[w])`: `minimize` records only what the callable
    runs under its own tape, and this one just hands back a tensor computed before it (tensorflow#42167)."""
    if "minimize" not in info.source:
        return
    for node in info.all_nodes(ast.Call):
        if not (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "minimize"
            and (node.args or any(k.arg == "loss" for k in node.keywords))
        ):
            continue
        fn: ast.AST | None = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "loss")
        body = _scope_body(info, node)
        if isinstance(fn, ast.Name):
            fn = _loss_def(info, fn.id, node) or _last_assigned(info, body, fn.id, node)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = _only_captured(info, fn, body, node)
            if found is None:
                continue
            captured, value = found
        else:
            if not (isinstance(fn, ast.Lambda) and isinstance(fn.body, ast.Name)):
                continue
            captured = fn.body.id
            last = _last_assigned(info, body, captured, node)
            if last is None or not _is_computation(info, last) or info.tensors.level_of(last) < DIFF:
                continue
            value = last
        if isinstance(fn, ast.Lambda):
            what, how = f"this one returns `{captured}`", f"(`lambda: <the expression of {captured}>`)"
        else:
            what = f"`{fn.name}` reads no variable, only `{captured}`"
            how = f"(run the layer or model that computes `{captured}` inside `{fn.name}`)"
        msg = (
            f"`{info.text(node.func)}` calls its loss function under its own GradientTape, but {what}, computed at "
            f"line {value.lineno} before the tape existed: nothing is recorded, so every gradient is `None` "
            f"(`ValueError: No gradients provided for any variable`); compute the loss inside the function {how}"
        )
        yield Finding("TFG011", msg, info.span(node))


def _loss_def(info: ModuleInfo, name: str, site: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The def `name` refers to at `site`: nested in an enclosing function, else a module function."""
    parents = info.all_parents
    fn = parents.get(id(site))
    while fn is not None and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        fn = parents.get(id(fn))
    while fn is not None:
        ff = info.facts(fn)
        if ff is None:
            break
        if name in ff.nested:
            return ff.nested[name]
        fn = ff.parent
    return info.module_functions.get(name)


def _only_captured(
    info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, body: list[ast.AST], site: ast.Call
) -> tuple[str, ast.expr] | None:
    """`def loss_fn(): ... return f(output)` where `output` was computed before `minimize` and the def itself
    runs only TensorFlow ops on captured tensors and its own locals: it reads no variable, so `minimize`'s tape
    records nothing (tensorflow#51489). The first captured computation, or None when that is not certain."""
    a = fn.args
    if a.posonlyargs or a.args or a.vararg or a.kwonlyargs or a.kwarg or fn.decorator_list:
        return None
    local = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    captured: tuple[str, ast.expr] | None = None
    for n in ast.walk(fn):
        if n is not fn and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if isinstance(n, (ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom, ast.Await)):
            return None
        if isinstance(n, ast.Call):
            q = info.imports.qualname(n.func) or ""
            if not q.startswith("tensorflow.") or q in {"tensorflow.Variable", "tensorflow.py_function"}:
                return None  # a model, a helper or a variable could be read there
        elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load):
            if not (info.imports.qualname(n) or "").startswith("tensorflow."):
                return None  # `model.w`, `self.x`: may read a variable
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
            if n.id in info.imports.aliases:
                continue
            value = _last_assigned(info, body, n.id, site)
            if value is None or info.tensors.kind_of(value) is not None:
                return None
            if isinstance(value, ast.Call) and (info.imports.qualname(value.func) or "").endswith("Variable"):
                return None
            if _is_computation(info, value) and info.tensors.level_of(value) >= TENSOR:
                captured = captured or (n.id, value)  # computed before the call: the tape never sees it run
            elif info.tensors.level_of(value) >= DIFF:
                return None  # a weight itself, read inside: the tape records it
    return captured


def _scope_body(info: ModuleInfo, node: ast.AST) -> list[ast.AST]:
    fn = info.enclosing_function(node)
    return list(info.own_nodes(fn)) if fn is not None else info.all_nodes()


def _last_assigned(info: ModuleInfo, body: list[ast.AST], name: str, before: ast.AST) -> ast.expr | None:
    """The value last assigned to `name` by a plain assignment before `before`, when it is the only binding."""
    binds = [
        n
        for n in body
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With)) and name in info.stored_names(n)
    ]
    if len(binds) != 1 or not isinstance(binds[0], ast.Assign) or pos(binds[0]) >= pos(before):
        return None
    return binds[0].value


def _taped_names(scope: TapeScope, tape: Tape) -> set[str]:
    """Names the tape's blocks bind, and lists they fill (`losses.append(loss)` under the tape: gradient
    accumulation over micro-batches, where `tf.add_n(losses)` after the block is not recorded)."""
    out = set()
    for n in scope.recorded(tape):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            out.add(n.id)
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in _LIST_GROWTH
            and isinstance(n.func.value, ast.Name)
            and n.args
        ):
            out.add(n.func.value.id)
    return out


_LIST_GROWTH = frozenset({"append", "extend", "insert"})


def _is_computation(info: ModuleInfo, e: ast.AST) -> bool:
    if isinstance(e, ast.BinOp):
        return True
    if isinstance(e, ast.UnaryOp):
        return isinstance(e.op, (ast.USub, ast.UAdd))
    if isinstance(e, ast.Call):
        f = e.func
        name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
        if name in _NOT_TF:
            return False
        q = info.imports.qualname(f) or ""
        if q.startswith(("numpy.", "math.")):
            return False
        if q in {"tensorflow.constant", "tensorflow.stop_gradient", "tensorflow.zeros", "tensorflow.ones"}:
            return False
        return True
    return False


def _depends(info: ModuleInfo, e: ast.AST, taped: set[str]) -> bool:
    return bool(names_in(e) & taped) or info.tensors.level_of(e) >= DIFF


def _check(info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall, taped: set[str]) -> Finding | None:
    target = tc.target
    if target is None:
        return None
    call = tc.call
    if isinstance(target, ast.Name):
        found = _outside_def(info, scope, tape, target.id, pos(call), taped, 0)
        if found is None:
            return (
                _forward_before_tape(info, scope, tape, tc, target)
                or _model_run_before_tape(info, scope, tape, tc, target)
                or _sub_model_run_before_tape(info, scope, tape, tc, target)
                or _source_read_only_before_tape(info, scope, tape, tc)
            )
        d = found
        if _inside_a_block(scope, tape, d):
            where = f"under `with {tape.name}.stop_recording():` inside"
        else:
            where = "after" if pos(d) > pos(tape.blocks[0]) else "before"
        msg = (
            f"`{target.id}` is computed at line {d.lineno}, {where} the `with {tape.name}:` block, where the tape "
            f"does not record: `{tape.name}.{tc.method}` returns {_unconnected(tc)}; compute it inside the block"
        )
        return Finding("TFG011", msg, info.span(call), _fix_data(info, scope, tape, call, d))
    if tape.recording(call, scope):
        return None
    if _is_computation(info, target) and _depends(info, target, taped):
        msg = (
            f"`{info.text(target)}` is computed in the `{tape.name}.{tc.method}` call, after the `with "
            f"{tape.name}:` block, where the tape does not record: the result is {_unconnected(tc)}; "
            "compute the target inside the block"
        )
        return Finding("TFG011", msg, info.span(call), None)
    return None


def _inside_a_block(scope: TapeScope, tape: Tape, node: ast.AST) -> bool:
    """`node` sits within one of the tape's `with` blocks (so, when the tape does not record it, in a paused part)."""
    return any(scope.within(node, w) for w in tape.blocks)


def _unconnected(tc: TapeCall) -> str:
    """What TF 2.21 returns for an unrecorded target (measured, eagerly and in a `tf.function`): `None` from
    `gradient` and `jacobian`, all zeros from `batch_jacobian` (it fills unconnected rows with zeros)."""
    if tc.method == "batch_jacobian":
        return "all zeros for every source (not `None`: no error, no warning)"
    return (
        "`None` for every source, with no warning (a Keras optimizer then raises `ValueError: No gradients provided "
        "for any variable`)"
    )


def _forward_before_tape(
    info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall, target: ast.Name
) -> Finding | None:
    """The target is computed inside the block, but only from a forward pass that ran before it:
    `logits = model(x)` then `with tape: loss = f(logits)`.  Nothing inside the block reads a weight,
    so the tape recorded no path from the weights to the loss."""
    if tape.watches_accessed_variables is False or tape.watches:
        return None  # explicit watching: which tensors matter is the user's call
    defs = [d for d in (scope.defs(target.id) or []) if pos(d) < pos(tc.call)]
    if not defs or not all(isinstance(d, (ast.Assign, ast.AnnAssign)) and tape.recording(d, scope) for d in defs):
        return None
    # Names the block computes from something it records (a weight read, a layer call), to a fixed point.
    # Names bound before the block to containers (or objects) holding the variables themselves (`params = [w, b]`):
    # reading them in the block reads the variables, which the tape records.
    recorded: set[str] = _holders_of_raw_variables(info, scope, tape)
    assigns = [
        n
        for n in scope.recorded(tape)  # the scope's nodes tape.recording holds for, in scope order, listed once
        if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and n.value is not None and pos(n) < pos(tc.call)
    ]
    for _ in range(len(assigns) + 1):
        grew = False
        for a in assigns:
            assert a.value is not None  # only assignments with a value are kept (above)
            if _records_weights(info, a.value, recorded, _source_attr(tc)):
                for t in a.targets if isinstance(a, ast.Assign) else [a.target]:
                    for name in names_in(t):
                        if name not in recorded:
                            recorded.add(name)
                            grew = True
        if not grew:
            break
    if target.id in recorded:
        return None
    d = defs[-1]
    assert isinstance(d, (ast.Assign, ast.AnnAssign))  # every definition is one (checked above)
    if d.value is None or info.tensors.level_of(d.value) < DIFF:
        return None  # not computed from weights at all: another rule's business (or none)
    # The weight-dependent inputs: names computed before the block.
    # Followed back through names the block computes only from such inputs (`dy = g.batch_jacobian(y, t)` inside,
    # `y` from before): the inputs that were computed before the block.
    early_set: set[str] = set()
    early_defs: list[ast.AST] = []
    todo = [d.value]
    seen_defs: set[int] = {id(d)}
    while todo:
        value = todo.pop()
        for n in ast.walk(value):
            if not (isinstance(n, ast.Name) and info.tensors.level_of(n) >= DIFF and n.id not in recorded):
                continue
            for e in scope.defs(n.id) or []:
                if id(e) in seen_defs or pos(e) >= pos(tc.call):
                    continue
                seen_defs.add(id(e))
                if not tape.recording(e, scope):
                    early_set.add(n.id)
                    early_defs.append(e)
                elif isinstance(e, (ast.Assign, ast.AnnAssign)) and e.value is not None and e is not d:
                    todo.append(e.value)
    early = sorted(early_set)
    if not early or not early_defs:
        return None
    src = tc.sources
    if src is not None and isinstance(src, (ast.Name, ast.List, ast.Tuple)) and names_in(src) <= set(early):
        return None  # the gradient asked for is w.r.t. those tensors themselves: unwatched, not weights lost
    first = min(early_defs, key=pos)
    names = ", ".join(f"`{n}`" for n in early)
    where = (
        f"under `with {tape.name}.stop_recording():`"
        if _inside_a_block(scope, tape, first)
        else "before the block opened"
    )
    msg = (
        f"`{target.id}` is computed inside the `with {tape.name}:` block, but only from {names}, computed at line "
        f"{located(first).lineno} {where}: the tape never saw the weights being used, so "
        f"`{tape.name}.{tc.method}` returns `None` for them, with no warning (a Keras optimizer then raises "
        "`ValueError: No gradients provided for any variable`); run the forward pass inside the block"
    )
    return Finding("TFG011", msg, info.span(tc.call), None)


def _model_run_before_tape(
    info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall, target: ast.Name
) -> Finding | None:
    """The sources are one model's weights, and every place the target's computation runs that model lies
    outside the tape's blocks (`fake = generator(noise)` before `with tape:`, the loss taped from `fake`)."""
    for reads in model_reads(info, scope, tape, tc):
        if reads.recorded or not reads.unrecorded:
            continue
        first = min(reads.unrecorded, key=pos)
        model = reads.model
        msg = (
            f"`{target.id}` depends on `{model}` only through its run at line {located(first).lineno}, outside the "
            f"`with {tape.name}:` block: the tape never saw `{model}`'s weights being used, so "
            f"`{tape.name}.{tc.method}` returns `None` for every one of `{model}.trainable_variables`, with no "
            "warning (a Keras optimizer then raises `ValueError: No gradients provided for any variable`, or warns "
            f"`Gradients do not exist for variables` when others still get one); call `{model}` inside the block"
        )
        return Finding("TFG011", msg, info.span(tc.call), None)
    return None


def _sub_model_run_before_tape(
    info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall, target: ast.Name
) -> Finding | None:
    """The sources are the weights of the Keras model `self` (`self.trainable_weights` in `train_step`), and one of
    its sub-models runs only outside the tape's blocks on the way to the target (`z = self.encoder(x)` before
    `with tape:`, the decoder and the loss inside): that sub-model's weights get `None`."""
    for reads in model_reads(info, scope, tape, tc):
        if reads.model != "self" or not reads.recorded:
            continue
        attrs = dict.fromkeys(
            n.func.attr
            for n in reads.unrecorded
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "self"
        )
        for attr in attrs:
            sub = sub_model_reads(info, scope, tape, tc, attr)
            if sub is None or sub.recorded or not sub.unrecorded:
                continue
            first = min(sub.unrecorded, key=pos)
            msg = (
                f"`{target.id}` depends on `self.{attr}` only through its run at line {located(first).lineno}, "
                f"outside the `with {tape.name}:` block: the tape never saw `self.{attr}`'s weights being used, so "
                f"`{tape.name}.{tc.method}` returns `None` for them (Keras warns `Gradients do not exist for "
                f"variables` and trains the rest; `self.{attr}` never changes); call `self.{attr}` inside the block"
            )
            return Finding("TFG011", msg, info.span(tc.call), None)
    return None


def _source_read_only_before_tape(info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall) -> Finding | None:
    """A variable named among the sources that the block never reads: only a value computed from it before the
    block opened is (`sigma = tf.exp(log_sigma)`, then `with tape:` reads `sigma`). The tape records from its block
    on, so `log_sigma` gets `None` while the other sources train (measured under TF 2.21, eagerly and in a
    `tf.function`; a Keras optimizer warns `Gradients do not exist for variables`). Quiet when the block calls a
    function of the module or a method whose source names the variable, or anything watches by hand."""
    if tape.watches_accessed_variables is not True or tape.watches:
        return None
    src = tc.sources
    sources = [src] if isinstance(src, ast.Name) else list(src.elts) if isinstance(src, (ast.List, ast.Tuple)) else []
    at = pos(tc.call)
    recorded = [n for n in scope.recorded(tape) if hasattr(n, "lineno") and pos(n) < at]
    if not recorded:
        return None
    loads = {n.id for n in recorded if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    caller = scope.node if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    callees = [c.node for c in (resolve_callee(info, n, caller) for n in recorded if isinstance(n, ast.Call)) if c]
    opened = pos(tape.blocks[0])
    for s in sources:
        if not isinstance(s, ast.Name) or s.id in loads or info.tensors.kind_of(s) != "variable":
            continue
        if any(s.id in info.text(c) for c in callees):
            continue  # a helper run in the block may read it itself
        via = _early_value_of(info, scope, s.id, loads, opened, tape)
        if via is None:
            continue
        name, d = via
        msg = (
            f"`{s.id}` is read only at line {located(d).lineno}, where `{name}` is computed from it before the `with "
            f"{tape.name}:` block opened: the tape records from its block on, so `{tape.name}.{tc.method}` returns "
            f"`None` for `{s.id}` (no error; a Keras optimizer warns `Gradients do not exist for variables` and "
            f"leaves it unchanged) while the other sources train; compute `{name}` inside the block"
        )
        return Finding("TFG011", msg, info.span(tc.call), None)
    return None


def _early_value_of(
    info: ModuleInfo, scope: TapeScope, source: str, loads: set[str], opened: tuple[int, int], tape: Tape
) -> tuple[str, ast.stmt] | None:
    """(a name the block reads, its binding) where every binding of the name lies before the block, outside any
    recording, and computes it from `source` (directly or through names bound the same way)."""
    for name in sorted(loads):
        assigns = _early_assigns(scope, name, opened, tape)
        if assigns and all(_reads_name(info, scope, a.value, source, opened, tape, 0) for a in assigns):
            return name, assigns[-1]
    return None


def _early_assigns(
    scope: TapeScope, name: str, opened: tuple[int, int], tape: Tape
) -> list[ast.Assign | ast.AnnAssign] | None:
    """Every binding of `name` in the scope, when all are plain assignments before the block, outside recording."""
    defs = scope.defs(name)
    if not defs:
        return None
    out: list[ast.Assign | ast.AnnAssign] = []
    for d in defs:
        if not isinstance(d, (ast.Assign, ast.AnnAssign)) or pos(d) >= opened or tape.recording(d, scope):
            return None
        out.append(d)
    return out


def _reads_name(
    info: ModuleInfo,
    scope: TapeScope,
    e: ast.expr | None,
    source: str,
    opened: tuple[int, int],
    tape: Tape,
    depth: int,
) -> bool:
    if e is None or depth > 3:
        return False
    for n, computed in _value_reads(info, e):
        if not isinstance(n, ast.Name):
            continue
        if n.id == source:
            if computed:
                return True  # an operation on the variable ran here; storing the variable itself keeps it live
            continue
        assigns = _early_assigns(scope, n.id, opened, tape)
        if assigns and any(_reads_name(info, scope, a.value, source, opened, tape, depth + 1) for a in assigns):
            return True
    return False


_STORING = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred, ast.keyword)
_OP_NAMESPACES = ("tensorflow.", "keras.ops.", "keras.backend.", "numpy.")


def _value_reads(info: ModuleInfo, e: ast.AST, computed: bool = False) -> Iterator[tuple[ast.expr, bool]]:
    """The names and attribute chains `e` reads, each with whether an operation consumes it on the way to `e`'s
    value (`tf.exp(v)`, `v * 2`, `v[0]`) or the value keeps the object itself (`[v, b]`, `Normal(loc=v)`: a call
    that is not a TensorFlow / NumPy op may store what it is given)."""
    if isinstance(e, (ast.Name, ast.Attribute)):
        yield e, computed
        return
    if isinstance(e, ast.Lambda):
        return  # its body runs when it is called, not here
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or ""
        op = q.startswith(_OP_NAMESPACES)
        for a in [*e.args, *(k.value for k in e.keywords)]:
            yield from _value_reads(info, a, computed or op)
        return
    op = not isinstance(e, _STORING)
    for c in info.child_nodes(e):
        yield from _value_reads(info, c, computed or op)


def _holders_of_raw_variables(info: ModuleInfo, scope: TapeScope, tape: Tape) -> set[str]:
    """Names bound only before the tape's first block whose values keep a variable itself (a list, a dict, an
    object made from it)."""
    if not tape.blocks:
        return set()
    opened = pos(tape.blocks[0])
    out: set[str] = set()
    for name in {n.id for n in scope.recorded(tape) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}:
        assigns = _early_assigns(scope, name, opened, tape)
        if assigns and any(
            not computed and info.tensors.kind_of(x) == "variable"
            for a in assigns
            if a.value is not None
            for x, computed in _value_reads(info, a.value)
        ):
            out.add(name)
    return out


def _source_attr(tc: TapeCall) -> str | None:
    """`Y` for sources `self.Y.trainable_weights` / `.trainable_variables`; None for anything else."""
    src = tc.sources
    if isinstance(src, ast.Attribute) and src.attr in {"trainable_weights", "trainable_variables"}:
        owner = src.value
        if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) and owner.value.id == "self":
            return owner.attr
    return None


def _records_weights(info: ModuleInfo, e: ast.AST, recorded: set[str], source_attr: str | None = None) -> bool:
    """Does evaluating `e` inside a tape read a weight (or a value the tape already recorded)?  With the sources
    `self.Y.trainable_weights` (`source_attr` Y), a call of a sub-model handed to `__init__` records them when it
    is `self.Y(...)`; with other sources, any such call may."""
    for n in walk_nodes(e):  # ast.walk's order, without the context/operator leaves
        if isinstance(n, ast.Name):
            if n.id in recorded or info.tensors.kind_of(n) == "variable":
                return True
        elif isinstance(n, ast.Attribute):
            if info.tensors.kind_of(n) == "variable":
                return True
        elif isinstance(n, ast.Call):
            # A layer or model call reads its weights; so may any function of this module (a closure over
            # weights) or any call that is DIFF though none of its arguments is.
            if info.tensors.kind_of(n.func) == "layer" or resolve_callee(info, n, info.enclosing_function(n)):
                return True
            if isinstance(n.func, ast.Name) and n.func.id == "self":
                return True
            if (source_attr is None or _called_attr(n) == source_attr) and _handed_in_attr_call(info, n):
                return True
            args = [*n.args, *(k.value for k in n.keywords)]
            if info.tensors.level_of(n) >= DIFF and not any(info.tensors.level_of(a) >= DIFF for a in args):
                return True
    return False


def _called_attr(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self" else None


def _handed_in_attr_call(info: ModuleInfo, call: ast.Call) -> bool:
    """`self.discriminator(x)` where every binding of `self.discriminator` in the class is an `__init__` parameter
    (`GAN(discriminator, generator)`, the keras.io GAN examples): an object the analysis does not see, most often a
    sub-model, so the call may read weights."""
    f = call.func
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self"):
        return False
    cls: ast.AST | None = info.parent(call)
    while cls is not None and not isinstance(cls, ast.ClassDef):
        cls = info.parent(cls)
    if not isinstance(cls, ast.ClassDef):
        return False
    init = next((m for m in cls.body if isinstance(m, ast.FunctionDef) and m.name == "__init__"), None)
    if init is None:
        return False
    params = {a.arg for a in (*init.args.posonlyargs, *init.args.args, *init.args.kwonlyargs)} - {"self"}
    found = False
    for n in walk_nodes(cls):
        if not isinstance(n, ast.Assign):
            continue
        for t in n.targets:
            if (
                isinstance(t, ast.Attribute)
                and isinstance(t.value, ast.Name)
                and t.value.id == "self"
                and t.attr == f.attr
            ):
                in_init = info.enclosing_function(n) is init
                if not (in_init and isinstance(n.value, ast.Name) and n.value.id in params):
                    return False
                found = True
    return found


def _outside_def(
    info: ModuleInfo, scope: TapeScope, tape: Tape, name: str, at: tuple[int, int], taped: set[str], depth: int
) -> ast.stmt | None:
    """The statement computing `name` (as seen at `at`) when it lies outside the tape's recording blocks."""
    if depth > 3:
        return None
    defs = scope.defs(name)
    if not defs:
        return None
    before = [d for d in defs if pos(d) < at and isinstance(d, (ast.Assign, ast.AugAssign, ast.AnnAssign))]
    if not before:
        return None
    d = before[-1]
    # A definition in a loop or branch that may not be the one that ran: only a definition whose
    # block contains the call (or encloses it) is certain to be the reaching one.
    if tape.recording(d, scope):
        return None
    if not _dominates(scope, d, at):
        return None
    value = d.value
    if value is None:
        return None
    if isinstance(d, ast.AugAssign):
        return d if name in taped or _depends(info, value, taped) else None
    if isinstance(value, ast.Name):
        return _outside_def(info, scope, tape, value.id, pos(d), taped, depth + 1)
    if _is_computation(info, value) and _depends(info, value, taped):
        return d
    return None


def _dominates(scope: TapeScope, d: ast.stmt, at: tuple[int, int]) -> bool:
    """`d` runs on every path from its block's start to the position `at` (same block or an enclosing one)."""
    node = scope.parent(d)
    while node is not None and node is not scope.node:
        if isinstance(node, _BRANCHING):
            # the call must be inside this same compound statement for d to reach it certainly
            if not (pos(node) <= at <= (node.end_lineno or node.lineno, node.end_col_offset or 0)):
                return False
        node = scope.parent(node)
    return True


def _fix_data(info: ModuleInfo, scope: TapeScope, tape: Tape, call: ast.Call, d: ast.stmt) -> TargetInTapeFix | None:
    blocks = [w for w in tape.blocks if pos(w) < pos(d)]
    if not blocks:
        return None
    w = blocks[-1]
    parent = scope.parent(w)
    block = None
    for field in ("body", "orelse", "finalbody"):
        b = getattr(parent, field, None)
        if isinstance(b, list) and any(s is w for s in b) and any(s is d for s in b):
            block = b
    if block is None:
        return None
    i, j = block.index(w), block.index(d)
    run = block[i + 1 : j + 1]
    if not run or not all(isinstance(s, _SIMPLE) for s in run):
        return None
    if any(scope.within(call, s) for s in run):
        return None
    if w.body[0].lineno == w.lineno:
        return None
    first_line, last_line = (w.end_lineno or w.lineno) + 1, d.end_lineno or d.lineno
    w_text = info.lines[w.lineno - 1]
    w_indent = w_text[: len(w_text) - len(w_text.lstrip())]
    b_text = info.lines[w.body[0].lineno - 1]
    b_indent = b_text[: len(b_text) - len(b_text.lstrip())]
    if not b_indent.startswith(w_indent) or b_indent == w_indent:
        return None
    # Lines inside a multi-line string would change meaning when re-indented.
    for s in run:
        for n in ast.walk(s):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and (n.end_lineno or n.lineno) > n.lineno:
                return None
    old = info.lines[first_line - 1 : last_line]
    new = []
    for text in old:
        if not text.strip():
            new.append(text)
        elif text.startswith(w_indent):
            new.append(b_indent + text[len(w_indent) :])
        else:
            return None
    return TargetInTapeFix(
        f"Compute the gradient target inside the `with {tape.name}:` block",
        (PlannedEdit(Span(first_line, 0, last_line, len(old[-1])), "\n".join(new), "\n".join(old)),),
    )
