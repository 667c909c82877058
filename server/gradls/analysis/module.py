"""Facts about one module that every rule needs: names, classes, regions, tensor levels.

Everything here is computed once per analysis from the stdlib `ast` tree, in a few
linear passes, so the per-keystroke cost stays a small multiple of `ast.parse`.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar, overload

from gradls.analysis.model import Span
from gradls.analysis.names import (
    ImportTable,
    bound_names,
    canonical,
    dotted,
    keyword_value,
    module_alias_assignments,
    star_import_binds,
)
from gradls.analysis.project import ClassSummary, ProjectIndex
from gradls.config import Config

# Execution modes of differentiable code (see docs/architecture.md).
EAGER = "eager"  # eager ops under a GradientTape
AUTOGRAPH = "autograph"  # traced by an AutoGraph-converting tf.function
GRAPH = "graph"  # traced without AutoGraph: Keras 3 call/train_step, custom_gradient in a graph, autograph=False

KERAS_STEP_METHODS = {"call", "train_step", "test_step", "compute_loss"}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_NEWLINE_KEPT = re.compile(r"(\r\n|\r|\n)")

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_T = TypeVar("_T")
_NodeT = TypeVar("_NodeT", bound=ast.AST)
NodeTypes = type[ast.AST] | tuple[type[ast.AST], ...]  # what `isinstance` takes, for node filters
# The node classes that carry a source position (`lineno`, `col_offset`, `end_lineno`, `end_col_offset`).
Located = ast.expr | ast.stmt | ast.excepthandler | ast.arg | ast.keyword | ast.alias | ast.pattern
_LOCATED = (ast.expr, ast.stmt, ast.excepthandler, ast.arg, ast.keyword, ast.alias, ast.pattern)


def _self_attribute(e: ast.AST) -> str | None:
    """The attribute name of `self.<attr>`, else None."""
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        return e.attr
    return None


def located(node: ast.AST) -> Located:
    """`node`, typed as a node with a source position; AttributeError for a node without one (such as
    `ast.arguments`), as reading its `lineno` would raise."""
    if isinstance(node, _LOCATED):
        return node
    raise AttributeError(f"{type(node).__name__!r} object has no attribute 'lineno'")


@dataclass
class ClassFacts:
    node: ast.ClassDef
    keras_kind: str | None = None  # "layer" | "model" | "loss" | None
    # Keras 2 (`tf_keras`, or `TF_USE_LEGACY_KERAS=1`): tracks raw tf.Variables and AutoGraph-converts `call`.
    keras2: bool = False
    base_names: list[str] = field(default_factory=list)
    methods: dict[str, FunctionNode] = field(default_factory=dict)
    # self.<attr> bindings seen anywhere in the class
    layer_attrs: set[str] = field(default_factory=set)
    variable_attrs: set[str] = field(default_factory=set)  # trainable variables / weights
    frozen_attrs: set[str] = field(default_factory=set)  # non-trainable variables
    # a list / tuple / dict of layers (`self.blocks = {n: Dense(8) for n in names}`): `self.blocks[k](x)` runs one
    layer_container_attrs: set[str] = field(default_factory=set)
    layer_dict_attrs: set[str] = field(default_factory=set)  # the dicts among them: iterating one yields its keys


@dataclass
class FunctionFacts:
    node: FunctionNode
    cls: ClassFacts | None
    parent: FunctionNode | None  # enclosing function, for nested defs
    modes: set[str] = field(default_factory=set)
    why: str = ""  # a few words on why it is differentiable, for messages
    custom_gradient: bool = False
    keras_method: str | None = None  # "call", "train_step"... of a Keras class
    tf_function: bool = False  # decorated with or wrapped by tf.function
    nested: dict[str, FunctionNode] = field(default_factory=dict)  # directly nested defs
    returns: list[ast.Return] = field(default_factory=list)  # its own return statements

    @property
    def builds_tf1_graph(self) -> bool:
        """Called (directly or through other functions) while a TF 1 graph is built at module level: `regions`
        puts `TF1_GRAPH_WHY` in its `why`. Such code makes its variables and layers once, by design."""
        return TF1_GRAPH_WHY in self.why


# Defs by nesting level (`ModuleInfo._def_spans`): the starts of one level's defs, and per def its end, itself and
# the level of the defs inside it.
_DefSpans = tuple[list[tuple[int, int]], list[tuple[tuple[int, int], "FunctionNode", Any]]]


class ModuleInfo:
    """The analysed module.  Rules read it; they never mutate it."""

    def __init__(
        self,
        tree: ast.Module,
        source: str,
        config: Config | None = None,
        project: ProjectIndex | None = None,
        path: str | None = None,
        summary_only: bool = False,
    ):
        self.tree = tree
        self.source = source
        self.config = config or Config()
        # The project's other modules, when this file lives in one (see analysis/project.py).
        self.project = project if path is not None else None
        self.path = path
        self.lines = split_lines(source)
        self._memo: dict[str, Any] = {}  # see memo()
        self.parents: dict[int, ast.AST] = {}
        self.functions: dict[int, FunctionFacts] = {}
        self.classes: dict[str, ClassFacts] = {}
        self.module_functions: dict[str, FunctionNode] = {}
        self.tape_withs: list[tuple[ast.With, FunctionNode | None]] = []
        self.run_eagerly = False
        # (models run as graphs by fit/evaluate/predict, a model is built symbolically), set by compute_regions
        self.keras_graph_evidence: tuple[bool, bool] = (False, False)
        self._withs: list = []
        self._factory_cache: dict[int, bool] = {}
        self._container_factory_cache: dict[int, str | None] = {}  # id(factory) -> 'list' / 'dict' / None
        self._own_nodes: dict[int, list[ast.AST]] = {}
        self._region_cache: dict[NodeTypes | None, list[tuple[ast.AST, set[str]]]] = {}
        self._nodes_by_type: dict[NodeTypes, list[ast.AST]] = {}  # see all_nodes()
        self._external_cache: dict[str, Any] = {}  # see external()
        self._stored_names: dict[int, set[str]] = {}  # see stored_names()
        self._children: dict[int, tuple[ast.AST, list[ast.AST]]] = {}  # see child_nodes()
        self._scope_walks: dict[int, ScopeWalk] = {}  # see scope_walk()
        self._walks: dict[int, tuple[ast.AST, list[ast.AST]]] = {}  # see walk()
        self._collect()
        if summary_only:
            return  # a summary for another module's imports needs names, classes and factories only
        from gradls.analysis.regions import compute_regions
        from gradls.analysis.tensors import TensorInference

        compute_regions(self)
        self.tensors = TensorInference(self)

    def release(self) -> None:
        """Drop everything the analysis built: the tensor inference and the memo's indexes point back at this
        ModuleInfo, reference cycles of 20k-70k objects that only the cyclic collector (paused while an analysis
        runs) would free, tens of ms later.  `analyze()` calls this once the findings are made, so they are freed
        by reference counting there.  Unusable after; a caller keeping the ModuleInfo (the server) never calls it."""
        self.__dict__.clear()

    def memo(self, key: str, factory: Callable[[], _T]) -> _T:
        """The value `factory()` builds, built once per analysed module and kept as long as it lives.

        For shared analysis modules that derive an index from the module (`tapes.tape_scopes`...); key it
        by the owning module's `__name__`.  Rules never store state on ModuleInfo themselves."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    # ----------------------------------------------------------------- collection
    def _collect(self) -> None:
        """One pass over statements only (expressions are visited later, and only in
        differentiable code): this keeps the per-keystroke cost near `ast.parse`."""
        imports: list[ast.stmt] = []
        class_bases: list[tuple[ClassFacts, list[ast.expr]]] = []
        self_assigns: list[tuple[ClassFacts, ast.Assign | ast.AnnAssign]] = []
        # `self.<attr>.append(v)` / `.extend(vs)` in a class: (class, attr, method, call)
        self_appends: list[tuple[ClassFacts, str, str, ast.Call]] = []
        stack: list[tuple[ast.AST, ClassFacts | None, FunctionNode | None]] = [(self.tree, None, None)]
        while stack:
            node, cls, fn = stack.pop()
            for name in _BLOCK_FIELDS:
                block = getattr(node, name, None)
                if not block:
                    continue
                for child in block:
                    self.parents[id(child)] = node
                    ccls, cfn = cls, fn
                    t = type(child)
                    if t is ast.ClassDef:
                        facts = ClassFacts(child)
                        self.classes.setdefault(child.name, facts)
                        class_bases.append((facts, child.bases))
                        ccls, cfn = facts, None
                    elif t is ast.FunctionDef or t is ast.AsyncFunctionDef:
                        ff = FunctionFacts(child, cls if fn is None else None, fn)
                        self.functions[id(child)] = ff
                        if fn is not None:
                            self.functions[id(fn)].nested.setdefault(child.name, child)
                        elif cls is not None:
                            cls.methods.setdefault(child.name, child)
                        else:
                            self.module_functions.setdefault(child.name, child)
                        cfn = child
                    elif t is ast.Import or t is ast.ImportFrom:
                        imports.append(child)
                    elif t is ast.With or t is ast.AsyncWith:
                        self._withs.append((child, fn))
                    elif t is ast.Return:
                        if fn is not None:
                            self.functions[id(fn)].returns.append(child)
                    elif (t is ast.Assign or t is ast.AnnAssign) and cls is not None:
                        self_assigns.append((cls, child))
                    elif t is ast.Expr and cls is not None:
                        call = child.value
                        if (
                            isinstance(call, ast.Call)
                            and isinstance(call.func, ast.Attribute)
                            and call.func.attr in {"append", "extend"}
                        ):
                            held = _self_attribute(call.func.value)
                            if held is not None:
                                self_appends.append((cls, held, call.func.attr, call))
                    stack.append((child, ccls, cfn))
        self.imports = ImportTable(
            imports, self.config, module_alias_assignments(self.tree), _star_read_names(imports, self.tree)
        )
        self.legacy_keras = bool(
            self.config.legacy_keras
            or _sets_legacy_keras(self.tree, self.source)
            or self._in_legacy_keras_package()
            or (self.config.legacy_keras is None and self._project_pins_keras2())
        )
        # The program's Keras is Keras 2 when it says so, or when it imports Keras only through `tf_keras`.
        self.keras2_program = self.legacy_keras or (
            bool(self.imports.keras2_names)
            and not any(
                q.startswith("keras") and n not in self.imports.keras2_names for n, q in self.imports.aliases.items()
            )
        )
        for facts, bases in class_bases:
            facts.base_names = [self._base_name(b) for b in bases]
            facts.keras2 = self.legacy_keras or any(
                self.imports.is_keras2(b) and keras_base_kind(q) is not None for b, q in zip(bases, facts.base_names)
            )
            for b, q in zip(bases, facts.base_names):
                if keras_base_kind(q) is None and q not in self.classes:
                    ext = self.external(b)
                    if isinstance(ext, ClassSummary) and ext.keras_kind:
                        # A Keras class of another project module: its kind, Keras version and weights carry over.
                        facts.keras_kind = facts.keras_kind or ext.keras_kind
                        facts.keras2 = facts.keras2 or ext.keras2
                        facts.layer_attrs |= ext.layer_attrs
                        facts.variable_attrs |= ext.variable_attrs
                        facts.frozen_attrs |= ext.frozen_attrs
        self._resolve_keras_classes()
        for cls, stmt in self_assigns:
            self._class_attr_binding(cls, stmt)
        if self_appends:
            self._layer_lists_built_by_append(self_assigns, self_appends)
        self._resolve_keras_classes(attrs_only=True)
        self.tape_withs = [(w, fn) for w, fn in self._withs if any(self.is_tape_ctor(i.context_expr) for i in w.items)]
        if "run_eagerly" in self.source:
            for n in self.all_nodes((ast.keyword, ast.Assign)):
                if isinstance(n, ast.keyword) and n.arg == "run_eagerly" and _is_true(n.value):
                    self.run_eagerly = True
                elif (
                    isinstance(n, ast.Assign)
                    and _is_true(n.value)
                    and any(isinstance(t, ast.Attribute) and t.attr == "run_eagerly" for t in n.targets)
                ):
                    self.run_eagerly = True

    def _project_pins_keras2(self) -> bool:
        """The project's dependency files hold it to TensorFlow < 2.16 or Keras < 3 (ProjectIndex.pinned_keras2):
        there `tf.keras` is Keras 2, whatever is installed here."""
        if self.project is None or self.path is None:
            return False
        try:
            return self.project.pinned_keras2(self.path) is not None
        except (OSError, RecursionError, ValueError):
            return False

    def _in_legacy_keras_package(self) -> bool:
        """A package of the project that names `TF_USE_LEGACY_KERAS` in its `__init__` (ProjectIndex)."""
        if self.project is None or self.path is None:
            return False
        try:
            return bool(self.project.legacy_keras_package(self.path))
        except (OSError, RecursionError, ValueError):
            return False

    def _base_name(self, b: ast.expr) -> str:
        """A base class's canonical name, or its text when it is not imported (`Encoder`, a class of this module).
        A chain rooted at a name imported from a project module (`from .utils import keras`) is that module's
        binding, whichever Keras it is (often `tf_keras` when installed, else `keras`): not taken for the text."""
        q = self.imports.qualname(b)
        if q is not None:
            return q
        name = dotted(b) or ""
        head = name.partition(".")[0]
        raw = self.imports.raw.get(head)
        if raw is not None and raw[0] > 0 and "." in name:
            return "." * raw[0] + raw[1] + name[len(head) :]
        return name

    def own_nodes(self, root: ast.AST) -> list[ast.AST]:
        """Every node below `root` outside nested defs/classes, recording parents on the way.

        Memoised: computed only for differentiable code, once per analysis."""
        nodes = self._own_nodes.get(id(root))
        if nodes is None:
            nodes = self._own_nodes[id(root)] = _own_nodes(root, self.parents)
        return nodes

    def _holds_only_layers(self, value: ast.expr) -> bool:
        """A list, tuple or dict display or comprehension whose every element (every value) is a layer."""
        if isinstance(value, (ast.List, ast.Tuple)):
            elts: list[ast.expr | None] = list(value.elts)
        elif isinstance(value, ast.Dict):
            elts = list(value.values)
        elif isinstance(value, (ast.ListComp, ast.GeneratorExp)):
            elts = [value.elt]
        elif isinstance(value, ast.DictComp):
            elts = [value.value]
        else:
            return False
        return bool(elts) and all(e is not None and self.object_kind(e) == "layer" for e in elts)

    def _layer_container_factory(self, cls: ClassFacts, call: ast.Call) -> str | None:
        """'list' or 'dict' when `call` runs a method of the class (`self._make_blocks(4)`) or a module function
        whose every return is a container of layers: a display or comprehension of layers, or a local name bound
        only to such displays (or `[]`) and filled with `.append(layer)` / `.extend([...layers])`."""
        f = call.func
        fn: FunctionNode | None = None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
            fn = cls.methods.get(f.attr)
        elif isinstance(f, ast.Name):
            fn = self.module_functions.get(f.id)
        if fn is None:
            return None
        if id(fn) not in self._container_factory_cache:
            self._container_factory_cache[id(fn)] = self._container_returned(fn)
        return self._container_factory_cache[id(fn)]

    def _container_returned(self, fn: FunctionNode) -> str | None:
        """'list' / 'dict' when every return of `fn` is a container of layers (see _layer_container_factory)."""
        ff = self.functions.get(id(fn))
        if ff is None or not ff.returns:
            return None
        shapes: set[str] = set()
        for ret in ff.returns:
            v = ret.value
            if v is not None and self._holds_only_layers(v):
                shapes.add("dict" if isinstance(v, (ast.Dict, ast.DictComp)) else "list")
            elif isinstance(v, ast.Name) and self._local_layer_list(fn, v.id):
                shapes.add("list")
            else:
                return None
        return shapes.pop() if len(shapes) == 1 else None

    def _local_layer_list(self, fn: FunctionNode, name: str) -> bool:
        """`name` in `fn` is bound only to `[]` or displays of layers, and everything appended to it is a layer
        (at least one layer in all)."""
        layers = False
        for n in ast.walk(fn):
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets):
                if len(n.targets) != 1:
                    return False
                if isinstance(n.value, ast.List) and not n.value.elts:
                    continue
                if not self._holds_only_layers(n.value):
                    return False
                layers = True
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)) and isinstance(n.target, ast.Name):
                if n.target.id == name:
                    return False
            elif (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == name
                and n.func.attr in {"append", "extend", "insert"}
            ):
                added = n.args[-1] if n.args and not n.keywords else None
                if added is None:
                    return False
                if n.func.attr == "extend":
                    if not self._holds_only_layers(added):
                        return False
                elif self.object_kind(added) != "layer":
                    return False
                layers = True
        return layers

    def _layer_lists_built_by_append(
        self,
        assigns: list[tuple[ClassFacts, ast.Assign | ast.AnnAssign]],
        appends: list[tuple[ClassFacts, str, str, ast.Call]],
    ) -> None:
        """`self.blocks = []` and then `self.blocks.append(Dense(8))` (in a loop of `__init__` or `build`): a list of
        layers, when every binding of the attribute in the class is an empty list or a display of layers and every
        value appended or extended with is a layer."""
        layers_only: dict[tuple[int, str], bool] = {}
        for cls, attr, method, call in appends:
            one = call.args[0] if len(call.args) == 1 and not call.keywords else None
            if method == "append":
                added = one is not None and self.object_kind(one) == "layer"
            else:
                added = one is not None and self._holds_only_layers(one)
            key = (id(cls), attr)
            layers_only[key] = layers_only.get(key, True) and added
        bound: dict[tuple[int, str], ClassFacts] = {}
        for cls, stmt in assigns:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                bound_attr = _self_attribute(t)
                key = (id(cls), bound_attr or "")
                if bound_attr is None or key not in layers_only or stmt.value is None:
                    continue
                v = stmt.value
                empty = isinstance(v, ast.List) and not v.elts
                if not (empty or self._holds_only_layers(v)):
                    layers_only[key] = False
                bound[key] = cls
        for key, cls in bound.items():
            if layers_only[key]:
                cls.layer_container_attrs.add(key[1])

    def _class_attr_binding(self, cls: ClassFacts, stmt: ast.Assign | ast.AnnAssign) -> None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        if value is None:
            return
        for t in targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                kind = self.object_kind(value)
                if kind is None and self._holds_only_layers(value):
                    cls.layer_container_attrs.add(t.attr)
                    if isinstance(value, (ast.Dict, ast.DictComp)):
                        cls.layer_dict_attrs.add(t.attr)
                elif kind is None and isinstance(value, ast.Call):
                    made = self._layer_container_factory(cls, value)
                    if made is not None:
                        cls.layer_container_attrs.add(t.attr)
                        if made == "dict":
                            cls.layer_dict_attrs.add(t.attr)
                if kind == "layer":
                    cls.layer_attrs.add(t.attr)
                elif kind == "variable":
                    cls.variable_attrs.add(t.attr)
                elif kind == "frozen":
                    cls.frozen_attrs.add(t.attr)

    def _resolve_keras_classes(self, attrs_only: bool = False) -> None:
        # Direct Keras bases first, then inheritance through classes of this module (fixed point).
        changed = not attrs_only
        while changed:
            changed = False
            for facts in self.classes.values():
                if facts.keras_kind:
                    continue
                for base in facts.base_names:
                    kind = keras_base_kind(base)
                    if kind is None and base in self.classes:
                        kind = self.classes[base].keras_kind
                        facts.keras2 = facts.keras2 or self.classes[base].keras2
                    if kind:
                        facts.keras_kind = kind
                        changed = True
                        break
        if not attrs_only:
            return
        # Attribute facts are inherited too (a subclass uses the weights its base built).
        for facts in self.classes.values():
            for base in facts.base_names:
                b = self.classes.get(base)
                if b is not None and b is not facts:
                    facts.layer_attrs |= b.layer_attrs
                    facts.variable_attrs |= b.variable_attrs
                    facts.frozen_attrs |= b.frozen_attrs

    # ----------------------------------------------------------------- the whole-tree index
    @cached_property
    def _tree_index(self) -> list[ast.AST]:
        """Every node of the tree in `ast.walk` order (context and operator nodes left out): one walk shared by
        every analysis module and rule that would otherwise walk the whole tree itself."""
        return walk_nodes(self.tree)

    @cached_property
    def _tree_parents(self) -> dict[int, ast.AST]:
        # Built only when asked (`all_parents`): most modules never ask (array_ops.py: the parents were ~40% of
        # the cost of the whole-tree walk, spent for nothing).
        return _parents_in(self._tree_index)

    @overload
    def all_nodes(self, node_type: type[_NodeT]) -> list[_NodeT]: ...
    @overload
    def all_nodes(self, node_type: tuple[type[ast.AST], ...] | None = None) -> list[ast.AST]: ...
    def all_nodes(self, node_type: NodeTypes | None = None) -> list[Any]:
        """The nodes of the whole tree (optionally only those of `node_type`) in `ast.walk(self.tree)` order,
        without `ast.expr_context`/operator nodes.  Built once per analysis; callers must not mutate the list."""
        if node_type is None:
            return self._tree_index
        found = self._nodes_by_type.get(node_type)
        if found is None:
            by_class = self._nodes_by_class
            matching = [c for c in by_class if issubclass(c, node_type)]
            if len(matching) == 1:  # nodes of one class: its list is already in walk order
                found = by_class[matching[0]]
            elif not matching:
                found = []
            else:  # several classes (ast.stmt, a tuple of types): their nodes interleave in walk order
                found = [n for n in self._tree_index if isinstance(n, node_type)]
            self._nodes_by_type[node_type] = found
        return found

    @cached_property
    def _nodes_by_class(self) -> dict[type[ast.AST], list[ast.AST]]:
        """The nodes of the tree by exact class, each list in walk order: one pass serves every `all_nodes(T)`
        (a module asks for about ten types; filtering the whole tree once per type cost more than this pass)."""
        by_class: dict[type[ast.AST], list[ast.AST]] = {}
        for n in self._tree_index:
            found = by_class.get(type(n))
            if found is None:
                by_class[type(n)] = [n]
            else:
                found.append(n)
        return by_class

    def stored_names(self, node: ast.AST) -> set[str]:
        """The ids of the `Name`s stored anywhere below `node` (itself included), once per node and analysis (a
        rule asking it about every statement for every name would otherwise walk them again each time)."""
        found = self._stored_names.get(id(node))
        if found is None:
            found = self._stored_names[id(node)] = {
                n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
        return found

    def child_nodes(self, node: ast.AST) -> list[ast.AST]:
        """`child_nodes(node)`, listed once per node and analysis: the scope walks of the flow, tape, Keras-object and
        Keras-tensor analyses each list the children of the same nodes (a script's top level four times).  Callers
        must not mutate the list.  The node is kept with its children, so its id is not reused while listed."""
        hit = self._children.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        kids = child_nodes(node)
        self._children[id(node)] = (node, kids)
        return kids

    def walk(self, node: ast.AST) -> list[ast.AST]:
        """`walk_nodes(node)` (`ast.walk(node)`'s nodes in its order, without the context and operator singletons),
        listed once per node and analysis: several rules walk the same Keras classes and methods (their weights,
        their `self.<attr>` stores and reads).  Callers must not mutate the list."""
        hit = self._walks.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        found = walk_nodes(node)
        self._walks[id(node)] = (node, found)
        return found

    def scope_walk(self, root: ast.AST) -> ScopeWalk:
        """The walk of `root`'s own nodes (a function's body, or the module's), once per root and analysis: the tape
        scopes and flow scopes of the same root (most roots get both, several tape scopes per root) read it."""
        hit = self._scope_walks.get(id(root))
        if hit is None:
            body = root.body if hasattr(root, "body") else [root]
            hit = self._scope_walks[id(root)] = ScopeWalk(root, body, self.child_nodes)
        return hit

    @property
    def all_parents(self) -> dict[int, ast.AST]:
        """`id(node)` -> parent for every node of the tree (context and operator nodes left out).
        (`ModuleInfo.parents` holds statements and region nodes only, and callers rely on that.)"""
        return self._tree_parents

    # ----------------------------------------------------------------- objects
    def is_tape_ctor(self, e: ast.AST) -> bool:
        return isinstance(e, ast.Call) and self.imports.qualname(e.func) in {
            "tensorflow.GradientTape",
            "tensorflow.autodiff.GradientTape",
        }

    def object_kind(self, e: ast.AST) -> str | None:
        """'layer' (a callable Keras layer/model), 'variable' (trainable), 'frozen' (non-trainable variable)."""
        if isinstance(e, ast.Call):
            q = self.imports.qualname(e.func)
            if q in VARIABLE_CTORS or (
                isinstance(e.func, ast.Attribute) and e.func.attr in {"add_weight", "add_variable"}
            ):
                trainable = keyword_value(e, "trainable")
                if isinstance(trainable, ast.Constant) and trainable.value is False:
                    return "frozen"
                return "variable"
            if q and is_keras_layer_ctor(q):
                return "layer"
            if q and q.startswith("keras.losses.") and q.rsplit(".", 1)[-1][:1].isupper():
                return "loss"
            if q and q.startswith("keras.metrics.") and q.rsplit(".", 1)[-1][:1].isupper():
                return "metric"
            if isinstance(e.func, ast.Name):
                cls = self.classes.get(e.func.id)
                if cls is not None and cls.keras_kind in {"layer", "model"}:
                    return "layer"
                if cls is not None and cls.keras_kind == "loss":
                    return "loss"
                fn = self.module_functions.get(e.func.id)
                if fn is not None and self.returns_layer(fn):
                    return "layer"
            if q is None or not q.startswith(("keras.", "tensorflow.", "numpy.")):
                ext = self.external(e.func)
                if isinstance(ext, ClassSummary):
                    if ext.keras_kind in {"layer", "model"}:
                        return "layer"
                    if ext.keras_kind == "loss":
                        return "loss"
                elif ext == ("factory", "layer"):
                    return "layer"
        return None

    def external(self, e: ast.AST) -> ClassSummary | tuple[str, str] | None:
        """What a name imported from another module of the project is (see ProjectIndex.lookup)."""
        if self.project is None or self.path is None:
            return None
        name = dotted(e)
        if name is None:
            return None
        # Asked for every call and base of the module: one project lookup (file system questions) per name.
        known = self._external_cache.get(name, _MISSING)
        if known is not _MISSING:
            return known
        found = self._external_cache[name] = self._lookup_external(name)
        return found

    def _lookup_external(self, name: str) -> ClassSummary | tuple[str, str] | None:
        assert self.project is not None and self.path is not None
        head, _, rest = name.partition(".")
        if head in self.module_functions or head in self.classes:
            return None
        raw = self.imports.raw.get(head)
        if raw is None:
            return None
        level, target = raw
        full = f"{target}.{rest}" if rest else target
        try:
            return self.project.lookup(self.path, level, full)
        except (OSError, RecursionError, ValueError):
            return None

    def external_param_cuts(self, e: ast.AST) -> tuple:
        """`from utils import decode`: decode's cut parameters (function_summaries.ParamCut), from the project."""
        if self.project is None or self.path is None:
            return ()
        name = dotted(e)
        if name is None:
            return ()
        head, _, rest = name.partition(".")
        if head in self.module_functions or head in self.classes:
            return ()
        raw = self.imports.raw.get(head)
        if raw is None:
            return ()
        level, target = raw
        try:
            return self.project.param_cuts_of(self.path, level, f"{target}.{rest}" if rest else target)
        except (OSError, RecursionError, ValueError):
            return ()

    def external_object_kind(self, name: str) -> str | None:
        """`from .nets import model`: the kind of a module-level object of another project module."""
        if self.project is None or name not in self.imports.raw:
            return None
        ext = self.external(ast.Name(id=name))
        return ext[1] if isinstance(ext, tuple) and ext[0] == "object" else None

    def returns_layer(self, fn: FunctionNode) -> bool:
        """Does this factory return a Keras model/layer (`return keras.Sequential(...)`, or a name bound to one)?"""
        cached = self._factory_cache.get(id(fn))
        if cached is not None:
            return cached
        self._factory_cache[id(fn)] = False  # recursion guard
        ff = self.functions.get(id(fn))
        answer = False
        for ret in ff.returns if ff else ():
            v = ret.value
            if isinstance(v, ast.Call) and self.object_kind_shallow(v) == "layer":
                answer = True
            elif isinstance(v, ast.Name):
                for n in self.walk(fn):
                    if (
                        isinstance(n, ast.Assign)
                        and isinstance(n.value, ast.Call)
                        and any(isinstance(t, ast.Name) and t.id == v.id for t in n.targets)
                        and self.object_kind(n.value) == "layer"
                    ):
                        answer = True
                        break
            if answer:
                break
        self._factory_cache[id(fn)] = answer
        return answer

    def object_kind_shallow(self, e: ast.Call) -> str | None:
        q = self.imports.qualname(e.func)
        if q and is_keras_layer_ctor(q):
            return "layer"
        if isinstance(e.func, ast.Name):
            cls = self.classes.get(e.func.id)
            if cls is not None and cls.keras_kind in {"layer", "model"}:
                return "layer"
        return None

    @cached_property
    def builds_tf1_graphs(self) -> bool:
        """Does the code build TF 1 graphs on purpose: it names `disable_eager_execution`, `disable_v2_behavior`,
        `Session` / `InteractiveSession`, a TF placeholder or a graph's `as_default` (as a name or an attribute,
        not in a comment or a string)? There `tf.gradients(loss, xs)` and `optimizer.minimize(loss)` differentiate
        the graph built before them. The Keras backend's `placeholder` does not count: tf_keras builds it with eager
        execution still on."""
        return self.uses_names(TF1_GRAPH_NAMES, unless="keras.backend.placeholder")

    def uses_names(self, names: frozenset[str], unless: str | None = None) -> bool:
        """Does the code use one of `names` as a name or an attribute (not in a comment or a string), other than
        one whose canonical name is `unless`?"""
        if not any(n in self.source for n in names):
            return False  # every use is written in the text
        for n in self.all_nodes((ast.Attribute, ast.Name)):
            name = n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name) else ""
            if name in names and (unless is None or self.imports.qualname(n) != unless):
                return True
        return False

    @cached_property
    def module_objects(self) -> dict[str, str]:
        """Module-level names bound to layers/models and variables."""
        out: dict[str, str] = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign):
                kind = self.object_kind(stmt.value)
                if kind:
                    for t in stmt.targets:
                        if isinstance(t, ast.Name):
                            out[t.id] = kind
        return out

    # ----------------------------------------------------------------- navigation
    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def enclosing_function(self, node: ast.AST) -> FunctionNode | None:
        parents = self.parents
        if id(node) not in parents and node is not self.tree:
            # `parents` holds statements and region nodes only.  Any other node: the innermost def whose span holds
            # its own, until the whole tree's parents are built for some other question (a script's rules asked
            # this about ~20 gradient calls, and building those parents for them was ~4% of its analysis).
            if "_tree_parents" not in self.__dict__ and getattr(node, "lineno", None) is not None:
                return self._def_holding(node)
            parents = self.all_parents
        p = parents.get(id(node))
        while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
            p = parents.get(id(p))
        return p

    def _def_holding(self, node: ast.AST) -> FunctionNode | None:
        """The innermost def (of this tree) whose span, decorators included, holds `node`'s: its nearest def
        ancestor, as the parser's positions nest (a node lies within its parent's span).  Per nesting level the one
        def that can hold it is the last to start at or before it: siblings do not overlap."""
        pos = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        found: FunctionNode | None = None
        starts, level = self._def_spans
        while True:
            i = bisect.bisect_right(starts, pos) - 1
            if i < 0:
                return found
            def_end, fn, inner = level[i]
            if def_end < end or fn is node:
                return found
            found = fn
            starts, level = inner

    @cached_property
    def _def_spans(self) -> _DefSpans:
        """Every def's span (from its first decorator) as a tree of nesting levels, each level's defs by start."""
        spans = []
        for ff in self.functions.values():
            fn = ff.node
            start = min([(fn.lineno, fn.col_offset), *((d.lineno, d.col_offset) for d in fn.decorator_list)])
            spans.append((start, (fn.end_lineno or fn.lineno, fn.end_col_offset or 0), fn))
        spans.sort(key=lambda s: (s[0], (-s[1][0], -s[1][1])))  # an outer def before a def starting with it
        top: _DefSpans = ([], [])
        open_defs: list[tuple[tuple[int, int], _DefSpans]] = []  # (end, its level) of the defs holding the next
        for start, end, fn in spans:
            while open_defs and open_defs[-1][0] < end:
                open_defs.pop()
            starts, level = open_defs[-1][1] if open_defs else top
            inner: _DefSpans = ([], [])
            starts.append(start)
            level.append((end, fn, inner))
            open_defs.append((end, inner))
        return top

    def facts(self, fn: FunctionNode | None) -> FunctionFacts | None:
        return None if fn is None else self.functions.get(id(fn))

    @overload
    def region_nodes(self, node_type: type[_NodeT]) -> list[tuple[_NodeT, set[str]]]: ...
    @overload
    def region_nodes(self, node_type: tuple[type[ast.AST], ...] | None = None) -> list[tuple[ast.AST, set[str]]]: ...
    def region_nodes(
        self, node_type: type[_NodeT] | tuple[type[ast.AST], ...] | None = None
    ) -> list[tuple[_NodeT, set[str]]] | list[tuple[ast.AST, set[str]]]:
        """Every node inside differentiable code (optionally only of `node_type`), with its modes.

        Nested function definitions are visited on their own, with their own modes."""
        key = node_type
        cached = self._region_cache.get(key)
        if cached is not None:
            return cached
        if node_type is not None:
            found = [(n, m) for n, m in self.region_nodes() if isinstance(n, node_type)]
            self._region_cache[key] = found
            return found
        out: list[tuple[ast.AST, set[str]]] = []
        seen: set[int] = set()
        for ff in self.functions.values():
            if ff.modes:
                seen.add(id(ff.node))
                out.extend((n, ff.modes) for n in self.own_nodes(ff.node))
        for w, fn in self.tape_withs:
            wff = self.facts(fn)
            if wff is not None and wff.modes:
                continue  # already covered by the whole function
            eager = {EAGER}
            for n in self.own_nodes(w):
                if n is not w and id(n) not in seen:
                    out.append((n, eager))
        if self.builds_tf1_graphs and self.differentiates_tf1_graph:
            # A TF 1 graph built at module level and differentiated there (`tf.gradients`, `opt.minimize(loss)`):
            # the module's own statements build it, symbolically.
            graph = {GRAPH}
            taken = {id(n) for n, _ in out}
            out.extend((n, graph) for n in self.own_nodes(self.tree) if id(n) not in taken)
        self._region_cache[None] = out
        return out

    @cached_property
    def differentiates_tf1_graph(self) -> bool:
        """A module-level `tf.gradients(...)` / `*.minimize(...)` / `*.compute_gradients(...)` call."""
        for n in self.own_nodes(self.tree):
            if isinstance(n, ast.Call):
                f = n.func
                if isinstance(f, ast.Attribute) and f.attr in TF1_OPTIMIZER_METHODS:
                    return True
                if self.imports.qualname(f) in TF_GRADIENTS:
                    return True
        return False

    # ----------------------------------------------------------------- positions
    def col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def span(self, node: ast.AST, end: ast.AST | None = None) -> Span:
        end = end or node
        start = located(node)
        line = start.lineno
        end_line = getattr(end, "end_lineno", None) or line
        end_col = getattr(end, "end_col_offset", None)
        return Span(
            line,
            self.col(line, start.col_offset),
            end_line,
            self.col(end_line, end_col) if end_col is not None else self.col(line, start.col_offset),
        )

    def head_span(self, node: ast.AST) -> Span:
        """The first line of a (possibly multi-line) statement, for statements like `if`."""
        start = located(node)
        line = start.lineno
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        return Span(line, self.col(line, start.col_offset), line, len(text.rstrip()))

    def name_span(self, fn: FunctionNode | ast.ClassDef) -> Span:
        """The span of a def's name (where editors put the squiggle)."""
        line = fn.lineno
        text = self.lines[line - 1] if line <= len(self.lines) else ""
        m = re.search(r"\b(?:def|class)\s+(" + re.escape(fn.name) + r")\b", text)
        if m:
            return Span(line, m.start(1), line, m.end(1))
        return self.head_span(fn)

    def text(self, node: ast.AST) -> str:
        """`ast.get_source_segment(source, node) or ""`, without re-splitting the whole source per call
        (rules ask for many segments: that made a long module quadratic)."""
        lineno = getattr(node, "lineno", None)
        end_lineno = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if lineno is None or end_lineno is None or col is None or end_col is None:
            return ""
        lines = self._segment_lines
        if end_lineno == lineno:
            return lines[lineno - 1].encode()[col:end_col].decode()
        first = lines[lineno - 1].encode()[col:].decode()
        last = lines[end_lineno - 1].encode()[:end_col].decode()
        return "".join([first, *lines[lineno : end_lineno - 1], last])

    @cached_property
    def _segment_lines(self) -> list[str]:
        # Lines with their ends, split as `ast.get_source_segment` splits them (\r\n, \r, \n; not \f).
        source = self.source
        if "\r" not in source:  # the same lines, split by str.split (the pattern's split is ~10x slower)
            parts = source.split("\n")
            lines = [p + "\n" for p in parts[:-1]]
        else:
            parts = _NEWLINE_KEPT.split(source)
            lines = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
        if parts[-1]:
            lines.append(parts[-1])
        return lines


