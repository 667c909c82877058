"""TFG009 unwatched-tensor: a gradient with respect to a plain tensor the tape never watched."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.call_sites import function_uses
from gradls.analysis.dtypes import int_dtype_of, literal_dtype
from gradls.analysis.keras_facts import KERAS_INPUTS
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits, Span
from gradls.analysis.module import VARIABLE_CTORS, ModuleInfo, located
from gradls.analysis.rules import rule
from gradls.analysis.tapes import (
    Tape,
    TapeScope,
    def_value,
    module_scope,
    names_in,
    pos,
    rebound_after_watch,
    resolve_defs,
    sources_with_aliases,
    tape_scopes,
)
from gradls.analysis.tensors import TENSOR

# Ops that always make a fresh tensor no tape has seen (their arguments are shapes, seeds, dtypes).
_FRESH = {"zeros", "ones", "fill", "eye", "linspace", "range"}
# Ops that copy their argument: fresh when run outside the tape, or when the argument is a literal.
_COPY = {"constant", "convert_to_tensor", "identity", "cast", "zeros_like", "ones_like"}
_WEIGHT_LISTS = {"trainable_variables", "trainable_weights", "variables", "weights"}


def _classify(info: ModuleInfo, value: ast.AST | None, tape: Tape, scope: TapeScope, depth: int = 0) -> str | None:
    """'plain' (a float tensor no tape watches), 'numpy', 'variable' (a float tf.Variable), or None."""
    if value is None or depth > 3:
        return None
    if isinstance(value, ast.Subscript) and not _records(tape, value, scope):
        # a slice, taken before the tape, of an array or a plain tensor is one too
        sliced = _classify_expr(info, value.value, tape, scope, depth + 1)
        return sliced if sliced in {"plain", "numpy"} else None
    if isinstance(value, ast.Call):
        q = info.imports.qualname(value.func) or ""
        last = q.rsplit(".", 1)[-1]
        if q in VARIABLE_CTORS:
            return None if int_dtype_of(info, value) else "variable"
        if int_dtype_of(info, value):
            return None  # TFG013's business: watching it would not help
        if q.startswith("numpy."):
            if (
                last in {"array", "asarray", "zeros", "ones", "full", "eye", "arange", "linspace", "empty"}
                or ".random." in q
            ):
                return "numpy"
            return None
        if q.startswith(("tensorflow.random.", "keras.random.")) or q in {
            "tensorflow.random_normal",
            "tensorflow.random_uniform",
        }:
            return "plain"
        if q.startswith(("tensorflow.", "keras.ops.")):
            if last in _FRESH:
                return "plain"
            if last in _COPY:
                arg = value.args[0] if value.args else (value.keywords[0].value if value.keywords else None)
                if arg is None:
                    return None
                if literal_dtype(info, arg) is not None:
                    return "plain"
                inner = _classify_expr(info, arg, tape, scope, depth + 1)
                if inner in {"plain", "numpy"}:
                    return "plain"
                if not _records(tape, value, scope):
                    # a copy made before the tape of a name or a slice of one (`tf.convert_to_tensor(x[:8])`)
                    copied = arg.value if isinstance(arg, ast.Subscript) else arg
                    return "plain" if inner is not None or isinstance(copied, ast.Name) else None
                return None
    return None


def _classify_expr(info: ModuleInfo, e: ast.AST, tape: Tape, scope: TapeScope, depth: int) -> str | None:
    if isinstance(e, ast.Name):
        r = resolve_defs(info, scope, e.id)
        if r is None or not r[0]:
            return None
        kinds = {_classify(info, def_value(d), tape, r[1], depth) for d in r[0]}
        return kinds.pop() if len(kinds) == 1 else None
    return _classify(info, e, tape, scope, depth)


def _records(tape: Tape, node: ast.AST, scope: TapeScope) -> bool:
    return scope is tape.scope and tape.recording(node, scope)


def watched_names(info: ModuleInfo) -> set[str]:
    """Names passed to any `.watch(...)` in the module, with the names their values are built from."""
    out: set[str] = set()
    if ".watch" not in info.source:
        return out
    assigns: list[ast.Assign] = []
    for n in info.all_nodes((ast.Call, ast.Assign)):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "watch":
            for a in [*n.args, *(k.value for k in n.keywords)]:
                out |= names_in(a)
        elif isinstance(n, ast.Assign) and isinstance(n.value, (ast.Name, ast.List, ast.Tuple, ast.Call, ast.Dict)):
            assigns.append(n)
    # Aliases: `xs = [x, y]; tape.watch(xs)` watches x and y.
    for _ in range(3):
        grew = False
        for n in assigns:
            if any(isinstance(t, ast.Name) and t.id in out for t in n.targets):
                new = names_in(n.value) - out
                if new:
                    out |= new
                    grew = True
        if not grew:
            break
    return out


@dataclass(frozen=True)
class UnwatchedTensorFix(PlannedEdits):
    """`tape.watch(x)` at the top of the `with` block (after `x = ...` when x is made inside it), or a variable's
    hand-written update `w = w - lr * g` made in place (`w.assign_sub(lr * g)`)."""


@rule(
    "TFG009",
    "unwatched-tensor",
    "`tape.gradient` with respect to a plain tensor (`tf.constant`, `tf.random.*`, `tf.convert_to_tensor`...) that "
    "the tape never watched returns `None`, with no error or warning; call `tape.watch(x)`.",
)
def find_unwatched_tensor(info: ModuleInfo) -> Iterator[Finding]:
    scopes = tape_scopes(info)
    if not scopes:
        return
    watched: set[str] | None = None
    for scope in scopes:
        for tape in scope.tapes:
            if tape.escapes:
                continue
            for tc in tape.calls:
                seen: set[int] = set()
                for el, report in sources_with_aliases(info, scope, tc.sources):
                    if id(el) in seen:
                        continue
                    seen.add(id(el))
                    if watched is None:
                        watched = watched_names(info)
                    f = _check_source(info, scope, tape, tc.call, el, watched)
                    if f is not None:
                        yield f if report is el else Finding(f.code, f.message, info.span(report), f.fix_data)


def _method(call: ast.Call) -> str:
    """`gradient` for `tape.gradient(...)`: a tape call is always a method call on the tape's name."""
    assert isinstance(call.func, ast.Attribute)  # tapes.py records only `<name>.<method>(...)` calls
    return call.func.attr


