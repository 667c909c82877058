"""TFG014 untracked-variable-in-keras-layer: a raw `tf.Variable` stored on a Keras 3 layer or model."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.dtypes import int_dtype_of
from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import VARIABLE_CTORS, ClassFacts, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tf_modules import (
    is_tf_module_ctor,
    module_class_variables,
    plain_class_layers,
    self_attr,
    setup_methods,
    stored_calls,
    stored_on_submodule,
    tf_module_classes,
)

# Keras 3 tracks only its own keras.Variable; these keywords mean the same on both.
_PORTABLE_KWARGS = {"trainable", "name", "dtype"}


@dataclass(frozen=True)
class KerasVariableFix(FixData):
    """`tf.Variable` (the callee's span, as `<tf_alias>.Variable`) to become `<tf_alias>.keras.Variable`."""

    func: Span
    tf_alias: str


@rule(
    "TFG014",
    "untracked-variable-in-keras-layer",
    "Keras 3 does not track a raw `tf.Variable` stored on a layer or model: it is missing from "
    "`trainable_variables`, so `fit()` and `tape.gradient(loss, model.trainable_variables)` never update it.",
)
def find_untracked_variable_in_keras_layer(info: ModuleInfo) -> Iterator[Finding]:
    yield from _weight_list_assignments(info)
    yield from _lambda_captured_variables(info)
    yield from _tf_variable_trainable_assignments(info)
    yield from _plain_objects_holding_layers(info)
    yield from _random_tensor_weights(info)
    registered: dict[str, set[str]] = {}  # class -> attrs handed to a Keras 2 private weight list (which raises)
    for finding, cls_name, attrs in _private_weight_list_reads(info):
        registered.setdefault(cls_name, set()).update(attrs)
        yield finding
    if "Variable(" not in info.source:
        return
    tf_alias = info.imports.alias_of("tensorflow")
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue  # Keras 2 (`tf_keras`) tracks a raw tf.Variable set as an attribute
        updated: set[str] | None = None
        setup = setup_methods(cls.methods)
        submodules: dict[str, str] = {}  # self.<attr> -> the tf.Module class it holds
        for method in cls.methods.values():
            if method.name not in setup:
                continue  # in call/train_step it is TFG007's business
            for attr, call, held in stored_calls(method, "variable"):
                module_cls = is_tf_module_ctor(info, call) if not held else None
                if module_cls is not None:
                    submodules[attr] = module_cls
                    owned = (
                        module_class_variables(info, tf_module_classes(info)[module_cls])
                        if module_cls != "tf.Module"
                        else []
                    )
                    if owned:
                        if updated is None:
                            updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                        if attr not in updated:
                            yield _module_finding(info, cls, attr, module_cls, owned, call)
                    continue
                if info.imports.qualname(call.func) != "tensorflow.Variable":
                    continue
                if info.object_kind(call) != "variable" or int_dtype_of(info, call) is not None:
                    continue  # non-trainable state and integer counters are not meant to train
                if updated is None:
                    updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if attr in updated:
                    continue  # updated with .assign(), or differentiated and applied by name: not left untrained
                if attr in registered.get(cls.node.name, ()):
                    continue  # the private-list call that registers it raises first: that finding says so
                span = info.span(call)
                portable = all(k.arg in _PORTABLE_KWARGS for k in call.keywords) and len(call.args) <= 1
                yield Finding(
                    "TFG014",
                    f"{held or f'`self.{attr}`'} is a raw `tf.Variable` on Keras {cls.keras_kind} `{cls.node.name}`: Keras 3 does not "
                    "track it, so it is missing from `trainable_variables` and never trains (no error; only when no weight "
                    "of the model is tracked does `fit` warn `The model does not have any trainable weights`); "
                    "use `self.add_weight(...)` or `keras.Variable(...)`",
                    span,
                    KerasVariableFix(info.span(call.func), tf_alias) if portable and tf_alias else None,
                )
        if not submodules:
            continue
        for method in cls.methods.values():
            if method.name not in setup:
                continue
            for where, call in stored_on_submodule(method, set(submodules)):
                if info.imports.qualname(call.func) != "tensorflow.Variable" or info.object_kind(call) != "variable":
                    continue
                if int_dtype_of(info, call) is not None:
                    continue
                if updated is None:
                    updated = _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if where.split(".")[0] in updated:
                    continue
                yield Finding(
                    "TFG014",
                    f"`self.{where}` is a raw `tf.Variable` on `self.{where.split('.')[0]}`, a `tf.Module` held by Keras "
                    f"{cls.keras_kind} `{cls.node.name}`: Keras 3 tracks neither, so it is missing from "
                    "`trainable_variables` and never trains (no error); make it `self.add_weight(...)` on the "
                    f"{cls.keras_kind} itself",
                    info.span(call),
                    None,
                )


_RANDOM_DRAWS = {"normal", "uniform", "truncated_normal"}


def _random_draw(info: ModuleInfo, call: ast.Call) -> str | None:
    """`tf.random.normal(shape)` / `keras.random.uniform(shape)` / `keras.initializers.GlorotUniform()(shape)`: the
    text of the call that draws a random tensor, else None."""
    q = info.imports.qualname(call.func) or ""
    if q.startswith(("tensorflow.random.", "keras.random.")) and q.rsplit(".", 1)[-1] in _RANDOM_DRAWS:
        return info.text(call.func)
    if q in {"tensorflow.random_normal", "tensorflow.random_uniform", "tensorflow.truncated_normal"}:
        return info.text(call.func)
    inner = call.func
    if isinstance(inner, ast.Call) and (info.imports.qualname(inner.func) or "").startswith("keras.initializers."):
        return f"{info.text(inner)}(...)"
    return None


def _random_tensor_weights(info: ModuleInfo) -> Iterator[Finding]:
    """`self.centers = tf.random.normal((units, d))` in the `build` / `__init__` of a Keras 3 layer or model, read
    by its `call`: a constant tensor, not a weight. Measured under TF 2.21: the layer has no trainable weights, `fit`
    never changes the values (no error), and they are not among the saved weights. Every binding of the attribute
    in the class must be such a draw (a placeholder later replaced by `add_weight` stays quiet)."""
    if "random" not in info.source and "initializers" not in info.source:
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue
        call_fn = cls.methods.get("call")
        if call_fn is None:
            continue
        read = {n.attr for n in ast.walk(call_fn) if isinstance(n, ast.Attribute) and self_attr(n) is not None}
        setup = setup_methods(cls.methods)
        bindings: dict[str, list[ast.AST]] = {}
        for n in ast.walk(cls.node):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, ast.AugAssign) else []
            for t in targets:
                for e in ast.walk(t):
                    if (a := self_attr(e)) is not None and isinstance(getattr(e, "ctx", None), ast.Store):
                        bindings.setdefault(a, []).append(n)
        for method in cls.methods.values():
            if method.name not in setup:
                continue
            for attr, call, held in stored_calls(method, "tensor"):
                if held or attr not in read or len(bindings.get(attr, [])) != 1:
                    continue
                drawn = _random_draw(info, call)
                if drawn is None or int_dtype_of(info, call) is not None:
                    continue
                yield Finding(
                    "TFG014",
                    f"`self.{attr}` is a tensor drawn by `{drawn}` in `{cls.node.name}.{method.name}`, not a weight: "
                    f"Keras does not track it, so it is missing from `trainable_weights`, `fit` never changes it (no "
                    "error) and it is not saved with the model; make it with `self.add_weight(shape=..., "
                    'initializer="random_normal")` (`trainable=False` if it is meant to stay fixed)',
                    info.span(call),
                    None,
                )