class ScopeWalk:
    """One scope's own nodes, from its body down: `nodes` in the order of a depth-first walk taking the last child
    first, nested defs, classes and lambdas listed but not entered (a nested def's or class's decorators are: they
    run in this scope), and `parents` for every node listed (the body's statements -> the root), as `TapeScope`
    walks.  `flow()` gives the nodes `FlowScope` walks, in the same order.  Read-only once built."""

    __slots__ = ("root", "nodes", "parents", "_plain", "_flow")

    def __init__(self, root: ast.AST, body: list[ast.AST], children: Callable[[ast.AST], list[ast.AST]]):
        self.root = root  # kept: the walk is found by the root's id
        self.parents: dict[int, ast.AST] = {}
        self.nodes: list[ast.AST] = []
        self._plain: tuple[list[ast.AST], dict[int, ast.AST]] | None = None
        self._flow: tuple[list[ast.AST], dict[int, ast.AST]] | None = None
        parents = self.parents
        todo: list[ast.AST] = list(body)
        for c in todo:
            parents[id(c)] = root
        pop, push, append = todo.pop, todo.append, self.nodes.append
        scopes, leaves, Lambda = _SCOPE_TYPES, _LEAF_TYPES, ast.Lambda
        kids: list[ast.AST]
        while todo:
            n = pop()
            append(n)
            t = type(n)  # the parser makes no subclasses: one set lookup instead of isinstance tests
            if t in leaves:
                continue  # names and constants: no children
            if t in scopes:
                if t is Lambda:
                    continue
                kids = n.decorator_list  # type: ignore[attr-defined]
            else:
                kids = children(n)
            for c in kids:
                parents[id(c)] = n
                push(c)

    def _decorator_nodes(self, defs: list[ast.AST]) -> set[int]:
        """The ids of the nodes of these nested defs' / classes' decorators, as the walk listed them."""
        skip: set[int] = set()
        scopes, leaves = _SCOPE_TYPES, _LEAF_TYPES
        for d in defs:
            todo: list[ast.AST] = list(d.decorator_list)  # type: ignore[attr-defined]
            while todo:
                x = todo.pop()
                skip.add(id(x))
                t = type(x)
                if t not in leaves and t not in scopes:
                    todo.extend(child_nodes(x))
        return skip

    def plain(self) -> tuple[list[ast.AST], dict[int, ast.AST]]:
        """(nodes, parents) without the nested defs, classes and lambdas and their decorators' nodes (the parents of
        the nested scopes themselves kept), in the same order."""
        if self._plain is None:
            scopes, Lambda = _SCOPE_TYPES, ast.Lambda
            decorated = [n for n in self.nodes if type(n) in scopes and type(n) is not Lambda and n.decorator_list]  # type: ignore[attr-defined]
            if not decorated:
                self._plain = ([n for n in self.nodes if type(n) not in scopes], self.parents)
            else:
                skip = self._decorator_nodes(decorated)
                parents = {k: v for k, v in self.parents.items() if k not in skip}
                self._plain = ([n for n in self.nodes if type(n) not in scopes and id(n) not in skip], parents)
        return self._plain

    def flow(
        self, walk_of: Callable[[ast.AST], ScopeWalk], children: Callable[[ast.AST], list[ast.AST]]
    ) -> tuple[list[ast.AST], dict[int, ast.AST]]:
        """(nodes, parents) as `FlowScope` walks the scope: `plain()`, but the defs and classes among the body's own
        statements are entered (their decorators, parameters, bases, and their bodies as `plain()` of their own
        walks, `walk_of(def)`); deeper nested scopes are not."""
        if self._flow is not None:
            return self._flow
        root = self.root
        scopes, Lambda = _SCOPE_TYPES, ast.Lambda
        own = self.parents
        entered = [n for n in self.nodes if type(n) in scopes and type(n) is not Lambda and own[id(n)] is root]
        if not entered:
            self._flow = self.plain()
            return self._flow
        decorated = [n for n in self.nodes if type(n) in scopes and type(n) is not Lambda and n.decorator_list]  # type: ignore[attr-defined]
        skip_nodes = self._decorator_nodes(decorated)  # listed again where their def is entered
        skip_parents = self._decorator_nodes([d for d in decorated if own[id(d)] is not root])
        parents = {k: v for k, v in own.items() if k not in skip_parents} if skip_parents else dict(own)
        nodes: list[ast.AST] = []
        append = nodes.append
        for n in self.nodes:
            if id(n) in skip_nodes:
                continue
            t = type(n)
            if t not in scopes:
                append(n)
            elif t is not Lambda and own[id(n)] is root:
                append(n)
                _enter_def(n, walk_of, children, nodes, parents)
        self._flow = (nodes, parents)
        return self._flow


