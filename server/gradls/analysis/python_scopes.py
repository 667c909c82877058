"""Python name scopes: which names a function binds itself, which it declares `global`/`nonlocal`, and where
each module-level name is bound (at module level, or through `global` in a function).

What `tf.function` freezes at trace time is decided by these Python rules, not by TensorFlow: a name a traced
function does not bind is read from the enclosing function or the module when the function is traced.
Built once per analysed module (`info.memo`); pure functions of the syntax.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gradls.analysis.module import FunctionNode, ModuleInfo, child_nodes

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_GLOBAL_STATEMENT = re.compile(r"^[ \t]*global[ \t]+\w|;[ \t]*global[ \t]+\w", re.M)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Binding:
    """One place that binds a module-level name."""

    name: str
    stmt: ast.stmt  # the binding statement (an Assign, AugAssign, For, def, import...)
    value: ast.expr | None  # the value bound, when the statement shows one (`x = value`)
    kind: str  # "assign" | "augassign" | "for" | "with" | "import" | "def" | "class" | "other"
    loop: ast.stmt | None  # the innermost module-level loop around it (it binds again on every pass)
    function: FunctionNode | None  # the function that writes it through `global`; None at module level


@dataclass
class FunctionScope:
    locals: set[str] = field(default_factory=set)  # bound in the function (parameters included)
    globals: set[str] = field(default_factory=set)  # declared `global`
    nonlocals: set[str] = field(default_factory=set)  # declared `nonlocal`


def function_scope(info: ModuleInfo, fn: FunctionNode) -> FunctionScope:
    scopes: dict[int, FunctionScope] = info.memo(f"{__name__}.function_scopes", dict)
    scope = scopes.get(id(fn))
    if scope is None:
        scope = scopes[id(fn)] = _function_scope(fn)
    return scope


def module_bindings(info: ModuleInfo) -> dict[str, list[Binding]]:
    """Module-level name -> every place that binds it, in source order (module level first, then `global`
    writes in functions)."""
    return info.memo(f"{__name__}.module_bindings", lambda: _module_bindings(info))


def resolve(info: ModuleInfo, fn: FunctionNode, name: str) -> tuple[str, FunctionNode | None]:
    """Where a name read in `fn` lives: ("local", fn), ("enclosing", the function that binds it),
    ("global", None) for the module, ("builtin", None) when nothing in the module binds it."""
    scope = function_scope(info, fn)
    if name in scope.globals:
        return ("global", None) if name in module_bindings(info) else ("builtin", None)
    if name in scope.locals:
        return "local", fn
    ff = info.facts(fn)
    parent = ff.parent if ff is not None else None
    while parent is not None:
        ps = function_scope(info, parent)
        if name in ps.globals:
            break
        if name in ps.locals:
            return "enclosing", parent
        pf = info.facts(parent)
        parent = pf.parent if pf is not None else None
    return ("global", None) if name in module_bindings(info) else ("builtin", None)


def _own(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and everything below it in the same scope: a nested def or class is yielded, not entered.  The
    context and operator singletons are left out (module.child_nodes: about twice as fast as ast.iter_child_nodes);
    no caller asks for them."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        if not isinstance(n, _DEFS):
            todo.extend(child_nodes(n))


def _targets(t: ast.AST) -> list[ast.Name]:
    if isinstance(t, ast.Name):
        return [t]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _targets(e)]
    if isinstance(t, ast.Starred):
        return _targets(t.value)
    return []


def _function_scope(fn: FunctionNode) -> FunctionScope:
    scope = FunctionScope()
    a = fn.args
    for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
        if p is not None:
            scope.locals.add(p.arg)
    for stmt in fn.body:
        for n in _own(stmt):
            if isinstance(n, ast.Global):
                scope.globals.update(n.names)
            elif isinstance(n, ast.Nonlocal):
                scope.nonlocals.update(n.names)
            elif isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                scope.locals.add(n.id)
            elif isinstance(n, _DEFS):
                scope.locals.add(n.name)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                scope.locals.update((al.asname or al.name).split(".")[0] for al in n.names)
            elif isinstance(n, ast.ExceptHandler) and n.name:
                scope.locals.add(n.name)
    scope.locals -= scope.globals | scope.nonlocals
    return scope


def function_bindings(info: ModuleInfo, fn: FunctionNode) -> dict[str, list[Binding]]:
    """Name -> every place that binds it in `fn`'s own scope, in source order (its body first, then
    `nonlocal` writes in functions nested in it)."""
    memo: dict[int, dict[str, list[Binding]]] = info.memo(f"{__name__}.function_bindings", dict)
    out = memo.get(id(fn))
    if out is None:
        out = memo[id(fn)] = _scope_bindings(fn.body)
        if "nonlocal" in info.source:
            for ff in info.functions.values():
                if ff.node is not fn and _nested_in(info, ff.node, fn):
                    _add_writes(out, ff.node, function_scope(info, ff.node).nonlocals)
    return out


def _nested_in(info: ModuleInfo, fn: FunctionNode, outer: FunctionNode) -> bool:
    ff = info.facts(fn)
    while ff is not None and ff.parent is not None:
        if ff.parent is outer:
            return True
        ff = info.facts(ff.parent)
    return False


def _scope_bindings(stmts: list[ast.stmt]) -> dict[str, list[Binding]]:
    out: dict[str, list[Binding]] = {}

    def add(name: str, stmt: ast.stmt, value: ast.expr | None, kind: str, loop, function) -> None:
        out.setdefault(name, []).append(Binding(name, stmt, value, kind, loop, function))

    def visit(block: list[ast.stmt], loop: ast.stmt | None) -> None:
        for s in block:
            _bind_stmt(s, loop, None, add)
            if isinstance(s, _DEFS):
                continue
            inner = s if isinstance(s, _LOOPS) else loop
            for name in ("body", "orelse", "finalbody"):
                sub = getattr(s, name, None)
                if isinstance(sub, list):
                    visit(sub, inner)
            for h in getattr(s, "handlers", []) or []:
                visit(h.body, inner)
            for c in getattr(s, "cases", []) or []:
                visit(c.body, inner)

    visit(stmts, None)
    visit = None  # type: ignore[assignment]  # the recursive closure's cycle (function <-> cell), broken for refcounting
    return out


def _add_writes(out: dict[str, list[Binding]], fn: FunctionNode, declared: set[str]) -> None:
    """Bindings in `fn` of the names it declares `global`/`nonlocal`: they bind the outer scope's name."""
    if not declared:
        return
    found: list[tuple] = []
    collect = found.append

    def record(*b) -> None:
        collect(b)

    for stmt in fn.body:
        for n in _own(stmt):
            if isinstance(n, ast.stmt):
                _bind_stmt(n, None, fn, record)
    for name, stmt, value, kind, loop, function in found:
        if name in declared:
            out.setdefault(name, []).append(Binding(name, stmt, value, kind, loop, function))