def _plain_objects_holding_layers(info: ModuleInfo) -> Iterator[Finding]:
    """`self.blocks = Blocks(...)` in the setup of a Keras 3 layer or model, where `Blocks` is a plain class of the
    module keeping Keras layers on itself (`self.layers = [Dense(...), ...]`). Measured under TF 2.21: the layers'
    weights are missing from the model's `trainable_variables`, and neither a tape over them nor `fit` trains them
    (no error). Quiet when the class hands one of the object's attributes to itself (`self.ls = self.blocks.layers`,
    a tracked list), names the object among what it differentiates or updates, or builds a functional graph."""
    if info.legacy_keras or "class" not in info.source:
        return
    plain = {
        name: attrs
        for name in info.classes
        if info.classes[name].keras_kind is None and (attrs := plain_class_layers(info, name))
    }
    if not plain:
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2 or _builds_functional_graph(cls):
            continue
        setup = setup_methods(cls.methods)
        reached: set[str] | None = None
        for method in cls.methods.values():
            if method.name not in setup:
                continue
            for attr, call, held in stored_calls(method):
                if held or not isinstance(call.func, ast.Name) or call.func.id not in plain:
                    continue
                if reached is None:
                    reached = _handed_on(cls.node) | _assigned_state(cls.node) | _differentiated_by_name(cls.node)
                if attr in reached:
                    continue
                owner = call.func.id
                shown = ", ".join(f"`{a}`" for a in plain[owner][:3])
                yield Finding(
                    "TFG014",
                    f"`self.{attr}` is a `{owner}`, a plain Python object keeping Keras layers ({shown}), on Keras "
                    f"{cls.keras_kind} `{cls.node.name}`: Keras 3 tracks only layers, variables and lists, tuples or "
                    "dicts of them set on a layer, so those layers' weights are missing from `trainable_variables` "
                    f"and never train (no error); make `{owner}` a `keras.layers.Layer`, or keep its layers in a list "
                    f"on `{cls.node.name}`",
                    info.span(call),
                    None,
                )


