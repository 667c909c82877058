"""Where the module's top-level functions are used: every load of a module-level function's name, with the
call it is the callee of (None when the name is used as a value), and the scope root it appears in.

`function_uses(info)` is built once per analysed module (kept with `info.memo`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.module import ClassFacts, FunctionFacts, ModuleInfo, param_annotation, param_defaults

Uses = dict[str, list[tuple[ast.Call | None, ast.AST]]]


def function_uses(info: ModuleInfo) -> Uses:
    """Module-level function name -> [(call whose callee the load is, or None; scope root of the load)]."""
    return info.memo(f"{__name__}.function_uses", lambda: _build(info))


def _build(info: ModuleInfo) -> Uses:
    out: Uses = {}
    if not info.module_functions:
        return out
    for root, _calls, loads in _scope_calls_and_loads(info):
        for n, call in loads:
            out.setdefault(n.id, []).append((call, root))
    return out


# Per scope root: (root, its own calls, its loads of module function names each with the call it is the callee of).
ScopeCalls = list[tuple[ast.AST, list[ast.Call], list[tuple[ast.Name, ast.Call | None]]]]
# The classes a scope's walk does not enter (exact classes: the parser makes no subclasses).
_NESTED_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _scope_calls_and_loads(info: ModuleInfo) -> ScopeCalls:
    """For each scope root (the module, then every function of `info.functions`): its own calls and its loads of
    module-level function names, in `walk_own`'s order (depth-first, the last child first; the module's top level
    enters no lambda).  One walk of the module shared by `function_uses` and `method_calls` (each walked every
    scope itself, through the `walk_own` / `ast.iter_child_nodes` generators: about twice this walk's cost)."""
    return info.memo(f"{__name__}.scope_calls_and_loads", lambda: _walk_scopes(info))


def _walk_scopes(info: ModuleInfo) -> ScopeCalls:
    names = set(info.module_functions)
    out: ScopeCalls = []
    callees: dict[int, ast.Call] = {}  # id(callee name) -> its call, for the calls of module functions
    Name, Call, Load, Lambda = ast.Name, ast.Call, ast.Load, ast.Lambda
    nested = _NESTED_SCOPES
    # The module's shared listing of each node's children: this walk runs first (tensor inference asks it), and
    # the flow, tape and Keras-object scope walks that follow list the children of the same nodes again.
    children = info.child_nodes
    for root in [info.tree, *(ff.node for ff in info.functions.values())]:
        module_level = root is info.tree
        calls: list[ast.Call] = []
        loads: list[ast.Name] = []
        # A function's walk starts at its def (its decorators, defaults and annotations are its own); the module's
        # at its statements.
        todo: list[ast.AST] = list(info.tree.body) if module_level else [root]
        pop, extend = todo.pop, todo.extend
        enter_root = not module_level
        while todo:
            n = pop()
            t = type(n)
            if t is Name:
                if n.id in names and type(n.ctx) is Load:  # type: ignore[attr-defined]
                    loads.append(n)  # type: ignore[arg-type]
                continue
            if t is Call:
                calls.append(n)  # type: ignore[arg-type]
                f = n.func  # type: ignore[attr-defined]
                if type(f) is Name and f.id in names:
                    callees[id(f)] = n  # type: ignore[assignment]
            elif enter_root:
                enter_root = False
            elif t in nested or (module_level and t is Lambda):
                continue
            extend(children(n))
        out.append((root, calls, [(n, callees.get(id(n))) for n in loads]))
    return out


def method_calls(info: ModuleInfo) -> dict[int, list[tuple[ast.Call, ast.AST]]]:
    """id(method of a plain, non-Keras class of this module) -> [(call running it, scope root of the call)], for
    calls on instances the module makes (`net = Net(); net(x)`, `self.encoder.encode(x)`)."""
    return info.memo(f"{__name__}.method_calls", lambda: _build_method_calls(info))


def _build_method_calls(info: ModuleInfo) -> dict[int, list[tuple[ast.Call, ast.AST]]]:
    from gradls.analysis.regions import resolve_callee

    out: dict[int, list[tuple[ast.Call, ast.AST]]] = {}
    if not any(c.keras_kind is None and c.methods for c in info.classes.values()):
        return out
    for root, calls, _loads in _scope_calls_and_loads(info):
        for n in calls:
            if isinstance(n.func, (ast.Name, ast.Attribute)):
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
        # Calls fill three indexes and assignments the fourth, so each class's own list (in walk order) gives every
        # index's lists in walk order, without filtering the whole tree for the two classes together.
        for n in info.all_nodes(ast.Call):
            for x in n.args:
                if type(x) is ast.Name:
                    self.passed.setdefault(x.id, []).append(n)
            for k in n.keywords:
                if type(k.value) is ast.Name:
                    self.passed.setdefault(k.value.id, []).append(n)
            f = n.func
            if isinstance(f, ast.Name):
                self.by_name.setdefault(f.id, []).append(n)
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
                self.self_attr.setdefault(f.attr, []).append(n)
        for a in info.all_nodes(ast.Assign):
            if isinstance(a.value, ast.Call) and isinstance(a.value.func, ast.Name):
                self.assigned.setdefault(a.value.func.id, []).append(a)


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


# ---------------------------------------------------------------- what calls of Keras layers pass
#
# Keras hands a layer's `call` symbolic tensors only in its first argument (fit, Sequential, functional
# models); every other argument is whatever the caller passed, and a Python int stays a Python int while Keras
# traces.  So a `call` parameter after the first is a tensor only where some caller passes one.


@dataclass(frozen=True)
class LayerCall:
    """One call of a Keras layer instance: for each positional index and keyword, whether the value passed is not
    a tensor (a static Python value, `static_value`, or a parameter of the caller that holds a Python value or an
    unknown one), or "Cls.param": a parameter of this module's Keras class `Cls`'s `call` handed on as it came,
    judged by what `Cls`'s own callers pass (`passes_tensor`; project summaries hold it resolved); `opaque` when
    `*args`/`**kwargs` hide what goes where."""

    positional: tuple[bool | str, ...]
    keywords: tuple[tuple[str, bool | str], ...]
    opaque: bool = False


_STATIC_BUILTINS = {"len", "int", "float", "bool", "str", "round", "range", "min", "max", "abs", "sum"}
_STATIC_SHAPE_FUNCTIONS = {"keras.ops.shape", "keras.ops.ndim"}


def static_value(info: ModuleInfo, e: ast.AST, scope: ast.AST, depth: int = 0) -> bool:
    """Is `e` a Python value whatever runs it: literals and arithmetic on them, `len`/`int`/..., static shapes
    (`x.shape`, `keras.ops.shape(x)`: Python ints in the TF backend, as the engine takes them), and names bound
    in `scope` only to such values.  A parameter, an attribute or a call of anything else is not known."""
    if depth > 8:
        return False

    def rec(x: ast.AST) -> bool:
        return static_value(info, x, scope, depth + 1)

    if isinstance(e, ast.Constant):
        return e.value is not Ellipsis
    if isinstance(e, (ast.Tuple, ast.List)):
        return all(rec(x) for x in e.elts)
    if isinstance(e, ast.UnaryOp):
        return rec(e.operand)
    if isinstance(e, ast.BinOp):
        return rec(e.left) and rec(e.right)
    if isinstance(e, ast.Subscript):
        return rec(e.value)
    if isinstance(e, ast.Attribute):
        return e.attr in {"shape", "ndim"}
    if isinstance(e, ast.Call):
        if isinstance(e.func, ast.Name) and e.func.id in _STATIC_BUILTINS and e.func.id not in info.module_functions:
            return e.func.id in {"len", "int", "float", "bool", "str"} or all(rec(a) for a in e.args)
        return info.imports.qualname(e.func) in _STATIC_SHAPE_FUNCTIONS
    if isinstance(e, ast.Name):
        values = _name_values(info, scope).get(e.id) or []
        return bool(values) and all(v is not None and rec(v) for v in values)
    return False


def _name_values(info: ModuleInfo, scope: ast.AST) -> dict[str, list[ast.expr | None]]:
    """Per name bound in `scope`'s own body, the values it is bound to (an element of an unpacked value: the
    whole value; None: bound some other way, or a parameter)."""

    def build() -> dict[str, list[ast.expr | None]]:
        out: dict[str, list[ast.expr | None]] = {}
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = scope.args
            for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if p is not None:
                    out.setdefault(p.arg, []).append(None)
        for n in _own_statements(scope):
            if isinstance(n, ast.ExceptHandler) and n.name:
                out.setdefault(n.name, []).append(None)
            elif isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
                value = n.iter if isinstance(n, (ast.For, ast.AsyncFor)) else n.value
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                if isinstance(n, (ast.For, ast.AsyncFor)):
                    # `for i in range(n)`: i is a Python int; any other loop: unknown elements
                    it = n.iter
                    ok = isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range"
                    value = ast.Constant(0) if ok else None
                for t in targets:
                    for name in ast.walk(t):
                        if isinstance(name, ast.Name):
                            out.setdefault(name.id, []).append(value)
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                for item in n.items:
                    if item.optional_vars is not None:
                        for name in ast.walk(item.optional_vars):
                            if isinstance(name, ast.Name):
                                out.setdefault(name.id, []).append(None)
            elif isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound = [x.asname or x.name for x in n.names] if isinstance(n, (ast.Import, ast.ImportFrom)) else []
                for word in bound or [getattr(n, "name", "")]:
                    out.setdefault(word.split(".")[0], []).append(None)
        return out

    return info.memo(f"{__name__}.name_values.{id(scope)}", build)


def bound_values(info: ModuleInfo, scope: ast.AST) -> dict[str, list[ast.expr | None]]:
    """Per name bound in `scope`'s own body, the values it is bound to (None: bound some other way)."""
    return _name_values(info, scope)


def _own_statements(scope: ast.AST) -> Iterator[ast.AST]:
    """The statements of a scope's body, through compound statements but not into nested definitions (which are
    yielded: they bind their name).  Statements only: a name bound by `:=` alone is not seen, so not static."""
    todo: list[ast.AST] = list(getattr(scope, "body", []))
    while todo:
        n = todo.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            todo.extend(getattr(n, field, ()))


def layer_calls(info: ModuleInfo) -> dict[str, list[LayerCall]]:
    """Class name as this module knows it (its own class, or an imported name) -> the calls of its instances the
    module makes: `Block(4)(x, 2)`, `blk = Block(4); blk(x, n=2)`, `self.blk = Block(4)` ... `self.blk(x, 2)`."""
    return info.memo(f"{__name__}.layer_calls", lambda: _build_layer_calls(info))


def _build_layer_calls(info: ModuleInfo) -> dict[str, list[LayerCall]]:
    out: dict[str, list[LayerCall]] = {}
    classes = {n for n, c in info.classes.items() if c.keras_kind in {"layer", "model"}} | set(info.imports.raw)
    # Names and `self` attributes ever bound to an instance of one of them: only their calls are resolved.
    index = call_index(info)
    names: set[str] = set()
    attrs: set[str] = set()
    for cls_name in classes:
        for a in index.assigned.get(cls_name, ()):
            for t in a.targets:
                if isinstance(t, ast.Name):
                    names.add(t.id)
                elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    attrs.add(t.attr)
    parents = info.all_parents

    def scope_of(n: ast.AST) -> ast.AST:
        p = parents.get(id(n))
        while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
            p = parents.get(id(p))
        return p if p is not None else info.tree

    for call in info.all_nodes(ast.Call):
        f = call.func
        cls: str | None = None
        if isinstance(f, ast.Call) and isinstance(f.func, ast.Name):
            cls = f.func.id
        elif isinstance(f, ast.Name) and f.id in names:
            cls = _bound_class(info, f.id, scope_of(call))
        elif (
            isinstance(f, ast.Attribute) and f.attr in attrs and isinstance(f.value, ast.Name) and f.value.id == "self"
        ):
            cls = _self_attr_class(info, f.attr, scope_of(call))
        if cls is None or cls not in classes:
            continue
        scope = scope_of(call)
        opaque = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
        out.setdefault(cls, []).append(
            LayerCall(
                tuple(_not_a_tensor(info, a, scope) for a in call.args),
                tuple((k.arg, _not_a_tensor(info, k.value, scope)) for k in call.keywords if k.arg is not None),
                opaque,
            )
        )
    return out


def _not_a_tensor(info: ModuleInfo, e: ast.AST, scope: ast.AST) -> bool | str:
    if static_value(info, e, scope) or _forwarded_python_parameter(info, e, scope):
        return True
    forwarded = _forwarded_call_parameter(info, e, scope)
    return forwarded if forwarded is not None else False


def passes_tensor(info: ModuleInfo, value: bool | str, depth: int = 0) -> bool:
    """Whether one argument of a `LayerCall` may be a tensor: not for a Python value; for a forwarded parameter
    of a Keras `call`, when one of that class's own callers passes a tensor there (so far as they are known)."""
    if isinstance(value, bool):
        return not value
    cls_name, _, param = value.partition(".")
    cls = info.classes.get(cls_name)
    method = _method_of(info, cls, "call") if cls is not None else None
    ff = info.facts(method) if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if ff is None or depth > 4:
        return True
    return call_param_static(info, ff, param, depth + 1) is False


def resolved_layer_calls(info: ModuleInfo, calls: list[LayerCall]) -> tuple[LayerCall, ...]:
    """`calls` with every forwarded parameter judged in this module, for a project summary."""
    return tuple(
        LayerCall(
            tuple(not passes_tensor(info, v) for v in c.positional),
            tuple((k, not passes_tensor(info, v)) for k, v in c.keywords),
            c.opaque,
        )
        for c in calls
    )


def _forwarded_call_parameter(info: ModuleInfo, e: ast.AST, scope: ast.AST) -> str | None:
    """`self.attn(x, mask, output_attentions)` in a Keras `call` whose own `output_attentions` parameter has no
    default: "Cls.output_attentions", to be judged by what `Cls`'s callers pass (not the layer's input)."""
    if not isinstance(e, ast.Name) or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    ff = info.facts(scope)
    if ff is None or ff.keras_method not in {"call", "__call__"} or ff.cls is None:
        return None
    a = scope.args
    positional = [x.arg for x in [*a.posonlyargs, *a.args]][1:]  # after `self`
    if e.id not in positional[1:] and e.id not in {x.arg for x in a.kwonlyargs}:
        return None
    if "mask" in e.id or any(v is not None for v in _name_values(info, scope).get(e.id, [])):
        return None  # Keras hands masks in as tensors; a rebound parameter holds something else
    return f"{ff.cls.node.name}.{e.id}"


# Annotations that name Python values only (`flag: bool`, `n: Optional[int]`, `mode: str | None`).
_PYTHON_ANNOTATION_WORDS = frozenset(
    {"bool", "int", "float", "str", "None", "Optional", "Union", "Literal", "typing", "Sequence", "List", "Tuple"}
)


def python_scalar_annotation(fn: ast.FunctionDef | ast.AsyncFunctionDef, param: str) -> bool:
    """`param: bool`, `param: Optional[bool]`, `param: int | None`: annotated as a Python scalar (or a sequence
    of them), the caller's promise that no tensor comes in; its truth value is a Python bool."""
    ann = param_annotation(fn, param)
    if ann is None:
        return False
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return False
    words = set()
    for n in ast.walk(ann):
        if isinstance(n, ast.Name):
            words.add(n.id)
        elif isinstance(n, ast.Attribute):
            words.add(n.attr)
        elif isinstance(n, ast.Constant):
            if n.value is not None and not isinstance(n.value, (str, int, float, bool)):
                return False
        elif not isinstance(n, (ast.Subscript, ast.Tuple, ast.BinOp, ast.BitOr, ast.Load, ast.Index)):
            return False
    return bool(words) and words <= _PYTHON_ANNOTATION_WORDS and bool(words & {"bool", "int", "float", "str"})


def _forwarded_python_parameter(info: ModuleInfo, e: ast.AST, scope: ast.AST) -> bool:
    """`self.encoder(h, output_hidden_states=output_hidden_states)`: a parameter of the calling function handed
    on as it came (or replaced only by its default from `self`: `p if p is not None else self.config.p`), whose
    own value is a Python value or unknown where the caller receives it (a default, a Python annotation,
    `training`). Such a value tells the callee nothing about tensors, so it does not make the callee's parameter
    one."""
    if not isinstance(e, ast.Name) or not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    name = e.id
    a = scope.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    if not any(p.arg == name for p in params):
        return False
    for v in _name_values(info, scope).get(name, []):
        if v is not None and not _defaults_from_self(v, name):
            return False
    if name in {"training", "is_training"} or python_scalar_annotation(scope, name):
        return True
    default = param_defaults(a).get(name)
    return default is not None and not ("mask" in name and isinstance(default, ast.Constant) and default.value is None)


def _defaults_from_self(v: ast.expr, name: str) -> bool:
    """`p if p is not None else self.config.p` (and the like): the parameter or a value read from `self`."""
    for n in ast.walk(v):
        if isinstance(n, ast.Name) and n.id not in {name, "self"}:
            return False
        if isinstance(n, ast.Call):
            return False
    return True


def _ctor_name(v: ast.expr | None) -> str | None:
    return v.func.id if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) else None