def _check_source(
    info: ModuleInfo, scope: TapeScope, tape: Tape, call: ast.Call, el: ast.AST, watched: set[str]
) -> Finding | None:
    wav = tape.watches_accessed_variables
    if isinstance(el, ast.Attribute) and el.attr in _WEIGHT_LISTS and wav is False and not tape.watches:
        msg = (
            f"`{tape.name}` was created with `watch_accessed_variables=False` and watches nothing, so "
            f"`{tape.name}.{_method(call)}` returns `None` for every variable in `{info.text(el)}` (no error, "
            "no warning); watch them (for Keras 3 variables, watch `v.value`) or drop `watch_accessed_variables=False`"
        )
        return Finding("TFG009", msg, info.span(el), None)
    plain_watched = _plain_watched_names(info, scope, tape) if wav is False and tape.watches else None
    if isinstance(el, ast.Attribute) and el.attr in _WEIGHT_LISTS and plain_watched:
        # Watching an input (a saliency map) does not watch the weights the model reads on the way.
        watched_text = ", ".join(f"`{n}`" for n in plain_watched)
        msg = (
            f"`{tape.name}` was created with `watch_accessed_variables=False` and watches only "
            f"{watched_text} (a tensor, not the weights), so "
            f"`{tape.name}.{_method(call)}` returns `None` for every variable in `{info.text(el)}` (no error, "
            "no warning); watch them (for Keras 3 variables, watch `v.value`) or drop `watch_accessed_variables=False`"
        )
        return Finding("TFG009", msg, info.span(el), None)
    if not isinstance(el, ast.Name):
        return None
    if el.id in watched:
        late = _watched_after_use(info, scope, tape, el.id, call)
        if late is not None:
            watch, first_use = late
            msg = (
                f"`{tape.name}.watch({el.id})` at line {watch.lineno} comes after `{el.id}` was used at line "
                f"{located(first_use).lineno}: a tape records only the operations run on a tensor after it watches it, so "
                f"`{tape.name}.{_method(call)}` returns `None` for `{el.id}`, with no error or warning; move the watch "
                f"to the top of the `with` block, before the first use"
            )
            return Finding("TFG009", msg, info.span(el), None)
        last = rebound_after_watch(scope, tape, el.id, call)
        if last is None or _classify(info, def_value(last), tape, scope) == "variable":
            return None
        msg = (
            f"`{el.id}` was rebound at line {located(last).lineno}, after `{tape.name}.watch({el.id})` and outside any "
            f"block where `{tape.name}` records: the tape watched the old tensor, so `{tape.name}.{_method(call)}` "
            f"returns `None` for the new one, with no error or warning; take the gradient before rebinding it, or "
            f"use another name for the new value"
        )
        return Finding("TFG009", msg, info.span(el), None)
    if info.tensors.kind_of(el) == "data" and info.tensors.level_of(el) == TENSOR:
        # The engine saw it come out of a tf.data.Dataset loop, and nothing watched it since.
        msg = (
            f"`{el.id}` is a batch from a `tf.data.Dataset` (an eager tensor, not a variable) that `{tape.name}` "
            f"never watches: `{tape.name}.{_method(call)}` returns `None` for it, with no error or warning; "
            f"call `{tape.name}.watch({el.id})` at the top of the `with` block"
        )
        return Finding("TFG009", msg, info.span(el), _fix_data(info, scope, tape, call, el.id, [], scope))
    r = resolve_defs(info, scope, el.id, at=call)
    if r is None and el.id in scope.params:
        kinds = _argument_kinds(info, scope, el.id, tape)
        if kinds == {"plain"}:
            assert isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef))  # it has parameters
            msg = (
                f"`{el.id}` is a plain tensor at every call of `{scope.node.name}` in this module, and `{tape.name}` "
                f"never watches it: `{tape.name}.{_method(call)}` returns `None` for it, with no error or warning; "
                f"call `{tape.name}.watch({el.id})` at the top of the `with` block"
            )
            return Finding("TFG009", msg, info.span(el), _fix_data(info, scope, tape, call, el.id, [], scope))
        return None
    if r is None and el.id not in scope.params:
        bound = _assignments_binding(info, scope, el)
        if bound is not None and info.tensors.kind_of(el) == "variable":
            # `w, b = w - lr * gw, b - lr * gb` in the loop: the unpacking hides the variable's rebinding
            rebound = _variable_rebound_to_tensor(info, bound[1], tape, call, el, bound[0])
            if rebound is not None:
                return rebound
        r = _unpacking_defs(info, scope, el)
    if r is None or not r[0]:
        return None
    defs, dscope = r
    rebound = _variable_rebound_to_tensor(info, dscope, tape, call, el, defs)
    if rebound is not None:
        return rebound
    if any(_symbolic_keras_tensor(info, dscope, def_value(d)) for d in defs):
        return None  # a KerasTensor from building a functional model: tape.gradient raises, TFG015 says so
    kinds = {_classify(info, def_value(d), tape, dscope) for d in defs}
    if None in kinds and kinds <= {None, "plain"} and _tensor_made_before_tape(info, tape, el, defs, dscope):
        kinds = {"computed"}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    first = defs[0]
    where = f"line {located(first).lineno}"
    if kind == "plain":
        msg = (
            f"`{el.id}` is a plain tensor (made at {where}) that `{tape.name}` never watches: "
            f"`{tape.name}.{_method(call)}` returns `None` for it, with no error or warning; "
            f"call `{tape.name}.watch({el.id})` at the top of the `with` block (or make it a `tf.Variable`)"
        )
    elif kind == "computed":
        msg = (
            f"`{el.id}` holds a tensor computed at line {located(defs[-1]).lineno}, outside any block where `{tape.name}` records, and "
            f"`{tape.name}` never watches it: `{tape.name}.{_method(call)}` returns `None` for it, with no error or "
            f"warning; call `{tape.name}.watch({el.id})` at the top of the `with` block (or compute it inside)"
        )
    elif kind == "numpy":
        msg = (
            f"`{el.id}` is a NumPy array (made at {where}): a tape cannot watch or differentiate it, and "
            f"`{tape.name}.{_method(call)}` raises `AttributeError: 'numpy.ndarray' object has no attribute '_id'`; "
            f"convert it with `tf.convert_to_tensor` and `{tape.name}.watch` the tensor (or make it a `tf.Variable`)"
        )
        return Finding("TFG009", msg, info.span(el), None)
    elif kind == "variable" and wav is False:
        keras_var = any(
            isinstance(v := def_value(d), ast.Call) and (info.imports.qualname(v.func) or "").startswith("keras.")
            for d in defs
        )
        # tape.watch(<Keras 3 Variable>) raises ValueError: its tensor is `v.value`.
        watched_expr = f"{el.id}.value" if keras_var else el.id
        msg = (
            f"`{tape.name}` was created with `watch_accessed_variables=False` and never watches `{el.id}`: "
            f"`{tape.name}.{_method(call)}` returns `None` for it, with no error or warning; "
            f"call `{tape.name}.watch({watched_expr})` at the top of the `with` block"
        )
        if keras_var:
            return Finding("TFG009", msg, info.span(el), None)
    else:
        return None
    return Finding("TFG009", msg, info.span(el), _fix_data(info, scope, tape, call, el.id, defs, dscope))


