"""`keras.layers.Lambda(fn)` layers: what their function returns, whether trainable weights come before them, and
whether the layer is the only way from those weights onward.

Keras runs a Lambda's function on real tensors inside the layer's `call`, so an op in it is recorded like an op in
`call`: `Lambda(lambda t: tf.stop_gradient(t))` or `Lambda(lambda t: tf.floor(t))` after trainable layers leaves
every weight before it without a gradient (under `fit` too) when nothing else carries their output on.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.call_sites import call_index
from gradls.analysis.flow import Flow
from gradls.analysis.keras_graph import keras_layer_owns_weights, layers_applied_after_weights
from gradls.analysis.module import ModuleInfo
from gradls.analysis.tensors import DIFF


@dataclass(frozen=True)
class LambdaLayer:
    ctor: ast.Call  # the `Lambda(fn, ...)` call
    returned: list[ast.expr]  # the expressions its function returns
    params: set[str]  # the function's input parameter (the layer's input)


def lambda_layers(info: ModuleInfo) -> Iterator[LambdaLayer]:
    """Every `Lambda(fn)` of the module whose function is a lambda or a module-level def."""
    if "Lambda" not in info.source:
        return
    for node in info.all_nodes(ast.Call):  # the module's calls in `ast.walk` order, from its shared node index
        if info.imports.qualname(node.func) != "keras.layers.Lambda":
            continue
        fn = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "function"), None)
        returned, params = _layer_function(info, fn)
        if returned is not None and params:
            yield LambdaLayer(node, returned, params)


# The input parameter of a Lambda whose function is a TensorFlow / keras.ops function itself.
LAYER_INPUT = "<layer input>"


def _layer_function(info: ModuleInfo, fn: ast.AST | None) -> tuple[list[ast.expr] | None, set[str]]:
    if isinstance(fn, ast.Lambda):
        return [fn.body], {a.arg for a in fn.args.args[:1]}
    if isinstance(fn, ast.Name) and fn.id in info.module_functions:
        d = info.module_functions[fn.id]
        inlined = _straight_line_returns(d)
        if inlined is not None:
            return inlined, {a.arg for a in d.args.args[:1]}
        ff = info.facts(d)
        returns = [r.value for r in (ff.returns if ff else []) if r.value is not None]
        return (returns or None), {a.arg for a in d.args.args[:1]}
    if isinstance(fn, (ast.Name, ast.Attribute)) and (info.imports.qualname(fn) or "").startswith(
        ("tensorflow.", "keras.ops.")
    ):
        # `Lambda(K.argmax, arguments={"axis": -1})`: Keras calls the op on the layer's input (the `arguments`
        # go in as keywords); seen as the call `op(<layer input>)` at the reference.
        call = ast.copy_location(
            ast.Call(func=fn, args=[ast.copy_location(ast.Name(id=LAYER_INPUT, ctx=ast.Load()), fn)], keywords=[]), fn
        )
        return [call], {LAYER_INPUT}
    return None, set()


_MAX_INLINED_NODES = 2000


def _straight_line_returns(d: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr] | None:
    """What a straight-line function returns, its local names replaced by the values they were bound to before
    the `return` (`x = ops.softmax(x); y = ops.one_hot(ops.argmax(x), M); return y` returns
    `ops.one_hot(ops.argmax(ops.softmax(x)), M)` of the parameter `x`). None when the body is anything but
    `name = value` statements and one `return` (a docstring aside), or when no local name is returned through:
    then the function's own return expressions are judged as they stand. The substituted nodes are copies that
    keep their source positions."""
    env: dict[str, ast.expr] = {}
    substituted = False

    class _Inline(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            nonlocal substituted
            if isinstance(node.ctx, ast.Load) and node.id in env:
                substituted = True
                return copy.deepcopy(env[node.id])
            return node

    for i, st in enumerate(d.body):
        if i == 0 and isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
            continue
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            value = _Inline().visit(copy.deepcopy(st.value))
            if sum(1 for _ in ast.walk(value)) > _MAX_INLINED_NODES:
                return None  # `a = a + a` repeated: the substituted expression would grow without bound
            env[st.targets[0].id] = value
            continue
        if isinstance(st, ast.Return) and st.value is not None and i == len(d.body) - 1:
            returned = _Inline().visit(copy.deepcopy(st.value))
            return [returned] if substituted else None
        return None
    return None


def applications(info: ModuleInfo, ctor: ast.Call) -> list[ast.Call]:
    """Where the layer is applied to a value: `Lambda(f)(h)`, or `make()(h)` where a module function `make`
    returns the layer (`def ArgMax(): return Lambda(...)`)."""
    parent = _parent(info, ctor)
    if isinstance(parent, ast.Call) and parent.func is ctor:
        return [parent]
    if not isinstance(parent, ast.Return):
        return []
    fn: ast.AST | None = parent
    while fn is not None and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        fn = _parent(info, fn)
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or info.module_functions.get(fn.name) is not fn:
        return []
    from gradls.analysis.call_sites import function_uses

    out: list[ast.Call] = []
    for call, _scope in function_uses(info).get(fn.name, []):
        outer = _parent(info, call) if call is not None else None
        if isinstance(outer, ast.Call) and outer.func is call:
            out.append(outer)
    return out


def _parent(info: ModuleInfo, node: ast.AST) -> ast.AST | None:
    parent = info.parent(node)
    if parent is None:
        parent = next((n for n in ast.walk(info.tree) if any(c is node for c in ast.iter_child_nodes(n))), None)
    return parent


def _owns_weights(info: ModuleInfo, layer: ast.AST) -> bool:
    if not isinstance(layer, ast.Call):
        return False
    if keras_layer_owns_weights(info.imports.qualname(layer.func) or ""):
        return True
    if isinstance(layer.func, ast.Name):
        cls = info.classes.get(layer.func.id)
        return cls is not None and cls.keras_kind in {"layer", "model"}
    return False


def weights_before(info: ModuleInfo, ctor: ast.Call) -> bool:
    """Is the Lambda applied to a value computed from trainable weights: `Lambda(f)(h)` in a functional model,
    an element of `Sequential([...])` after a layer that owns weights, or `model.add(Lambda(f))` on a
    `Sequential` that already holds such a layer?"""
    parent = _parent(info, ctor)
    if isinstance(parent, ast.Call) and parent.func is ctor and parent.args:
        return info.tensors.level_of(parent.args[0]) >= DIFF
    if isinstance(parent, ast.Return):
        return any(a.args and info.tensors.level_of(a.args[0]) >= DIFF for a in applications(info, ctor))
    if isinstance(parent, ast.List):
        for el in parent.elts:
            if el is ctor:
                return False
            if _owns_weights(info, el):
                return True
        return False
    if (
        isinstance(parent, ast.Call)
        and ctor in parent.args
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr == "add"
        and isinstance(parent.func.value, ast.Name)
    ):
        return _sequential_has_weights_before(info, parent.func.value.id, parent)
    return False


def _sequential_has_weights_before(info: ModuleInfo, name: str, add_call: ast.Call) -> bool:
    """`model = Sequential([...Dense...])` or an earlier `model.add(Dense(...))` in the same function or module."""
    fn = info.enclosing_function(add_call)
    body = info.own_nodes(fn) if fn is not None else list(ast.walk(info.tree))
    for n in body:
        if getattr(n, "lineno", add_call.lineno) >= add_call.lineno:
            continue
        if (
            isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
            and isinstance(n.value, ast.Call)
            and info.imports.qualname(n.value.func) in {"keras.Sequential", "keras.models.Sequential"}
        ):
            layers = n.value.args[0] if n.value.args else None
            if isinstance(layers, ast.List) and any(_owns_weights(info, el) for el in layers.elts):
                return True
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "add"
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == name
            and any(_owns_weights(info, a) for a in n.args)
        ):
            return True
    return False


def only_way_on(info: ModuleInfo, flow: Flow, ctor: ast.Call) -> bool:
    """Does the weighted value reach the rest of the model only through this layer? In a functional model,
    `Lambda(f)(h)` with `h` used nowhere else; in a `Sequential` every value passes through every layer."""
    parent = _parent(info, ctor)
    if isinstance(parent, ast.Return):
        apps = applications(info, ctor)
        return bool(apps) and all(_only_use(flow, a) for a in apps)
    if not (isinstance(parent, ast.Call) and parent.func is ctor and parent.args):
        return True
    return _only_use(flow, parent)


def _only_use(flow: Flow, application: ast.Call) -> bool:
    """Is the applied value `h` of `layer(h)` used nowhere else?"""
    if not application.args:
        return False
    h = application.args[0]
    if isinstance(h, ast.Call):
        return True  # `layer(Dense(3)(x))`: a value made for this application alone
    if not isinstance(h, ast.Name):
        return False
    sc = flow.scope_of(application)
    defining = [s for s, _ in sc.reaching_defs(h.id, application)]
    stmt = sc.statement(application)
    if len(defining) > 1 and stmt is not None and sc.loop_of(application) is None:
        # `h = f(h)` rebinding in straight-line code: the last binding beside the application kills the earlier
        # ones (reaching_defs keeps every earlier binding).
        siblings = _statement_list(stmt, sc.parent(stmt))
        last = max((d for d in defining if any(d is x for x in siblings)), key=lambda d: d.lineno, default=None)
        if last is not None:
            defining = [d for d in defining if d.lineno >= last.lineno]
    if len(defining) != 1:
        return False
    return all(sc.contains(application, u) for u in sc.uses(h.id, defining[0]))


def _statement_list(stmt: ast.stmt, parent: ast.AST | None) -> list[ast.stmt]:
    """The body list (of `parent`) that holds `stmt`."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and any(x is stmt for x in block):
            return block
    return []


