"""Code that cannot run while TensorFlow traces: what a branch on "am I being traced?" leaves to eager execution.

While TensorFlow traces (a `tf.function`, a Keras 3 `call` under `fit` or while a model is built, a `tf.data`
map) some conditions have a fixed value: `tf.executing_eagerly()` is False, `tf.inside_function()` True, a tensor
is symbolic (`hasattr(x, "graph")` and `hasattr(x.graph, "as_graph_def")` hold; an eager tensor has no `graph`),
the `tensorflow` module is imported (`tf is not None`) and Keras' backend is "tensorflow".  Measured under TF 2.21
/ Keras 3.15.1.  A library often computes such a fact in a helper (keras-hub's `in_tf_function()`, a layer's
`_use_tf_workflow()`) or a local flag (`use_tf_graph_ops = hasattr(x, "graph")`), so the value is followed through
local names bound once and through project functions and methods (their reachable returns, also in other modules
through project summaries).  A statement a traced run cannot reach (in the branch the fixed value rules out, or
after an `if` whose taken branch always returns) runs only eagerly, where a tensor's truth value is a Python bool
and NumPy gets a concrete array.  Unknown stays unknown: then nothing is concluded.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.module import FunctionNode, ModuleInfo

_EXECUTING_EAGERLY = frozenset(
    {
        "tensorflow.executing_eagerly",
        "tensorflow.compat.v1.executing_eagerly",
        "tensorflow.python.eager.context.executing_eagerly",
    }
)
_INSIDE_FUNCTION = frozenset({"tensorflow.inside_function", "tensorflow.python.framework.ops.inside_function"})
_KERAS_BACKEND = frozenset({"keras.config.backend", "keras.backend.backend"})
# Attributes a traced tensor's `graph` (a FuncGraph) has: `hasattr(x.graph, "as_graph_def")` holds while tracing.
_GRAPH_ATTRS = frozenset({"as_graph_def", "get_operations", "as_default"})
_TERMINAL = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_MAX_DEPTH = 6


def traced_truth(info: ModuleInfo, test: ast.expr, fn: FunctionNode | None, depth: int = 0) -> bool | None:
    """The truth value `test` has whenever TensorFlow traces the code holding it; None when not fixed."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(test, ast.Constant):
        return bool(test.value) if isinstance(test.value, (bool, int, str, type(None))) else None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        v = traced_truth(info, test.operand, fn, depth + 1)
        return None if v is None else not v
    if isinstance(test, ast.BoolOp):
        values = [traced_truth(info, v, fn, depth + 1) for v in test.values]
        decisive = isinstance(test.op, ast.Or)  # `or` is decided by a true operand, `and` by a false one
        if decisive in values:
            return decisive
        return (not decisive) if all(v is not None for v in values) else None
    if isinstance(test, ast.Compare):
        return _compare(info, test)
    if isinstance(test, ast.Call):
        return _call(info, test, fn, depth)
    if isinstance(test, ast.Name) and fn is not None:
        return _local_flag(info, test, fn, depth)
    return None


def _compare(info: ModuleInfo, test: ast.Compare) -> bool | None:
    if len(test.ops) != 1:
        return None
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Constant) and right.value is None:
        # `tf is not None`: TensorFlow imported, which it is whenever it traces.
        if isinstance(left, ast.Name) and is_tf_module(info, left.id):
            return _fact(info, isinstance(op, ast.IsNot))
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)):
        for call, other in ((left, right), (right, left)):
            if (
                isinstance(call, ast.Call)
                and not call.args
                and info.imports.qualname(call.func) in _KERAS_BACKEND
                and isinstance(other, ast.Constant)
                and isinstance(other.value, str)
            ):
                return _fact(info, (other.value == "tensorflow") == isinstance(op, ast.Eq))
    return None


def _call(info: ModuleInfo, call: ast.Call, fn: FunctionNode | None, depth: int) -> bool | None:
    q = info.imports.qualname(call.func) or ""
    f = call.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and is_tf_module(info, f.value.id):
        q = "tensorflow." + f.attr  # `tf = try_import_tensorflow()` (keras-hub): the module, or None
    if q in _EXECUTING_EAGERLY:
        return _fact(info, False)
    if q in _INSIDE_FUNCTION:
        return _fact(info, True)
    if isinstance(f, ast.Name) and f.id == "hasattr" and len(call.args) == 2 and not _shadowed(info, "hasattr"):
        return _hasattr(info, call.args[0], call.args[1])
    if call.args or call.keywords or q.startswith(("tensorflow.", "keras.", "numpy.")):
        # A helper that tells whether the code is traced takes no arguments (`in_tf_function()`,
        # `self._use_tf_workflow()`); what one with arguments returns depends on them.
        return None
    from gradls.analysis.regions import resolve_callee

    callee = resolve_callee(info, call, fn)
    if callee is not None:
        return function_traced_truth(info, callee.node, depth + 1)
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self" and fn is not None:
        return _inherited_method_truth(info, fn, f.attr)
    if isinstance(f, (ast.Name, ast.Attribute)):
        return _imported_function_truth(info, f)
    return None