def _bound_class(info: ModuleInfo, name: str, scope: ast.AST) -> str | None:
    """The class `name` is bound to in `scope` (or the module): only ever `name = Cls(...)`."""
    while True:
        values = _name_values(info, scope).get(name)
        if values:
            ctors = {_ctor_name(v) for v in values}
            return ctors.pop() if len(ctors) == 1 else None
        if scope is info.tree:
            return None
        ff = info.facts(scope) if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        scope = ff.parent if ff is not None and ff.parent is not None else info.tree


def _self_attr_class(info: ModuleInfo, attr: str, scope: ast.AST) -> str | None:
    """The class `self.<attr>` is bound to in the methods of the class around `scope`: only ever `Cls(...)`
    (assignments of anything else are not looked at: a call they would add still passes what it passes)."""
    ff = info.facts(scope) if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    while ff is not None and ff.cls is None and ff.parent is not None:
        ff = info.facts(ff.parent)
    if ff is None or ff.cls is None:
        return None
    return _self_attr_classes(info).get((id(ff.cls.node), attr))


def _self_attr_classes(info: ModuleInfo) -> dict[tuple[int, str], str | None]:
    """(id of a class, attr) -> the class `self.<attr> = Cls(...)` in its methods binds (None: several)."""

    def build() -> dict[tuple[int, str], str | None]:
        parents = info.all_parents
        found: dict[tuple[int, str], str | None] = {}
        for name, assigns in call_index(info).assigned.items():
            for a in assigns:
                fn = parents.get(id(a))
                while fn is not None and not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    fn = parents.get(id(fn))
                cls = parents.get(id(fn)) if fn is not None else None
                if not isinstance(cls, ast.ClassDef):
                    continue
                for t in a.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                        key = (id(cls), t.attr)
                        found[key] = name if found.get(key, name) == name else None
        return found

    return info.memo(f"{__name__}.self_attr_classes", build)


