"""Value flow inside one function: where a value goes and which trainable weights it comes from.

`Flow` answers, per function (or the module's top level), where the value of an expression ends up
(`sinks`: a `tape.gradient` target, the function's return, `add_loss`), which ops on the way pass no
gradient back (`is_cut`: stop_gradient, index/mask/condition positions, argmax, integer casts, NumPy ...),
and which trainable weight holders an expression is computed from (`roots`).  Each function body is a
`FlowScope`: its parent map, name definitions and loads, shared by every `Flow(info)` of the module (rules
create one per check).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from operator import attrgetter
from typing import cast

from gradls.analysis.dtypes import is_int_cast
from gradls.analysis.module import TF1_OPTIMIZER_METHODS, TF_GRADIENTS, ModuleInfo, ScopeWalk, child_nodes, walk_own
from gradls.analysis.names import dotted
from gradls.analysis.tensors import NON_DIFF_OPS

STOP_GRADIENT = {"tensorflow.stop_gradient", "keras.ops.stop_gradient", "tensorflow.raw_ops.StopGradient"}
# Calls whose arguments are only printed / logged / collected: values stop there.
SINK_STOP_CALLS = {
    "print",
    "append",
    "extend",
    "info",
    "debug",
    "warning",
    "log",
    "write",
    "format",
    "update_state",
    "set_description",
    "set_postfix",
    "add_scalar",
    "scalar",
    "histogram",
    "assert_equal",
    "isfinite",
}
# TensorFlow modules whose calls print, log, check or write their arguments: a value passed to them goes nowhere.
# Any other `tensorflow.*` / `keras.ops.*` call is a tensor op, whatever its last name (`tf.math.log`, `ops.append`).
_TF_SINK_MODULES = (
    "tensorflow.print",
    "tensorflow.summary.",
    "tensorflow.compat.v1.summary.",
    "tensorflow.debugging.",
    "tensorflow.io.",
    "tensorflow.strings.",
)
_KERAS_DIFF_RETURNS = {"call", "__call__", "compute_loss", "loss"}
_COND_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try) + ((ast.Match,) if hasattr(ast, "Match") else ())
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
# The classes of FlowScope's nodes that bind names.
_FLOW_DEFINING = frozenset(
    {ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.NamedExpr, ast.With, ast.AsyncWith}
)


class FlowScope:
    """One function body (or the module's top level): parents, name definitions and loads."""

    def __init__(
        self,
        root: ast.AST,
        children: Callable[[ast.AST], list[ast.AST]] = child_nodes,
        walk: ScopeWalk | None = None,
        scope_walks: Callable[[ast.AST], ScopeWalk] | None = None,
    ):
        self.root = root
        self.defs: dict[str, list[tuple[ast.stmt, ast.AST]]] = {}  # name -> (stmt, assigned value or None)
        self.loads: dict[str, list[ast.expr]] = {}  # name or dotted attr -> load nodes
        walks: dict[int, ScopeWalk] = {}

        def walk_of(r: ast.AST) -> ScopeWalk:
            w = walks.get(id(r))
            if w is None:
                w = walks[id(r)] = ScopeWalk(r, r.body if hasattr(r, "body") else [r], children)
            return w

        # The scope's nodes from the walks the tape scopes of the same roots read (`ModuleInfo.scope_walk`: one walk
        # of a function's body for its tape scope, its flow scope and the flow scope of the module that holds it).
        nodes, self.parents = (walk or walk_of(root)).flow(scope_walks or walk_of, children)
        loads = self.loads
        # Dispatch on the node's exact class (the parser makes no subclasses): one set lookup per node instead of a
        # chain of isinstance tests.
        Name, Attribute, Load, NamedExpr = ast.Name, ast.Attribute, ast.Load, ast.NamedExpr
        defining = _FLOW_DEFINING
        for n in nodes:
            t = type(n)
            if t is Name or t is Attribute:
                if type(n.ctx) is Load:  # type: ignore[attr-defined]
                    d = n.id if t is Name else dotted(n)  # type: ignore[attr-defined]
                    if d:
                        found = loads.get(d)
                        if found is None:
                            loads[d] = [n]  # type: ignore[list-item]
                        else:
                            found.append(n)  # type: ignore[arg-type]
            elif t in defining:
                if t is ast.Assign or t is ast.AnnAssign or t is ast.AugAssign:
                    if getattr(n, "value", None) is not None:
                        targets = n.targets if t is ast.Assign else [n.target]  # type: ignore[attr-defined]
                        for tg in targets:
                            self._def_targets(n, tg, n.value)  # type: ignore[attr-defined]
                elif t is ast.For or t is ast.AsyncFor:
                    self._def_targets(n, n.target, None)  # type: ignore[attr-defined]
                elif t is NamedExpr:
                    self.defs.setdefault(n.target.id, []).append((self.statement(n), n.value))  # type: ignore[attr-defined]
                else:  # with / async with
                    for item in n.items:  # type: ignore[attr-defined]
                        if item.optional_vars is not None:
                            self._def_targets(n, item.optional_vars, None)
        by_position = attrgetter("lineno", "col_offset")
        for v in self.loads.values():
            if len(v) > 1:
                v.sort(key=by_position)

    def _def_targets(self, stmt, t, value):
        if isinstance(t, ast.Name):
            self.defs.setdefault(t.id, []).append((stmt, value))
        elif isinstance(t, (ast.Tuple, ast.List)):
            vals = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(t.elts) else None
            for i, e in enumerate(t.elts):
                self._def_targets(stmt, e.value if isinstance(e, ast.Starred) else e, vals[i] if vals else value)
        elif isinstance(t, ast.Attribute):
            d = dotted(t)
            if d:
                self.defs.setdefault(d, []).append((stmt, value))

    def parent(self, n):
        return self.parents.get(id(n))

    def statement(self, n):
        p = n
        while p is not None and not isinstance(p, ast.stmt):
            p = self.parent(p)
        return p

    def cond_ancestors(self, n) -> list[ast.AST]:
        out: list[ast.AST] = []
        p = self.parent(n)
        while p is not None and p is not self.root:
            if isinstance(p, _COND_BLOCKS):
                out.append(p)
            p = self.parent(p)
        return out

    def loop_of(self, n):
        p = self.parent(n)
        while p is not None and p is not self.root:
            if isinstance(p, _LOOPS):
                return p
            p = self.parent(p)
        return None

    def contains(self, outer: ast.AST, inner: ast.AST) -> bool:
        p = inner
        while p is not None:
            if p is outer:
                return True
            p = self.parent(p)
        return False

    def uses(self, name: str, stmt: ast.stmt) -> list[ast.AST]:
        """Loads of `name` that can see the definition made by `stmt`."""
        end = getattr(stmt, "end_lineno", stmt.lineno)
        conds = {id(c) for c in self.cond_ancestors(stmt)}
        kill = None
        kill_reads: ast.AST | None = None  # what the rebinding statement evaluates before it binds
        for s, _ in self.defs.get(name, ()):
            if s is stmt or s.lineno <= end or isinstance(s, ast.AugAssign):
                continue
            if self._other_branch(s, stmt):
                continue  # `if c: t = f(x)` / `else: t = x`: the else's binding never follows the body's
            if all(id(c) in conds for c in self.cond_ancestors(s)) and (kill is None or s.lineno < kill):
                kill = s.lineno
                kill_reads = getattr(s, "iter", None) if isinstance(s, _LOOPS) else getattr(s, "value", None)
        loop = self.loop_of(stmt)
        out: list[ast.AST] = []
        for n in self.loads.get(name, ()):
            # The statement that rebinds the name reads it first, on any of its lines (`q, k = [f(x) for x in
            # (q, k)]` over three lines).
            if n.lineno > end and (
                kill is None or n.lineno <= kill or (kill_reads is not None and self.contains(kill_reads, n))
            ):
                out.append(n)
            elif loop is not None and n.lineno <= end and self.contains(loop, n) and not self.contains(stmt, n):
                out.append(n)
        # x += y reads the old x: treat the augmented target as a use too.
        for s, _ in self.defs.get(name, ()):
            if isinstance(s, ast.AugAssign) and s is not stmt and s.lineno > end and (kill is None or s.lineno <= kill):
                out.append(s.target)
        return out

    def reaching_defs(self, name: str, at: ast.AST) -> list[tuple[ast.stmt, ast.AST]]:
        stmt = self.statement(at)
        line = stmt.lineno if stmt is not None else cast(ast.expr, at).lineno
        loop = self.loop_of(at)
        out = []
        for s, v in self.defs.get(name, ()):
            if s.lineno < line or (loop is not None and self.contains(loop, s)):
                if (not (stmt is not None and self.contains(s, at)) or isinstance(s, _LOOPS)) and not (
                    self._other_branch(s, at)
                ):
                    out.append((s, v))
        return out

    def _other_branch(self, s: ast.AST, at: ast.AST) -> bool:
        """Is `s` in one branch of an `if` and `at` in the other (`if c: t = a` / `else: t = b; use(t)`)?"""
        for c in self.cond_ancestors(s):
            if isinstance(c, ast.If) and self.contains(c, at):
                in_body = any(self.contains(b, s) for b in c.body)
                return any(self.contains(b, at) for b in (c.orelse if in_body else c.body))
        return False


def _is_tensor_op(q: str) -> bool:
    """A TensorFlow / Keras op computing a tensor from its arguments (not printing, logging or writing them)."""
    return q.startswith(("tensorflow.", "keras.ops.")) and not q.startswith(_TF_SINK_MODULES)


def _computes_value(q: str) -> bool:
    """A call named like a logging sink that returns a value made from its arguments: a tensor op, or NumPy's /
    `math`'s `log` and NumPy's `append` (a new array); `isfinite` is a check, so the value stops there."""
    if _is_tensor_op(q):
        return True
    return q.startswith(("numpy.", "math.")) and q.rsplit(".", 1)[-1] in {"log", "append"}


class _ReachedReturn(Exception):
    """Unwinds `Flow.sinks` once the value reached the return `Flow.reaches_return` asks about."""


class Flow:
    """Value flow inside one function, cached per scope; a module function's return value is followed into
    its callers (tuple elements through unpacking), a few calls deep."""

    def __init__(self, info: ModuleInfo, follow_appends: bool = False):
        self.info = info
        # `steps.append(h)` into a Python list: with `follow_appends`, the value goes on wherever the list is read
        # (`tf.stack(steps)`); without, `append` is a sink like a log call (a history of losses kept for printing)
        self.follow_appends = follow_appends
        # A FlowScope depends on its root alone and is never changed once built: every Flow of the module shares
        # them (rules create a Flow per check; each used to index the module's top level again).
        self.scopes: dict[int, FlowScope] = info.memo(f"{__name__}.scopes", dict)
        self._grad_calls: dict[int, ast.Call] = {}  # gradient calls met on the way, found from other scopes
        self._depth = 0
        self._avoid: int | None = None  # id of the node whose paths `root_other_sinks` must not pass through
        self._stop_at_return: int | None = None  # see reaches_return

    def scope_of(self, node: ast.AST) -> FlowScope:
        fn = self.info.enclosing_function(node)
        root = fn if fn is not None else self.info.tree
        s = self.scopes.get(id(root))
        if s is None:
            s = self.scopes[id(root)] = FlowScope(
                root, self.info.child_nodes, self.info.scope_walk(root), self.info.scope_walk
            )
        return s

    # ------------------------------------------------------------------ sinks
    def is_cut(self, call: ast.Call, arg: ast.AST) -> str | None:
        """Does `call` pass no gradient back into its argument `arg`?  'index' for index/mask/condition
        positions and stop_gradient (the other operands still carry gradients), 'nondiff' for ops whose
        result has no gradient (argmax, equal, integer casts, NumPy, Python conversions), else None."""
        q = self.info.imports.qualname(call.func) or ""
        last = q.rsplit(".", 1)[-1]
        if q in STOP_GRADIENT:
            return "index"
        if q.startswith("numpy."):
            return "nondiff"
        if q.startswith(("tensorflow.", "keras.ops.")):
            idx = _arg_index(call, arg)
            if last in {"gather", "gather_nd", "batch_gather"} and (idx == 1 or _kw_is(call, arg, "indices")):
                return "index"
            if last == "where" and len(call.args) == 1 and not call.keywords:
                return "nondiff"  # `tf.where(cond)` alone: the int64 coordinates where `cond` holds
            if last in {"where", "cond"} and (idx == 0 or _kw_is(call, arg, "condition") or _kw_is(call, arg, "pred")):
                return "index"
            if last == "boolean_mask" and (idx == 1 or _kw_is(call, arg, "mask")):
                return "index"
            if last in {"one_hot", "fill", "zeros", "ones", "range", "sequence_mask"} and idx == 0:
                return "index"
            if last in NON_DIFF_OPS:
                return "nondiff"
            if last == "cast" and is_int_cast(self.info, call):
                return "nondiff"
        if isinstance(call.func, ast.Attribute) and call.func.attr in {"numpy", "item", "tolist"}:
            return "nondiff"
        if isinstance(call.func, ast.Name) and call.func.id in {"int", "float", "bool", "len", "round"}:
            return "nondiff"
        return None

    def sinks(
        self, node: ast.AST, cut: bool | str = True, _seen: set | None = None, _scope: FlowScope | None = None
    ) -> set:
        """Where the value of `node` ends up: ('grad', id(tape.gradient call)), ('return', id(function)),
        ('add_loss',).  With `cut=True`, flow stops at ops that pass no gradient (stop_gradient, argmax, ...);
        with `cut="index"` only at stop_gradient and index/mask/condition positions."""
        seen = _seen if _seen is not None else set()
        if id(node) in seen:
            return set()
        seen.add(id(node))
        sc = _scope if _scope is not None else self.scope_of(node)
        out: set = set()
        cur = node
        prev: ast.AST = node
        p = sc.parent(cur)
        returned_tuple: tuple[ast.Tuple, int] | None = None  # (tuple, index of the value in it)
        while p is not None and not isinstance(p, ast.stmt):
            if id(p) == self._avoid:
                return out
            if isinstance(p, ast.Tuple):
                returned_tuple = (p, next((i for i, e in enumerate(p.elts) if e is cur), -1))
            if isinstance(p, ast.Call):
                if cur is not p.func:
                    f = p.func
                    name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
                    q = self.info.imports.qualname(f) or ""
                    if name in {"gradient", "jacobian", "batch_jacobian"} and isinstance(f, ast.Attribute):
                        if (p.args and p.args[0] is cur) or _kw_is(p, cur, "target"):
                            out.add(("grad", id(p)))
                            self._grad_calls[id(p)] = p
                        return out
                    if name == "add_loss":
                        out.add(("add_loss",))
                        return out
                    if self.info.builds_tf1_graphs and _tf1_differentiates(q, name, p, cur):
                        # a TF 1 graph: `tf.gradients(loss, xs)`, `opt.minimize(loss)` differentiate what built it
                        out.add(("grad", id(p)))
                        self._grad_calls[id(p)] = p
                        return out
                    if (
                        self.follow_appends
                        and name in {"append", "extend"}
                        and (grown := self._grown_list(p, cur, sc)) is not None
                    ):
                        # `steps.append(h)` into a Python list made in this scope: the value goes on wherever the list
                        # is read after it (`tf.stack(steps)`, `tf.add_n(losses)`), in the loop or after it
                        for use in sc.uses(grown, sc.statement(p)):
                            out |= self.sinks(use, cut, seen, sc)
                        return out
                    if (
                        (name in SINK_STOP_CALLS and not _computes_value(q))
                        or q == "tensorflow.print"
                        or q.startswith(("logging.", "tensorflow.summary."))
                    ):
                        return out
                    if name in {"apply_gradients", "minimize", "assign", "assign_add", "assign_sub", "watch"}:
                        return out
                    if cut:
                        why = self.is_cut(p, cur)
                        if why == "index" or (why and cut is True):
                            return out
                    if not cut and name in {"len", "isinstance", "type", "id"}:
                        return out
                elif isinstance(p.func, ast.Attribute) and p.func.attr in {"numpy", "item", "tolist"} and cut is True:
                    return out
            elif isinstance(p, ast.Attribute):
                if p.attr in {
                    "shape",
                    "dtype",
                    "ndim",
                    "name",
                    "device",
                    "trainable_variables",
                    "trainable_weights",
                    "variables",
                    "weights",
                    "non_trainable_variables",
                }:
                    return out
            elif isinstance(p, ast.Subscript):
                if cur is p.slice:
                    return out
            elif isinstance(p, ast.Compare):
                if cut is True or any(isinstance(o, (ast.Is, ast.IsNot, ast.In, ast.NotIn)) for o in p.ops):
                    return out
            elif isinstance(p, ast.BinOp) and isinstance(p.op, ast.FloorDiv):
                if cut is True:
                    return out  # `t // c` is tf.math.floordiv on a tensor: no gradient for either operand
            elif isinstance(p, ast.IfExp):
                if cur is p.test:
                    return out
            elif isinstance(p, ast.comprehension):
                if cur is p.iter:
                    # Iterated by a comprehension: the value goes on through the target names its elements read
                    # (`[f(w) for t, w in zip(a, value)]`: only `w`, by position, when the iterable is a zip).
                    out |= self._comprehension_sinks(p, prev, cut, seen, sc)
                return out
            elif isinstance(p, (ast.JoinedStr, ast.FormattedValue, ast.Lambda)):
                return out
            elif isinstance(p, ast.keyword) and p.arg in {"training", "mask", "sample_weight"}:
                return out
            prev, cur = cur, p
            p = sc.parent(cur)
        stmt = p
        if stmt is None:
            return out
        if isinstance(stmt, ast.Return):
            fn = self.info.enclosing_function(stmt)
            if fn is None and isinstance(sc.root, (ast.FunctionDef, ast.AsyncFunctionDef)):
                fn = sc.root
            if fn is not None:
                out.add(("return", id(fn)))
                if id(fn) == self._stop_at_return:
                    raise _ReachedReturn
                if cur is stmt.value:
                    index = None
                    if returned_tuple is not None and returned_tuple[0] is stmt.value:
                        index = returned_tuple[1]
                    if index != -1:
                        out |= self._caller_sinks(fn, index, cut, seen)
            return out
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and cur is getattr(stmt, "value", None):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                for name in self._target_names(t, stmt.value, node, sc):
                    for use in sc.uses(name, stmt):
                        out |= self.sinks(use, cut, seen, sc)
        return out

    def _grown_list(self, call: ast.Call, arg: ast.AST, sc: FlowScope) -> str | None:
        """`name.append(arg)` / `name.extend(arg)` as a statement of its own, every binding of `name` in `sc` that
        reaches it a list display (`[]`): the list's name; None for anything else (a method of another object, a
        list handed in)."""
        f = call.func
        if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and call.args and call.args[0] is arg):
            return None
        if len(call.args) != 1 or call.keywords or not isinstance(sc.parent(call), ast.Expr):
            return None
        defs = sc.reaching_defs(f.value.id, call)
        if not defs or not all(isinstance(v, ast.List) for _, v in defs):
            return None
        return f.value.id

    def reaches_return(self, node: ast.AST, fn: ast.AST, cut: bool | str) -> bool:
        """`("return", id(fn)) in self.sinks(node, cut)`, answered at the first path that reaches `fn`'s return: the
        rest of the flow, and where `fn`'s callers take its value, cannot change the answer (function_summaries asks
        this of every parameter use; following the callers was most of a summary's cost in big Keras layers)."""
        outer, self._stop_at_return = self._stop_at_return, id(fn)
        try:
            return ("return", id(fn)) in self.sinks(node, cut)
        except _ReachedReturn:
            return True
        finally:
            self._stop_at_return = outer

    def _comprehension_sinks(self, gen: ast.comprehension, arg: ast.AST, cut, seen: set, sc: FlowScope) -> set:
        """Sinks of a value iterated by the comprehension generator `gen` (`arg`: the iterable itself, or the
        argument of `zip(...)` that holds the value): those of the loads of the target names it binds."""
        target = gen.target
        it = gen.iter
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "zip"
            and isinstance(target, (ast.Tuple, ast.List))
            and len(target.elts) == len(it.args)
            and not any(isinstance(a, ast.Starred) for a in it.args)
            and any(a is arg for a in it.args)
        ):
            target = target.elts[next(i for i, a in enumerate(it.args) if a is arg)]
        names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        comp = sc.parent(gen)
        if comp is None or not names:
            return set()
        out: set = set()
        for n in ast.walk(comp):
            if (
                isinstance(n, ast.Name)
                and isinstance(n.ctx, ast.Load)
                and n.id in names
                and not _inside(sc, n, gen.iter)
            ):
                out |= self.sinks(n, cut, seen, sc)
        return out

    def _caller_sinks(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, index: int | None, cut, seen: set) -> set:
        """Follow a module function's return value into its callers (element `index` of a returned tuple,
        unpacked at the call site), so `logits, pred = forward(x)` carries on where `pred` is used."""
        ff = self.info.facts(fn)
        if ff is None or ff.custom_gradient:
            return set()
        if ff.parent is not None:
            return self._nested_caller_sinks(fn, ff.parent, index, cut, seen)
        self_calls = ff.keras_method == "call" and ff.cls is not None and ff.cls.keras_kind in {"model", "layer"}
        if ff.keras_method and not self_calls:
            return set()
        if self._depth >= _MAX_CALL_DEPTH:
            return set()
        from gradls.analysis.call_sites import function_uses, method_calls

        sites: list[tuple[ast.Call | None, ast.AST]]
        if self_calls and ff.cls is not None:
            # The `call` of a Keras class: its value goes on where the class's other methods run the model
            # (`_, pred = self(x)` in a train_step).
            sites = self._self_call_sites(ff.cls)
        elif ff.cls is not None:
            # A method of a plain class (a `tf.Module`, a wrapper): its callers are the calls on its instances.
            if ff.cls.keras_kind is not None:
                return set()
            sites = list(method_calls(self.info).get(id(fn), []))
        elif self.info.module_functions.get(fn.name) is fn:
            sites = list(function_uses(self.info).get(fn.name, []))
        else:
            return set()
        out: set = set()
        self._depth += 1
        try:
            for call, root in sites:
                if call is None:
                    continue
                out |= self._call_result_sinks(call, index, cut, seen, self.scope_for_root(root))
        finally:
            self._depth -= 1
        return out

    def _nested_caller_sinks(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, parent, index: int | None, cut, seen: set
    ) -> set:
        """A def nested in `parent`: its value goes on where `parent` calls it by name (`logits = forward()`)."""
        if fn.decorator_list or self._depth >= _MAX_CALL_DEPTH:
            return set()
        sc = self.scope_for_root(parent)
        parent_facts = self.info.facts(parent)
        if fn.name in sc.defs or parent_facts is None or parent_facts.nested.get(fn.name) is not fn:
            return set()
        out: set = set()
        self._depth += 1
        try:
            for use in sc.loads.get(fn.name, ()):
                call = sc.parent(use)
                if isinstance(call, ast.Call) and call.func is use:
                    out |= self._call_result_sinks(call, index, cut, seen, sc)
        finally:
            self._depth -= 1
        return out

    def _call_result_sinks(self, call: ast.Call, index: int | None, cut, seen: set, sc: FlowScope) -> set:
        """Sinks of what `call` returns (element `index` of a returned tuple, unpacked at the call:
        `logits, pred = forward(x)`)."""
        if index is None:
            return self.sinks(call, cut, seen, sc)
        stmt = sc.parent(call)
        if not (isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1):
            return set()
        target = stmt.targets[0]
        if (
            not isinstance(target, (ast.Tuple, ast.List))
            or index >= len(target.elts)
            or any(isinstance(e, ast.Starred) for e in target.elts)
        ):
            return set()
        el = target.elts[index]
        out: set = set()
        if isinstance(el, ast.Name):
            for use in sc.uses(el.id, stmt):
                out |= self.sinks(use, cut, seen, sc)
        return out

    def local_callee(self, call: ast.Call, sc: FlowScope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The body `call` runs when it is `f(...)` of a def `f` nested in the function of `sc` (bound by that def
        alone, undecorated), or `super().m(...)` in a method of a class of this module whose first base of the
        module defining `m` comes before any base from elsewhere; None otherwise."""
        f = call.func
        root = sc.root
        if not isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        ff = self.info.facts(root)
        if ff is None:
            return None
        if isinstance(f, ast.Name):
            fn = ff.nested.get(f.id)
            if fn is None or fn.decorator_list or f.id in sc.defs:
                return None
            defs = [c for n in walk_own(root) for c in ast.iter_child_nodes(n) if getattr(c, "name", None) == f.id]
            return fn if len(defs) == 1 else None
        if not (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Call)
            and isinstance(f.value.func, ast.Name)
            and f.value.func.id == "super"
            and not f.value.args
            and ff.cls is not None
            and ff.parent is None
        ):
            return None
        cls = ff.cls.node
        for _ in range(8):
            if len(cls.bases) != 1 or not isinstance(cls.bases[0], ast.Name):
                return None
            base = self.info.classes.get(cls.bases[0].id)
            if base is None:
                return None  # a library class (keras.Model): its own method
            found = base.node and base.methods.get(f.attr)
            if isinstance(found, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return None if found.decorator_list else found
            cls = base.node
        return None

    def _callee_calls(self, sc: FlowScope) -> list[ast.Call]:
        """The calls of `sc` that `local_callee` resolves (nested defs called by name, `super().m(...)`)."""
        out: list[ast.Call] = []
        names = ["super"]
        ff = self.info.facts(sc.root) if isinstance(sc.root, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if ff is not None:
            names += list(ff.nested)
        for name in names:
            for use in sc.loads.get(name, ()):
                call = sc.parent(use)
                if name == "super" and isinstance(call, ast.Call):
                    call = sc.parent(sc.parent(call))
                if isinstance(call, ast.Call) and self.local_callee(call, sc) is not None:
                    out.append(call)
        return out

    def scope_for_root(self, root: ast.AST) -> FlowScope:
        """The FlowScope of a function body (or of the module for `info.tree`), built once per analysed module."""
        s = self.scopes.get(id(root))
        if s is None:
            s = self.scopes[id(root)] = FlowScope(
                root, self.info.child_nodes, self.info.scope_walk(root), self.info.scope_walk
            )
        return s

    def _target_names(self, t, value, node, sc) -> list[str]:
        if isinstance(t, ast.Name):
            return [t.id]
        if isinstance(t, ast.Attribute):
            d = dotted(t)
            return [d] if d else []
        if isinstance(t, ast.Starred):
            return self._target_names(t.value, None, node, sc)
        if isinstance(t, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(t.elts):
                out = []
                for te, ve in zip(t.elts, value.elts):
                    if sc.contains(ve, node):
                        out += self._target_names(te, ve, node, sc)
                return out
            out = []
            for te in t.elts:
                out += self._target_names(te, None, node, sc)
            return out
        return []

    # ------------------------------------------------------------------ roots
    def roots(self, expr: ast.AST, depth: int = 0, _seen: set | None = None) -> dict[str, ast.AST]:
        """Trainable weight holders an expression is computed from: layer/model calls and variables,
        followed through local assignments.  Keys are dotted names ('self.dense', 'model', 'w')."""
        seen = _seen if _seen is not None else set()
        out: dict[str, ast.AST] = {}
        if depth > 8:
            return out
        sc = self.scope_of(expr)
        kind_of = self.info.tensors.kind_of
        todo = [expr]
        while todo:
            n = todo.pop()
            if isinstance(n, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(n, ast.Call):
                if isinstance(n.func, ast.Attribute) and n.func.attr in {"numpy", "item", "tolist"}:
                    continue
                if isinstance(n.func, (ast.Name, ast.Attribute)) and kind_of(n.func) == "layer":
                    d = dotted(n.func)
                    if d:
                        out.setdefault(d, n.func)
                elif (
                    isinstance(n.func, ast.Attribute)
                    and n.func.attr in {"call", "__call__"}
                    and kind_of(n.func.value) == "layer"
                ):
                    d = dotted(n.func.value)
                    if d:
                        out.setdefault(d, n.func.value)
                elif isinstance(n.func, ast.Subscript) and kind_of(n.func) == "layer":
                    d = dotted(n.func.value)  # `self.blocks[name](h)`: the layers of the container
                    if d:
                        out.setdefault(d, n.func.value)
                elif self.runs_self_model(n):
                    out.setdefault("self", n.func)
                elif (callee := self.local_callee(n, sc)) is not None and ("def", id(callee)) not in seen:
                    # `forward()` of a def nested here, `super().call(x)`: what its return statements compute
                    seen.add(("def", id(callee)))
                    for ret in walk_own(callee):
                        if isinstance(ret, ast.Return) and ret.value is not None:
                            found = self.roots(ret.value, depth + 1, seen)
                            out.update({k: x for k, x in found.items() if k not in out})
                q = self.info.imports.qualname(n.func) or ""
                if q.startswith("tensorflow.") and q.rsplit(".", 1)[-1] in {"gradient", "stop_gradient"}:
                    continue
            elif isinstance(n, (ast.Name, ast.Attribute)) and isinstance(getattr(n, "ctx", None), ast.Load):
                d = dotted(n)
                if d and kind_of(n) == "variable":
                    out.setdefault(d, n)
                    continue
                if isinstance(n, ast.Name) and (n.id, id(sc.root)) not in seen:
                    seen.add((n.id, id(sc.root)))
                    for _, v in sc.reaching_defs(n.id, n):
                        if v is not None:
                            out.update({k: x for k, x in self.roots(v, depth + 1, seen).items() if k not in out})
                    if n.id == "y_pred" and n.id not in sc.defs and self.model_output_param(sc.root) == n.id:
                        # `compute_loss(self, x, y, y_pred, ...)` of a Keras model: Keras' train_step passes the
                        # model's output, computed under its tape, as `y_pred`.
                        out.setdefault(n.id, n)
                        continue
                    if n.id not in sc.defs and sc.root is not self.info.tree:
                        # A closure / module name: a module-level variable or model.
                        k = self.info.module_objects.get(n.id)
                        if k in {"variable", "layer"}:
                            out.setdefault(n.id, n)
                    continue
            todo.extend(ast.iter_child_nodes(n))
        return out

    def self_model_class(self, at: ast.AST):
        """The Keras class (a `keras.Model` / `keras.Layer` subclass of this module) whose method, outside its own
        `call`, holds `at`: there `self(x)` runs the model, whose weights `self.trainable_variables` lists."""
        fn = self.info.enclosing_function(at)
        ff = self.info.facts(fn)
        while ff is not None and ff.cls is None and ff.parent is not None:
            ff = self.info.facts(ff.parent)
        if ff is None or ff.cls is None or ff.cls.keras_kind not in {"model", "layer"}:
            return None
        if ff.keras_method in {"call", "__call__"} or ff.node.name in {"call", "__call__", "build", "__init__"}:
            return None
        return ff.cls

    def _self_call_sites(self, cls) -> list[tuple[ast.Call | None, ast.AST]]:
        """(`self(x)` / `self.call(x)` call, method) for every method of the Keras class `cls` that runs the model."""
        memo: dict[int, list[tuple[ast.Call | None, ast.AST]]] = self.info.memo(f"{__name__}.self_call_sites", dict)
        got = memo.get(id(cls.node))
        if got is None:
            got = memo[id(cls.node)] = []
            if "self(" in self.info.source or "self.call(" in self.info.source or "self.__call__(" in self.info.source:
                for m in cls.methods.values():
                    for n in walk_own(m):
                        if isinstance(n, ast.Call) and self.runs_self_model(n):
                            got.append((n, m))
        return got

    def _method_uses_model(self, cls, name: str) -> bool:
        """Does the method `name` of the Keras class `cls` run the model (`self(x)`) or read its layers or
        variables (`self.<attr>`)?  One level: its own body."""
        m = cls.methods.get(name)
        if not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        attrs = cls.layer_attrs | cls.variable_attrs
        for n in walk_own(m):
            if isinstance(n, ast.Call) and self.runs_self_model(n):
                return True
            if (
                isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name)
                and n.value.id == "self"
                and n.attr in attrs
            ):
                return True
        return False

    def model_output_param(self, fn: ast.AST) -> str | None:
        """'y_pred' when `fn` is the `compute_loss` override of a Keras model with a `y_pred` parameter: Keras 3's
        `train_step` calls it with `y_pred=self(x, training=True)` inside its GradientTape."""
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.name != "compute_loss":
            return None
        ff = self.info.facts(fn)
        if ff is None or ff.cls is None or ff.cls.keras_kind != "model":
            return None
        a = fn.args
        return "y_pred" if any(x.arg == "y_pred" for x in [*a.posonlyargs, *a.args, *a.kwonlyargs]) else None

    def runs_self_model(self, call: ast.AST) -> bool:
        """Is `call` `self(x)` / `self.call(x)` / `self.__call__(x)` in a method of a Keras class (a `train_step`,
        `compute_loss`, a helper): the forward pass of the model the method belongs to?"""
        if not isinstance(call, ast.Call):
            return False
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr in {"call", "__call__"}:
            f = f.value
        if not (isinstance(f, ast.Name) and f.id == "self"):
            return False
        sc = self.scope_of(call)
        if "self" in sc.defs:
            return False  # `self` rebound in the method: not the instance
        return self.self_model_class(call) is not None

    def root_other_sinks(self, root: str, node: ast.AST, cut_node: ast.AST) -> set:
        """Sinks the weights `root` reach through paths that avoid `cut_node`."""
        sc = self.scope_of(node)
        out: set = set()
        # Paths that pass through `cut_node` itself do not avoid it: a helper call that cuts its argument
        # (`loss = custom_loss(y, pred)` with `pred = model(x)` earlier) is no op the walk below stops at.
        self._avoid = id(cut_node)
        cls = self.self_model_class(node) if root == "self" else None
        try:
            if cls is not None:
                # The model's weights also reach the loss through its own layers and variables used directly
                # (`z = self.encoder(x)` beside `tf.stop_gradient(self(x2))`).
                for attr in sorted(cls.layer_attrs | cls.variable_attrs):
                    for used in sc.loads.get(f"self.{attr}", ()):
                        if not sc.contains(cut_node, used):
                            out |= self.sinks(used, cut=True)
            for occ in sc.loads.get(root, ()):
                if sc.contains(cut_node, occ):
                    continue
                if root == "self":
                    # The model the method belongs to: only its forward passes (`self(x)`, `self.call(x)`) carry
                    # its weights; `self.compiled_loss(...)`, `self.optimizer` and friends are other objects.
                    # A method of the class that runs the model or reads its layers (`self.forward_loss(x, y)`) is
                    # one of them too.
                    p = sc.parent(occ)
                    call = sc.parent(p) if isinstance(p, ast.Attribute) else p
                    if not (isinstance(call, ast.Call) and not sc.contains(call, node)):
                        continue
                    if not (
                        self.runs_self_model(call)
                        or (
                            cls is not None
                            and isinstance(p, ast.Attribute)
                            and call.func is p
                            and self._method_uses_model(cls, p.attr)
                        )
                    ):
                        continue
                    occ = call
                p = sc.parent(occ)
                if (
                    isinstance(p, ast.Attribute)
                    and p.value is occ
                    and dotted(p) in sc.loads
                    and p.attr not in {"call", "__call__"}
                ):
                    # `model.layer1` and friends: only when it is itself used like the model.
                    pass
                out |= self.sinks(occ, cut=True)
            for call in self._callee_calls(sc):
                # a nested def or a `super()` method that runs the weights (`logits = forward()`)
                if not sc.contains(cut_node, call) and root in self.roots(call):
                    out |= self.sinks(call, cut=True)
        finally:
            self._avoid = None
        return out

    def differentiated(self, root: str, sink: tuple, node: ast.AST) -> bool:
        """Are the weights of `root` among the sources the sink differentiates?"""
        if sink[0] == "return":
            fn = self.info.enclosing_function(node)
            ff = self.info.facts(fn)
            while ff is not None and ff.cls is None and ff.parent is not None:
                ff = self.info.facts(ff.parent)
            if ff is None or ff.keras_method not in _KERAS_DIFF_RETURNS or id(ff.node) != sink[1]:
                return False
            if root == "y_pred" and self.model_output_param(ff.node) == root:
                return True
            if root == "self":
                # `self(x)` in a loss method (`compute_loss`, `loss`): Keras' train_step differentiates what it
                # returns with respect to the model's trainable variables.
                return ff.keras_method not in {"call", "__call__"}
            return root.startswith("self.") or self.info.module_objects.get(root) == "variable"
        if sink[0] == "add_loss":
            return root.startswith("self.")
        call = cast("ast.Call | None", self._grad_calls.get(sink[1]) or _find_by_id(self.scope_of(node), sink[1]))
        if call is None:
            return False
        if isinstance(call.func, ast.Attribute) and call.func.attr in TF1_OPTIMIZER_METHODS:
            # `opt.minimize(loss)` in a TF 1 graph: the variables given, else every trainable variable of the graph
            given = (
                call.args[1]
                if len(call.args) > 1
                else next((k.value for k in call.keywords if k.arg == "var_list"), None)
            )
            if given is None:
                return True  # every trainable variable of the graph: each root holds some (a variable, a layer)
            return self._in_sources(root, given, call, 0)
        if len(call.args) < 2 and not any(k.arg in {"sources", "xs"} for k in call.keywords):
            return False
        src = call.args[1] if len(call.args) > 1 else next(k.value for k in call.keywords if k.arg in {"sources", "xs"})
        if isinstance(src, ast.Call) and self.info.imports.qualname(src.func) in _GRAPH_VARIABLE_LISTS:
            return True  # `tf.gradients(loss, tf.trainable_variables())`: every variable of the graph
        return self._in_sources(root, src, call, 0)

    def _in_sources(self, root: str, src: ast.AST, at: ast.AST, depth: int) -> bool:
        if depth > 4:
            return False
        if isinstance(src, (ast.List, ast.Tuple)):
            return any(self._in_sources(root, e, at, depth + 1) for e in src.elts)
        if isinstance(src, ast.Starred):
            return self._in_sources(root, src.value, at, depth + 1)
        if isinstance(src, ast.BinOp) and isinstance(src.op, ast.Add):
            return self._in_sources(root, src.left, at, depth + 1) or self._in_sources(root, src.right, at, depth + 1)
        d = dotted(src)
        if d is None:
            if isinstance(src, ast.Call) and isinstance(src.func, ast.Name) and src.func.id == "list" and src.args:
                return self._in_sources(root, src.args[0], at, depth + 1)
            return False
        if d == root:
            return True
        for suffix in (".trainable_variables", ".trainable_weights", ".variables", ".weights"):
            if d.endswith(suffix):
                owner = d[: -len(suffix)]
                if owner == root or root.startswith(owner + "."):
                    return True
                if root == "self" and owner.startswith("self.") and "." not in owner[5:]:
                    # `self.d1.trainable_variables` of the model `self` whose `call` runs `self.d1`
                    return self._call_reads(at, owner[5:])
                # `self.w` of a method reached through `net(x)`: `net.trainable_variables` holds it.
                return root.startswith("self.") and self._instance_of_root_class(owner, root, at)
        if isinstance(src, ast.Name):
            sc = self.scope_of(at)
            return any(
                v is not None and self._in_sources(root, v, at, depth + 1) for _, v in sc.reaching_defs(src.id, at)
            )
        return False

    def _call_reads(self, at: ast.AST, attr: str) -> bool:
        """Does the `call` of the Keras class whose method holds `at` read its layer `self.<attr>`?"""
        cls = self.self_model_class(at)
        run = cls.methods.get("call") if cls is not None and attr in cls.layer_attrs else None
        return isinstance(run, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(n, ast.Attribute) and n.attr == attr and isinstance(n.value, ast.Name) and n.value.id == "self"
            for n in walk_own(run)
        )

    def _instance_of_root_class(self, owner: str, root: str, at: ast.AST) -> bool:
        """Is `owner` (a name at `at`) an instance of a plain class of this module whose methods read `root`
        (`self.<attr>`, a variable the class makes)?"""
        from gradls.analysis.regions import instance_class

        if "." in owner:
            return False
        cls = instance_class(self.info, ast.Name(id=owner, ctx=ast.Load()), self.info.enclosing_function(at))
        return cls is not None and cls.keras_kind is None and root.split(".")[1] in cls.variable_attrs


_MAX_CALL_DEPTH = 3


_GRAPH_VARIABLE_LISTS = frozenset(
    {
        "tensorflow.compat.v1.trainable_variables",
        "tensorflow.compat.v1.global_variables",
        "tensorflow.trainable_variables",
    }
)


def _tf1_differentiates(q: str, name: str, call: ast.Call, arg: ast.AST) -> bool:
    """Is `arg` what the TF 1 graph call `call` differentiates: `ys` of `tf.gradients(ys, xs)`, the loss of
    `optimizer.minimize(loss)` / `compute_gradients(loss)`?"""
    first = call.args[0] if call.args else None
    if q in TF_GRADIENTS:
        return first is arg or _kw_is(call, arg, "ys")
    if name in TF1_OPTIMIZER_METHODS and isinstance(call.func, ast.Attribute):
        return first is arg or _kw_is(call, arg, "loss")
    return False


def _inside(sc: FlowScope, node: ast.AST, outer: ast.AST) -> bool:
    return sc.contains(outer, node)


def _find_by_id(sc: FlowScope, ident: int) -> ast.AST | None:
    for n in walk_own(sc.root):
        if id(n) == ident:
            return n
    return None


def _arg_index(call: ast.Call, arg: ast.AST) -> int | None:
    for i, a in enumerate(call.args):
        if a is arg:
            return i
    return None


def _kw_is(call: ast.Call, arg: ast.AST, name: str) -> bool:
    return any(k.arg == name and k.value is arg for k in call.keywords)


def inside_stop_gradient(info: ModuleInfo, flow: Flow, node: ast.AST, skip: ast.AST | None = None) -> bool:
    if not _calls_stop_gradient(info):
        return False  # no call of the module is one: none encloses `node` (and no scope is indexed to look)
    sc = flow.scope_of(node)
    p = sc.parent(node)
    while p is not None and not isinstance(p, ast.stmt):
        if isinstance(p, ast.Call) and p is not skip and info.imports.qualname(p.func) in STOP_GRADIENT:
            return True
        p = sc.parent(p)
    return False


def _calls_stop_gradient(info: ModuleInfo) -> bool:
    """Does any call of the module resolve to a STOP_GRADIENT function?  Every import or alias resolving to one
    ends in its own name, so a module without that text has none."""

    def build() -> bool:
        src = info.source
        if "stop_gradient" not in src and "StopGradient" not in src:
            return False
        return any(info.imports.qualname(c.func) in STOP_GRADIENT for c in info.all_nodes(ast.Call))

    return info.memo(f"{__name__}.calls_stop_gradient", build)


def cut_roots(
    info: ModuleInfo, flow: Flow, cut_node: ast.AST, arg: ast.AST, through_indices: bool = False
) -> tuple[list[str], set]:
    """Differentiated weights whose every path to the sinks of `cut_node`'s result goes through `cut_node`.
    The result is followed past index / mask positions only with `through_indices` (and only when it reaches no
    sink otherwise): an op's result fed to `tf.one_hot` and on into a layer still carries the weights before it
    on their only way to the loss, with no gradient."""
    sinks = flow.sinks(cut_node, cut="index")
    if not sinks and through_indices:
        sinks = flow.sinks(cut_node, cut=False)
    if not sinks:
        return [], sinks
    cut: list[str] = []
    for root in flow.roots(arg):
        if any(root == w or root.startswith(w + ".") for w in weights_set_elsewhere(info)):
            continue
        targets = [s for s in sinks if flow.differentiated(root, s, cut_node)]
        if not targets:
            continue
        other = flow.root_other_sinks(root, cut_node, cut_node)
        if ("add_loss",) in other and add_losses_collected(info):
            # `self.add_loss(f(w))`: Keras adds it to the loss under `fit`, and a custom loop that sums
            # `model.losses` does too, so the weight still gets a gradient through it.
            other = other | {s for s in targets if s[0] == "return"}
        elif ("add_loss",) in targets and any(s[0] == "return" for s in other):
            # The other way round: detached only inside `self.add_loss(...)` (a penalty), while the weight's
            # output is also returned: where the added losses are summed into the loss it is one loss with the
            # returned output, and where they are not the penalty reaches no loss at all.
            other = other | {("add_loss",)}
        if any(s not in other for s in targets):
            cut.append(root)
    return cut, sinks


def add_losses_collected(info: ModuleInfo) -> bool:
    """Do the losses layers add with `add_loss` reach a differentiated loss?  Yes under `fit`/`train_on_batch`
    and where `.losses` is read; when the module differentiates nothing itself, its layers are trained
    elsewhere, so nothing says they are dropped.  No only for a module whose own loops ignore them."""

    def build() -> bool:
        differentiates = False
        for n in info.all_nodes(ast.Attribute):
            if n.attr == "losses" and isinstance(n.ctx, ast.Load):
                return True
            if n.attr in {"fit", "train_on_batch", "fit_generator"}:
                return True
            if n.attr in {"gradient", "jacobian", "minimize"}:
                differentiates = True
        return not differentiates

    return info.memo(f"{__name__}.add_losses_collected", build)


def weights_set_elsewhere(info: ModuleInfo) -> frozenset[str]:
    """Models and layers whose weights the module sets by other means than gradients: a target network copied
    with `set_weights`, an EMA teacher updated with `assign` in a loop over its variables, a model frozen with
    `.trainable = False`.  A None gradient for them is the design, not a bug."""

    def build() -> frozenset[str]:
        out: set[str] = set()
        for n in info.all_nodes((ast.Call, ast.Assign, ast.For, ast.AsyncFor)):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "set_weights":
                d = dotted(n.func.value)
                if d:
                    out.add(d)
            elif isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and n.value.value is False:
                for t in n.targets:
                    if isinstance(t, ast.Attribute) and t.attr == "trainable":
                        d = dotted(t.value)
                        if d:
                            out.add(d)
            elif isinstance(n, (ast.For, ast.AsyncFor)) and _assigns_loop_target(n):
                for x in ast.walk(n.iter):
                    if isinstance(x, ast.Attribute) and x.attr in WEIGHT_LIST_ATTRS:
                        d = dotted(x.value)
                        if d:
                            out.add(d)
        return frozenset(out)

    return info.memo(f"{__name__}.weights_set_elsewhere", build)


# Attributes that hand back a layer's or model's weights.
WEIGHT_LIST_ATTRS = frozenset({"variables", "weights", "trainable_variables", "trainable_weights"})


def _assigns_loop_target(loop: ast.For | ast.AsyncFor) -> bool:
    """`for t, o in zip(target.variables, online.variables): t.assign(...)`: the loop writes the weights."""
    names = {x.id for x in ast.walk(loop.target) if isinstance(x, ast.Name)}
    for n in ast.walk(loop):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in {"assign", "assign_add", "assign_sub"}
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id in names
        ):
            return True
    return False
