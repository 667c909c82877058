"""What a rule can tell about Keras objects from the source alone: models and layers, Keras 3 variables,
lists of variables, layers holding non-trainable state.

Shared by TFG015-TFG017.  A `KerasFacts` is built by a rule for one run over one `ModuleInfo` and thrown
away afterwards (nothing is stored on the `ModuleInfo`).  Names are resolved by their bindings in the
enclosing function, then the enclosing functions, then the module; a name bound in ways that cannot be
told (parameters, `global`, augmented assignments, several different values) is unknown.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gradls.analysis.call_sites import function_uses
from gradls.analysis.module import ModuleInfo, child_nodes, is_keras_layer_ctor
from gradls.analysis.project import ClassSummary

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef

# Attributes of a Keras layer/model that are lists of Keras 3 variables.
VARIABLE_LISTS = {
    "trainable_variables",
    "trainable_weights",
    "non_trainable_variables",
    "non_trainable_weights",
    "variables",
    "weights",
}
# Attributes of the built-in Keras layers that are Keras 3 variables.
LAYER_VARIABLE_ATTRS = {
    "kernel",
    "bias",
    "gamma",
    "beta",
    "moving_mean",
    "moving_variance",
    "embeddings",
    "recurrent_kernel",
    "depthwise_kernel",
    "pointwise_kernel",
}
# Built-in layers that own non-trainable variables.
NON_TRAINABLE_LAYERS = {
    "BatchNormalization": "moving_mean/moving_variance",
    "Normalization": "mean/variance/count",
}
# keras.applications models built with BatchNormalization layers.
_BN_APPLICATIONS = (
    "ResNet",
    "MobileNet",
    "EfficientNet",
    "DenseNet",
    "Inception",
    "Xception",
    "NASNet",
)
KERAS_INPUTS = {"keras.Input", "keras.layers.Input"}
# Functions that return a Keras model.
LOADED_MODELS = {"keras.models.load_model", "keras.models.clone_model", "keras.saving.load_model"}


def may_hold_keras_objects(info: ModuleInfo) -> bool:
    """Can `KerasFacts.is_keras_object` say yes anywhere in this module?  Each of its answers ends at a layer or
    model loaded or cloned here, at `self` in a class that is a Keras one or holds layers, or at a call
    `ModuleInfo.object_kind` takes for a layer, whose own answers (factories of this module included) end at a
    Keras layer constructor, a Keras class of this module or one of another project module.  Without any of
    those it says no everywhere, and a rule can skip the walk that asks it (once per module)."""

    def build() -> bool:
        classes = [*info.classes.values(), *(ff.cls for ff in info.functions.values() if ff.cls is not None)]
        if any(c.keras_kind in {"layer", "model"} or c.layer_attrs for c in classes):
            return True
        for c in info.all_nodes(ast.Call):
            q = info.imports.qualname(c.func)
            if q is not None and (q in LOADED_MODELS or is_keras_layer_ctor(q)):
                return True
            if q is None or not q.startswith(("keras.", "tensorflow.", "numpy.")):
                ext = info.external(c.func)
                if isinstance(ext, ClassSummary) and ext.keras_kind in {"layer", "model"}:
                    return True
                if ext == ("factory", "layer"):
                    return True
        return False

    return info.memo(f"{__name__}.may_hold_keras_objects", build)


@dataclass(frozen=True)
class Binding:
    kind: str  # "assign" | "unpack" | "for" | "opaque"
    value: ast.AST | None
    stmt: ast.AST | None


class KerasFacts:
    def __init__(self, info: ModuleInfo):
        self.info = info
        self._bindings: dict[int, dict[str, list[Binding]]] = {}
        self._parents: dict[int, ast.AST] = {}
        self._scope_of: dict[int, Scope] = {}
        self._walked: set[int] = set()
        self._class_vars: dict[str, set[str]] = {}
        self._class_frozen: dict[str, set[str]] = {}
        self._name_answers: dict[tuple[int, int, int], tuple[list[Binding], bool]] = {}  # see is_keras_object
        self._reads_params = False  # set while an answer depends on _param_gets_keras_objects

    # ------------------------------------------------------------------ scopes
    def scopes(self) -> Iterator[Scope]:
        yield self.info.tree
        for ff in self.info.functions.values():
            yield ff.node

    def own_nodes(self, scope: Scope) -> list[ast.AST]:
        """Every node of `scope` outside nested defs, lambdas and classes (decorators and defaults included)."""
        self._walk(scope)
        return self._nodes[id(scope)]

    def _walk(self, scope: Scope) -> None:
        if id(scope) in self._walked:
            return
        self._walked.add(id(scope))
        if not hasattr(self, "_nodes"):
            self._nodes: dict[int, list[ast.AST]] = {}
        # The walk of a scope is the same for every KerasFacts of the module (TFG015-TFG017 each build one):
        # done once, each instance takes it in as it reaches the scope.
        walks: dict[int, _ScopeWalk] = self.info.memo(f"{__name__}.scope_walks", dict)
        walked = walks.get(id(scope))
        if walked is None:
            walked = walks[id(scope)] = _walk_scope(scope, self.info.child_nodes)
        self._parents.update(walked.parents)
        self._scope_of.update(walked.scope_of)
        self._nodes[id(scope)] = walked.nodes
        self._bindings[id(scope)] = walked.binds

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._parents.get(id(node))

    def scope_of(self, node: ast.AST) -> Scope:
        s = self._scope_of.get(id(node))
        if s is not None:
            return s
        fn = self.info.enclosing_function(node)
        return fn if fn is not None else self.info.tree

    def bindings(self, name: str, scope: Scope, at: ast.AST | None = None) -> list[Binding] | None:
        """The bindings of `name` seen from `scope`; None when it is bound nowhere visible.

        A name used in a comprehension that binds it resolves to that generator's iterable."""
        if at is not None:
            p = self.parent(at)
            while p is not None and not isinstance(p, ast.stmt):
                if isinstance(p, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                    for g in p.generators:
                        if isinstance(g.target, ast.Name) and g.target.id == name:
                            return [Binding("for", g.iter, p)]
                p = self.parent(p)
        s: Scope | None = scope
        while s is not None:
            self._walk(s)
            b = self._bindings[id(s)].get(name)
            if b:
                return b
            if isinstance(s, ast.Module):
                return None
            ff = self.info.facts(s)
            s = ff.parent if ff is not None and ff.parent is not None else self.info.tree
        return None

    def single_value(self, name: ast.Name, scope: Scope) -> Binding | None:
        """The one binding of `name` (several bindings count only when they are all the same kind of thing:
        the caller checks each), else None."""
        b = self.bindings(name.id, scope, name)
        if not b or len(b) != 1 or b[0].kind == "opaque":
            return None
        return b[0]

    # ------------------------------------------------------------------ Keras objects
    def is_keras_object(self, e: ast.AST, scope: Scope, depth: int = 0) -> bool:
        """A Keras layer or model (anything with `.trainable_variables`, `.kernel`, `.output`...)."""
        if depth > 8:
            return False
        info = self.info
        if isinstance(e, ast.Call):
            if info.object_kind(e) == "layer":
                return True
            q = info.imports.qualname(e.func) or ""
            if q in LOADED_MODELS:
                return True
            f = e.func
            if isinstance(f, ast.Attribute) and f.attr == "get_layer":
                return self.is_keras_object(f.value, scope, depth + 1)
            return False
        if isinstance(e, ast.Subscript):
            v = e.value
            if isinstance(v, ast.Name):
                return self._list_of_keras_objects(v, scope, depth)
            if isinstance(v, ast.Attribute) and v.attr == "layers":
                return self.is_keras_object(v.value, scope, depth + 1)
            return isinstance(v, ast.Attribute) and self._layer_list_attribute(v, scope) is not None
        if isinstance(e, ast.Name):
            if e.id == "self":
                cls = self._class_of(scope)
                return cls is not None and cls.keras_kind in {"layer", "model"}
            b = self.bindings(e.id, scope, e)
            if not b:
                return False
            # Kept per (bindings, scope, depth): a name bound many times (`model = ...` once per training script of
            # a notebook-like file) is asked about at every use, each answer walking every binding again.  Answers
            # that read a parameter's call sites are not kept: `scope_of` of those calls can change as scopes are
            # walked.
            key = (id(b), id(scope), depth)
            kept = self._name_answers.get(key)
            if kept is not None:
                return kept[1]
            reads_params, self._reads_params = self._reads_params, False
            try:
                answer = self._bindings_are_keras(b, scope, depth)
                if not self._reads_params:
                    self._name_answers[key] = (b, answer)  # `b` kept alive with its answer: its id stays its own
            finally:
                self._reads_params = self._reads_params or reads_params
            return answer
        if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
            cls = self._class_of(scope)
            return cls is not None and e.attr in cls.layer_attrs
        return False

    def _list_of_keras_objects(self, name: ast.Name, scope: Scope, depth: int) -> bool:
        """`name` is bound only to list displays / list comprehensions whose every element is a Keras layer or
        model (`models = [keras.Sequential(...) for _ in range(2)]`): `name[i]` is one of them."""
        b = self.bindings(name.id, scope, name)
        if not b:
            return False
        for x in b:
            if x.kind != "assign" or x.value is None:
                return False
            where = self._scope_of_binding(x, scope)
            v = x.value
            if isinstance(v, ast.ListComp):
                elts = [v.elt]
            elif isinstance(v, (ast.List, ast.Tuple)) and v.elts:
                elts = v.elts
            else:
                return False
            if not all(not isinstance(el, ast.Starred) and self.is_keras_object(el, where, depth + 1) for el in elts):
                return False
        return True

    def _bindings_are_keras(self, b: list[Binding], scope: Scope, depth: int) -> bool:
        for x in b:
            if (
                x.kind == "assign"
                and x.value is not None
                and self.is_keras_object(x.value, self._scope_of_binding(x, scope), depth + 1)
            ):
                continue
            if x.kind == "opaque" and isinstance(x.stmt, ast.arg) and self._param_gets_keras_objects(x.stmt, depth):
                continue
            if (
                x.kind == "for"
                and isinstance(x.value, ast.Attribute)
                and x.value.attr == "layers"
                and self.is_keras_object(x.value.value, self._scope_of_binding(x, scope), depth + 1)
            ):
                continue
            return False
        return True

    def _param_gets_keras_objects(self, param: ast.arg, depth: int) -> bool:
        """A parameter of a module-level function that every call of the function fills with a Keras layer or
        model (`define_gan(generator, discriminator)`): inside, `g_model(a)` is that model applied."""
        self._reads_params = True
        fn = next(
            (
                d
                for d in self.info.module_functions.values()
                if any(a is param for a in (*d.args.posonlyargs, *d.args.args, *d.args.kwonlyargs))
            ),
            None,
        )
        if fn is None:
            return False
        uses = function_uses(self.info).get(fn.name, [])
        if not uses or any(call is None for call, _ in uses):
            return False  # never called here, or passed on as a value: its arguments are unknown
        positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
        for call, _ in uses:
            assert call is not None
            arg = next((k.value for k in call.keywords if k.arg == param.arg), None)
            if arg is None and param.arg in positional:
                i = positional.index(param.arg)
                arg = call.args[i] if i < len(call.args) and not isinstance(call.args[i], ast.Starred) else None
            if arg is None or not self.is_keras_object(arg, self.scope_of(call), depth + 1):
                return False
        return True

    def _scope_of_binding(self, b: Binding, fallback: Scope) -> Scope:
        return self._scope_of.get(id(b.stmt), fallback) if b.stmt is not None else fallback

    def _class_of(self, scope: Scope):
        if isinstance(scope, ast.Module):
            return None
        ff = self.info.facts(scope)
        while ff is not None and ff.cls is None and ff.parent is not None:
            ff = self.info.facts(ff.parent)
        return ff.cls if ff is not None else None

    def class_named(self, e: ast.AST):
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name):
            return self.info.classes.get(e.func.id)
        return None

    def class_keras_variables(self, cls) -> set[str]:
        """`self.X` attributes of a class bound to `keras.Variable(...)` / `self.add_weight(...)`."""
        name = cls.node.name
        if name not in self._class_vars:
            out: set[str] = set()
            frozen: set[str] = set()
            for n in ast.walk(cls.node):
                if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
                    if not self.is_keras_variable_ctor(n.value):
                        continue
                    for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                        if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                            out.add(t.attr)
                            if _trainable_false(n.value):
                                frozen.add(t.attr)
            for base in cls.base_names:
                b = self.info.classes.get(base)
                if b is not None and b is not cls:
                    self._class_vars[name] = set()  # recursion guard
                    out |= self.class_keras_variables(b)
                    frozen |= self._class_frozen.get(b.node.name, set())
            self._class_vars[name] = out
            self._class_frozen[name] = frozen
        return self._class_vars[name]

    def class_frozen_weights(self, cls) -> set[str]:
        self.class_keras_variables(cls)
        return self._class_frozen.get(cls.node.name, set())

    def is_keras_variable_ctor(self, e: ast.AST) -> bool:
        if not isinstance(e, ast.Call):
            return False
        q = self.info.imports.qualname(e.func) or ""
        if q in {"keras.Variable", "keras.backend.Variable", "keras.variables.Variable"}:
            return not self.info.imports.is_keras2(e.func)
        return isinstance(e.func, ast.Attribute) and e.func.attr in {"add_weight", "add_variable"}

    # ------------------------------------------------------------------ Keras variables
    def keras_variable(self, e: ast.AST, scope: Scope, depth: int = 0) -> str | None:
        """'var' for a Keras 3 variable, 'list' for a list of them, else None."""
        if depth > 8:
            return None
        if self.is_keras_variable_ctor(e):
            return "var"
        if isinstance(e, ast.Attribute):
            base = e.value
            if e.attr in VARIABLE_LISTS and self.is_keras_object(base, scope):
                return "list"
            if e.attr in LAYER_VARIABLE_ATTRS and self._builtin_layer(base, scope):
                return "var"
            if isinstance(base, ast.Name) and base.id == "self":
                cls = self._class_of(scope)
                if cls is not None and cls.keras_kind and e.attr in self.class_keras_variables(cls):
                    return "var"
                return None
            cls = self._instance_class(base, scope)
            if cls is not None and e.attr in self.class_keras_variables(cls):
                return "var"
            return None
        if isinstance(e, ast.Subscript):
            return "var" if self.keras_variable(e.value, scope, depth + 1) == "list" else None
        if isinstance(e, ast.Name):
            b = self.bindings(e.id, scope, e)
            if not b:
                return None
            kinds = set()
            for x in b:
                s = self._scope_of_binding(x, scope)
                if x.kind == "assign":
                    assert x.value is not None  # an "assign" or "for" binding always has its value
                    kinds.add(self.keras_variable(x.value, s, depth + 1))
                elif x.kind == "for":
                    assert x.value is not None
                    kinds.add("var" if self.keras_variable(x.value, s, depth + 1) == "list" else None)
                else:
                    kinds.add(None)
            return kinds.pop() if len(kinds) == 1 else None
        return None

    def _builtin_layer(self, e: ast.AST, scope: Scope) -> bool:
        """A built-in Keras layer object (its `kernel`/`bias` are Keras variables)."""
        if not self.is_keras_object(e, scope):
            return False
        if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Attribute) and e.value.attr != "layers":
            return self._layer_list_attribute(e.value, scope) == "library"
        cls = self._instance_class(e, scope)
        return cls is None  # a user class: only the attributes it binds itself count

    def _layer_list_attribute(self, e: ast.Attribute, scope: Scope) -> str | None:
        """`obj.attr` (or `self.attr`) is a list the class of `obj` fills only with Keras layers: `self.attr = []`
        then `self.attr.append(Dense(...))` (`insert`, `extend([...])`), or a list display / comprehension of
        them (keras-team/keras#19155's `self.layers_list`). "library" when every element is a library layer,
        "user" when some is a class of the program, None when the list is not known to hold only layers."""
        base = e.value
        if isinstance(base, ast.Name) and base.id == "self":
            cls = self._class_of(scope)
        else:
            cls = self._instance_class(base, scope)
        if cls is None:
            return None
        elements: list[ast.AST] = []
        for n in ast.walk(cls.node):
            if isinstance(n, ast.Assign):
                if not any(isinstance(t, ast.Attribute) and t.attr == e.attr and _is_self(t.value) for t in n.targets):
                    continue
                v = n.value
                if isinstance(v, ast.ListComp):
                    elements.append(v.elt)
                elif isinstance(v, ast.List):
                    elements.extend(v.elts)
                else:
                    return None
            elif (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Attribute)
                and n.func.value.attr == e.attr
                and _is_self(n.func.value.value)
            ):
                if n.func.attr == "append" and len(n.args) == 1:
                    elements.append(n.args[0])
                elif n.func.attr == "insert" and len(n.args) == 2:
                    elements.append(n.args[1])
                elif n.func.attr == "extend" and len(n.args) == 1 and isinstance(n.args[0], ast.List):
                    elements.extend(n.args[0].elts)
                elif n.func.attr not in {"pop", "clear", "remove", "reverse", "index", "count"}:
                    return None
        if not elements or not all(isinstance(x, ast.Call) and self.info.object_kind(x) == "layer" for x in elements):
            return None
        return "user" if any(self.class_named(x) is not None for x in elements) else "library"

    def _instance_class(self, e: ast.AST, scope: Scope):
        """The module class `e` is an instance of (`layer = MyLayer()`), else None."""
        if isinstance(e, ast.Call):
            return self.class_named(e)
        if isinstance(e, ast.Name) and e.id != "self":
            b = self.single_value(e, scope)
            if b is not None and b.kind == "assign":
                assert b.value is not None  # an "assign" binding always has its value
                return self.class_named(b.value)
        return None

    # ------------------------------------------------------------------ non-trainable state
    def non_trainable_reason(self, e: ast.AST, scope: Scope, depth: int = 0) -> tuple[str, bool] | None:
        """Why the layer/model `e` is known to hold non-trainable variables: (reason, frozen) where frozen is
        True for weights frozen with `.trainable = False` (they get real gradients); None when not known."""
        if depth > 6:
            return None
        info = self.info
        if isinstance(e, ast.Name) and e.id != "self":
            frozen = self._frozen_by_assignment(e.id, scope)
            if frozen:
                return frozen, True
            b = self.single_value(e, scope)
            if b is None or b.kind != "assign":
                return None
            assert b.value is not None  # an "assign" binding always has its value
            return self.non_trainable_reason(b.value, self._scope_of_binding(b, scope), depth + 1)
        if isinstance(e, ast.Name) and e.id == "self":
            cls = self._class_of(scope)
            return self._class_reason(cls, depth) if cls is not None else None
        if not isinstance(e, ast.Call):
            return None
        q = info.imports.qualname(e.func) or ""
        last = q.rsplit(".", 1)[-1]
        if q.startswith("keras.layers.") and last in NON_TRAINABLE_LAYERS:
            return f"a `{last}` layer (non-trainable `{NON_TRAINABLE_LAYERS[last]}`)", False
        if q.startswith("keras.applications.") and any(last.startswith(p) for p in _BN_APPLICATIONS):
            return f"`{last}` (BatchNormalization layers: non-trainable `moving_mean`/`moving_variance`)", False
        if q.startswith("keras.applications.") and _trainable_false_kw(e):
            return None
        if q in {"keras.Sequential", "keras.models.Sequential"}:
            layers = e.args[0] if e.args else next((k.value for k in e.keywords if k.arg == "layers"), None)
            if isinstance(layers, (ast.List, ast.Tuple)):
                for el in layers.elts:
                    r = self.non_trainable_reason(el, scope, depth + 1)
                    if r is not None:
                        return r
            return self._added_layers_reason(e, scope, depth)
        if q in {"keras.Model", "keras.models.Model"}:
            # A functional model: a non-trainable layer applied in the scope that builds it.
            for n in self.own_nodes(scope):
                if isinstance(n, ast.Call) and n is not e and n.lineno <= e.lineno:
                    qq = info.imports.qualname(n.func) or ""
                    if qq.startswith("keras.layers.") and qq.rsplit(".", 1)[-1] in NON_TRAINABLE_LAYERS:
                        last = qq.rsplit(".", 1)[-1]
                        return f"a `{last}` layer (non-trainable `{NON_TRAINABLE_LAYERS[last]}`)", False
            # ... or a named layer / sub-model holding such weights applied there (`x = base(x)` with
            # `base = keras.applications.MobileNetV2(...)`, `bn = layers.BatchNormalization()`)
            for n in self.own_nodes(scope):
                if isinstance(n, ast.Call) and n is not e and n.lineno <= e.lineno and isinstance(n.func, ast.Name):
                    r = self.non_trainable_reason(n.func, scope, depth + 1)
                    if r is not None:
                        return r
            return None
        cls = self.class_named(e)
        if cls is not None and cls.keras_kind in {"layer", "model"}:
            return self._class_reason(cls, depth)
        if isinstance(e.func, ast.Name) and e.func.id in info.module_functions:
            fn = info.module_functions[e.func.id]
            ff = info.facts(fn)
            for ret in ff.returns if ff else ():
                if ret.value is not None:
                    r = self.non_trainable_reason(ret.value, fn, depth + 1)
                    if r is not None:
                        return r
        return None

    def _added_layers_reason(self, seq: ast.Call, scope: Scope, depth: int) -> tuple[str, bool] | None:
        # model = keras.Sequential(); model.add(layers.BatchNormalization())
        p = self.parent(seq)
        if not isinstance(p, ast.Assign) or len(p.targets) != 1 or not isinstance(p.targets[0], ast.Name):
            return None
        name = p.targets[0].id
        s = self.scope_of(p)
        for n in self.own_nodes(s):
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "add"
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == name
                and n.args
            ):
                r = self.non_trainable_reason(n.args[0], s, depth + 1)
                if r is not None:
                    return r
        return None

    def _class_reason(self, cls, depth: int) -> tuple[str, bool] | None:
        frozen = self.class_frozen_weights(cls)
        if frozen:
            attr = sorted(frozen)[0]
            return f"`self.{attr}` (made with `trainable=False`) of `{cls.node.name}`", False
        for n in ast.walk(cls.node):
            if isinstance(n, ast.Call):
                if isinstance(n.func, ast.Attribute) and n.func.attr in {"add_weight", "add_variable"}:
                    if _trainable_false(n):
                        return f"a `trainable=False` weight of `{cls.node.name}`", False
                    continue
                q = self.info.imports.qualname(n.func) or ""
                last = q.rsplit(".", 1)[-1]
                if q.startswith("keras.layers.") and last in NON_TRAINABLE_LAYERS:
                    return f"a `{last}` layer (non-trainable `{NON_TRAINABLE_LAYERS[last]}`)", False
        return None

    def _frozen_by_assignment(self, name: str, scope: Scope) -> str | None:
        """`name.trainable = False`, or `x.trainable = False` for a layer `x` the model `name` is built from."""
        b = self.bindings(name, scope)
        if not b:
            return None
        s = self._scope_of_binding(b[0], scope) if b[0].stmt is not None else scope
        parts: set[str] = {name}
        for x in b:
            if x.kind == "assign" and isinstance(x.value, ast.Call):
                for n in ast.walk(x.value):
                    if isinstance(n, ast.Name):
                        parts.add(n.id)
        for n in self.own_nodes(s):
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and n.value.value is False:
                for t in n.targets:
                    if (
                        isinstance(t, ast.Attribute)
                        and t.attr == "trainable"
                        and isinstance(t.value, ast.Name)
                        and t.value.id in parts
                        and self.is_keras_object(t.value, s)
                    ):
                        who = "" if t.value.id == name else f" (a layer `{name}` is built from)"
                        return f"`{t.value.id}.trainable = False` at line {n.lineno}{who}"
        return None