def call_param_static(info: ModuleInfo, ff: FunctionFacts, param: str, depth: int = 0) -> bool | None:
    """For a parameter of a Keras class's `call`: None when no call of the class's instances is known (this
    module, or the project modules importing the class), True when every known call passes a static Python value
    there (`static_value`), False when one passes anything else (or `*args` hide it)."""
    sites = info.memo(f"{__name__}.call_sites_of.{id(ff.node)}", lambda: _sites_of(info, ff))
    if not sites:
        return None
    a = ff.node.args
    positional = [x.arg for x in [*a.posonlyargs, *a.args]][1:]  # after `self`
    if a.vararg is not None and param == a.vararg.arg:
        return False
    index = positional.index(param) if param in positional else None  # keyword-only: passed by name
    for site in sites:
        if site.opaque:
            return False
        if index is not None and index < len(site.positional):
            if passes_tensor(info, site.positional[index], depth):
                return False
        elif passes_tensor(info, dict(site.keywords).get(param, True), depth):
            return False
    return True


def _sites_of(info: ModuleInfo, ff: FunctionFacts) -> list[LayerCall]:
    cls = ff.cls
    if cls is None:
        return []
    local = layer_calls(info)
    sites: list[LayerCall] = []
    for name, c in info.classes.items():
        if name in local and _method_of(info, c, ff.node.name) is ff.node:
            sites.extend(local[name])
    if info.project is not None and info.path is not None and info.parent(cls.node) is info.tree:
        try:
            users = info.project.users(cls.node.name, info.path)
        except (OSError, RecursionError, ValueError):
            users = []
        for s in users:
            sites.extend(s.layer_calls.get(cls.node.name, ()))
    return sites


