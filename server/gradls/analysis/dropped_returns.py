"""Sublayers whose output only reaches return elements every caller drops.

A Keras layer's `call` returns a list or tuple display (`return [x1 + x2, x1]`); the layers that hold an instance of it
call it only to unpack the result (`x, skip = self.block(inputs)`) or to index it (`self.block(inputs)[1]`), and read
only some of the elements. A sublayer of the first layer (`self.match = Conv1D(...)` made in `__init__` / `build`,
called only in `call`) whose output reaches only the elements nobody reads never reaches any output: its weights get a
None gradient and `fit` warns `Gradients do not exist for variables [...]` (keras-tcn#263: the 1x1 matching conv of a
TCN's last residual block, when the TCN keeps only the blocks' skip outputs).

Straight-line modelling only: a `call` with one `return` of a list / tuple display; the sublayer's output followed
through assignments to plain names (anything else it reaches, a store on `self`, a nested function, a call statement,
ends the walk with "unknown"); every construction of the class in the module stored on `self.<attr>` of a Keras class
whose `call` is the only method using that attribute, by a tuple unpacking into plain names or a constant index.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from gradls.analysis.keras_graph import keras_layer_owns_weights
from gradls.analysis.module import ClassFacts, ModuleInfo

_SETUP = ("__init__", "build")


@dataclass(frozen=True)
class DroppedSublayer:
    cls: ClassFacts  # the class whose `call` returns the elements
    attr: str  # `self.<attr>`: the sublayer
    made: ast.Assign  # `self.<attr> = Layer(...)`
    reaches: frozenset[int]  # the return elements its output reaches
    read: frozenset[int]  # the elements the callers read
    holder: str  # a class that calls it, for the message


def dropped_sublayers(info: ModuleInfo) -> list[DroppedSublayer]:
    return info.memo(f"{__name__}.dropped_sublayers", lambda: _find(info))


def _find(info: ModuleInfo) -> list[DroppedSublayer]:
    out: list[DroppedSublayer] = []
    subclassed = {b for c in info.classes.values() for b in c.base_names}
    for name, cls in info.classes.items():
        if cls.keras_kind not in {"layer", "model"} or name in subclassed:
            continue
        call = cls.methods.get("call")
        if call is None:
            continue
        elements = _returned_elements(call)
        if elements is None:
            continue
        usage = _elements_read_by_holders(info, name)
        if usage is None:
            continue
        read, holder = usage
        for attr, made in _sublayers(info, cls):
            if not _only_called_in_call(cls, attr):
                continue
            reaches = _elements_reached(call, attr, elements)
            if reaches is None or not reaches or reaches & read:
                continue
            out.append(DroppedSublayer(cls, attr, made, frozenset(reaches), frozenset(read), holder))
    return out


def _returned_elements(call: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr] | None:
    returns = [n for n in _own_nodes(call) if isinstance(n, ast.Return)]
    if len(returns) != 1:
        return None
    v = returns[0].value
    if not isinstance(v, (ast.List, ast.Tuple)) or any(isinstance(e, ast.Starred) for e in v.elts):
        return None
    return list(v.elts)


def _own_nodes(fn: ast.AST) -> list[ast.AST]:
    """The nodes of `fn`'s own body (not of functions, lambdas or classes nested in it)."""
    out: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        n = todo.pop()
        out.append(n)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        todo.extend(ast.iter_child_nodes(n))
    return out


def _sublayers(info: ModuleInfo, cls: ClassFacts) -> list[tuple[str, ast.Assign]]:
    """`self.<attr> = <Keras layer constructor>(...)` in `__init__` / `build`, the attribute bound nowhere else."""
    stores: dict[str, list[ast.AST]] = {}
    for m in cls.methods.values():
        for n in ast.walk(m):
            if isinstance(n, ast.Attribute) and isinstance(n.ctx, (ast.Store, ast.Del)):
                if isinstance(n.value, ast.Name) and n.value.id == "self":
                    stores.setdefault(n.attr, []).append(n)
    out: list[tuple[str, ast.Assign]] = []
    for mname in _SETUP:
        setup = cls.methods.get(mname)
        if setup is None:
            continue
        for n in ast.walk(setup):
            if not (isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.value, ast.Call)):
                continue
            t = n.targets[0]
            if not (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"):
                continue
            if len(stores.get(t.attr, [])) != 1 or not _owns_weights(info, n.value):
                continue
            if any(k.arg == "trainable" for k in n.value.keywords):
                continue  # trainable=False (or a value the analysis cannot read): not ours to call
            out.append((t.attr, n))
    return out


def _owns_weights(info: ModuleInfo, ctor: ast.Call) -> bool:
    """A Keras layer with trainable weights of its own (`Dense`, `Conv1D`; not `Activation`, `Dropout`, pooling),
    or a Keras class of this module that makes weights with `add_weight`."""
    q = info.imports.qualname(ctor.func) or ""
    if keras_layer_owns_weights(q):
        return True
    if isinstance(ctor.func, ast.Name):
        cls = info.classes.get(ctor.func.id)
        if cls is not None and cls.keras_kind == "layer":
            return any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "add_weight"
                for m in cls.methods.values()
                for n in ast.walk(m)
            )
    return False


def _only_called_in_call(cls: ClassFacts, attr: str) -> bool:
    """`self.<attr>` is read only in `call`, and only as the callee of a call there."""
    for mname, m in cls.methods.items():
        for n in ast.walk(m):
            if not (
                isinstance(n, ast.Attribute)
                and isinstance(n.ctx, ast.Load)
                and isinstance(n.value, ast.Name)
                and n.value.id == "self"
                and n.attr == attr
            ):
                continue
            if mname != "call":
                return False
    call = cls.methods.get("call")
    if call is None:
        return False
    parents = {id(c): p for p in ast.walk(call) for c in ast.iter_child_nodes(p)}
    for n in ast.walk(call):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self" and n.attr == attr:
            p = parents.get(id(n))
            if not (isinstance(p, ast.Call) and p.func is n):
                return False
    return True