def class_applied_after_weights(info: ModuleInfo, cls_name: str) -> bool:
    """Is the layer (or model) class `cls_name` applied to a value computed from weights (`Quant()(h)`, `self.q(h)` with
    `self.q = Quant()`), or put in a `Sequential` list after a layer that owns weights, in this module or in a
    project module that imports it?"""
    if cls_name in layers_applied_after_weights(info):
        return True
    if info.project is not None and info.path is not None:
        try:
            if any(cls_name in u.after_weights for u in info.project.users(cls_name, info.path)):
                return True
        except (OSError, RecursionError, ValueError):
            pass
    if cls_name + "(" not in info.source:
        return False
    calls = call_index(info)  # one walk of the module for all its layer classes
    if any(weights_before(info, n) for n in calls.by_name.get(cls_name, ())):
        return True
    attrs = {t.attr for n in calls.assigned.get(cls_name, ()) for t in n.targets if isinstance(t, ast.Attribute)}
    return any(
        n.args and info.tensors.level_of(n.args[0]) >= DIFF for attr in attrs for n in calls.self_attr.get(attr, ())
    )


def applied_only_to_data(info: ModuleInfo, cls_name: str) -> bool:
    """Is every instance of the module's layer class `cls_name` applied only to values with nothing differentiable
    in them (`Cls(...)(x)`, `layer = Cls(...)` then `layer(x)`, `self.a = Cls(...)` then `self.a(x)`, each `x`
    below DIFF), and all of its applications known: made nowhere else (no list, `Sequential`, argument, return),
    used by no other project module?"""
    calls = call_index(info)
    ctors = calls.by_name.get(cls_name, [])
    if not ctors:
        return False
    if info.project is not None and info.path is not None:
        try:
            if info.project.users(cls_name, info.path):
                return False
        except (OSError, RecursionError, ValueError):
            return False
    applied: list[ast.Call] = []
    for ctor in ctors:
        parent = _parent(info, ctor)
        if isinstance(parent, ast.Call) and parent.func is ctor:
            applied.append(parent)
            continue
        if not (isinstance(parent, ast.Assign) and parent.value is ctor and len(parent.targets) == 1):
            return False
        target = parent.targets[0]
        loads: list[ast.Name] | list[ast.Attribute]
        if isinstance(target, ast.Name):
            where = info.enclosing_function(parent)
            loads = [
                n
                for n in info.all_nodes(ast.Name)
                if n.id == target.id and isinstance(n.ctx, ast.Load) and info.enclosing_function(n) is where
            ]
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            loads = [
                n
                for n in info.all_nodes(ast.Attribute)
                if n.attr == target.attr
                and isinstance(n.value, ast.Name)
                and n.value.id == "self"
                and isinstance(n.ctx, ast.Load)
            ]
        else:
            return False
        for n in loads:
            up = _parent(info, n)
            if isinstance(up, ast.Attribute) and up.value is n and up.attr not in {"call", "__call__"}:
                continue  # `layer.trainable_variables`, `layer.build(...)`: not an application
            if not (isinstance(up, ast.Call) and up.func is n):
                return False  # passed on, listed, returned: applied where this does not look
            applied.append(up)
    return bool(applied) and all(c.args and info.tensors.level_of(c.args[0]) < DIFF for c in applied)


def from_unweighted_input(info: ModuleInfo, expr: ast.AST) -> bool:
    """In the `call` of a Keras layer or model class of this module: is `expr` computed from the class's input
    alone (none of its own weights, layers or variables on the way: no flow root) while every instance of the
    class is applied only to values with nothing differentiable in them (`applied_only_to_data`)?  Then nothing trainable reaches `expr`, though
    the input parameter itself is seeded as differentiable (tensorflow#40717: a `tf.py_function` on the input of a
    layer applied to the data)."""
    fn = info.enclosing_function(expr)
    ff = info.facts(fn)
    if fn is None or ff is None or ff.parent is not None or ff.cls is None or fn.name != "call":
        return False
    if ff.cls.keras_kind not in {"layer", "model"}:
        return False
    flow: Flow = info.memo(f"{__name__}.flow", lambda: Flow(info))
    return not flow.roots(expr) and applied_only_to_data(info, ff.cls.node.name)
