"""TFG046 layer-weight-never-reaches-output: a trainable weight a Keras layer creates (`self.b = self.add_weight(...)`)
that nothing of the class reads, or that `call` reads only into values it never returns: its gradient is None, so it
never trains (Keras warns `Gradients do not exist for variables [...]`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ClassFacts, ModuleInfo
from gradls.analysis.rules import rule

_WEIGHT_METHODS = frozenset({"add_weight", "add_variable"})


def _created_weights(cls: ClassFacts) -> list[tuple[str, ast.Assign]]:
    """(attr, statement) for `self.attr = self.add_weight(...)` in `build`/`__init__`, trainable (no
    `trainable=False`, no other keyword the analysis cannot read)."""
    out: list[tuple[str, ast.Assign]] = []
    for mname in ("build", "__init__"):
        method = cls.methods.get(mname)
        if method is None:
            continue
        for n in ast.walk(method):
            if not isinstance(n, ast.Assign) or len(n.targets) != 1:
                continue
            t, v = n.targets[0], n.value
            if not (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"):
                continue
            if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in _WEIGHT_METHODS):
                continue
            if not (isinstance(v.func.value, ast.Name) and v.func.value.id == "self"):
                continue
            trainable = next((k.value for k in v.keywords if k.arg == "trainable"), None)
            if trainable is not None and not (isinstance(trainable, ast.Constant) and trainable.value is True):
                continue
            if any(k.arg is None for k in v.keywords):
                continue  # **kwargs may say trainable=False
            out.append((t.attr, n))
    return out


def _attribute_loads(info: ModuleInfo) -> dict[str, list[ast.Attribute]]:
    """Every `x.attr` read in the module, by attribute name (a weight read from outside its class counts)."""
    out: dict[str, list[ast.Attribute]] = {}
    for n in info.all_nodes(ast.Attribute):
        if isinstance(n, ast.Attribute) and not isinstance(n.ctx, ast.Store):
            out.setdefault(n.attr, []).append(n)
    return out


def _reaches_return(
    attr_loads: dict[str, list[ast.Attribute]], call_method: ast.AST, attr: str, loads: list[ast.Attribute]
) -> bool:
    """Inside `call`: does a read of `self.attr` reach the return value (by assignments to plain names), or get
    used any way the analysis cannot follow (any statement other than a plain-name assignment)?"""
    stmts = [n for n in ast.walk(call_method) if isinstance(n, ast.stmt) and n is not call_method]
    ids = {id(x) for x in loads}

    def reads(node: ast.AST, names: set[str]) -> bool:
        for n in ast.walk(node):
            if id(n) in ids:
                return True
            if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load):
                return True
        return False

    tainted: set[str] = set()
    changed = True
    while changed:
        changed = False
        for s in stmts:
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                if reads(s, tainted):
                    return True  # a nested function reading it: not followed
                continue
            if isinstance(s, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and s.value is not None:
                if not reads(s.value, tainted):
                    continue
                targets = s.targets if isinstance(s, ast.Assign) else [s.target]
                for t in targets:
                    for n in [t] if isinstance(t, ast.Name) else getattr(t, "elts", [t]):
                        if isinstance(n, ast.Name):
                            if n.id not in tainted:
                                tainted.add(n.id)
                                changed = True
                        elif not _unread_self_attr(attr_loads, n):
                            return True  # stored somewhere read later, or in a container: not followed
            elif isinstance(s, (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try)):
                head = getattr(s, "test", None) or getattr(s, "iter", None)
                items = getattr(s, "items", None)
                if head is not None and reads(head, tainted):
                    return True
                if items and any(reads(i.context_expr, tainted) for i in items):
                    return True
            elif reads(s, tainted):
                return True  # return, an expression statement (add_loss, a call), assert, ...
    return False


def _unread_self_attr(attr_loads: dict[str, list[ast.Attribute]], target: ast.AST) -> bool:
    """`self.name = ...` where no `.name` is read anywhere in the module: the value goes nowhere."""
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"):
        return False
    return not attr_loads.get(target.attr)


@rule(
    "TFG046",
    "layer-weight-never-reaches-output",
    "A trainable weight a Keras layer creates in `build`/`__init__` that nothing reads, or that `call` reads only "
    "into values it never returns: its gradient is None, so it never trains (Keras warns `Gradients do not exist "
    "for variables [...]`; alone, `No gradients provided for any variable`).",
)
def find_layer_weight_never_reaching_output(info: ModuleInfo) -> Iterator[Finding]:
    if "add_weight" not in info.source and "add_variable" not in info.source:
        return
    subclassed = {b for c in info.classes.values() for b in c.base_names}
    attr_loads: dict[str, list[ast.Attribute]] | None = None  # built when a class creates a weight
    for name, cls in info.classes.items():
        if cls.keras_kind not in {"layer", "model"} or name in subclassed:
            continue  # a subclass of the module may read the weight in its own methods
        call = cls.methods.get("call")
        if call is None:
            continue
        for attr, store in _created_weights(cls):
            if attr_loads is None:
                attr_loads = _attribute_loads(info)
            loads = [
                n
                for n in attr_loads.get(attr, [])
                if not (store.lineno <= getattr(n, "lineno", 0) <= (store.end_lineno or store.lineno))
            ]
            outside_call = [n for n in loads if not (call.lineno <= n.lineno <= (call.end_lineno or call.lineno))]
            if outside_call:
                continue  # read by another method, a property, or from outside the class: not followed
            if not loads:
                why = "nothing reads it"
            elif _reaches_return(attr_loads, call, attr, loads):
                continue
            else:
                why = f"`{name}.call` reads it only into values it never returns"
            yield Finding(
                "TFG046",
                f"`self.{attr}` is a trainable weight of Keras `{name}`, but {why}: its gradient is None, so it never "
                "trains (Keras warns `Gradients do not exist for variables [...]`; when no weight gets one, `fit` "
                "raises `ValueError: No gradients provided for any variable`); use it in what `call` returns, or "
                "drop it",
                info.span(store),
            )