def _enter_def(
    d: ast.AST,
    walk_of: Callable[[ast.AST], ScopeWalk],
    children: Callable[[ast.AST], list[ast.AST]],
    nodes: list[ast.AST],
    parents: dict[int, ast.AST],
) -> None:
    """The nodes below a def or class that a walk entering it finds, last child first (the walk's order): its body
    as the `plain()` of its own walk, every other child (decorators, parameters, returns, bases, keywords) walked
    without entering lambdas; `parents` filled for all of them."""
    body = {id(s) for s in d.body}  # type: ignore[attr-defined]
    body_done = False
    scopes, leaves = _SCOPE_TYPES, _LEAF_TYPES
    for c in reversed(children(d)):
        parents[id(c)] = d
        if id(c) in body:
            if not body_done:
                body_done = True
                inner_nodes, inner_parents = walk_of(d).plain()
                nodes.extend(inner_nodes)
                parents.update(inner_parents)
            continue
        if type(c) in scopes:
            continue  # a lambda as a default: listed as a child, not entered
        todo = [c]
        while todo:
            n = todo.pop()
            nodes.append(n)
            if type(n) in leaves:
                continue
            for k in children(n):
                parents[id(k)] = n
                if type(k) not in scopes:
                    todo.append(k)


_SCOPE_TYPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda})
_LEAF_TYPES = frozenset({ast.Name, ast.Constant})

