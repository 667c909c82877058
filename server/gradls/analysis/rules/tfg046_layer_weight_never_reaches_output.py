"""TFG046 layer-weight-never-reaches-output: a trainable weight a Keras layer creates (`self.b = self.add_weight(...)`)
that nothing of the class reads, that `call` reads only into values it never returns, or whose attribute is rebound
from outside once the layer is built (`model.get_layer("c").clusters = centers`): its gradient is None, so it never
trains (Keras warns `Gradients do not exist for variables [...]`)."""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator

from gradls.analysis.dropped_returns import dropped_sublayers
from gradls.analysis.model import Finding
from gradls.analysis.module import ClassFacts, ModuleInfo, walk_own
from gradls.analysis.rules import rule

_WEIGHT_METHODS = frozenset({"add_weight", "add_variable"})


def _created_weights(info: ModuleInfo, cls: ClassFacts) -> list[tuple[str, ast.Assign]]:
    """(attr, statement) for `self.attr = self.add_weight(...)` in `build`/`__init__`, trainable (no
    `trainable=False`, no other keyword the analysis cannot read)."""
    out: list[tuple[str, ast.Assign]] = []
    for mname in ("build", "__init__"):
        method = cls.methods.get(mname)
        if method is None:
            continue
        for n in info.walk(method):
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


def _loads_by_line(
    attr_loads: dict[str, list[ast.Attribute]], attr: str, cache: dict[str, tuple[list[int], list[ast.Attribute]]]
) -> tuple[list[int], list[ast.Attribute]]:
    """The reads of `.attr` sorted by line, and their lines, once per attribute name."""
    hit = cache.get(attr)
    if hit is None:
        by_line = sorted(attr_loads.get(attr, []), key=lambda n: n.lineno)
        hit = cache[attr] = ([n.lineno for n in by_line], by_line)
    return hit


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
    "A trainable weight a Keras layer creates in `build`/`__init__` that nothing reads, that `call` reads only "
    "into values it never returns, or whose attribute is rebound from outside once the layer is built: its gradient "
    "is None, so it never trains (Keras warns `Gradients do not exist for variables [...]`; alone, `No gradients "
    "provided for any variable`).",
)
def find_layer_weight_never_reaching_output(info: ModuleInfo) -> Iterator[Finding]:
    yield from _dropped_sublayer_findings(info)
    if "add_weight" not in info.source and "add_variable" not in info.source:
        return
    subclassed = {b for c in info.classes.values() for b in c.base_names}
    attr_loads: dict[str, list[ast.Attribute]] | None = None  # built when a class creates a weight
    loads_by_line: dict[str, tuple[list[int], list[ast.Attribute]]] = {}  # see _loads_by_line
    yield from _rebound_weights(info, subclassed)
    for name, cls in info.classes.items():
        if cls.keras_kind not in {"layer", "model"} or name in subclassed:
            continue  # a subclass of the module may read the weight in its own methods
        call = cls.methods.get("call")
        if call is None:
            continue
        for attr, store in _created_weights(info, cls):
            if attr_loads is None:
                attr_loads = _attribute_loads(info)
            s_lo, s_hi = store.lineno, store.end_lineno or store.lineno
            c_lo, c_hi = call.lineno, call.end_lineno or call.lineno
            if s_hi < c_lo or c_hi < s_lo:
                # The store's lines and `call`'s do not meet (two methods): count the reads on either side by
                # bisection, not by a pass over every read of the attribute in the module per weight (a module of many
                # layers naming their weights alike read them all once per layer).
                lines, by_line = _loads_by_line(attr_loads, attr, loads_by_line)
                i, j = bisect.bisect_left(lines, c_lo), bisect.bisect_right(lines, c_hi)
                in_store = bisect.bisect_right(lines, s_hi) - bisect.bisect_left(lines, s_lo)
                if len(lines) - in_store - (j - i):
                    continue  # read by another method, a property, or from outside the class: not followed
                loads = by_line[i:j]
            else:
                loads = [n for n in attr_loads.get(attr, []) if not (s_lo <= getattr(n, "lineno", 0) <= s_hi)]
                if any(not (c_lo <= n.lineno <= c_hi) for n in loads):
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


# ---------------------------------------------------------------------------------------------------------------
# A weight attribute rebound from outside the class once the layer is built.  Measured under TF 2.21 / Keras 3.15:
# `layer.c = value` after `build` leaves the weight in `layer.trainable_weights` (the tracker never drops it) while
# `call` now reads the new value, so the weight's gradient is None and it keeps its initial value, for a NumPy array,
# a tensor or a `tf.Variable` alike; a `keras.Variable` raises `ValueError: You cannot add new elements of state`.
# (tf_keras / Keras 2 drops the weight from `trainable_weights` instead: no None gradient to report, so Keras 2
# classes are left out.)