_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _watched_after_use(
    info: ModuleInfo, scope: TapeScope, tape: Tape, name: str, call: ast.Call
) -> tuple[ast.Call, ast.AST] | None:
    """(the watch, the first use) when `tape.watch(name)` comes after every use of `name` that the tape records
    (`y = x * x` then `tape.watch(x)` in the block): the tape has not seen the operations on `x`, so the gradient
    with respect to it is None. Only for a plain tensor bound once, before the block (a variable is watched on
    access anyway), with no loop inside the block around the uses or the watch."""
    watches = [
        w
        for w in tape.watches
        if len(w.args) == 1 and isinstance(w.args[0], ast.Name) and w.args[0].id == name and scope.parent(w) is not None
    ]
    if not watches or not tape.blocks or any(not tape.recording(w, scope) for w in watches):
        return None
    defs = scope.defs(name)
    if not defs or len(defs) != 1 or not isinstance(defs[0], ast.Assign) or tape.recording(defs[0], scope):
        return None
    if _classify(info, def_value(defs[0]), tape, scope) != "plain" or pos(defs[0]) > pos(watches[0]):
        return None
    first_watch = min(watches, key=pos)
    inside = {id(x) for w in watches for x in ast.walk(w)}
    uses = [
        n
        for n in scope.nodes
        if isinstance(n, ast.Name)
        and n.id == name
        and isinstance(n.ctx, ast.Load)
        and id(n) not in inside
        and tape.recording(n, scope)
    ]
    if not uses or any(pos(u) > pos(first_watch) for u in uses):
        return None
    loops = (ast.For, ast.AsyncFor, ast.While)
    block_of = next((b for b in tape.blocks if scope.within(first_watch, b)), None)
    for n in (first_watch, *uses):
        for a in scope.ancestors(n):
            if a is block_of:
                break
            if isinstance(a, loops):
                return None  # a later iteration runs the use after the watch
    return first_watch, min(uses, key=pos)


