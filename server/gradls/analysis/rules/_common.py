"""Small helpers shared by rule modules."""

from __future__ import annotations

import ast

from gradls.analysis.call_sites import name_loads
from gradls.analysis.module import AUTOGRAPH, EAGER, GRAPH, ModuleInfo

_SINK_CALLS = {
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
}


def consequence_mode(modes: set[str]) -> str:
    """The mode whose failure is the loudest one to report."""
    for m in (GRAPH, AUTOGRAPH, EAGER):
        if m in modes:
            return m
    return EAGER


def statement_of(info: ModuleInfo, node: ast.AST) -> ast.stmt | None:
    p: ast.AST | None = node
    while p is not None and not isinstance(p, ast.stmt):
        p = info.parent(p)
    return p


def only_logged(info: ModuleInfo, node: ast.AST) -> bool:
    """True when the value of `node` only feeds printing/logging/metrics or is never read again."""
    p = info.parent(node)
    while p is not None and not isinstance(p, ast.stmt):
        if isinstance(p, ast.Call):
            f = p.func
            q = info.imports.qualname(f) or ""
            if q in {"tensorflow.print"} or q.startswith(("logging.", "tensorflow.summary.")):
                return True
            name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
            if name in _SINK_CALLS and not q.startswith(("numpy.", "tensorflow.", "keras.")):
                return True
        if isinstance(p, ast.JoinedStr):
            return True
        p = info.parent(p)
    stmt = p
    if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
        names = {t.id for t in stmt.targets if isinstance(t, ast.Name)}  # all of them (checked above)
        fn = info.enclosing_function(stmt)
        scope = fn if fn is not None else info.tree
        end = getattr(stmt, "end_lineno", stmt.lineno)
        loads = name_loads(info, scope)
        return not any(n.lineno > end or _in_loop_with(info, stmt, n) for name in names for n in loads.get(name, ()))
    return False


def _in_loop_with(info: ModuleInfo, stmt: ast.stmt, use: ast.Name) -> bool:
    # A read earlier in the same loop body sees the value on the next iteration.
    p = info.parent(stmt)
    while p is not None:
        if isinstance(p, (ast.For, ast.While, ast.AsyncFor)):
            return p.lineno <= use.lineno <= (p.end_lineno or p.lineno)
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        p = info.parent(p)
    return False
