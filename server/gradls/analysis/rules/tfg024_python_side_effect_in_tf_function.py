"""TFG024 python-side-effect-in-tf-function: a Python side effect in traced code (`print` of a tensor, a
container outside the function mutated, a Python counter bumped) runs once per trace, not once per step."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import AUTOGRAPH, GRAPH, FunctionFacts, ModuleInfo
from gradls.analysis.python_scopes import function_scope, module_bindings, resolve
from gradls.analysis.rules import rule
from gradls.analysis.tensors import TENSOR

_TRACED = {AUTOGRAPH, GRAPH}
_MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "appendleft", "extendleft"})
_CONTAINER_CALLS = frozenset(
    {"list", "dict", "set", "collections.defaultdict", "collections.OrderedDict", "collections.deque"}
)
# `tf.print` takes these keywords of `print` with the same meaning; `file=` and `flush=` it does not.
_PRINT_KEYWORDS = frozenset({"sep", "end"})


def _is_container(info: ModuleInfo, e: ast.expr | None) -> bool:
    if isinstance(e, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or (e.func.id if isinstance(e.func, ast.Name) else "")
        return q in _CONTAINER_CALLS
    return False


def _self_attr_values(info: ModuleInfo, ff: FunctionFacts, attr: str) -> list[ast.expr]:
    """Values assigned to `self.<attr>` anywhere in the method's class (its other methods included)."""
    cls = ff.cls
    if cls is None:
        return []
    out = []
    for m in cls.methods.values():
        for n in ast.walk(m):
            if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                for t in targets:
                    if _is_self_attr(t, attr):
                        out.append(n.value)
    return out


def _is_self_attr(e: ast.AST, attr: str | None = None) -> bool:
    return (
        isinstance(e, ast.Attribute)
        and isinstance(e.value, ast.Name)
        and e.value.id == "self"
        and (attr is None or e.attr == attr)
    )


def _outside_container(info: ModuleInfo, ff: FunctionFacts, receiver: ast.expr) -> str | None:
    """How a mutated container lives outside the traced call ('global', 'closure', 'attribute'), or None."""
    if isinstance(receiver, ast.Name):
        where, owner = resolve(info, ff.node, receiver.id)
        if where == "global":
            bound = [b.value for b in module_bindings(info).get(receiver.id, []) if b.kind == "assign"]
            return "global" if bound and all(_is_container(info, v) for v in bound) else None
        if where == "enclosing" and owner is not None:
            owner_ff = info.facts(owner)
            if owner_ff is not None and owner_ff.modes & _TRACED:
                return None  # the enclosing function is traced too: the container is rebuilt on every trace
            values = [
                n.value
                for n in ast.walk(owner)
                if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == receiver.id for t in n.targets)
            ]
            return "closure" if values and all(_is_container(info, v) for v in values) else None
        return None
    if _is_self_attr(receiver) and ff.cls is not None and isinstance(receiver, ast.Attribute):
        values = _self_attr_values(info, ff, receiver.attr)
        return "attribute" if values and all(_is_container(info, v) for v in values) else None
    return None


def _tensor_state_rebound(
    info: ModuleInfo, ff: FunctionFacts, stmt: ast.AugAssign | ast.Assign, target: ast.Attribute
) -> bool:
    """`self.x = f(self.x, ...)` (or `self.x += ...`) in a traced method, where every other method of the class
    that sets `self.x` sets it to a tensor (not a `tf.Variable`): a recurrence on a captured constant. Measured
    under TF 2.21: an iterative solver's `@tf.function` step returns the same residual on every call, and the
    attribute holds a `SymbolicTensor` after it (tensorflow#42223)."""
    if ff.cls is None:
        return False
    if isinstance(stmt, ast.Assign) and not any(_is_self_attr(n, target.attr) for n in ast.walk(stmt.value)):
        return False  # not a recurrence: a value computed afresh at each trace
    inside = {id(n) for n in ast.walk(ff.node)}
    initial = [v for v in _self_attr_values(info, ff, target.attr) if id(v) not in inside]
    return bool(initial) and all(_tensor_not_variable(info, v) for v in initial)


_TENSOR_OP_NAMESPACES = ("tensorflow.", "tensorflow.math.", "tensorflow.random.", "tensorflow.linalg.", "keras.ops.")