def _elements_reached(
    call: ast.FunctionDef | ast.AsyncFunctionDef, attr: str, elements: list[ast.expr]
) -> set[int] | None:
    """The return elements the output of `self.<attr>(...)` flows into, through assignments to plain names; None
    when it goes anywhere else (a store on an attribute or a subscript, a statement other than an assignment, a
    nested function, a loop or branch header)."""

    def reads(node: ast.AST, names: set[str]) -> bool:
        for n in ast.walk(node):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == "self"
                and n.func.attr == attr
            ):
                return True
            if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load):
                return True
        return False

    stmts = [n for n in _own_nodes(call) if isinstance(n, ast.stmt)]
    nested = [
        n
        for n in ast.walk(call)
        if isinstance(n, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)) and n is not call
    ]
    tainted: set[str] = set()
    changed = True
    while changed:
        changed = False
        for s in stmts:
            if isinstance(s, ast.Return):
                continue
            if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and s.value is not None:
                if not reads(s.value, tainted):
                    continue
                targets = s.targets if isinstance(s, ast.Assign) else [s.target]
                for t in targets:
                    for n in t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]:
                        if not isinstance(n, ast.Name):
                            return None
                        if n.id not in tainted:
                            tainted.add(n.id)
                            changed = True
            elif isinstance(s, (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try)):
                head = getattr(s, "test", None) or getattr(s, "iter", None)
                if head is not None and reads(head, tainted):
                    return None
                if any(reads(i.context_expr, tainted) for i in getattr(s, "items", [])):
                    return None
            elif reads(s, tainted):
                return None
    if any(reads(f, tainted) for f in nested):
        return None
    return {i for i, e in enumerate(elements) if reads(e, tainted)}


def _elements_read_by_holders(info: ModuleInfo, cls_name: str) -> tuple[set[int], str] | None:
    """The return elements of `cls_name`'s `call` that the classes holding its instances read, when every
    construction of it in the module is `self.<attr> = cls_name(...)` in a Keras class whose `call` alone uses that
    attribute, by `a, b = self.<attr>(...)` (plain names) or `self.<attr>(...)[k]`; None otherwise."""
    read: set[int] = set()
    holder = ""
    sites = 0
    for c in info.all_nodes(ast.Call):
        if not (isinstance(c.func, ast.Name) and c.func.id == cls_name):
            continue
        sites += 1
        found = _held_on(info, c)
        if found is None:
            return None
        hcls, attr = found
        got = _indices_read(hcls, attr)
        if got is None:
            return None
        read |= got
        holder = hcls.node.name
    return (read, holder) if sites else None


def _held_on(info: ModuleInfo, ctor: ast.Call) -> tuple[ClassFacts, str] | None:
    parents = info.all_parents
    st = parents.get(id(ctor))
    if not (isinstance(st, ast.Assign) and st.value is ctor and len(st.targets) == 1):
        return None
    t = st.targets[0]
    if not (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"):
        return None
    p = parents.get(id(st))
    while p is not None and not isinstance(p, ast.ClassDef):
        p = parents.get(id(p))
    if p is None:
        return None
    hcls = info.classes.get(p.name)
    if hcls is None or hcls.keras_kind not in {"layer", "model"}:
        return None
    return hcls, t.attr


def _indices_read(hcls: ClassFacts, attr: str) -> set[int] | None:
    call = hcls.methods.get("call")
    if call is None:
        return None
    for mname, m in hcls.methods.items():
        if mname in _SETUP or mname == "call":
            continue
        if any(
            isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self" and n.attr == attr
            for n in ast.walk(m)
        ):
            return None
    parents = {id(c): p for p in ast.walk(call) for c in ast.iter_child_nodes(p)}
    out: set[int] = set()
    uses = 0
    for n in ast.walk(call):
        if not (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"):
            continue
        if n.attr != attr:
            continue
        uses += 1
        c = parents.get(id(n))
        if not (isinstance(c, ast.Call) and c.func is n):
            return None
        p = parents.get(id(c))
        if isinstance(p, ast.Subscript) and p.value is c:
            s = p.slice
            if not (isinstance(s, ast.Constant) and type(s.value) is int and s.value >= 0):
                return None
            out.add(s.value)
            continue
        if not (isinstance(p, ast.Assign) and p.value is c and len(p.targets) == 1):
            return None
        t = p.targets[0]
        if not isinstance(t, (ast.Tuple, ast.List)) or not all(isinstance(e, ast.Name) for e in t.elts):
            return None
        for i, e in enumerate(t.elts):
            assert isinstance(e, ast.Name)
            if _read_in(call, e.id, p):
                out.add(i)
    return out if uses else None


def _read_in(call: ast.AST, name: str, binding: ast.Assign) -> bool:
    """Is `name` read in `call` after the binding (anywhere in a loop that holds it: the next iteration)?"""
    end = (binding.end_lineno or binding.lineno, binding.end_col_offset or 0)
    loops = [
        n
        for n in ast.walk(call)
        if isinstance(n, (ast.For, ast.AsyncFor, ast.While)) and any(m is binding for m in ast.walk(n))
    ]
    for n in ast.walk(call):
        if not (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)):
            continue
        if (n.lineno, n.col_offset) > end:
            return True
        if any(any(m is n for m in ast.walk(lp)) for lp in loops):
            return True
    return False