_MISSING = object()


def split_lines(source: str) -> list[str]:
    """`source` split at each \\r\\n, \\r or \\n (as `_NEWLINE.split`); by `str.split` when it holds no \\r, the
    same lines ~10x faster (array_ops.py: 0.3 ms against 3.8 ms, an eighth of its whole analysis)."""
    return source.split("\n") if "\r" not in source else _NEWLINE.split(source)


_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _sets_legacy_keras(tree: ast.Module, source: str) -> bool:
    """`os.environ["TF_USE_LEGACY_KERAS"] = "1"` at module level makes `tf.keras` Keras 2 for this program."""
    if "TF_USE_LEGACY_KERAS" not in source:
        return False
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
            for t in stmt.targets:
                if (
                    isinstance(t, ast.Subscript)
                    and isinstance(t.slice, ast.Constant)
                    and t.slice.value == "TF_USE_LEGACY_KERAS"
                ):
                    return str(stmt.value.value).strip().lower() in {"1", "true", "yes"}
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            # os.environ.setdefault("TF_USE_LEGACY_KERAS", "1") / os.environ.update(...)
            args = stmt.value.args
            if (
                len(args) == 2
                and isinstance(args[0], ast.Constant)
                and args[0].value == "TF_USE_LEGACY_KERAS"
                and isinstance(args[1], ast.Constant)
            ):
                return str(args[1].value).strip().lower() in {"1", "true", "yes"}
    return False