def _tensor_not_variable(info: ModuleInfo, e: ast.expr) -> bool:
    """A tensor value, not a variable: what inference knows, or a call of a TensorFlow / `keras.ops` op (a
    constructor's parameters are not inferred, so `tf.zeros_like(b)` in `__init__` is judged by the op)."""
    if info.tensors.kind_of(e) == "variable":
        return False
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or ""
        if q.endswith(".Variable") or q.endswith("add_weight"):
            return False
        module, _, name = q.rpartition(".")
        if (module + ".") in _TENSOR_OP_NAMESPACES and name[:1].islower():
            return True
    return info.tensors.level_of(e) >= TENSOR


def _python_number(info: ModuleInfo, e: ast.expr) -> bool:
    if isinstance(e, ast.UnaryOp):
        e = e.operand
    return isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool)


def _lazy_guarded(info: ModuleInfo, node: ast.AST, name: str, fn: ast.AST) -> bool:
    p = info.parent(node)
    while p is not None and p is not fn:
        if isinstance(p, ast.If):
            t = p.test
            if isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == name:
                return isinstance(t.ops[0], ast.Is)
            if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not) and isinstance(t.operand, ast.Name):
                return t.operand.id == name
        p = info.parent(p)
    return False


def _read_outside_traced_code(info: ModuleInfo, name: str, attribute: bool) -> bool:
    """Is the counter read where a per-step value is expected: at module level or in code that is not traced?
    (`name` is a global, or with `attribute` an attribute name read as `obj.name`.)"""
    todo: list[tuple[ast.AST, bool]] = [(info.tree, False)]
    while todo:
        node, traced = todo.pop()
        for child in ast.iter_child_nodes(node):
            inner = traced
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ff = info.facts(child)
                inner = ff is not None and bool(ff.modes & _TRACED)
            if not inner:
                if attribute and isinstance(child, ast.Attribute) and child.attr == name:
                    if isinstance(child.ctx, ast.Load):
                        return True
                elif not attribute and isinstance(child, ast.Name) and child.id == name:
                    if isinstance(child.ctx, ast.Load):
                        return True
            todo.append((child, inner))
    return False


def _tensor_args(info: ModuleInfo, call: ast.Call) -> list[ast.expr]:
    """The tensors `print` shows: arguments, and values formatted into a string (f-string, `%`, `.format`)."""
    out: list[ast.expr] = []
    for a in [*call.args, *(k.value for k in call.keywords if k.arg in _PRINT_KEYWORDS | {None})]:
        out += _shown_tensors(info, a.value if isinstance(a, ast.Starred) else a)
    return out


def _shown_tensors(info: ModuleInfo, e: ast.expr) -> list[ast.expr]:
    if isinstance(e, ast.JoinedStr):
        return [x for v in e.values if isinstance(v, ast.FormattedValue) for x in _shown_tensors(info, v.value)]
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mod) and _is_str(e.left):
        parts = e.right.elts if isinstance(e.right, ast.Tuple) else [e.right]
        return [x for p in parts for x in _shown_tensors(info, p)]
    if (
        isinstance(e, ast.Call)
        and isinstance(e.func, ast.Attribute)
        and e.func.attr == "format"
        and _is_str(e.func.value)
    ):
        return [x for p in [*e.args, *(k.value for k in e.keywords)] for x in _shown_tensors(info, p)]
    return [e] if info.tensors.level_of(e) >= TENSOR else []


def _is_str(e: ast.expr) -> bool:
    return isinstance(e, (ast.Constant, ast.JoinedStr)) and (
        not isinstance(e, ast.Constant) or isinstance(e.value, str)
    )


def _print_fix_data(info: ModuleInfo, call: ast.Call) -> TfPrintFix | None:
    """`print(...)` -> `tf.print(...)` when every argument means the same to `tf.print`: no `file=`/`flush=`,
    no `*args`/`**kwargs`, no string formatting (an f-string or `%`/`.format` would still format the symbolic
    tensor at trace time)."""
    if any(k.arg not in _PRINT_KEYWORDS for k in call.keywords):
        return None
    for a in call.args:
        for n in ast.walk(a):
            if isinstance(n, (ast.Starred, ast.JoinedStr, ast.Lambda)):
                return None
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod):
                return None
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "format":
                return None
    return TfPrintFix(info.span(call.func), info.imports.alias_of("tensorflow"))


def _where(ff: FunctionFacts) -> str:
    why = ff.why or "`tf.function`"
    return f"`{ff.node.name}` is traced ({why})"