def _builds_functional_graph(cls: ClassFacts) -> bool:
    """`super().__init__(inputs, outputs)` in `__init__`: a functional model, which tracks the layers its graph
    applies wherever they are kept."""
    init = cls.methods.get("__init__")
    if init is None:
        return False
    for n in ast.walk(init):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "__init__"
            and (n.args or any(k.arg in {"inputs", "outputs"} for k in n.keywords))
        ):
            return True
    return False


def _handed_on(cls: ast.ClassDef) -> set[str]:
    """Attributes read in a value the class stores on itself (`self.ls = self.blocks.layers`): what they hold is
    then reachable from a tracked attribute."""
    out: set[str] = set()
    for n in ast.walk(cls):
        if isinstance(n, ast.Assign) and any(self_attr(t) is not None for t in n.targets):
            for m in ast.walk(n.value):
                if isinstance(m, ast.Attribute) and (a := self_attr(m.value)) is not None:
                    out.add(a)
    return out


def _module_finding(
    info: ModuleInfo, cls: ClassFacts, attr: str, module_cls: str, owned: list[str], call: ast.Call
) -> Finding:
    shown = ", ".join(f"`{v}`" for v in owned[:3]) + (" ..." if len(owned) > 3 else "")
    return Finding(
        "TFG014",
        f"`self.{attr}` is a `tf.Module` (`{module_cls}`, with the raw `tf.Variable`s {shown}) on Keras "
        f"{cls.keras_kind} `{cls.node.name}`: Keras 3 does not track a `tf.Module` or its variables, so they are "
        "missing from `trainable_variables` and never train (no error); make "
        f"`{module_cls}` a `keras.layers.Layer` whose weights are made with `self.add_weight(...)`",
        info.span(call),
        None,
    )


_GRADIENT_METHODS = frozenset({"gradient", "jacobian", "apply_gradients", "minimize", "apply"})


def _differentiated_by_name(cls: ast.ClassDef) -> set[str]:
    """Attributes the class names among the sources of a gradient or an update (`tape.gradient(loss,
    [self.log_alpha])`, `opt.apply_gradients(zip(g, [self.log_alpha]))`, `var_list=[...]`): trained by reference,
    whether Keras tracks them or not (tf2rl's SAC temperature)."""
    out = set()
    for n in ast.walk(cls):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _GRADIENT_METHODS):
            continue
        places = n.args[1:] if n.func.attr in {"gradient", "jacobian"} else n.args
        places = [*places, *(k.value for k in n.keywords if k.arg in {"sources", "var_list", "grads_and_vars"})]
        for p in places:
            for m in ast.walk(p):
                attr = self_attr(m)
                if attr is not None:
                    out.add(attr)
    return out


def _assigned_state(cls: ast.ClassDef) -> set[str]:
    """Attributes the class updates by hand: `self.x.assign(...)`, `assign_add`, `assign_sub`, also on an element
    of a list held there (`self.x[i].assign(...)`)."""
    out = set()
    for n in ast.walk(cls):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr.startswith("assign"):
            target = n.func.value
            if isinstance(target, ast.Subscript):
                target = target.value
            while isinstance(target, ast.Attribute) and self_attr(target) is None:
                target = target.value  # `self.sub.w.assign(...)`: state of the tf.Module held on `self.sub`
            attr = self_attr(target)
            if attr is not None:
                out.add(attr)
    return out