def _method_of(info: ModuleInfo, cls: ClassFacts, name: str) -> ast.AST | None:
    seen: set[int] = set()
    c: ClassFacts | None = cls
    while c is not None and id(c) not in seen:
        seen.add(id(c))
        if name in c.methods:
            return c.methods[name]
        c = next((info.classes[b] for b in c.base_names if b in info.classes), None)
    return None


def arguments_for(info: ModuleInfo, param: ast.arg) -> list[tuple[ast.Call, ast.AST]] | None:
    """For a parameter of a module-level function: (call, the argument it passes there) for every use of the
    function.  None when the parameter is not a module function's, the function is used other than by a call, or a
    call leaves the parameter to its default or passes it through `*args`/`**kwargs`: then what it holds is open."""
    fn = next(
        (
            d
            for d in info.module_functions.values()
            if any(a is param for a in (*d.args.posonlyargs, *d.args.args, *d.args.kwonlyargs))
        ),
        None,
    )
    if fn is None:
        return None
    found = _call_arguments(info, fn, param.arg)
    return None if found is None else [(call, arg) for call, arg, _root in found]


def passed_argument(call: ast.Call, positional: list[str], param: str) -> ast.expr | None:
    """What `call` passes as `param`: its keyword, else its positional argument at `param`'s place in `positional`
    (the callee's positional parameter names, `self` left out for a constructor) when no `*args` comes at or before
    it.  None when the call leaves the parameter to its default or its place is not known."""
    arg = next((k.value for k in call.keywords if k.arg == param), None)
    if arg is None and param in positional:
        i = positional.index(param)
        if i < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: i + 1]):
            arg = call.args[i]
    return arg