@dataclass(frozen=True)
class TfPrintFix(FixData):
    """The `print` callee to become `<tf_alias>.print`, and the module's TensorFlow alias."""

    func: Span
    tf_alias: str | None


@rule(
    "TFG024",
    "python-side-effect-in-tf-function",
    "A Python side effect in a `tf.function` (`print` of a tensor, appending to a list outside it, a Python "
    'counter `+= 1`) runs once per trace, not once per step: `print` shows `Tensor("...", shape=...)`, lists hold '
    "symbolic tensors, counters stay at 1.",
)
def find_python_side_effect_in_tf_function(info: ModuleInfo) -> Iterator[Finding]:
    for ff in list(info.functions.values()):
        if not ff.modes & _TRACED:
            continue
        scope = function_scope(info, ff.node)
        nodes = sorted(
            (n for n in info.own_nodes(ff.node) if isinstance(n, (ast.Call, ast.AugAssign, ast.Assign))),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for n in nodes:
            if isinstance(n, ast.Call):
                yield from _call(info, ff, n)
            else:
                yield from _store(info, ff, n, scope.globals | scope.nonlocals)


def _call(info: ModuleInfo, ff: FunctionFacts, call: ast.Call) -> Iterator[Finding]:
    f = call.func
    if isinstance(f, ast.Name) and f.id == "print" and resolve(info, ff.node, "print")[0] == "builtin":
        tensors = _tensor_args(info, call)
        if not tensors:
            return  # trace-time logging of Python values ("Tracing with", shapes): deliberate and harmless
        shown = info.text(tensors[0])
        yield Finding(
            "TFG024",
            f"`print` runs only while {_where(ff)}, not on every call, and `{shown}` is a symbolic tensor there: "
            f'it prints `Tensor("...", shape=..., dtype=...)` once per trace, never a value; use `tf.print`, which '
            "runs on every step and prints values",
            info.span(call),
            _print_fix_data(info, call),
        )
        return
    if isinstance(f, ast.Attribute) and f.attr == "add_loss" and _is_self_attr(f) and call.args:
        if _add_loss_escapes(info, ff):
            yield Finding(
                "TFG024",
                f"`self.add_loss(...)` records `{info.text(call.args[0])[:40]}` while `{ff.node.name}` is traced by "
                "its own `tf.function`: the loss is a symbolic tensor of that function's graph, and the layer's "
                "`.losses`, read outside it, cannot use it (`TypeError: ... is out of scope and cannot be used "
                "here`; read in another `tf.function`: `ValueError`; from a decorated helper: gradient `None`); "
                "drop the decorator (Keras traces `call` itself, under `fit` and inside a `tf.function` step) or "
                "return the loss instead",
                info.span(call),
                None,
            )
        return
    if isinstance(f, ast.Attribute) and f.attr in _MUTATORS:
        stored = [a for a in [*call.args, *(k.value for k in call.keywords)] if _holds_tensor(info, a)]
        if not stored:
            return  # trace-time bookkeeping of Python values (layers built lazily, shapes, names): deliberate
        kind = _outside_container(info, ff, f.value)
        if kind is None:
            return
        yield Finding("TFG024", _mutation_message(ff, f"`{info.text(f)}(...)`", kind), info.span(call), None)


def _add_loss_escapes(info: ModuleInfo, ff: FunctionFacts) -> bool:
    """`self.add_loss` in a method of a Keras 3 layer or model that a `tf.function` of its own traces, while the
    program reads some `.losses` outside that method. Measured (TF 2.21 / Keras 3): reading `.losses` after the
    call raises TypeError (out of scope), in another `tf.function` ValueError, and a decorated helper's loss gets
    None gradients; under `fit`, which never reads it from user code, the same layer trains."""
    if not ff.tf_function or ff.cls is None or ff.cls.keras_kind not in {"layer", "model"} or ff.cls.keras2:
        return False
    if info.keras2_program:
        return False  # tf_keras tracks the loss differently (not measured here)
    inside = {id(n) for n in ast.walk(ff.node)}
    return any(
        isinstance(n, ast.Attribute) and n.attr == "losses" and isinstance(n.ctx, ast.Load) and id(n) not in inside
        for n in ast.walk(info.tree)
    )


def _holds_tensor(info: ModuleInfo, e: ast.expr) -> bool:
    if isinstance(e, ast.Starred):
        e = e.value
    if isinstance(e, (ast.List, ast.Tuple, ast.Set)):
        return any(_holds_tensor(info, x) for x in e.elts)
    if isinstance(e, ast.Dict):
        return any(v is not None and _holds_tensor(info, v) for v in e.values)
    return info.tensors.level_of(e) >= TENSOR


def _mutation_message(ff: FunctionFacts, what: str, kind: str) -> str:
    holder = {"global": "a module-level", "closure": "an enclosing function's", "attribute": "an attribute's"}[kind]
    return (
        f"{what} stores tensors in {holder} Python container while {_where(ff)}: it runs once per trace, not once "
        "per step, and what it keeps are the trace's symbolic tensors, not values (`.numpy()` on them fails); "
        "return the values from the function and collect them outside (or use a `tf.TensorArray` / `tf.Variable`)"
    )


def _store(
    info: ModuleInfo, ff: FunctionFacts, stmt: ast.AugAssign | ast.Assign, declared: set[str]
) -> Iterator[Finding]:
    targets = [stmt.target] if isinstance(stmt, ast.AugAssign) else stmt.targets
    for t in targets:
        if isinstance(t, ast.Name) and t.id in declared:
            if _lazy_guarded(info, stmt, t.id, ff.node):
                continue  # `if X is None: X = ...`: set once on purpose
            if not _read_outside_traced_code(info, t.id, attribute=False):
                continue  # a trace-time id or cache nobody reads per step: deliberate
            scope_kind = "global" if t.id in function_scope(info, ff.node).globals else "nonlocal"
            counts = isinstance(stmt, ast.AugAssign) or any(
                isinstance(n, ast.Name) and n.id == t.id and isinstance(n.ctx, ast.Load) for n in ast.walk(stmt.value)
            )
            if not counts:
                if _holds_tensor(info, stmt.value):
                    yield Finding(
                        "TFG024",
                        f"`{info.text(stmt)[:60]}` keeps a symbolic tensor in a {scope_kind} Python variable while "
                        f"{_where(ff)}: it is set once per trace, and what `{t.id}` holds is the trace's symbolic "
                        "tensor, not a value (`.numpy()` on it raises `AttributeError`); return the value from the "
                        "function instead",
                        info.span(stmt),
                        None,
                    )
                continue  # a value fixed at trace time (variable names, indices, shapes): the same on every trace
            yield Finding(
                "TFG024",
                f"`{info.text(stmt)}` rebinds a {scope_kind} Python variable while {_where(ff)}: it runs once per trace, "
                f"not once per step (after 100 steps `{t.id}` has moved once); keep it in a `tf.Variable` and "
                "`assign_add` it",
                info.span(stmt),
                None,
            )
        elif isinstance(t, ast.Attribute) and _is_self_attr(t) and _tensor_state_rebound(info, ff, stmt, t):
            yield Finding(
                "TFG024",
                f"`{info.text(stmt)[:60]}` rebinds a tensor attribute from its own value while {_where(ff)}: the "
                f"graph reads `self.{t.attr}` as the constant it was at trace time, so every later call starts "
                f"from that value again (the same result each step), and after the call `self.{t.attr}` holds the "
                "trace's symbolic tensor (`.numpy()` on it raises `AttributeError`); keep the state in a "
                "`tf.Variable` made outside the function and `assign` it",
                info.span(stmt),
                None,
            )
        elif isinstance(stmt, ast.AugAssign) and _is_self_attr(t) and isinstance(t, ast.Attribute):
            values = _self_attr_values(info, ff, t.attr)
            if (
                values
                and all(_python_number(info, v) for v in values)
                and _read_outside_traced_code(info, t.attr, attribute=True)
            ):
                yield Finding(
                    "TFG024",
                    f"`{info.text(stmt)}` bumps a Python number on `self` while {_where(ff)}: it runs once per "
                    f"trace, not once per step (after 100 steps `self.{t.attr}` has moved once); keep it in a "
                    "`tf.Variable` (a Keras weight with `trainable=False`) and `assign_add` it",
                    info.span(stmt),
                    None,
                )
        elif isinstance(t, ast.Subscript) and _holds_tensor(info, stmt.value):
            kind = _outside_container(info, ff, t.value)
            if kind is not None:
                yield Finding("TFG024", _mutation_message(ff, f"`{info.text(t)} = ...`", kind), info.span(stmt), None)