# Read-only properties of a Keras layer / model (Keras 3 and tf_keras): the Keras 1 way of registering weights,
# `self.trainable_weights = [self.W]`, raises there (measured under TF 2.21 in `__init__` and `build`, for `=` and
# `+=`, on layers and models; `self.trainable = False` and a private `self._trainable_weights` do not).
_WEIGHT_LIST_PROPERTIES = frozenset(
    {
        "trainable_weights",
        "non_trainable_weights",
        "weights",
        "trainable_variables",
        "non_trainable_variables",
        "variables",
    }
)


# Keras 2 kept a layer's weights in the private lists `_trainable_weights` / `_non_trainable_weights` (code appended
# raw variables to them); a Keras 3 layer or model has no such attribute: reading one raises `AttributeError`
# (measured under TF 2.21 for `.append`, `.extend` and `+=`, on layers and models; tf_keras still has them, and a
# plain `self._trainable_weights = [...]` only sets an attribute).
_PRIVATE_WEIGHT_LISTS = frozenset({"_trainable_weights", "_non_trainable_weights"})


def _private_weight_list_reads(info: ModuleInfo) -> Iterator[tuple[Finding, str, set[str]]]:
    """(finding, class name, the `self.<attr>` names handed to the list) for each read of a Keras 2 private
    weight list on `self` in a method of a Keras 3 layer or model that never sets the attribute itself."""
    if not any(p in info.source for p in _PRIVATE_WEIGHT_LISTS):
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            continue
        set_here = {
            attr
            for n in info.walk(cls.node)
            if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if (attr := self_attr(t)) in _PRIVATE_WEIGHT_LISTS
        } | {st.name for st in cls.node.body if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for method in cls.methods.values():
            for n in info.walk(method):
                if isinstance(n, ast.AugAssign):
                    read: ast.AST = n.target
                elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load):
                    read = n
                else:
                    continue
                attr = self_attr(read)
                if attr not in _PRIVATE_WEIGHT_LISTS or attr in set_here:
                    continue
                stmt: ast.AST = n
                while not isinstance(stmt, ast.stmt):
                    up = info.all_parents.get(id(stmt))
                    if up is None:
                        break
                    stmt = up
                handed_attrs = {a for x in ast.walk(stmt) if (a := self_attr(x)) is not None} - {attr}
                yield (
                    Finding(
                        "TFG014",
                        f"Keras 3 {cls.keras_kind} `{cls.node.name}` has no `{attr}` list (Keras 2 kept its weights "
                        f"there): reading `self.{attr}` raises `AttributeError: '{cls.node.name}' object has no "
                        f"attribute '{attr}'` when `{method.name}` runs, so no weight is registered this way; make "
                        "each weight with `self.add_weight(...)` (tracked, and trained by `fit`)",
                        info.span(stmt),
                        None,
                    ),
                    cls.node.name,
                    handed_attrs,
                )


def _weight_list_assignments(info: ModuleInfo) -> Iterator[Finding]:
    if not any(p in info.source for p in _WEIGHT_LIST_PROPERTIES):
        return
    # names a class of the module defines itself (a property with a setter, a plain class attribute)
    redefined: set[str] = set()
    for c in info.classes.values():
        for stmt in c.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                redefined.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                redefined.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"}:
            continue
        for method in cls.methods.values():
            for n in info.walk(method):
                if isinstance(n, ast.Assign):
                    targets = n.targets
                elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
                    targets = [n.target]
                else:
                    continue
                for target in targets:
                    attr = self_attr(target)
                    if attr not in _WEIGHT_LIST_PROPERTIES or attr in redefined:
                        continue
                    raised = (
                        f'`AttributeError: Can\'t set the attribute "{attr}"`'
                        if cls.keras2
                        else f"`AttributeError: property '{attr}' of '{cls.node.name}' object has no setter`"
                    )
                    yield Finding(
                        "TFG014",
                        f"`self.{attr}` is a read-only property of Keras {cls.keras_kind} `{cls.node.name}`: this "
                        f"assignment raises {raised} when `{method.name}` runs, so no weight is registered this way; "
                        "make each weight with `self.add_weight(...)` (tracked, and trained by `fit`) and drop the "
                        "assignment",
                        info.span(n),
                        None,
                    )


# Uses of a variable outside the Lambda that only read it (inspection, printing), not train it.
_READ_ONLY_ATTRS = frozenset({"numpy", "shape", "dtype", "name", "value", "read_value"})
_TRAINING_CALLS = frozenset({"fit", "train_on_batch", "fit_generator"})