def _call_arguments(
    info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, param: str
) -> list[tuple[ast.Call, ast.AST, ast.AST]] | None:
    """`arguments_for` once the module function holding the parameter is known, each with the scope root of the
    call (`function_uses`)."""
    if info.module_functions.get(fn.name) is not fn:
        return None
    uses = function_uses(info).get(fn.name, [])
    if not uses:
        return None
    positional = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    out: list[tuple[ast.Call, ast.AST, ast.AST]] = []
    for call, root in uses:
        if call is None:
            return None
        arg = passed_argument(call, positional, param)
        if arg is None:
            return None
        out.append((call, arg, root))
    return out


def python_value_by_callers(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, param: str) -> bool:
    """For a parameter of a module-level function that the module calls: every call passes a static Python value
    there (`static_value`), or forwards a parameter of a plain module function whose own callers do the same or
    are not in this module (kapre: `_rdft(frames, fft_length)` inside `stft_tflite(..., fft_length)`, which a
    layer calls with its `n_fft`).  A `tf.function` argument that is a Python int stays a Python int in the trace.
    False when a call passes anything else, or no call is known."""
    memo: dict[tuple[int, str], bool] = info.memo(f"{__name__}.python_value_by_callers", dict)
    key = (id(fn), param)
    if key not in memo:
        memo[key] = _python_by_callers(info, fn, param, 0, top=True)
    return memo[key]


