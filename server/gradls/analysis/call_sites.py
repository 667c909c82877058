"""Where the module's top-level functions are used: every load of a module-level function's name, with the
call it is the callee of (None when the name is used as a value), and the scope root it appears in.

`function_uses(info)` is built once per analysed module (kept with `info.memo`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.module import ModuleInfo, walk_own

Uses = dict[str, list[tuple[ast.Call | None, ast.AST]]]


def function_uses(info: ModuleInfo) -> Uses:
    """Module-level function name -> [(call whose callee the load is, or None; scope root of the load)]."""
    return info.memo(f"{__name__}.function_uses", lambda: _build(info))


def _build(info: ModuleInfo) -> Uses:
    names = set(info.module_functions)
    out: Uses = {}
    for root in [info.tree, *(ff.node for ff in info.functions.values())]:
        callees: dict[int, ast.Call] = {}
        loads: list[ast.Name] = []
        for n in walk_own(root) if root is not info.tree else _module_own(info.tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                callees[id(n.func)] = n
            elif isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load):
                loads.append(n)
        for n in loads:
            out.setdefault(n.id, []).append((callees.get(id(n)), root))
    return out


def _module_own(tree: ast.Module) -> Iterator[ast.AST]:
    todo: list[ast.AST] = list(tree.body)
    while todo:
        n = todo.pop()
        yield n
        if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(n))


def method_calls(info: ModuleInfo) -> dict[int, list[tuple[ast.Call, ast.AST]]]:
    """id(method of a plain, non-Keras class of this module) -> [(call running it, scope root of the call)], for
    calls on instances the module makes (`net = Net(); net(x)`, `self.encoder.encode(x)`)."""
    return info.memo(f"{__name__}.method_calls", lambda: _build_method_calls(info))


def _build_method_calls(info: ModuleInfo) -> dict[int, list[tuple[ast.Call, ast.AST]]]:
    from gradls.analysis.regions import resolve_callee

    out: dict[int, list[tuple[ast.Call, ast.AST]]] = {}
    if not any(c.keras_kind is None and c.methods for c in info.classes.values()):
        return out
    for root in [info.tree, *(ff.node for ff in info.functions.values())]:
        for n in walk_own(root) if root is not info.tree else _module_own(info.tree):
            if isinstance(n, ast.Call) and isinstance(n.func, (ast.Name, ast.Attribute)):
                callee = resolve_callee(info, n, root if root is not info.tree else None)
                if callee is not None and callee.cls is not None and callee.cls.keras_kind is None:
                    out.setdefault(id(callee.node), []).append((n, root))
    return out


class CallIndex:
    """Calls and call-valued assignments of the whole module by callee name, from one walk: rules asking
    "where is `Quant(...)` called" per class would otherwise walk the module once per class."""

    def __init__(self, info: ModuleInfo):
        # `Name(...)`: callee name -> calls; `x.attr = Name(...)`: callee name -> assignments;
        # `self.attr(...)`: attr -> calls; `g(..., name, k=name)`: a name passed as a value -> calls passing it.
        self.by_name: dict[str, list[ast.Call]] = {}
        self.assigned: dict[str, list[ast.Assign]] = {}
        self.self_attr: dict[str, list[ast.Call]] = {}
        self.passed: dict[str, list[ast.Call]] = {}
        for n in info.all_nodes((ast.Call, ast.Assign)):
            if isinstance(n, ast.Call):
                for x in [*n.args, *[k.value for k in n.keywords]]:
                    if isinstance(x, ast.Name):
                        self.passed.setdefault(x.id, []).append(n)
                f = n.func
                if isinstance(f, ast.Name):
                    self.by_name.setdefault(f.id, []).append(n)
                elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
                    self.self_attr.setdefault(f.attr, []).append(n)
            elif isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Name):
                self.assigned.setdefault(n.value.func.id, []).append(n)


def call_index(info: ModuleInfo) -> CallIndex:
    return info.memo(f"{__name__}.call_index", lambda: CallIndex(info))


def name_loads(info: ModuleInfo, scope: ast.AST) -> dict[str, list[ast.Name]]:
    """Every `Name` read anywhere below `scope` (nested functions included), by name: built once per scope, so
    a question asked about many statements of a long module does not walk it once per statement."""

    def build() -> dict[str, list[ast.Name]]:
        out: dict[str, list[ast.Name]] = {}
        names = (
            info.all_nodes(ast.Name) if scope is info.tree else (n for n in ast.walk(scope) if isinstance(n, ast.Name))
        )
        for n in names:
            if isinstance(n.ctx, ast.Load):
                out.setdefault(n.id, []).append(n)
        return out

    return info.memo(f"{__name__}.name_loads.{id(scope)}", build)