def _rebound_weights(info: ModuleInfo, subclassed: set[str]) -> Iterator[Finding]:
    weights: dict[str, dict[str, ast.Assign]] = {}  # class -> weight attribute -> its add_weight statement
    for name, cls in info.classes.items():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2 or name in subclassed:
            continue
        call = cls.methods.get("call")
        if call is None:
            continue
        read = {
            n.attr
            for n in info.walk(call)
            if isinstance(n, ast.Attribute)
            and isinstance(n.ctx, ast.Load)
            and isinstance(n.value, ast.Name)
            and n.value.id == "self"
        }
        made = {attr: stmt for attr, stmt in _created_weights(info, cls) if attr in read}
        if made:
            weights[name] = made
    if not weights:
        return
    attrs = {a for made in weights.values() for a in made}
    for stmt in info.all_nodes(ast.Assign):
        if len(stmt.targets) != 1:
            continue
        t = stmt.targets[0]
        if not isinstance(t, ast.Attribute) or t.attr not in attrs:
            continue
        if isinstance(t.value, ast.Name) and t.value.id == "self":
            continue  # the class's own methods: when they run is not told here
        cls_name, how = _built_instance(info, t.value, stmt)
        made_in = weights.get(cls_name or "")
        if made_in is None or t.attr not in made_in:
            continue
        created = made_in[t.attr]
        yield Finding(
            "TFG046",
            f"`{info.text(t)} = ...` rebinds the trainable weight `self.{t.attr}` of Keras `{cls_name}` (created at "
            f"line {created.lineno}) after {how}: Keras 3 keeps the weight in `trainable_weights` while `call` now "
            "reads the new value, so its gradient is None and it never trains (Keras warns `Gradients do not exist "
            "for variables [...]`; a `keras.Variable` raises `ValueError: You cannot add new elements of state`); "
            f"set its value with `{info.text(t)}.assign(...)`",
            info.span(stmt),
        )


def _built_instance(info: ModuleInfo, e: ast.AST, stmt: ast.stmt) -> tuple[str | None, str]:
    """The module class of the built layer `e` is, and how it was built: `model.get_layer("name")` where the only
    layer constructed with that `name=` is a module class applied where it is made (`C(name="name")(x)`), or a name
    bound once in this scope to `C(...)` and called before `stmt`."""
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "get_layer":
        arg = e.args[0] if e.args else next((k.value for k in e.keywords if k.arg == "name"), None)
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return None, ""
        ctors = [
            c
            for c in info.all_nodes(ast.Call)
            if c is not e
            and not (isinstance(c.func, ast.Attribute) and c.func.attr == "get_layer")
            and any(
                k.arg == "name" and isinstance(k.value, ast.Constant) and k.value.value == arg.value for k in c.keywords
            )
        ]
        if len(ctors) != 1 or not isinstance(ctors[0].func, ast.Name) or ctors[0].func.id not in info.classes:
            return None, ""
        applied = info.all_parents.get(id(ctors[0]))
        if not (isinstance(applied, ast.Call) and applied.func is ctors[0]):
            return None, ""
        return ctors[0].func.id, f"the layer was built (`{ctors[0].func.id}(...)` applied at line {applied.lineno})"
    if isinstance(e, ast.Name):
        scope = info.enclosing_function(stmt)
        root = scope if scope is not None else info.tree
        binds = [
            a
            for a in walk_own(root)
            if isinstance(a, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.With, ast.arg))
            and e.id in info.stored_names(a)
        ]
        if len(binds) != 1 or not isinstance(binds[0], ast.Assign) or len(binds[0].targets) != 1:
            return None, ""
        v = binds[0].value
        if not (isinstance(binds[0].targets[0], ast.Name) and isinstance(v, ast.Call)):
            return None, ""
        if not (isinstance(v.func, ast.Name) and v.func.id in info.classes):
            return None, ""
        called = [
            c
            for c in walk_own(root)
            if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name)
            and c.func.id == e.id
            and (c.end_lineno or c.lineno) < stmt.lineno
        ]
        if not called:
            return None, ""  # rebound before the layer is built: `build` makes the weight afresh
        return v.func.id, f"the layer was built (called at line {called[0].lineno})"
    return None, ""


def _dropped_sublayer_findings(info: ModuleInfo) -> Iterator[Finding]:
    """A sublayer whose output reaches only return elements of `call` that every holder of the class drops
    (keras-tcn#263; see `dropped_returns`)."""
    for d in dropped_sublayers(info):
        reaches = ", ".join(str(i) for i in sorted(d.reaches))
        read = ", ".join(str(i) for i in sorted(d.read)) or "none"
        yield Finding(
            "TFG046",
            f"`self.{d.attr}`'s output reaches only element(s) {reaches} of what `{d.cls.node.name}.call` returns, and "
            f"`{d.holder}` reads only element(s) {read} of it: its weights never reach an output, their gradient is "
            "None and they never train (`fit` warns `Gradients do not exist for variables [...]`); use that element "
            "(or drop the sublayer)",
            info.span(d.made),
        )