def _lambda_captured_variables(info: ModuleInfo) -> Iterator[Finding]:
    """`keras.layers.Lambda(lambda x: x @ w)` with `w = tf.Variable(...)` (or `keras.Variable`) bound once at module
    level: a Lambda layer has no weights, Keras tracks no variable its function captures, so `w` is missing from
    the model's `trainable_variables` and `fit` never changes it (tensorflow#61658; measured under TF 2.21 for
    Keras 3 with both variable kinds, and tf_keras, which only warns). Reported when the module trains a model
    (`fit` / `train_on_batch`) and every other use of the variable only reads it (`w.numpy()`, `print(w)`): a
    variable also differentiated or assigned elsewhere, or handed to anything else, may be trained on purpose."""
    if "Lambda(" not in info.source or not any(
        isinstance(c.func, ast.Attribute) and c.func.attr in _TRAINING_CALLS for c in info.all_nodes(ast.Call)
    ):
        return
    variables = _module_level_variables(info)
    if not variables:
        return
    for c in info.all_nodes(ast.Call):
        q = info.imports.qualname(c.func) or ""
        if not (q.startswith(("keras.", "tf_keras.")) and q.endswith("layers.Lambda")):
            continue
        fn = c.args[0] if c.args else next((k.value for k in c.keywords if k.arg == "function"), None)
        body: ast.AST | None = None
        if isinstance(fn, ast.Lambda):
            body = fn
        elif isinstance(fn, ast.Name) and fn.id in info.module_functions:
            body = info.module_functions[fn.id]
        if body is None:
            continue
        local = _bound_names(body)
        read = {n.id for n in ast.walk(body) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for name in sorted((read & set(variables)) - local):
            if not _only_read_elsewhere(info, name, body):
                continue
            yield Finding(
                "TFG014",
                f"the function of this `Lambda` layer reads `{name}`, a trainable variable made at line "
                f"{variables[name].lineno}: a `Lambda` layer has no weights and Keras tracks no variable its function "
                f"captures, so `{name}` is missing from the model's `trainable_variables` and `fit` never changes it "
                "(no error); write a subclassed layer that makes it with `self.add_weight(...)`",
                info.span(c),
                None,
            )


def _module_level_variables(info: ModuleInfo) -> dict[str, ast.Call]:
    """Module-level names bound exactly once, to a trainable float `tf.Variable(...)` / `keras.Variable(...)`."""
    binds: dict[str, list[ast.AST]] = {}
    for st in ast.walk(info.tree):
        targets: list[ast.expr] = []
        if isinstance(st, ast.Assign):
            targets = st.targets
        elif isinstance(st, (ast.AnnAssign, ast.AugAssign)):
            targets = [st.target]
        elif isinstance(st, (ast.For, ast.AsyncFor, ast.comprehension)):
            targets = [st.target]
        elif isinstance(st, (ast.With, ast.AsyncWith)):
            targets = [i.optional_vars for i in st.items if i.optional_vars is not None]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    binds.setdefault(n.id, []).append(st)
        if isinstance(st, (ast.Global, ast.Nonlocal)):
            for declared in st.names:
                binds.setdefault(declared, []).extend([st, st])  # rebound elsewhere: not a single binding
    out: dict[str, ast.Call] = {}
    for st in info.tree.body:
        if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)):
            continue
        name, v = st.targets[0].id, st.value
        if len(binds.get(name, [])) != 1 or not isinstance(v, ast.Call):
            continue
        if info.imports.qualname(v.func) not in VARIABLE_CTORS or info.object_kind(v) != "variable":
            continue
        if int_dtype_of(info, v) is not None:
            continue
        out[name] = v
    return out


def _bound_names(fn: ast.AST) -> set[str]:
    """Parameters and names assigned inside a lambda or def (they shadow module-level names)."""
    out: set[str] = set()
    args = fn.args if isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if args is not None:
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None:
                out.add(a.arg)
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
    return out


def _only_read_elsewhere(info: ModuleInfo, name: str, fn: ast.AST) -> bool:
    """Every load of `name` outside `fn` (and outside its own definition) only inspects it: `name.numpy()`,
    `name.shape`, `print(name)`; any other use (a gradient source, an `assign`, a list, an argument) may train it."""
    inside = {id(n) for n in ast.walk(fn)}
    parents = info.all_parents
    for n in info.all_nodes(ast.Name):
        if n.id != name or not isinstance(n.ctx, ast.Load) or id(n) in inside:
            continue
        parent = parents.get(id(n))
        if isinstance(parent, ast.Attribute) and parent.attr in _READ_ONLY_ATTRS:
            continue
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "print":
            continue
        return False
    return True