def _is_self(e: ast.AST) -> bool:
    return isinstance(e, ast.Name) and e.id == "self"


def _trainable_false(call: ast.AST) -> bool:
    return isinstance(call, ast.Call) and _trainable_false_kw(call)


def _trainable_false_kw(call: ast.Call) -> bool:
    for k in call.keywords:
        if k.arg == "trainable" and isinstance(k.value, ast.Constant) and k.value.value is False:
            return True
    return False


def tape_names(info: ModuleInfo) -> set[str]:
    """Names bound by `with tf.GradientTape(...) as NAME` anywhere in the module."""
    out: set[str] = set()
    for w, _fn in info.tape_withs:
        for item in w.items:
            if info.is_tape_ctor(item.context_expr) and isinstance(item.optional_vars, ast.Name):
                out.add(item.optional_vars.id)
    return out


@dataclass
class _ScopeWalk:
    nodes: list[ast.AST]  # pre-order, outside nested defs, lambdas and classes (their decorators/defaults in)
    binds: dict[str, list[Binding]]
    parents: dict[int, ast.AST]
    scope_of: dict[int, Scope]


def _walk_scope(scope: Scope, children: Callable[[ast.AST], list[ast.AST]] = child_nodes) -> _ScopeWalk:
    nodes: list[ast.AST] = []
    binds: dict[str, list[Binding]] = {}
    parents: dict[int, ast.AST] = {}
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        a = scope.args
        for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
            if p is not None:
                binds.setdefault(p.arg, []).append(Binding("opaque", None, p))
    roots = list(scope.body)
    stack: list[ast.AST] = list(reversed(roots))
    for r in roots:
        parents[id(r)] = scope
    pop, push, append = stack.pop, stack.append, nodes.append
    # Dispatch on the node's exact class (the parser makes no subclasses): names and constants, most of the nodes,
    # have no children and bind nothing (a stored Name is bound by its statement, in _bind_stmt).
    leaves, binding = _WALK_LEAVES, _BINDING_NODES
    while stack:
        n = pop()
        append(n)
        t = type(n)
        if t in leaves:
            continue
        if t is ast.FunctionDef or t is ast.AsyncFunctionDef or t is ast.ClassDef:
            binds.setdefault(n.name, []).append(Binding("opaque", None, n))  # type: ignore[attr-defined]
            kids: list[ast.AST] = [*n.decorator_list]  # type: ignore[attr-defined]
            if t is not ast.ClassDef:
                kids += [d for d in (*n.args.defaults, *n.args.kw_defaults) if d is not None]  # type: ignore[attr-defined]
            else:
                kids += [*n.bases, *(k.value for k in n.keywords)]  # type: ignore[attr-defined]
        elif t is ast.Lambda:
            kids = [d for d in (*n.args.defaults, *n.args.kw_defaults) if d is not None]  # type: ignore[attr-defined]
        else:
            kids = children(n)
            if t in binding:
                _bind_stmt(n, binds)
        for k in reversed(kids):
            parents[id(k)] = n
            push(k)
    return _ScopeWalk(nodes, binds, parents, dict.fromkeys(map(id, nodes), scope))