def _symbolic_keras_tensor(info: ModuleInfo, scope: TapeScope, value: ast.AST | None, depth: int = 0) -> bool:
    """`keras.Input(...)`, or a Keras layer applied to one (`h = Dense(3)(inp)` while a functional model is built):
    a symbolic tensor, not a value any tape could record."""
    if not isinstance(value, ast.Call) or depth > 8:
        return False
    if info.imports.qualname(value.func) in KERAS_INPUTS:  # tf_keras' Input canonicalised to keras' too
        return True
    if not value.args or not (info.object_kind(value.func) == "layer" or info.tensors.kind_of(value.func) == "layer"):
        return False
    arg = value.args[0]
    if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts:
        arg = arg.elts[0]
    if isinstance(arg, ast.Call):
        return _symbolic_keras_tensor(info, scope, arg, depth + 1)
    if not isinstance(arg, ast.Name):
        return False
    r = resolve_defs(info, scope, arg.id, at=value)
    if r is None or not r[0]:
        return False
    defs, where = r
    return all(_symbolic_keras_tensor(info, where, def_value(d), depth + 1) for d in defs)


def _plain_watched_names(info: ModuleInfo, scope: TapeScope, tape: Tape) -> list[str] | None:
    """The names `tape.watch(...)` is given when each is a Name bound only to a fresh TF tensor (a constant, a
    conversion, a random or filled tensor: never a variable); None when any watched thing may hold a variable."""
    names: list[str] = []
    for w in tape.watches:
        if len(w.args) != 1 or w.keywords or not isinstance(w.args[0], ast.Name):
            return None
        name = w.args[0].id
        r = resolve_defs(info, scope, name, at=w)
        if r is None or not r[0]:
            return None
        for d in r[0]:
            value = def_value(d)
            if not isinstance(value, ast.Call):
                return None
            q = info.imports.qualname(value.func) or ""
            last = q.rsplit(".", 1)[-1]
            fresh = q.startswith(("tensorflow.random.", "keras.random.")) or (
                q.startswith(("tensorflow.", "keras.ops.")) and last in _FRESH | _COPY
            )
            if not fresh or q in VARIABLE_CTORS:
                return None
        if name not in names:
            names.append(name)
    return names or None