def _tf_variable_trainable_assignments(info: ModuleInfo) -> Iterator[Finding]:
    """`self.a.trainable = True` where `self.a = tf.Variable(...)` in a method of the class, or `v.trainable = ...`
    where `v` is bound once, in the same function (or at module level), to `tf.Variable(...)` (tensorflow#60004).
    A `tf.Variable`'s `trainable` is read-only: TF 2.21 raises `AttributeError: property 'trainable' of
    'ResourceVariable' object has no setter` (a Keras 3 `keras.Variable` / `add_weight` weight has a setter)."""
    if ".trainable" not in info.source or "Variable(" not in info.source:
        return
    class_vars: dict[int, dict[str, set[str]]] = {}  # id(class) -> self.<attr> -> qualnames of what is stored there
    for st in info.all_nodes(ast.Assign):
        if len(st.targets) != 1:
            continue
        t = st.targets[0]
        if not (isinstance(t, ast.Attribute) and t.attr == "trainable"):
            continue
        target = t.value
        made: ast.AST | None = None
        shown = info.text(target)
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            cls = _enclosing_class(info, st)
            if cls is None:
                continue
            stored = class_vars.get(id(cls))
            if stored is None:
                stored = class_vars[id(cls)] = _self_attr_values(info, cls)
            if stored.get(target.attr) == {"tensorflow.Variable"}:
                made = target
        elif isinstance(target, ast.Name):
            made = _single_tf_variable_binding(info, st, target.id)
        if made is None:
            continue
        yield Finding(
            "TFG014",
            f"`{shown}` is a raw `tf.Variable`, whose `trainable` is read-only: this assignment raises "
            "`AttributeError: property 'trainable' of 'ResourceVariable' object has no setter` (and on a Keras 3 layer "
            "or model a raw `tf.Variable` is not tracked, so it would not train anyway); make it a Keras weight "
            "with the `trainable` it needs from the start, `self.add_weight(..., trainable=True)`",
            info.span(st),
            None,
        )


def _enclosing_class(info: ModuleInfo, node: ast.AST) -> ast.ClassDef | None:
    parents = info.all_parents
    p = parents.get(id(node))
    while p is not None and not isinstance(p, ast.ClassDef):
        p = parents.get(id(p))
    return p


def _self_attr_values(info: ModuleInfo, cls: ast.ClassDef) -> dict[str, set[str]]:
    """For each `self.<attr> = <value>` in the class's methods: the qualnames of the calls stored there (`?` for a
    value that is not a call, or a call of something unnamed)."""
    out: dict[str, set[str]] = {}
    for n in ast.walk(cls):
        targets: list[ast.expr] = []
        value: ast.AST | None = None
        if isinstance(n, ast.Assign):
            targets, value = n.targets, n.value
        elif isinstance(n, (ast.AnnAssign, ast.AugAssign)):
            targets, value = [n.target], n.value
        for t in targets:
            # `self.a = ...` and `self.a, self.b = ...` rebind the attribute; `self.a.x = ...` does not.
            elts = t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]
            for e in elts:
                if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
                    q = "?"
                    if e is t and isinstance(value, ast.Call):
                        q = info.imports.qualname(value.func) or "?"
                    out.setdefault(e.attr, set()).add(q)
    return out


def _single_tf_variable_binding(info: ModuleInfo, use: ast.stmt, name: str) -> ast.AST | None:
    """The `tf.Variable(...)` call `name` is bound to when the function (or module) holding `use` binds it exactly
    once, by a plain assignment of that call; else None."""
    parents = info.all_parents
    scope: ast.AST | None = parents.get(id(use))
    while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        scope = parents.get(id(scope))
    if scope is None:
        return None
    binds: list[ast.AST] = []
    for n in ast.walk(scope):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) and n is not scope:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name:
                binds.append(n)
            continue
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, (ast.Store, ast.Del)):
            binds.append(n)
        elif isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names:
            return None
        elif isinstance(n, ast.arg) and n.arg == name:
            return None
    if len(binds) != 1:
        return None
    st = parents.get(id(binds[0]))
    if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and st.targets[0] is binds[0]):
        return None
    v = st.value
    if isinstance(v, ast.Call) and info.imports.qualname(v.func) == "tensorflow.Variable":
        return v
    return None