def is_tf_module(info: ModuleInfo, name: str) -> bool:
    """Whether a module-level name is the `tensorflow` module where it is not None: imported as it, bound to what
    a module function returns when every return of it is None or the module (`tf = try_import_tensorflow()`),
    or so bound in the project module it is imported from."""
    memo: dict[str, bool] = info.memo(f"{__name__}.tf_modules", dict)
    found = memo.get(name)
    if found is None:
        memo[name] = False  # a cycle: not known
        found = memo[name] = _is_tf_module(info, name)
    return found


def _is_tf_module(info: ModuleInfo, name: str) -> bool:
    if info.imports.aliases.get(name) == "tensorflow":
        return True
    from gradls.analysis.python_scopes import module_bindings

    bindings = module_bindings(info).get(name)
    if not bindings:
        return False
    handle = False
    for b in bindings:
        if b.kind == "assign" and isinstance(b.value, ast.Constant) and b.value.value is None:
            continue
        if b.kind == "assign" and isinstance(b.value, ast.Call) and not b.value.args and not b.value.keywords:
            f = b.value.func
            fn = info.module_functions.get(f.id) if isinstance(f, ast.Name) else None
            if fn is not None and _returns_tf_module(info, fn):
                handle = True
                continue
            return False
        if b.kind == "import" and b.function is None and isinstance(b.stmt, ast.ImportFrom):
            raw = info.imports.raw.get(name)
            if raw is not None and info.project is not None and info.path is not None:
                try:
                    if info.project.tf_module_of(info.path, raw[0], raw[1]):
                        handle = True
                        continue
                except (OSError, RecursionError, ValueError):
                    pass
        return False
    return handle


def _returns_tf_module(info: ModuleInfo, fn: FunctionNode) -> bool:
    ff = info.facts(fn)
    if ff is None or not ff.returns:
        return False
    module = False
    for r in ff.returns:
        if r.value is None or isinstance(r.value, ast.Constant) and r.value.value is None:
            continue
        if isinstance(r.value, ast.Name) and info.imports.aliases.get(r.value.id) == "tensorflow":
            module = True
            continue
        return False
    return module


def _shadowed(info: ModuleInfo, builtin: str) -> bool:
    return builtin in info.module_functions or builtin in info.imports.raw or builtin in info.imports.aliases


def _hasattr(info: ModuleInfo, obj: ast.expr, attr: ast.expr) -> bool | None:
    """`hasattr(x, "graph")` on a tensor: a symbolic tensor has its graph, an eager one has none; and
    `hasattr(x.graph, "as_graph_def")`: that graph is a FuncGraph."""
    tensors = getattr(info, "tensors", None)  # None while the execution modes are being computed
    if tensors is None or not isinstance(attr, ast.Constant) or not isinstance(attr.value, str):
        return None
    from gradls.analysis.tensors import TENSOR

    if attr.value == "graph" and tensors.level_of(obj) >= TENSOR:
        return _fact(info, True)
    if (
        attr.value in _GRAPH_ATTRS
        and isinstance(obj, ast.Attribute)
        and obj.attr == "graph"
        and tensors.level_of(obj.value) >= TENSOR
    ):
        return _fact(info, True)
    return None


def _local_flag(info: ModuleInfo, name: ast.Name, fn: FunctionNode, depth: int) -> bool | None:
    """A local name bound once, by `flag = <condition>`: the condition's value."""
    from gradls.analysis.python_scopes import function_bindings

    bindings = function_bindings(info, fn).get(name.id)
    if not bindings or len(bindings) != 1:
        return None
    b = bindings[0]
    if b.kind != "assign" or b.value is None or b.function is not None or b.loop is not None:
        return None
    if not isinstance(b.stmt, ast.Assign) or len(b.stmt.targets) != 1 or not isinstance(b.stmt.targets[0], ast.Name):
        return None
    return traced_truth(info, b.value, fn, depth + 1)