def _unpacking_defs(info: ModuleInfo, scope: TapeScope, el: ast.Name) -> tuple[list[ast.AST], TapeScope] | None:
    """Assignments binding `el` when some of them unpack (`x, y = make_inputs()`), which `resolve_defs` leaves
    opaque; only when the engine already sees a tensor there, and every binding is an assignment."""
    if info.tensors.level_of(el) < TENSOR or info.tensors.kind_of(el) is not None:
        return None
    return _assignments_binding(info, scope, el)


def _assignments_binding(info: ModuleInfo, scope: TapeScope, el: ast.Name) -> tuple[list[ast.AST], TapeScope] | None:
    """Every assignment binding `el` (plain or unpacking) in its scope or the module's, in source order; None when
    another kind of binding (a loop target, `with ... as`) binds it."""
    for where in (scope, module_scope(info)):
        found: list[ast.AST] = []
        for n in where.nodes:
            if not (isinstance(n, ast.Name) and n.id == el.id and isinstance(n.ctx, ast.Store)):
                continue
            p = where.parent(n)
            while isinstance(p, (ast.Tuple, ast.List, ast.Starred)):
                p = where.parent(p)
            if not isinstance(p, ast.Assign):
                return None  # a loop target, `with ... as`, an import: not followed
            found.append(p)
        if found:
            return found, where
        if where is scope and (el.id in scope.declared_outer() or scope.node is info.tree):
            return None
    return None


def _tensor_made_before_tape(
    info: ModuleInfo, tape: Tape, el: ast.Name, defs: list[ast.AST], dscope: TapeScope
) -> bool:
    """The engine follows the value where `_classify` cannot (a helper's return, tuple unpacking, `x = x * 2`):
    a tensor that is not a variable, every definition of which ran where the tape does not record."""
    if info.tensors.level_of(el) < TENSOR or info.tensors.kind_of(el) is not None:
        return False
    for d in defs:
        if not isinstance(d, (ast.Assign, ast.AnnAssign)) or _records(tape, d, dscope):
            return False
        if tape.scope is dscope and pos(d) > pos(tape.blocks[0]) if tape.blocks else False:
            return False  # rebound after the tape opened: the order is too subtle to call
        if any(isinstance(t, ast.Subscript) for t in getattr(d, "targets", [])):
            return False
        if isinstance(def_value(d), (ast.List, ast.Tuple, ast.ListComp, ast.GeneratorExp, ast.Dict, ast.DictComp)):
            return False  # a container (`[tf.Variable(...) for _ in range(3)]`): its elements are what counts
        if _lists_a_variable(info, def_value(d)):
            return False  # `var_list = [w]`: a list of the variables themselves, which the tape watches
    return True