def _is_true(e: ast.AST) -> bool:
    return isinstance(e, ast.Constant) and e.value is True


_SCALAR_FIELDS = {
    "ctx",
    "id",
    "attr",
    "arg",
    "name",
    "kind",
    "type_comment",
    "level",
    "module",
    "asname",
    "conversion",
    "is_async",
    "simple",
    "op",
    "ops",
    "names",
}
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    f = _CHILD_FIELDS.get(cls)
    if f is None:
        f = tuple(x for x in cls._fields if x not in _SCALAR_FIELDS and not (cls is ast.Constant and x == "value"))
        _CHILD_FIELDS[cls] = f
    return f


def _own_nodes(root: ast.AST, parents: dict[int, ast.AST]) -> list[ast.AST]:
    """Pre-order nodes below root (root included) without entering nested scopes; fills `parents`.

    Hand-rolled instead of ast.walk: it skips ctx/operator nodes and is ~3x faster on big files."""
    out = [root]
    todo = [root]
    AST = ast.AST
    nested, mixed = _NESTED_TYPES, _MIXED_LISTS  # exact classes: the parser makes no subclasses
    append, pop, push = out.append, todo.pop, todo.append
    while todo:
        n = pop()
        cls = type(n)
        for name in _CHILD_FIELDS.get(cls) or _child_fields(cls):
            v = getattr(n, name, None)
            if v is None:
                continue
            if type(v) is list:
                pure = (cls, name) not in mixed  # nodes only
                for c in v:
                    if pure or isinstance(c, AST):
                        parents[id(c)] = n
                        if type(c) not in nested:
                            append(c)
                            push(c)
            elif isinstance(v, AST):
                parents[id(v)] = n
                if type(v) not in nested:
                    append(v)
                    push(v)
    return out