def _inherited_method_truth(info: ModuleInfo, fn: FunctionNode, method: str) -> bool | None:
    """`self.m()` where `m` comes from a base class of another project module."""
    ff = info.facts(fn)
    while ff is not None and ff.cls is None and ff.parent is not None:
        ff = info.facts(ff.parent)
    cls = ff.cls if ff is not None else None
    seen: set[str] = set()
    while cls is not None and cls.node.name not in seen:
        seen.add(cls.node.name)
        if method in cls.methods:
            return None  # its own method, which resolve_callee already declined
        nxt = None
        for b_expr, b_name in zip(cls.node.bases, cls.base_names):
            if b_name in info.classes:
                nxt = info.classes[b_name]
                break
            ext = info.external(b_expr)
            truths = getattr(ext, "traced_truths", None)
            if truths is not None:
                v = dict(truths).get(method)
                return None if v is None else _fact(info, v)
        cls = nxt
    return None


def _imported_function_truth(info: ModuleInfo, f: ast.expr) -> bool | None:
    """`in_tf_function()` imported from another project module."""
    if info.project is None or info.path is None:
        return None
    from gradls.analysis.names import dotted

    name = dotted(f)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    raw = info.imports.raw.get(head)
    if raw is None or head in info.module_functions:
        return None
    level, target = raw
    try:
        v = info.project.traced_truth_of(info.path, level, f"{target}.{rest}" if rest else target)
    except (OSError, RecursionError, ValueError):
        return None
    return None if v is None else _fact(info, v)


def function_traced_truth(info: ModuleInfo, fn: FunctionNode, depth: int = 0) -> bool | None:
    """The truth value a function of this module returns whenever it runs traced (every return a traced run
    reaches agrees, falling off the end returning None), when that value comes from what tracing fixes (a
    function returning a constant, which a subclass may override, tells nothing about tracing); None otherwise."""
    memo: dict[int, bool | None] = info.memo(f"{__name__}.function_truth.{_phase(info)}", dict)
    key = id(fn)
    if key in memo:
        known = memo[key]
        return None if known is None else _fact(info, known)
    memo[key] = None  # a recursive call: unknown
    hits = _hits(info)
    before = hits[0]
    values: list[bool | None] = []
    dead: set[int] = set()
    ends = _walk(info, fn, fn.body, dead, depth, values)
    if not ends:
        values.append(False)  # falls off the end: None
    out = values[0] if values and all(v == values[0] for v in values) else None
    if hits[0] == before:
        out = None  # decided by constants alone
    memo[key] = out
    return out


def _hits(info: ModuleInfo) -> list[int]:
    """How many times a value fixed by tracing was used: a function's truth counts only when its walk used one."""
    return info.memo(f"{__name__}.hits", lambda: [0])


def _fact(info: ModuleInfo, value: bool) -> bool:
    _hits(info)[0] += 1
    return value


def _phase(info: ModuleInfo) -> str:
    # Before the tensor inference exists (execution modes being computed) `hasattr(x, "graph")` is unknown.
    return "tensors" if getattr(info, "tensors", None) is not None else "modes"


def unreached_when_traced(info: ModuleInfo, fn: FunctionNode) -> set[int]:
    """Ids of the statements of `fn` (outside nested defs) that a traced run of it never reaches."""
    memo: dict[int, set[int]] = info.memo(f"{__name__}.unreached.{_phase(info)}", dict)
    out = memo.get(id(fn))
    if out is None:
        out = memo[id(fn)] = set()
        _walk(info, fn, fn.body, out, 0, None)
    return out


def _walk(
    info: ModuleInfo,
    fn: FunctionNode,
    block: list[ast.stmt],
    dead: set[int],
    depth: int,
    returns: list[bool | None] | None,
) -> bool:
    """Walk a block as a traced run does: record the statements it cannot reach in `dead` (and, given `returns`,
    the traced truth of every return it reaches); True when the block never falls through."""
    ends = False
    for s in block:
        if ends:
            dead.add(id(s))
            continue
        if isinstance(s, _TERMINAL):
            if isinstance(s, ast.Return) and returns is not None:
                returns.append(False if s.value is None else traced_truth(info, s.value, fn, depth))
            ends = True
        elif isinstance(s, ast.If):
            t = traced_truth(info, s.test, fn, depth)
            body_ends = _branch(info, fn, s.body, t is False, dead, depth, returns)
            else_ends = _branch(info, fn, s.orelse, t is True, dead, depth, returns)
            ends = (body_ends or t is False) and (else_ends or t is True)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            ends = _walk(info, fn, s.body, dead, depth, returns)
        else:
            for sub in _sub_blocks(s):
                _walk(info, fn, sub, dead, depth, returns)
    return ends


def _branch(info, fn, block, unreached: bool, dead: set[int], depth: int, returns) -> bool:
    if unreached:
        dead.update(id(s) for s in block)
        return False
    return _walk(info, fn, block, dead, depth, returns) if block else False