def _module_bindings(info: ModuleInfo) -> dict[str, list[Binding]]:
    out = _scope_bindings(info.tree.body)
    # Only functions holding a `global` statement can bind a module-level name (`global_step` is no such line).
    src = info.source
    # Every match holds the word: without it the pattern's scan (it tries every position) finds nothing.
    lines = [src.count("\n", 0, m.start()) + 1 for m in _GLOBAL_STATEMENT.finditer(src)] if "global" in src else []
    if not lines:
        return out
    for ff in info.functions.values():
        end = ff.node.end_lineno or ff.node.lineno
        if any(ff.node.lineno <= line <= end for line in lines):
            _add_writes(out, ff.node, function_scope(info, ff.node).globals)
    return out


def _bind_stmt(s: ast.stmt, loop, function, add) -> None:
    if isinstance(s, ast.Assign):
        for t in s.targets:
            for n in _targets(t):
                add(n.id, s, s.value if isinstance(t, ast.Name) else None, "assign", loop, function)
    elif isinstance(s, ast.AnnAssign) and s.value is not None:
        for n in _targets(s.target):
            add(n.id, s, s.value, "assign", loop, function)
    elif isinstance(s, ast.AugAssign):
        for n in _targets(s.target):
            add(n.id, s, s.value, "augassign", loop, function)
    elif isinstance(s, (ast.For, ast.AsyncFor)):
        for n in _targets(s.target):
            add(n.id, s, None, "for", s, function)
    elif isinstance(s, (ast.With, ast.AsyncWith)):
        for item in s.items:
            if item.optional_vars is not None:
                for n in _targets(item.optional_vars):
                    add(n.id, s, None, "with", loop, function)
    elif isinstance(s, (ast.Import, ast.ImportFrom)):
        for al in s.names:
            add((al.asname or al.name).split(".")[0], s, None, "import", loop, function)
    elif isinstance(s, _DEFS):
        add(s.name, s, None, "def" if not isinstance(s, ast.ClassDef) else "class", loop, function)


ObjectKey = tuple[int, str]


