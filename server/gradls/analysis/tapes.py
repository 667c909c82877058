"""GradientTape model per scope (the module body or one function body): which name is bound to which
`tf.GradientTape(...)`, the `with` blocks that record on it, the `gradient`/`jacobian`/`watch` calls
that read it, and how a name used as a gradient source resolves to the statements that bind it.

`tape_scopes(info)` is built once per analysed module (kept with `info.memo`).
"""

from __future__ import annotations

import ast
import bisect
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from gradls.analysis.module import ModuleInfo, walk_nodes

GRAD_METHODS = {"gradient", "jacobian", "batch_jacobian"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# The classes TapeScope._index_bindings reads a binding from.
_BINDING_TYPES = frozenset(
    {ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.arg}
)


def pos(node: ast.AST) -> tuple[int, int]:
    """Where `node` starts, (line, column): a sort key in source order."""
    n = cast(ast.expr, node)  # any node with a position
    return (n.lineno, n.col_offset)


def end_pos(node: ast.AST) -> tuple[int, int]:
    n = cast(ast.expr, node)
    return (n.end_lineno or n.lineno, n.end_col_offset or 0)


@dataclass
class TapeCall:
    call: ast.Call
    method: str  # gradient | jacobian | batch_jacobian

    @property
    def target(self) -> ast.AST | None:
        return _arg(self.call, 0, "target")

    @property
    def sources(self) -> ast.AST | None:
        return _arg(self.call, 1, "source" if self.method == "batch_jacobian" else "sources")


@dataclass
class Tape:
    name: str
    ctor: ast.Call
    bind: ast.stmt  # the `with ... as name` or `name = tf.GradientTape(...)` statement
    # The scope holding the tape, by weak reference: the scope holds its tapes, and a strong pointer back would be
    # a reference cycle per tape, keeping the module's tree alive until the cyclic collector runs.
    scope_ref: weakref.ReferenceType[TapeScope]
    blocks: list[ast.With | ast.AsyncWith] = field(default_factory=list)  # with statements recording on this tape
    calls: list[TapeCall] = field(default_factory=list)
    watches: list[ast.Call] = field(default_factory=list)
    escapes: bool = False  # passed to some other callable: it may be watched or used there

    @property
    def scope(self) -> TapeScope:
        scope = self.scope_ref()
        assert scope is not None, "a Tape outlived its TapeScope"
        return scope

    def kwarg(self, name: str) -> ast.AST | None:
        for k in self.ctor.keywords:
            if k.arg == name:
                return k.value
        return None

    @property
    def persistent(self) -> bool | None:
        """False for a default tape, True for persistent=True, None when it cannot be told."""
        v = self.kwarg("persistent")
        if v is None and len(self.ctor.args) >= 1:
            v = self.ctor.args[0]
        if v is None:
            return False if not any(k.arg is None for k in self.ctor.keywords) else None
        if isinstance(v, ast.Constant) and isinstance(v.value, bool):
            return v.value
        return None

    @property
    def watches_accessed_variables(self) -> bool | None:
        v = self.kwarg("watch_accessed_variables")
        if v is None and len(self.ctor.args) >= 2:
            v = self.ctor.args[1]
        if v is None:
            return True
        if isinstance(v, ast.Constant) and isinstance(v.value, bool):
            return v.value
        return None

    def recording(self, node: ast.AST, scope: TapeScope) -> bool:
        """True when `node` lies inside a `with` body recording on this tape (and not in the body of a
        `with tape.stop_recording():` inside it, where TensorFlow pauses the tape)."""
        # O(depth): a `with` body statement is the only statement child a `with` has.  `scope.ancestors` and an
        # `any` over the blocks inlined: rules ask this about thousands of nodes of a script's module scope.
        parents, top, blocks, stmt = scope.parents, scope.node, self.blocks, ast.stmt
        child = node
        p = parents.get(id(node))
        while p is not None and p is not top:
            if isinstance(child, stmt):
                for w in blocks:
                    if p is w:
                        return True
                if type(p) is ast.With and self.pauses(p):
                    return False
            child = p
            p = parents.get(id(p))
        return False

    def pauses(self, w: ast.With | ast.AsyncWith) -> bool:
        """`with <this tape>.stop_recording():`: its body runs unrecorded."""
        for item in w.items:
            e = item.context_expr
            if (
                isinstance(e, ast.Call)
                and isinstance(e.func, ast.Attribute)
                and e.func.attr == "stop_recording"
                and isinstance(e.func.value, ast.Name)
                and e.func.value.id == self.name
            ):
                return True
        return False


class TapeScope:
    """One function body (or the module body) with a parent map over its own nodes."""

    def __init__(self, info: ModuleInfo, node: ast.AST):
        self.info = info
        self.node = node
        # A function or the module: the walk of the root's own nodes, shared with the other tape scopes and the flow scope of the same root.
        walk = info.scope_walk(node)
        self.parents: dict[int, ast.AST] = walk.parents
        self.nodes: list[ast.AST] = walk.nodes
        self.tapes: list[Tape] = []
        self._bindings: dict[str, list[ast.AST] | None] | None = None  # see defs()
        self._declared_outer: set[str] | None = None
        self._order: dict[int, int] | None = None  # id(node) -> index in self.nodes, see recorded()
        self._recorded: dict[int, list[ast.AST]] = {}

    def recorded(self, tape: Tape) -> list[ast.AST]:
        """This scope's nodes `tape.recording` holds for, in `self.nodes` order: the nodes below the bodies of the
        tape's `with` blocks here, walked as this scope was (nested scopes: their decorators only).  Walking the
        blocks instead of testing every node of the scope keeps a module with many tapes linear."""
        hit = self._recorded.get(id(tape))
        if hit is not None:
            return hit
        if self._order is None:
            self._order = {id(n): i for i, n in enumerate(self.nodes)}
        order = self._order
        seen: dict[int, ast.AST] = {}
        for w in tape.blocks:
            if id(w) not in order:
                continue  # a block of another scope
            todo: list[ast.AST] = list(w.body)
            while todo:
                n = todo.pop()
                if id(n) in seen or id(n) not in order:
                    continue
                seen[id(n)] = n
                if isinstance(n, _SCOPES):
                    todo.extend(() if isinstance(n, ast.Lambda) else n.decorator_list)
                elif type(n) is ast.With and tape.pauses(n):
                    todo.extend(n.items)  # `tape.stop_recording()` itself; its body is not recorded
                else:
                    todo.extend(self.info.child_nodes(n))
        out = self._recorded[id(tape)] = sorted(seen.values(), key=lambda n: order[id(n)])
        return out

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        p = self.parent(node)
        while p is not None and p is not self.node:
            yield p
            p = self.parent(p)

    def within(self, node: ast.AST, container: ast.AST) -> bool:
        return node is container or any(a is container for a in self.ancestors(node))

    def statement(self, node: ast.AST) -> ast.stmt | None:
        p: ast.AST | None = node
        while p is not None and not isinstance(p, ast.stmt):
            p = self.parent(p)
        return p

    @property
    def params(self) -> set[str]:
        if not isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return set()
        a = self.node.args
        return {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p is not None}

    def declared_outer(self) -> set[str]:
        if self._declared_outer is None:
            out: set[str] = set()
            for n in self.nodes:
                t = type(n)
                if t is ast.Global or t is ast.Nonlocal:
                    out.update(n.names)  # type: ignore[attr-defined]
            self._declared_outer = out
        return self._declared_outer

    def defs(self, name: str) -> list[ast.AST] | None:
        """Statements/nodes of this scope that bind `name`, in source order; None if a binding is opaque."""
        if self._bindings is None:
            self._bindings = self._index_bindings()
        if name not in self._bindings:
            return []
        found = self._bindings[name]
        return None if found is None else list(found)

    def _index_bindings(self) -> dict[str, list[ast.AST] | None]:
        # One walk for every name (rules ask per name, per call: a walk each made long modules quadratic).
        index: dict[str, list[ast.AST] | None] = {}
        picked = _BINDING_TYPES
        for n in self.nodes:
            if type(n) not in picked:
                continue  # one set lookup for most nodes (the parser makes no subclasses)
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                found = index.setdefault(n.id, [])
                if found is None:
                    continue
                p = self.parent(n)
                plain = (
                    (isinstance(p, ast.Assign) and any(t is n for t in p.targets))
                    or (isinstance(p, (ast.AugAssign, ast.AnnAssign)) and p.target is n)
                    or isinstance(p, ast.NamedExpr)
                )
                if not plain or p is None:
                    index[n.id] = None  # tuple unpacking, loop targets, with-as, del: not tracked
                else:
                    found.append(p)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                index[n.name] = None
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                for a in n.names:
                    index[a.asname or a.name.split(".")[0]] = None
            elif isinstance(n, ast.arg):
                index[n.arg] = None
        for found in index.values():
            if found is not None:
                found.sort(key=pos)
        return index


def _arg(call: ast.Call, index: int, kw: str) -> ast.AST | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    for k in call.keywords:
        if k.arg == kw:
            return k.value
    return None


def tape_scopes(info: ModuleInfo) -> list[TapeScope]:
    """Every scope that creates a tape, with its tapes resolved.  Built once per analysed module.

    Kept with `info.memo`, so it lives exactly as long as the ModuleInfo (a WeakKeyDictionary would never
    drop an entry, since each TapeScope refers back to its ModuleInfo)."""
    return info.memo(f"{__name__}.tape_scopes", lambda: _build(info))


def _build(info: ModuleInfo) -> list[TapeScope]:
    if "GradientTape" not in info.source:
        return []
    # A scope has tapes only where a `tf.GradientTape(...)` call is written: the lines of those calls decide
    # which scopes are walked (a docstring example mentioning GradientTape walks none).
    ctor_lines = sorted({c.lineno for c in info.all_nodes(ast.Call) if info.is_tape_ctor(c)})
    if not ctor_lines:
        return []
    roots: list[ast.AST] = [info.tree] + [ff.node for ff in info.functions.values()]
    # The lines naming GradientTape, found once: testing each root's own lines re-read a nested def's lines
    # for every def holding it, and the module's for the module root.
    tape_lines = [i for i, line in enumerate(info.lines, 1) if "GradientTape" in line]
    scopes = []
    for root in roots:
        if not _holds_line(root, ctor_lines, len(info.lines)) or not _holds_line(root, tape_lines, len(info.lines)):
            continue
        scope = TapeScope(info, root)
        _resolve(info, scope)
        if scope.tapes:
            scopes.append(scope)
    return scopes


def _holds_line(root: ast.AST, lines: list[int], last_line: int) -> bool:
    """Does `root` (a def, or the module) span one of the sorted `lines`?"""
    start = root.lineno if hasattr(root, "lineno") else 1
    end = min(getattr(root, "end_lineno", None) or last_line, last_line)
    i = bisect.bisect_left(lines, start)
    return i < len(lines) and lines[i] <= end


def _resolve(info: ModuleInfo, scope: TapeScope) -> None:
    # The scope's nodes each pass below looks at, picked in one pass by exact class (the parser makes no
    # subclasses), each list in the scope's node order.
    binders: list[ast.AST] = []  # with statements and assignments: where tapes are made
    names: list[ast.AST] = []  # names and parameters: other bindings
    uses: list[ast.AST] = []  # with statements and calls: where tapes are used
    for n in scope.nodes:
        cls = type(n)
        if cls is ast.Name or cls is ast.arg:
            names.append(n)
        elif cls is ast.Call:
            uses.append(n)
        elif cls is ast.With or cls is ast.AsyncWith:
            binders.append(n)
            uses.append(n)
        elif cls is ast.Assign:
            binders.append(n)
    # Binding events per name, in source order: a Tape, or None for any other binding.
    events: dict[str, list[tuple[tuple[int, int], Tape | None]]] = {}
    for n in binders:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if info.is_tape_ctor(item.context_expr) and isinstance(item.optional_vars, ast.Name):
                    t = Tape(item.optional_vars.id, cast(ast.Call, item.context_expr), n, weakref.ref(scope), [n])
                    scope.tapes.append(t)
                    events.setdefault(t.name, []).append((pos(n), t))
        elif isinstance(n, ast.Assign) and info.is_tape_ctor(n.value):
            if len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                t = Tape(n.targets[0].id, cast(ast.Call, n.value), n, weakref.ref(scope))
                scope.tapes.append(t)
                events.setdefault(t.name, []).append((pos(n), t))
    if not events:
        return
    for n in names:
        if isinstance(n, ast.Name) and n.id in events and isinstance(n.ctx, (ast.Store, ast.Del)):
            p = scope.parent(n)
            is_tape_bind = (isinstance(p, ast.withitem) and info.is_tape_ctor(p.context_expr)) or (
                isinstance(p, ast.Assign) and info.is_tape_ctor(p.value)
            )
            if not is_tape_bind:
                events[n.id].append((pos(n), None))
        elif isinstance(n, ast.arg) and n.arg in events:
            events[n.arg].append(((0, 0), None))
    for evs in events.values():
        evs.sort(key=lambda e: e[0])
    starts = {name: [p for p, _ in evs] for name, evs in events.items()}

    def binding(name: str, at: tuple[int, int]) -> Tape | None:
        """The tape of the last binding of `name` before `at` (None: another binding, or none)."""
        i = bisect.bisect_left(starts[name], at) if name in starts else 0
        return events[name][i - 1][1] if i else None

    for n in uses:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if isinstance(item.context_expr, ast.Name) and item.optional_vars is None:
                    bound = binding(item.context_expr.id, pos(n))
                    if bound is not None and bound.bind is not n:
                        bound.blocks.append(n)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
            name = n.func.value.id
            if name not in events:
                continue
            bound = binding(name, pos(n))
            if bound is None:
                continue
            if n.func.attr in GRAD_METHODS:
                bound.calls.append(TapeCall(n, n.func.attr))
            elif n.func.attr == "watch":
                bound.watches.append(n)
        elif isinstance(n, ast.Call):
            # A tape passed as an argument escapes (a flag: the order of the arguments looked at does not matter).
            for a in n.args:
                if type(a) is ast.Name and a.id in events:
                    bound = binding(a.id, pos(n))
                    if bound is not None:
                        bound.escapes = True
            for k in n.keywords:
                a = k.value
                if type(a) is ast.Name and a.id in events:
                    bound = binding(a.id, pos(n))
                    if bound is not None:
                        bound.escapes = True
    for t in scope.tapes:
        t.blocks.sort(key=pos)
        t.calls.sort(key=lambda c: pos(c.call))


def names_in(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in walk_nodes(node) if isinstance(n, ast.Name)}


def source_elements(sources: ast.AST | None) -> list[ast.AST]:
    """The single sources of a `gradient(target, sources)` call: list/tuple/dict displays are flattened."""
    if sources is None:
        return []
    if isinstance(sources, (ast.List, ast.Tuple)):
        return [y for x in sources.elts if not isinstance(x, ast.Starred) for y in source_elements(x)]
    if isinstance(sources, ast.Dict):
        return [y for v in sources.values if v is not None for y in source_elements(v)]
    return [sources]


def sources_with_aliases(info: ModuleInfo, scope: TapeScope, sources: ast.AST | None) -> list[tuple[ast.AST, ast.AST]]:
    """(source, node to report) pairs; a name bound once to a list/tuple display (`params = [w, b]`) stands for
    its elements, reported on the name in the call."""
    out: list[tuple[ast.AST, ast.AST]] = []
    for el in source_elements(sources):
        out.append((el, el))
        if isinstance(el, ast.Name):
            r = resolve_defs(info, scope, el.id)
            if r is not None and len(r[0]) == 1:
                v = def_value(r[0][0])
                if isinstance(v, (ast.List, ast.Tuple)):
                    out.extend((sub, el) for sub in source_elements(v) if isinstance(sub, ast.Name))
    return out


def module_scope(info: ModuleInfo) -> TapeScope:
    """The module body as a scope: the one `tape_scopes` built, else one built once per analysed module."""
    for s in tape_scopes(info):
        if s.node is info.tree:
            return s
    return info.memo(f"{__name__}.module_scope", lambda: TapeScope(info, info.tree))


def plain_scope(info: ModuleInfo, node: ast.AST) -> TapeScope:
    """A scope for `node` without tapes resolved, for name lookups; built once per analysed module."""
    scopes: dict[int, TapeScope] = info.memo(f"{__name__}.plain_scopes", dict)
    scope = scopes.get(id(node))
    if scope is None:
        scope = scopes[id(node)] = TapeScope(info, node)
    return scope


def resolve_defs(
    info: ModuleInfo, scope: TapeScope, name: str, at: ast.AST | None = None
) -> tuple[list[ast.AST], TapeScope] | None:
    """The statements binding `name` as seen from `scope` (its own, else the enclosing function's, else the
    module's), and the scope they live in.  None when a binding is opaque (parameter, loop target, unpacking...).

    A parameter is opaque too, unless `at` (where the name is read) follows a plain assignment to it made directly
    in the function's body (`image = tf.convert_to_tensor(image)` at the top of a helper): from there on the name
    holds what the function's own statements bound, not what the caller passed."""
    if name in scope.declared_outer():
        return None
    if name in scope.params:
        return _rebound_parameter_defs(scope, name, at)
    defs = scope.defs(name)
    if defs is None:
        return None
    if defs:
        return defs, scope
    node = scope.node
    ff = info.facts(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    while ff is not None and ff.parent is not None:
        outer = plain_scope(info, ff.parent)
        if name in outer.params:
            return None
        d = outer.defs(name)
        if d is None:
            return None
        if d:
            return d, outer
        ff = info.facts(ff.parent)
    if node is info.tree:
        return None
    mod = module_scope(info)
    d = mod.defs(name)
    if not d:
        return None
    return d, mod


def _rebound_parameter_defs(scope: TapeScope, name: str, at: ast.AST | None) -> tuple[list[ast.AST], TapeScope] | None:
    fn = scope.node
    if at is None or not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    defs = scope.defs(name)
    if not defs:
        return None
    first = defs[0]
    end = getattr(first, "end_lineno", None)
    if not any(st is first for st in fn.body) or end is None or end >= getattr(at, "lineno", 0):
        return None  # rebound only on some paths, or after the read: the caller's value may reach it
    return defs, scope


def def_value(d: ast.AST) -> ast.AST | None:
    if isinstance(d, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        return d.value
    return None


def rebound_after_watch(scope: TapeScope, tape: Tape, name: str, at: ast.AST) -> ast.stmt | None:
    """The statement rebinding `name` that reaches `at` (a `tape.gradient` call of `scope`) when every
    `tape.watch(name)` of `scope` comes before it and it lies outside the blocks recording on `tape`: the tape
    watched the old tensor, and the new one was made where it does not record (`tape.watch(x)` in the block,
    `x = x / 2` after it: None for `x`).  None when unsure (loops, other bindings, watches elsewhere)."""
    watches = [w for w in tape.watches if any(name in names_in(a) for a in w.args) and scope.parent(w) is not None]
    defs = scope.defs(name)
    if not watches or not defs or any(isinstance(a, (ast.For, ast.AsyncFor, ast.While)) for a in scope.ancestors(at)):
        return None
    before = [d for d in defs if isinstance(d, ast.Assign) and pos(d) < pos(at)]
    if len(before) != len([d for d in defs if pos(d) < pos(at)]) or not before:
        return None  # an augmented or unpacking binding, a loop target: not followed
    last = max(before, key=pos)
    if any(isinstance(a, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.Try)) for a in scope.ancestors(last)):
        return None
    if tape.recording(last, scope) or any(pos(w) > pos(last) for w in watches):
        return None
    return last