def _sub_blocks(s: ast.stmt) -> Iterator[list[ast.stmt]]:
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for name in ("body", "orelse", "finalbody"):
        sub = getattr(s, name, None)
        if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
            yield sub
    for h in getattr(s, "handlers", None) or []:
        yield h.body
    for c in getattr(s, "cases", None) or []:
        yield c.body


def runs_only_eagerly(info: ModuleInfo, node: ast.AST) -> bool:
    """Whether a traced run of the function holding `node` never evaluates it: inside a statement a traced run
    cannot reach, the branch of a conditional expression or the later operand of `and`/`or` it rules out."""
    fn = info.enclosing_function(node)
    if fn is None:
        return False
    # A statement's or a differentiable node's parents up to `fn` are in `info.parents` (each the node's own, as in
    # the whole tree's): `_propagate` asks about the calls of differentiable functions, and building the whole
    # tree's parents for them cost ~4% of a training script's analysis.  Any other node reads the whole tree's.
    if id(node) in info.parents:
        found = _runs_only_eagerly(info, node, fn, info.parents)
        if found is not None:
            return found
    return bool(_runs_only_eagerly(info, node, fn, info.all_parents))


def _runs_only_eagerly(info: ModuleInfo, node: ast.AST, fn: FunctionNode, parents: dict[int, ast.AST]) -> bool | None:
    """`runs_only_eagerly` along `parents`; None when they stop before `fn` (a node they do not hold)."""
    dead: set[int] | None = None
    child, p = node, parents.get(id(node))
    while p is not None and p is not fn:
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        if isinstance(child, ast.stmt):
            if dead is None:
                dead = unreached_when_traced(info, fn)
            if id(child) in dead:
                return True
        elif isinstance(p, ast.IfExp) and child is not p.test:
            t = traced_truth(info, p.test, fn)
            if t is not None and (child is p.body) != t:
                return True
        elif isinstance(p, ast.BoolOp) and child is not p.values[0]:
            decisive = isinstance(p.op, ast.Or)
            for v in p.values:
                if v is child:
                    break
                if traced_truth(info, v, fn) is decisive:
                    return True
        child, p = p, parents.get(id(p))
    if p is None:
        return None
    if isinstance(child, ast.stmt):
        if dead is None:
            dead = unreached_when_traced(info, fn)
        return id(child) in dead
    return False


def tf_module_names(info: ModuleInfo) -> frozenset[str]:
    """For project summaries: the module-level names this module binds to the `tensorflow` module by calling a
    function of its own (`tf = try_import_tensorflow()`).  Importers resolve an import of `tensorflow` themselves;
    a name re-exported from another module is left out, so a summary never needs the summaries of the modules it
    imports from."""
    from gradls.analysis.python_scopes import module_bindings

    out = set()
    for name, bindings in module_bindings(info).items():
        if all(b.kind == "assign" for b in bindings) and any(isinstance(b.value, ast.Call) for b in bindings):
            if is_tf_module(info, name):
                out.add(name)
    return frozenset(out)


def summary_truths(info: ModuleInfo) -> tuple[dict[str, bool], dict[str, tuple[tuple[str, bool], ...]]]:
    """For project summaries: the fixed traced truth of each module function taking no argument, and per
    top-level class of each method taking only `self` (inherited ones from bases in this module or others
    included)."""
    functions: dict[str, bool] = {}
    for name, node in info.module_functions.items():
        if not _takes_arguments(node, method=False):
            v = function_traced_truth(info, node)
            if v is not None:
                functions[name] = v
    classes: dict[str, tuple[tuple[str, bool], ...]] = {}
    done: dict[str, dict[str, bool]] = {}

    def of(name: str, seen: frozenset[str]) -> dict[str, bool]:
        if name in done:
            return done[name]
        cls = info.classes[name]
        own: dict[str, bool] = {}
        for b_expr, b_name in zip(reversed(cls.node.bases), reversed(cls.base_names)):
            if b_name in info.classes and b_name not in seen:
                own.update(of(b_name, seen | {name}))
            else:
                ext = info.external(b_expr)
                own.update(dict(getattr(ext, "traced_truths", ()) or ()))
        for m, node in cls.methods.items():
            own.pop(m, None)
            if not _takes_arguments(node, method=True):
                v = function_traced_truth(info, node)
                if v is not None:
                    own[m] = v
        done[name] = own
        return own

    for name, cls in info.classes.items():
        if info.parent(cls.node) is info.tree:
            truths = of(name, frozenset())
            if truths:
                classes[name] = tuple(sorted(truths.items()))
    return functions, classes


def _takes_arguments(fn: FunctionNode, method: bool) -> bool:
    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    if method:
        if not positional or positional[0].arg not in {"self", "cls"}:
            return True
        positional = positional[1:]
    return bool(positional or a.vararg or a.kwonlyargs or a.kwarg)