_WALK_LEAVES = frozenset({ast.Name, ast.Constant})
# The classes _bind_stmt binds names for (besides defs and classes, bound by the walk itself).
_BINDING_NODES = frozenset(
    {
        ast.Assign,
        ast.AnnAssign,
        ast.NamedExpr,
        ast.AugAssign,
        ast.For,
        ast.AsyncFor,
        ast.With,
        ast.AsyncWith,
        ast.Global,
        ast.Nonlocal,
        ast.Import,
        ast.ImportFrom,
        ast.ExceptHandler,
    }
)


def _bind_target(t: ast.AST, kind: str, value: ast.AST | None, n: ast.AST, binds: dict[str, list[Binding]]) -> None:
    # A module function, not a closure in _bind_stmt: a recursive closure is a reference cycle (function <-> cell)
    # per statement, left for the cyclic collector along with the bindings it holds.
    if isinstance(t, ast.Name):
        binds.setdefault(t.id, []).append(Binding(kind, value, n))
    elif isinstance(t, (ast.Tuple, ast.List)):
        for e in t.elts:
            _bind_target(
                e.value if isinstance(e, ast.Starred) else e, "unpack" if kind != "opaque" else kind, value, n, binds
            )


def _bind_stmt(n: ast.AST, binds: dict[str, list[Binding]]) -> None:
    if isinstance(n, ast.Assign):
        for t in n.targets:
            _bind_target(t, "assign", n.value, n, binds)
    elif isinstance(n, ast.AnnAssign) and n.value is not None:
        _bind_target(n.target, "assign", n.value, n, binds)
    elif isinstance(n, ast.NamedExpr):
        _bind_target(n.target, "assign", n.value, n, binds)
    elif isinstance(n, ast.AugAssign):
        _bind_target(n.target, "opaque", None, n, binds)
    elif isinstance(n, (ast.For, ast.AsyncFor)):
        _bind_target(n.target, "for", n.iter, n, binds)
    elif isinstance(n, (ast.With, ast.AsyncWith)):
        for item in n.items:
            if item.optional_vars is not None:
                _bind_target(item.optional_vars, "opaque", None, n, binds)
    elif isinstance(n, (ast.Global, ast.Nonlocal)):
        for name in n.names:
            binds.setdefault(name, []).append(Binding("opaque", None, n))
    elif isinstance(n, (ast.Import, ast.ImportFrom)):
        for a in n.names:
            binds.setdefault((a.asname or a.name).split(".")[0], []).append(Binding("opaque", None, n))
    elif isinstance(n, ast.ExceptHandler) and n.name:
        binds.setdefault(n.name, []).append(Binding("opaque", None, n))