def _lists_a_variable(info: ModuleInfo, value: ast.AST | None) -> bool:
    """A list / tuple display (or a `+` of them) one of whose elements is a variable itself."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _lists_a_variable(info, value.left) or _lists_a_variable(info, value.right)
    if not isinstance(value, (ast.List, ast.Tuple)):
        return False
    for e in value.elts:
        inner = e.value if isinstance(e, ast.Starred) else e
        if info.tensors.kind_of(inner) == "variable":
            return True
    return False


def _variable_rebound_to_tensor(
    info: ModuleInfo, scope: TapeScope, tape: Tape, call: ast.Call, el: ast.Name, defs: list[ast.AST]
) -> Finding | None:
    """`w = tf.Variable(...)` before a training loop, then `w = w - lr * g` inside it:
    the name now holds a plain tensor, so from the second iteration on the gradient w.r.t. it is None."""
    name = el.id
    created = [d for d in defs if _classify(info, def_value(d), tape, scope) == "variable"]
    if len(created) != 1:
        return None
    made = created[0]
    loop = next((p for p in scope.ancestors(call) if isinstance(p, _LOOPS)), None)
    if loop is None or scope.within(made, loop):
        return None
    for d in defs:
        if d is made or not scope.within(d, loop):
            continue
        update = _update_of(d, name)
        if update is None:
            continue
        op, step = update
        method = {"sub": "assign_sub", "add": "assign_add"}.get(op, "assign")
        step_text = info.text(step)
        if not step_text:
            return None
        new = f"{name}.{method}({step_text})"
        msg = (
            f"`{name}` is a `tf.Variable` (line {located(made).lineno}), but line {located(d).lineno} rebinds the name to "
            f"`{info.text(_rebinding_value(d, update))}`, a plain tensor: from the "
            f"loop's second iteration on, `{tape.name}.{_method(call)}` returns `None` for it (and the update "
            f"then fails on `None`); update the variable in place: `{new}`"
        )
        sp = info.span(d)
        data: UnwatchedTensorFix | None = None
        if sp.line == sp.end_line and isinstance(d, ast.Assign) and isinstance(d.targets[0], ast.Name):
            data = UnwatchedTensorFix(
                f"Update `{name}` in place with `.{method}()`", (PlannedEdit(sp, new, info.text(d)),)
            )
        return Finding("TFG009", msg, info.span(el), data)
    return None


def _rebinding_value(d: ast.AST, update: tuple[str, ast.expr]) -> ast.AST:
    """The expression a rebinding gives the name: the whole value, or its element in a tuple assignment."""
    if isinstance(d, ast.Assign) and isinstance(d.targets[0], (ast.Tuple, ast.List)):
        assert isinstance(d.value, (ast.Tuple, ast.List))  # _update_of matched the elements
        return next(v for v in d.value.elts if v is update[1] or any(x is update[1] for x in ast.walk(v)))
    return d.value if isinstance(d, ast.Assign) else d


def _update_of(d: ast.AST, name: str) -> tuple[str, ast.expr] | None:
    """('sub', step) for `w = w - step`, ('add', ...) likewise, ('set', expr) for another
    expression of `w` (`w = w * 0.9`); None when the statement is no such update."""
    # `w -= step` on a tf.Variable raises its own clear RuntimeError in TF 2.21 (it names assign_sub): not ours.
    if not (isinstance(d, ast.Assign) and len(d.targets) == 1):
        return None
    v: ast.expr | None = d.value
    t = d.targets[0]
    if isinstance(t, (ast.Tuple, ast.List)):
        # `w, b = w - lr * gw, b - lr * gb`: the element bound to `name`
        if not isinstance(v, (ast.Tuple, ast.List)) or len(v.elts) != len(t.elts):
            return None
        v = next((ve for te, ve in zip(t.elts, v.elts) if isinstance(te, ast.Name) and te.id == name), None)
        if v is None or isinstance(v, ast.Starred):
            return None
    elif not isinstance(t, ast.Name):
        return None
    if isinstance(v, ast.BinOp) and isinstance(v.left, ast.Name) and v.left.id == name:
        if isinstance(v.op, ast.Sub):
            return "sub", v.right
        if isinstance(v.op, ast.Add):
            return "add", v.right
    if isinstance(v, (ast.BinOp, ast.Call)) and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(v)):
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr.startswith("assign"):
            return None
        return "set", v
    return None


def _fix_data(
    info: ModuleInfo, scope: TapeScope, tape: Tape, call: ast.Call, name: str, defs: list[ast.AST], dscope: TapeScope
) -> UnwatchedTensorFix | None:
    """Where `tape.watch(name)` goes: the top of the last recording block before the call, or right after the
    definition when the tensor is made inside that block."""
    blocks = [w for w in tape.blocks if pos(w) < pos(call)]
    if not blocks:
        return None
    w = blocks[-1]
    first = w.body[0]
    if first.lineno == w.lineno:
        return None  # `with tape: y = f(x)` on one line
    inside = [d for d in defs if dscope is scope and any(scope.within(d, s) for s in w.body)]
    if inside:
        if len(defs) != 1 or not any(s is defs[0] for s in w.body):
            return None
        anchor = located(defs[0])
        line = (anchor.end_lineno or anchor.lineno) + 1
        indent_line = anchor.lineno
    else:
        if dscope is scope and any(pos(d) > pos(w) for d in defs):
            return None
        indent_line = first.lineno
        # The first non-blank line of the body (a comment above the first statement stays below the watch).
        line = next((c for c in range(w.lineno + 1, first.lineno) if info.lines[c - 1].strip()), first.lineno)
    text = info.lines[indent_line - 1]
    indent = text[: len(text) - len(text.lstrip())]
    return UnwatchedTensorFix(
        f"Watch `{name}` on `{tape.name}`",
        (PlannedEdit(Span(line, 0, line, 0), f"{indent}{tape.name}.watch({name})\n"),),
    )


def _argument_kinds(info: ModuleInfo, scope: TapeScope, param: str, tape: Tape) -> set[str | None]:
    """What every call of a module-level function passes for `param` ({None} when unknown or never called)."""
    fn = scope.node
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or info.module_functions.get(fn.name) is not fn:
        return {None}
    a = fn.args
    positional = [p.arg for p in [*a.posonlyargs, *a.args]]
    if param in {x.arg for x in a.kwonlyargs} or (a.vararg and a.vararg.arg == param) or param not in positional:
        return {None}
    index = positional.index(param)
    sites = function_uses(info).get(fn.name, [])
    if not sites:
        return {None}
    kinds: set[str | None] = set()
    scopes: dict[int, TapeScope] = {}
    for call, root in sites:
        if call is None:
            return {None}  # passed around as a value (tf.function(f), callbacks): other callers unknown
        arg: ast.expr | None
        if len(call.args) > index and not any(isinstance(x, ast.Starred) for x in call.args[: index + 1]):
            arg = call.args[index]
        else:
            arg = next((k.value for k in call.keywords if k.arg == param), None)
        if arg is None:
            return {None}
        site_scope = scopes.get(id(root))
        if site_scope is None:
            site_scope = scopes[id(root)] = module_scope(info) if root is info.tree else TapeScope(info, root)
        kinds.add(_classify_expr(info, arg, tape, site_scope, 0))
        if kinds - {"plain"}:
            return kinds
    return kinds
