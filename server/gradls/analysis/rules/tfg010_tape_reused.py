"""TFG010 tape-reused: a second gradient()/jacobian() on a non-persistent GradientTape.

This module also holds the small tape model the other tape rules (TFG009, TFG011, TFG012,
TFG013) share: which name is bound to which `tf.GradientTape(...)`, the `with` blocks that
record on it, and the `gradient`/`jacobian` calls that read it, per scope (module or function).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.rules._common import span_list

GRAD_METHODS = {"gradient", "jacobian", "batch_jacobian"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def pos(node: ast.AST) -> tuple[int, int]:
    return (node.lineno, node.col_offset)


def end_pos(node: ast.AST) -> tuple[int, int]:
    return (node.end_lineno or node.lineno, node.end_col_offset or 0)


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
    scope: Scope
    blocks: list[ast.With] = field(default_factory=list)  # with statements recording on this tape
    calls: list[TapeCall] = field(default_factory=list)
    watches: list[ast.Call] = field(default_factory=list)
    escapes: bool = False  # passed to some other callable: it may be watched or used there

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

    def recording(self, node: ast.AST, scope: Scope) -> bool:
        """True when `node` lies inside a `with` body recording on this tape."""
        # O(depth): a `with` body statement is the only statement child a `with` has.
        child = node
        for p in scope.ancestors(node):
            if isinstance(child, ast.stmt) and any(p is w for w in self.blocks):
                return True
            child = p
        return False


class Scope:
    """One function body (or the module body) with a parent map over its own nodes."""

    def __init__(self, info: ModuleInfo, node: ast.AST):
        self.info = info
        self.node = node
        self.parents: dict[int, ast.AST] = {}
        self.nodes: list[ast.AST] = []
        parents = self.parents
        nodes = self.nodes
        todo = list(node.body)
        for c in todo:
            parents[id(c)] = node
        iter_children = ast.iter_child_nodes
        while todo:
            n = todo.pop()
            nodes.append(n)
            if isinstance(n, _SCOPES):
                # decorators run in this scope; the body does not
                children = () if isinstance(n, ast.Lambda) else n.decorator_list
            else:
                children = iter_children(n)
            for c in children:
                parents[id(c)] = n
                todo.append(c)
        self.tapes: list[Tape] = []

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
        out: set[str] = set()
        for n in self.nodes:
            if isinstance(n, (ast.Global, ast.Nonlocal)):
                out.update(n.names)
        return out

    def defs(self, name: str) -> list[ast.AST] | None:
        """Statements/nodes of this scope that bind `name`, in source order; None if a binding is opaque."""
        out: list[ast.AST] = []
        for n in self.nodes:
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, (ast.Store, ast.Del)):
                p = self.parent(n)
                plain = (
                    (isinstance(p, ast.Assign) and any(t is n for t in p.targets))
                    or (isinstance(p, (ast.AugAssign, ast.AnnAssign)) and p.target is n)
                    or isinstance(p, ast.NamedExpr)
                )
                if not plain:
                    return None  # tuple unpacking, loop targets, with-as, del: not tracked
                out.append(p)
            elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name:
                return None
            elif isinstance(n, (ast.Import, ast.ImportFrom)) and any(
                (a.asname or a.name.split(".")[0]) == name for a in n.names
            ):
                return None
            elif isinstance(n, ast.arg) and n.arg == name:
                return None
        out.sort(key=pos)
        return out


def _arg(call: ast.Call, index: int, kw: str) -> ast.AST | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return call.args[index]
    for k in call.keywords:
        if k.arg == kw:
            return k.value
    return None


def tape_scopes(info: ModuleInfo) -> list[Scope]:
    """Every scope that creates a tape, with its tapes resolved.  Cached per analysed module.

    The cache lives on the ModuleInfo itself: a WeakKeyDictionary would never drop an entry,
    since each Scope refers back to its ModuleInfo (the whole AST leaked on every analysis).
    """
    cached = getattr(info, "_tfg010_tape_scopes", None)
    if cached is not None:
        return cached
    out = _build(info)
    try:
        info._tfg010_tape_scopes = out
    except AttributeError:
        pass
    return out


def _build(info: ModuleInfo) -> list[Scope]:
    if "GradientTape" not in info.source:
        return []
    roots: list[ast.AST] = [info.tree] + [ff.node for ff in info.functions.values()]
    scopes = []
    for root in roots:
        if not _mentions_tape(info, root):
            continue
        scope = Scope(info, root)
        _resolve(info, scope)
        if scope.tapes:
            scopes.append(scope)
    return scopes


def _mentions_tape(info: ModuleInfo, root: ast.AST) -> bool:
    start = root.lineno if hasattr(root, "lineno") else 1
    end = getattr(root, "end_lineno", None) or len(info.lines)
    return any("GradientTape" in info.lines[i - 1] for i in range(start, min(end, len(info.lines)) + 1))


def _resolve(info: ModuleInfo, scope: Scope) -> None:
    # Binding events per name, in source order: a Tape, or None for any other binding.
    events: dict[str, list[tuple[tuple[int, int], Tape | None]]] = {}
    for n in scope.nodes:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if info.is_tape_ctor(item.context_expr) and isinstance(item.optional_vars, ast.Name):
                    t = Tape(item.optional_vars.id, item.context_expr, n, scope, [n])
                    scope.tapes.append(t)
                    events.setdefault(t.name, []).append((pos(n), t))
        elif isinstance(n, ast.Assign) and info.is_tape_ctor(n.value):
            if len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                t = Tape(n.targets[0].id, n.value, n, scope)
                scope.tapes.append(t)
                events.setdefault(t.name, []).append((pos(n), t))
    if not events:
        return
    for n in scope.nodes:
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

    def binding(name: str, at: tuple[int, int]) -> Tape | None:
        found = None
        for p, t in events.get(name, ()):
            if p < at:
                found = t
        return found

    for n in scope.nodes:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            for item in n.items:
                if isinstance(item.context_expr, ast.Name) and item.optional_vars is None:
                    t = binding(item.context_expr.id, pos(n))
                    if t is not None and t.bind is not n:
                        t.blocks.append(n)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
            name = n.func.value.id
            if name not in events:
                continue
            t = binding(name, pos(n))
            if t is None:
                continue
            if n.func.attr in GRAD_METHODS:
                t.calls.append(TapeCall(n, n.func.attr))
            elif n.func.attr == "watch":
                t.watches.append(n)
        elif isinstance(n, ast.Call):
            for a in [*n.args, *(k.value for k in n.keywords)]:
                if isinstance(a, ast.Name) and a.id in events:
                    t = binding(a.id, pos(n))
                    if t is not None:
                        t.escapes = True
    for t in scope.tapes:
        t.blocks.sort(key=pos)
        t.calls.sort(key=lambda c: pos(c.call))


def names_in(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


# ---------------------------------------------------------------------------------------------------- TFG010

_ERROR = "`RuntimeError: A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)`"


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


def _finding(info: ModuleInfo, tape: Tape, call: TapeCall, why: str, calls: list[TapeCall]) -> Finding:
    msg = (
        f"{why}: a second `{call.method}()` on a non-persistent GradientTape raises {_ERROR}; "
        f"create it with `tf.GradientTape(persistent=True)` (and `del {tape.name}` after the last use)"
    )
    return Finding("TFG010", msg, info.span(call.call), _fix_data(info, tape, calls))


def _fix_data(info: ModuleInfo, tape: Tape, calls: list[TapeCall]) -> dict | None:
    """Edits: `persistent=True` in the constructor, and `del tape` after the last use when that use is a plain
    statement of the block that creates the tape."""
    ctor = tape.ctor
    if any(k.arg is None for k in ctor.keywords) or any(isinstance(a, ast.Starred) for a in ctor.args):
        return None
    edits: list[list] = []
    given = next((k.value for k in ctor.keywords if k.arg == "persistent"), None)
    if given is None and ctor.args:
        given = ctor.args[0]
    if given is not None:
        edits.append([*span_list(info.span(given)), "True", info.text(given)])
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
            edits.append([whole.line, func_end.end_col, whole.end_line, whole.end_col, "(persistent=True)", inner])
        else:
            # right after the last argument: valid with or without a trailing comma
            args = [*ctor.args, *(k.value for k in ctor.keywords)]
            if not args:
                return None
            ls = info.span(max(args, key=end_pos))
            edits.append([ls.end_line, ls.end_col, ls.end_line, ls.end_col, ", persistent=True"])
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
                edits.append([end + 1, 0, end + 1, 0, f"{indent}del {tape.name}\n"])
    return {"tape": tape.name, "edits": edits}


def _block_of(parent: ast.AST | None, stmt: ast.stmt) -> list | None:
    for name in ("body", "orelse", "finalbody", "handlers"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    return None


def _exclusive(scope: Scope, a: ast.AST, b: ast.AST) -> bool:
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
            if type(p).__name__ == "Match":
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
    node = stmt_a
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


def _in_field(scope: Scope, node: ast.AST, parent: ast.AST, name: str) -> bool:
    f = getattr(parent, name, None)
    items = f if isinstance(f, list) else [f]
    return any(x is not None and scope.within(node, x) for x in items)


def _repeats(scope: Scope, tape: Tape, call: ast.Call) -> bool:
    """The call runs more than once on the same tape: a loop around it that does not re-create the tape."""
    for p in scope.ancestors(call):
        if isinstance(p, _LOOPS) and not scope.within(tape.bind, p):
            if isinstance(p, (ast.For, ast.AsyncFor, ast.While)):
                stmt = scope.statement(call)
                top = stmt
                while top is not None and scope.parent(top) is not p:
                    top = scope.parent(top)
                if top is not None and top in p.body:
                    idx = p.body.index(top)
                    if any(isinstance(s, (ast.Break, ast.Return, ast.Raise)) for s in p.body[idx:]):
                        continue  # leaves the loop after the call
                if top is not None and top in p.orelse:
                    continue
                if isinstance(p, (ast.For, ast.AsyncFor)) and _single_iteration(p.iter):
                    continue
            return True
    return False


def _single_iteration(it: ast.AST) -> bool:
    if isinstance(it, (ast.List, ast.Tuple)):
        return len(it.elts) <= 1
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and len(it.args) == 1:
        a = it.args[0]
        return isinstance(a, ast.Constant) and isinstance(a.value, int) and a.value <= 1
    return False