def _node_fields(cls: type[ast.AST]) -> tuple[str, ...]:
    fields = _NODE_FIELDS.get(cls)
    if fields is None:
        fields = _NODE_FIELDS[cls] = tuple(
            f for f in cls._fields if f not in _NO_NODE_FIELDS and not (cls is ast.Constant and f == "value")
        )
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))` without the context and operator singletons (which have no children
    and no position), read from the fields that can hold nodes only: about twice as fast."""
    out: list[ast.AST] = []
    AST = ast.AST
    cls = type(node)
    fields = _NODE_FIELDS.get(cls)
    if fields is None:  # not `or`: a class without node fields (Name, Constant) has ()
        fields = _node_fields(cls)
    for name in fields:
        v = getattr(node, name, None)
        if type(v) is list:
            if (cls, name) in _MIXED_LISTS:
                out.extend(c for c in v if isinstance(c, AST))
            else:
                out.extend(v)
        elif v is not None and isinstance(v, AST):
            out.append(v)
    return out


# The list fields that hold something besides nodes (names, or None for a `**` key / a keyword-only parameter
# without a default); every other list field of a parsed tree holds nodes only, taken whole.
_MIXED_LISTS = frozenset(
    {
        (ast.Dict, "keys"),
        (ast.arguments, "kw_defaults"),
        (ast.Global, "names"),
        (ast.Nonlocal, "names"),
        (ast.MatchClass, "kwd_attrs"),
    }
)


def _parents_in(order: list[ast.AST]) -> dict[int, ast.AST]:
    """`id(child)` -> parent for the children of every node of `order` (the whole tree's walk), in the order
    that walk met them; context and operator nodes left out."""
    parents: dict[int, ast.AST] = {}
    AST = ast.AST
    fields_of, mixed = _NODE_FIELDS, _MIXED_LISTS
    for n in order:
        cls = type(n)
        fields = fields_of.get(cls)
        if fields is None:  # not `or`: a class without node fields (Name, Constant) has ()
            fields = _node_fields(cls)
        for name in fields:
            v = getattr(n, name, None)
            if type(v) is list:
                if (cls, name) not in mixed:
                    for c in v:
                        parents[id(c)] = n
                else:
                    for c in v:
                        if isinstance(c, AST):
                            parents[id(c)] = n
            elif v is not None and isinstance(v, AST):
                parents[id(v)] = n
    return parents


# Fields that never hold a node the index keeps: names and flags, and the context/operator singletons.
_NO_NODE_FIELDS = frozenset(_SCALAR_FIELDS - {"names"})
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def walk_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.walk(node))` without the context and operator singletons (no children, no position), in the same
    breadth-first order, read from the fields that can hold nodes only: for callers that pick
    nodes by class, about twice as fast as `ast.walk`."""
    order: list[ast.AST] = [node]
    AST = ast.AST
    fields_of = _NODE_FIELDS
    append = order.append
    extend, mixed = order.extend, _MIXED_LISTS
    for n in order:  # grows while it is read: breadth-first
        cls = type(n)
        fields = fields_of.get(cls)
        if fields is None:  # not `or`: a class without node fields (Name, Constant) has ()
            fields = _node_fields(cls)
        for name in fields:
            v = getattr(n, name, None)
            if type(v) is list:
                if (cls, name) not in mixed:
                    extend(v)
                else:
                    for c in v:
                        if isinstance(c, AST):
                            append(c)
            elif v is not None and isinstance(v, AST):
                append(v)
    return order


def param_defaults(a: ast.arguments) -> dict[str, ast.expr]:
    """Parameter name -> its default value, positional and keyword-only alike."""
    positional = [*a.posonlyargs, *a.args]
    out: dict[str, ast.expr] = {arg.arg: d for arg, d in zip(reversed(positional), reversed(a.defaults))}
    out.update({arg.arg: d for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    return out


def param_annotation(fn: FunctionNode, param: str) -> ast.expr | None:
    """The annotation of a parameter (not `*args` / `**kwargs`) of `fn`, if it has one."""
    a = fn.args
    arg = next((x for x in [*a.posonlyargs, *a.args, *a.kwonlyargs] if x.arg == param), None)
    return arg.annotation if arg is not None else None


def walk_own(node: ast.AST) -> Iterator[ast.AST]:
    """ast.walk that does not descend into nested function or class definitions (it does enter lambdas)."""
    # ast.iter_child_nodes inlined (same children, same order): the generator chain per node was most of the cost.
    todo = [node]
    pop, push = todo.pop, todo.append
    AST, nested = ast.AST, _NESTED_SCOPES
    while todo:
        n = pop()
        yield n
        for name in n._fields:
            v = getattr(n, name, None)
            if isinstance(v, AST):
                if not isinstance(v, nested):
                    push(v)
            elif isinstance(v, list):
                for c in v:
                    if isinstance(c, AST) and not isinstance(c, nested):
                        push(c)


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NESTED_TYPES = frozenset(_NESTED_SCOPES)


VARIABLE_CTORS = {
    "tensorflow.Variable",
    "keras.Variable",
    "keras.backend.Variable",
    "tensorflow.compat.v1.get_variable",
}
_KERAS_NON_LAYER = (
    "keras.optimizers.",
    "keras.losses.",
    "keras.metrics.",
    "keras.callbacks.",
    "keras.initializers.",
    "keras.regularizers.",
    "keras.constraints.",
    "keras.activations.",
    "keras.ops.",
    "keras.backend.",
    "keras.utils.",
    "keras.datasets.",
    "keras.preprocessing.",
    "keras.mixed_precision.",
    "keras.random.",
    "keras.saving.",
)


# The words `regions` puts in the `why` of a function called while a TF 1 graph is built (and of what it calls).
TF1_GRAPH_WHY = "while a TF 1 graph is built"
# Names whose use shows a program builds TF 1 graphs on purpose (eager execution off, a graph made the default,
# sessions, placeholders).
TF1_GRAPH_NAMES = frozenset(
    {"disable_eager_execution", "disable_v2_behavior", "Session", "InteractiveSession", "placeholder", "as_default"}
)
# What differentiates a TF 1 graph: `tf.gradients(ys, xs)`, and an optimizer's `minimize(loss)` /
# `compute_gradients(loss)`.
TF_GRADIENTS = frozenset({"tensorflow.gradients", "tensorflow.compat.v1.gradients"})
TF1_OPTIMIZER_METHODS = frozenset({"minimize", "compute_gradients"})


def _star_read_names(imports: list, tree: ast.Module) -> list[str]:
    """Names the module reads and never binds, when it has a star import (`from keras.layers import *`): those
    are what the star import gives it. Empty (no walk) without one that can bind a name (`star_import_binds`; the
    import table reads these names only for such imports): array_ops.py's star import of its generated ops walked
    the whole tree for nothing, a third of its analysis."""
    if not any(
        isinstance(i, ast.ImportFrom)
        and i.level == 0
        and i.module
        and any(a.name == "*" for a in i.names)
        and star_import_binds(canonical(i.module))
        for i in imports
    ):
        return []
    nodes = walk_nodes(tree)  # ast.walk's order, without the context/operator leaves
    bound = bound_names(nodes) | set(dir(builtins))
    read = dict.fromkeys(n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return [name for name in read if name not in bound]


def is_keras_layer_ctor(q: str) -> bool:
    if not q.startswith("keras."):
        return False
    if q.startswith(_KERAS_NON_LAYER) or q in {
        "keras.Input",
        "keras.layers.Input",
        "keras.Variable",
        "keras.Sequential.add",
    }:
        return False
    last = q.rsplit(".", 1)[-1]
    if q.startswith(("keras.layers.", "keras.applications.", "keras.models.")) or q in {
        "keras.Sequential",
        "keras.Model",
    }:
        return last[:1].isupper() or q.startswith("keras.applications.")
    return False


def keras_base_kind(q: str) -> str | None:
    if not q.startswith("keras."):
        return None
    last = q.rsplit(".", 1)[-1]
    if q.startswith("keras.losses.") and last[:1].isupper():
        return "loss"
    if q in {"keras.Model", "keras.models.Model", "keras.Sequential", "keras.models.Sequential"}:
        return "model"
    if q in {"keras.Layer", "keras.layers.Layer"} or (q.startswith("keras.layers.") and last[:1].isupper()):
        return "layer"
    return None