def object_key(info: ModuleInfo, e: ast.AST) -> ObjectKey | None:
    """Which object `e` names, as (id of the scope that holds it, text): a name in the function that binds it (else
    the module), `self.<attr>` in its class.  None for other expressions and for names some loop or comprehension
    binds (each pass a new object)."""
    if isinstance(e, ast.Name):
        if _loop_bound(info, e.id):
            return None
        fn = info.enclosing_function(e)
        if fn is not None and (e.id not in function_scope(info, fn).locals or e.id in function_scope(info, fn).globals):
            fn = None  # a module name read in a function
        return (id(fn) if fn is not None else id(info.tree), e.id)
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        ff = info.facts(info.enclosing_function(e))
        while ff is not None and ff.cls is None and ff.parent is not None:
            ff = info.facts(ff.parent)
        if ff is None or ff.cls is None:
            return None
        return (id(ff.cls.node), f"self.{e.attr}")
    return None


def in_loop(info: ModuleInfo, node: ast.AST) -> bool:
    """`node` runs once per pass of a loop of its function (or of the module's top level)."""
    parents = info.all_parents
    p = parents.get(id(node))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(p, _LOOPS):
            return True
        p = parents.get(id(p))
    return False


def _loop_bound(info: ModuleInfo, name: str) -> bool:
    names: set[str] = info.memo(f"{__name__}.loop_bound", lambda: _loop_bound_names(info))
    return name in names


def _loop_bound_names(info: ModuleInfo) -> set[str]:
    loops: list[ast.For | ast.AsyncFor | ast.comprehension] = [
        *info.all_nodes(ast.For),
        *info.all_nodes(ast.AsyncFor),
        *info.all_nodes(ast.comprehension),
    ]
    return {n.id for loop in loops for n in ast.walk(loop.target) if isinstance(n, ast.Name)}


@dataclass(frozen=True)
class TrainableFlags:
    """The module's `<obj>.trainable = ...` assignments, by the object they set (`object_key`)."""

    freezes: dict[ObjectKey, list[ast.Assign]]  # set to the constant False, in walk order
    unfrozen: frozenset[ObjectKey]  # set to anything else somewhere
    unknown_frozen: bool  # an object `object_key` cannot name (a loop's layers, an item) is set to False
    unknown_unfrozen: bool  # ... to anything else

    def frozen_for_good(self, key: ObjectKey) -> bool:
        """Only ever set to `trainable = False`: in Keras 3 it trains nothing from its first freeze on."""
        return key in self.freezes and key not in self.unfrozen


def trainable_flags(info: ModuleInfo) -> TrainableFlags:
    return info.memo(f"{__name__}.trainable_flags", lambda: _trainable_flags(info))


def _trainable_flags(info: ModuleInfo) -> TrainableFlags:
    freezes: dict[ObjectKey, list[ast.Assign]] = {}
    unfrozen: set[ObjectKey] = set()
    unknown_frozen = unknown_unfrozen = False
    for a in info.all_nodes(ast.Assign):
        off = isinstance(a.value, ast.Constant) and a.value.value is False
        for t in a.targets:
            if not (isinstance(t, ast.Attribute) and t.attr == "trainable"):
                continue
            key = object_key(info, t.value)
            if key is None:
                unknown_frozen |= off
                unknown_unfrozen |= not off
            elif off:
                freezes.setdefault(key, []).append(a)
            else:
                unfrozen.add(key)
    return TrainableFlags(freezes, frozenset(unfrozen), unknown_frozen, unknown_unfrozen)


def attribute_calls(info: ModuleInfo, methods: frozenset[str]) -> list[ast.Call]:
    """`<expr>.<method>(...)` calls with `method` in `methods`, in walk order.  The syntax alone: a rule can tell
    from it that no object could match before it names any (`calls_on_objects`, which needs each call's function:
    the whole tree's parents for a call outside differentiable code)."""

    def build() -> list[ast.Call]:
        return [c for c in info.all_nodes(ast.Call) if isinstance(c.func, ast.Attribute) and c.func.attr in methods]

    return info.memo(f"{__name__}.attribute_calls.{'.'.join(sorted(methods))}", build)


def calls_on_objects(info: ModuleInfo, methods: frozenset[str]) -> dict[ObjectKey, list[ast.Call]]:
    """`<obj>.<method>(...)` calls with `method` in `methods`, by the object called on (`object_key`), in walk order."""

    def build() -> dict[ObjectKey, list[ast.Call]]:
        out: dict[ObjectKey, list[ast.Call]] = {}
        for c in attribute_calls(info, methods):
            f = c.func
            if isinstance(f, ast.Attribute):
                key = object_key(info, f.value)
                if key is not None:
                    out.setdefault(key, []).append(c)
        return out

    return info.memo(f"{__name__}.calls_on_objects.{'.'.join(sorted(methods))}", build)