def _python_by_callers(
    info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, param: str, depth: int, top: bool
) -> bool:
    args = _call_arguments(info, fn, param) if depth <= 4 else None
    if args is None:
        return not top and depth <= 4  # a forwarded parameter with no caller here: unknown, not a tensor by sight
    for _call, arg, root in args:
        # The function holding the call: its scope root (a call in a lambda or a decorator belongs to the def
        # around it), found without `enclosing_function`, which builds the whole tree's parents for a call outside
        # differentiable code.
        caller = root if root is not info.tree else None
        if static_value(info, arg, caller if caller is not None else info.tree):
            continue
        if not (isinstance(arg, ast.Name) and isinstance(caller, (ast.FunctionDef, ast.AsyncFunctionDef))):
            return False
        cf = info.facts(caller)
        if (
            cf is None
            or cf.tf_function
            or cf.keras_method
            or info.module_functions.get(caller.name) is not caller
            or arg.id not in {a.arg for a in (*caller.args.posonlyargs, *caller.args.args, *caller.args.kwonlyargs)}
            or _rebound(info, caller, arg.id)
        ):
            return False
        if not _python_by_callers(info, caller, arg.id, depth + 1, top=False):
            return False
    return True


def _rebound(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    from gradls.analysis.python_scopes import function_bindings  # python_scopes builds on this module's callers

    return bool(function_bindings(info, fn).get(name))
