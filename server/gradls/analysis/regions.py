"""Which code is differentiable, and how it runs (eager, AutoGraph, or plain graph).

Seeds: Keras 3 step methods, `@tf.function`, `@tf.custom_gradient`, losses passed to
`compile()`, and `with tf.GradientTape()` bodies; then the module's call graph is followed
to a fixed point, so helpers inherit the modes of their callers.
"""

from __future__ import annotations

import ast
import re

from gradls.analysis.eager_guards import runs_only_eagerly
from gradls.analysis.module import (
    AUTOGRAPH,
    EAGER,
    GRAPH,
    KERAS_STEP_METHODS,
    TF1_GRAPH_WHY,
    ClassFacts,
    FunctionFacts,
    FunctionNode,
    ModuleInfo,
)
from gradls.analysis.names import dotted

# Calls whose presence shows the module runs Keras models as graphs (fit traces `call`).
_GRAPH_EVIDENCE_METHODS = {"fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch"}
_GRAPH_EVIDENCE_CTORS = {
    "keras.Input",
    "keras.layers.Input",
    "keras.Sequential",
    "keras.models.Sequential",
    "tensorflow.function",
}


def compute_regions(info: ModuleInfo) -> None:
    for ff in info.functions.values():
        _seed_from_decorators(info, ff)
    _seed_tf_function_calls(info)
    info.keras_graph_evidence = graph_evidence(info)
    keras3_mode = _keras_mode(info)
    keras2_mode = _keras_mode(info, keras2=True)
    for ff in info.functions.values():
        cls = ff.cls
        if cls is not None and cls.keras_kind and ff.parent is None:
            if (cls.keras_kind in {"layer", "model"} and ff.node.name in KERAS_STEP_METHODS) or (
                cls.keras_kind == "loss" and ff.node.name in {"call", "__call__"}
            ):
                ff.keras_method = ff.node.name
                ff.modes.add(keras2_mode if cls.keras2 else _mode_from_users(info, cls, keras3_mode))
                ff.why = f"Keras {'2 ' if cls.keras2 else ''}`{cls.node.name}.{ff.node.name}`"
    _seed_compile_losses(info, keras2_mode if info.keras2_program else keras3_mode)
    _seed_layer_callables(info)
    for ff in info.functions.values():
        if ff.custom_gradient and not ff.modes:
            # Differentiable in any case; a graph caller found below adds GRAPH.
            ff.modes.add(EAGER)
    _propagate(info)
    for ff in info.functions.values():
        if ff.modes:
            info.own_nodes(ff.node)
    for w, fn in info.tape_withs:
        # The whole function: what happens to the tape's results after the `with` block (the gradient
        # call, a return) belongs to the same flow.
        info.own_nodes(fn if fn is not None else w)


# Cheap text pre-filter; the decision is taken on the AST, so a comment or docstring proves nothing.
_GRAPH_EVIDENCE_TEXT = re.compile(
    r"\.(?:fit|evaluate|predict|train_on_batch|test_on_batch|predict_on_batch)\s*\(|\b(?:Input|Sequential)\s*\("
)
# Words every match of it holds: plain substring tests, much cheaper than the pattern's scan of a file without one.
_GRAPH_EVIDENCE_WORDS = (".fit", ".evaluate", ".predict", ".train_on_batch", ".test_on_batch", "Input", "Sequential")


def uses_tf_function(info: ModuleInfo) -> bool:
    """A `@tf.function` or `tf.function(f)` anywhere in the module (functions traced as graphs)."""
    if "function" not in info.source:
        return False
    for n in info.all_nodes((ast.FunctionDef, ast.AsyncFunctionDef, ast.Call)):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in n.decorator_list:
                if info.imports.qualname(d.func if isinstance(d, ast.Call) else d) == "tensorflow.function":
                    return True
        elif isinstance(n, ast.Call) and n.args and info.imports.qualname(n.func) == "tensorflow.function":
            return True
    return False


def _graph_evidence_text(src: str) -> bool:
    """`_GRAPH_EVIDENCE_TEXT.search(src) is not None`, trying the pattern only where a match can start: each
    occurrence of one of `_GRAPH_EVIDENCE_WORDS` (every match starts with one).  The pattern's search tries every
    position of a module that mentions a word without a match (a docstring's "Input shape"): 0.65 ms per keras/src
    file, ~0.2 s of a cold `gradls check` of it."""
    match = _GRAPH_EVIDENCE_TEXT.match
    for w in _GRAPH_EVIDENCE_WORDS:
        i = src.find(w)
        while i != -1:
            if match(src, i):
                return True
            i = src.find(w, i + 1)
    return False


def graph_evidence(info: ModuleInfo) -> tuple[bool, bool]:
    """(Keras runs models as graphs here: fit/evaluate/predict, a functional or Sequential model is built;
    a model is built symbolically: `Input`/`Sequential`), read from calls in the code, not from its text."""
    if not _graph_evidence_text(info.source):
        return False, False
    graph = symbolic = False
    for n in info.all_nodes(ast.Call):
        f = n.func
        q = info.imports.qualname(f)
        if isinstance(f, ast.Attribute) and f.attr in _GRAPH_EVIDENCE_METHODS:
            if q is None or not q.startswith(("numpy.", "sklearn.", "pandas.")):
                graph = True
        if q in _GRAPH_EVIDENCE_CTORS and q != "tensorflow.function":
            graph = symbolic = True
        if graph and symbolic:
            break
    return graph, symbolic


def _keras_mode(info: ModuleInfo, keras2: bool = False) -> str:
    """How Keras runs a model's `call`/`train_step`/losses in this program.

    Keras 3 traces them without AutoGraph (GRAPH) unless the module shows its models only run eagerly;
    Keras 2 (`tf_keras`) converts them with AutoGraph."""
    graph, symbolic = info.keras_graph_evidence
    if info.run_eagerly and not symbolic:
        # run_eagerly=True keeps fit eager, unless Keras builds a Sequential/functional model symbolically first.
        return EAGER
    if keras2:
        return AUTOGRAPH
    evidence = graph or any(ff.tf_function for ff in info.functions.values())
    if not evidence and info.tape_withs:
        return EAGER  # an eager custom training loop is the only use this module shows
    return GRAPH


def _mode_from_users(info: ModuleInfo, cls, own_mode: str) -> str:
    """A Keras 3 class's `call` runs as its users run it: when this module shows nothing (no fit, no
    tf.function, no tape), the project's other modules that import the class decide."""
    graph, _ = info.keras_graph_evidence
    if info.project is None or info.path is None or graph or info.run_eagerly or info.tape_withs:
        return own_mode
    if any(ff.tf_function for ff in info.functions.values()):
        return own_mode
    try:
        users = info.project.users(cls.node.name, info.path)
    except (OSError, RecursionError, ValueError):
        return own_mode
    if not users or any(u.runs_graph for u in users):
        return own_mode if own_mode == GRAPH else GRAPH
    if all(u.runs_eager_tape for u in users):
        return EAGER  # every user calls it eagerly under a GradientTape
    return own_mode


_TF_FUNCTION_DECORATORS = frozenset({"tensorflow.function", "tensorflow.compat.v1.function"})


def _decorator_name(info: ModuleInfo, d: ast.AST) -> tuple[str | None, ast.Call | None]:
    call = d if isinstance(d, ast.Call) else None
    target = call.func if call is not None else d
    return info.imports.qualname(target) or dotted(target), call


def _autograph_off(call: ast.Call | None) -> bool:
    if call is None:
        return False
    for k in call.keywords:
        if k.arg == "autograph" and isinstance(k.value, ast.Constant) and k.value.value is False:
            return True
    return False


def _seed_from_decorators(info: ModuleInfo, ff: FunctionFacts) -> None:
    for d in ff.node.decorator_list:
        name, call = _decorator_name(info, d)
        if name in _TF_FUNCTION_DECORATORS:
            ff.tf_function = True
            if _autograph_off(call):
                ff.modes.add(GRAPH)
                ff.why = "`@tf.function(autograph=False)`"
            else:
                ff.modes.add(AUTOGRAPH)
                ff.why = "`@tf.function`"
        elif name in {"tensorflow.custom_gradient", "tensorflow.recompute_grad"}:
            ff.custom_gradient = name == "tensorflow.custom_gradient"
            ff.why = f"`@{name.replace('tensorflow.', 'tf.')}` function"
        elif name and name in info.imports.extra_decorators:
            ff.modes.add(AUTOGRAPH)
            ff.why = f"`@{name}`"
    if ff.custom_gradient and AUTOGRAPH in ff.modes:
        # tf.function does not convert a custom_gradient body: it traces as plain graph code.
        ff.modes.discard(AUTOGRAPH)
        ff.modes.add(GRAPH)


def _seed_compile_losses(info: ModuleInfo, keras_mode: str) -> None:
    if ".compile(" not in info.source or "loss" not in info.source:
        return
    for node in info.all_nodes(ast.Call):
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "compile"):
            continue
        for k in node.keywords:
            if k.arg != "loss":
                continue
            values = (
                k.value.elts
                if isinstance(k.value, (ast.List, ast.Tuple))
                else (k.value.values if isinstance(k.value, ast.Dict) else [k.value])
            )
            for v in values:
                if isinstance(v, ast.Name) and v.id in info.module_functions:
                    ff = info.functions[id(info.module_functions[v.id])]
                    ff.modes.add(keras_mode)
                    ff.keras_method = "loss"
                    ff.why = f"loss `{v.id}` passed to `compile()`"
                elif isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in info.module_functions:
                    # `compile(loss=make_loss(3))`: Keras traces the def the factory returns, as it traces a loss.
                    closure = _returned_def(info, info.module_functions[v.func.id])
                    if closure is not None:
                        ff = info.functions[id(closure)]
                        ff.modes.add(keras_mode)
                        ff.keras_method = "loss"
                        ff.why = f"loss returned by `{v.func.id}(...)` and passed to `compile()`"


def _returned_def(info: ModuleInfo, factory: FunctionNode) -> FunctionNode | None:
    """The nested def a factory returns by name as its one `return` (`def make_loss(k): def loss(...): ...;
    return loss`)."""
    ff = info.facts(factory)
    if ff is None or len(ff.returns) != 1:
        return None
    v = ff.returns[0].value
    return ff.nested.get(v.id) if isinstance(v, ast.Name) else None


_LAYER_FN_TEXT = re.compile(r"(?:\b\w*activation\w*\s*=|\bLambda\s*\()\s*(\w+)")


def _layer_fn_names(src: str) -> set[str]:
    """`{m.group(1) for m in _LAYER_FN_TEXT.finditer(src)}`, matching the pattern only where a match can start: at
    the start of each word holding "activation", and at each "Lambda" (the pattern checks the word boundary).  Left
    to find its own starts, the pattern tries every word boundary and backtracks through the word (9 ms on the
    examples x16, half a parse).  The matches are taken left to right without overlap, as finditer takes them."""
    starts: set[int] = set()
    i = src.find("activation")
    while i != -1:
        j = i
        while j and (src[j - 1].isalnum() or src[j - 1] == "_"):  # what \w matches in a str pattern
            j -= 1
        starts.add(j)
        i = src.find("activation", i + 1)
    i = src.find("Lambda")
    while i != -1:
        starts.add(i)
        i = src.find("Lambda", i + 1)
    out: set[str] = set()
    end = 0
    for p in sorted(starts):
        if p < end:
            continue  # inside the last match
        m = _LAYER_FN_TEXT.match(src, p)
        if m:
            out.add(m.group(1))
            end = m.end()
    return out


def _seed_layer_callables(info: ModuleInfo) -> None:
    """Functions handed to Keras layers (`Dense(..., activation=my_act)`, `Lambda(my_fn)`) run inside the
    layer's `call`: traced without AutoGraph, like `call` itself."""
    if not info.module_functions or "keras" not in info.source:
        return
    # Cheap text pre-check: the full walk below only runs when a module function is handed to a layer.  The
    # pattern needs one of these words; scanning a long module with it costs more than a parse of it.
    if "activation" not in info.source and "Lambda" not in info.source:
        return
    named = _layer_fn_names(info.source)
    if not named & info.module_functions.keys():
        return
    from gradls.analysis.module import is_keras_layer_ctor

    for node in info.all_nodes(ast.Call):
        q = info.imports.qualname(node.func)
        if not q or not is_keras_layer_ctor(q):
            continue
        for v in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(v, ast.Name) and v.id in info.module_functions:
                ff = info.functions[id(info.module_functions[v.id])]
                ff.modes.add(GRAPH)
                ff.keras_method = ff.keras_method or "layer_fn"
                ff.why = ff.why or f"`{v.id}` run inside `{q.split('.')[-1]}`"


def _seed_tf_function_calls(info: ModuleInfo) -> None:
    """`step = tf.function(train_step)` converts `train_step` as if decorated."""
    names = [n for n, q in info.imports.aliases.items() if q in {"tensorflow", "tensorflow.function"}]
    if not names or not _calls_written(names, info.source):
        return
    for node in info.all_nodes(ast.Call):
        if info.imports.qualname(node.func) == "tensorflow.function" and node.args:
            target = node.args[0]
            if isinstance(target, ast.Name) and target.id in info.module_functions:
                ff = info.functions[id(info.module_functions[target.id])]
                ff.modes.add(GRAPH if _autograph_off(node) else AUTOGRAPH)
                ff.tf_function = True
                ff.why = ff.why or "function wrapped by `tf.function`"


def _calls_written(names: list[str], src: str) -> bool:
    r"""`re.search(r"\b(?:NAMES)(?:\.function)?\s*\(\s*\w", src) is not None`, the `\b` tested apart: the pattern
    without it starts with a literal the engine skips ahead to, where with it the engine tries every position
    (3.3 ms on the examples x16, a sixth of a parse, against 0.3 ms).  Each place the rest matches is tried in
    turn, as a search with the `\b` reaches them."""
    search = re.compile(r"(?:%s)(?:\.function)?\s*\(\s*\w" % "|".join(map(re.escape, names))).search
    word = _WORD_CHAR.match
    m = search(src)
    while m is not None:
        i = m.start()
        if (i > 0 and word(src, i - 1) is not None) != (word(src, i) is not None):  # `\b` at i
            return True
        m = search(src, i + 1)
    return False


_WORD_CHAR = re.compile(r"\w")


def _instances(info: ModuleInfo, root: ast.AST) -> dict[str, str]:
    """Names (and `self.<attr>` as "self.attr") bound only to instances of one class of this module in `root`'s
    own body: `net = Net()`, `self.encoder = Encoder()`.  A name bound to anything else as well is left out."""

    def build() -> dict[str, str]:
        out: dict[str, str | None] = {}
        # The module's bindings come from its node index (a walk of the whole tree each asked ~250k nodes of
        # keras/src); the answer does not depend on their order (a name bound to two classes maps to None).
        nodes = (
            info.own_nodes(root)
            if root is not info.tree
            else [*info.all_nodes(ast.Assign), *info.all_nodes(ast.AnnAssign)]
        )
        for n in nodes:
            if not isinstance(n, (ast.Assign, ast.AnnAssign)) or n.value is None:
                continue
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            v = n.value
            cls = v.func.id if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) else None
            cls = cls if cls in info.classes else None
            for t in targets:
                if isinstance(t, ast.Name):
                    key = t.id
                elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                    key = f"self.{t.attr}"
                else:
                    continue
                out[key] = cls if out.get(key, cls) == cls else None
        return {k: c for k, c in out.items() if c is not None}

    table: dict[int, dict[str, str]] = info.memo(f"{__name__}.instances", dict)
    found = table.get(id(root))
    if found is None:
        found = table[id(root)] = build()
    return found


def instance_class(info: ModuleInfo, e: ast.expr, caller: ast.AST | None) -> ClassFacts | None:
    """The class of this module `e` (a name, or `self.attr` set in the class's `__init__`) is an instance of."""
    if isinstance(e, ast.Name):
        scope = caller
        while isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ff = info.functions.get(id(scope))
            if ff is None:
                break
            a = ff.node.args
            if e.id in {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]} or e.id in ff.nested:
                return None
            name = _instances(info, scope).get(e.id)
            if name is not None:
                return info.classes.get(name)
            scope = ff.parent
        name = _instances(info, info.tree).get(e.id)
        return info.classes.get(name) if name is not None else None
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        owner = info.facts(caller) if isinstance(caller, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        while owner is not None and owner.cls is None and owner.parent is not None:
            owner = info.facts(owner.parent)
        if owner is None or owner.cls is None:
            return None
        init = owner.cls.methods.get("__init__") or owner.cls.methods.get("build")
        if init is None:
            return None
        name = _instances(info, init).get(f"self.{e.attr}")
        return info.classes.get(name) if name is not None else None
    return None


def _method_of(info: ModuleInfo, cls: ClassFacts, name: str) -> FunctionFacts | None:
    seen: set[int] = set()
    c: ClassFacts | None = cls
    while c is not None and id(c) not in seen:
        seen.add(id(c))
        m = c.methods.get(name)
        if m is not None:
            return info.functions.get(id(m))
        c = next((info.classes[b] for b in c.base_names if b in info.classes), None)
    return None


def resolve_callee(info: ModuleInfo, call: ast.Call, caller: ast.AST | None) -> FunctionFacts | None:
    """The function of this module a call runs, when it can be told from the syntax."""
    f = call.func
    plain = info.memo(
        f"{__name__}.plain_classes", lambda: any(c.keras_kind is None and c.methods for c in info.classes.values())
    )
    if plain and isinstance(f, (ast.Name, ast.Attribute)) and "__call__" in info.source:
        # `net(x)` on an instance of a plain class of this module (a `tf.Module`, a model wrapper) runs its
        # `__call__`.  Keras classes are left to their own modes: Keras decides how `call` runs.
        cls = instance_class(info, f, caller)
        if cls is not None and cls.keras_kind is None:
            method = _method_of(info, cls, "__call__")
            if method is not None:
                return method
    if (
        plain
        and isinstance(f, ast.Attribute)
        and isinstance(f.value, (ast.Name, ast.Attribute))
        and f.attr != "__init__"
    ):
        cls = instance_class(info, f.value, caller)
        if cls is not None and cls.keras_kind is None:
            method = _method_of(info, cls, f.attr)
            if method is not None:
                return method
    if isinstance(f, ast.Name):
        # Nested defs of the enclosing functions shadow module-level ones.
        scope = caller
        while isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ff = info.functions.get(id(scope))
            if ff is None:
                break
            if f.id in ff.nested:
                return info.functions.get(id(ff.nested[f.id]))
            scope = ff.parent
        node = info.module_functions.get(f.id)
        return info.functions.get(id(node)) if node is not None else None
    if (
        isinstance(f, ast.Attribute)
        and isinstance(f.value, ast.Name)
        and f.value.id == "self"
        and isinstance(caller, (ast.FunctionDef, ast.AsyncFunctionDef))
    ):
        owner = info.facts(caller)
        while owner is not None and owner.cls is None and owner.parent is not None:
            owner = info.facts(owner.parent)
        cls = owner.cls if owner else None
        if cls is not None:
            return _method_of(info, cls, f.attr)
    return None


def _callee_mode(info: ModuleInfo, callee: FunctionFacts, mode: str) -> str:
    if callee.custom_gradient:
        return GRAPH if mode in {GRAPH, AUTOGRAPH} else EAGER
    if callee.keras_method:
        return next(iter(callee.modes)) if callee.modes else mode
    if callee.tf_function and any(
        _decorator_name(info, d)[0] in _TF_FUNCTION_DECORATORS for d in callee.node.decorator_list
    ):
        # A `@tf.function`-decorated callee is traced with its own AutoGraph setting, whoever calls it (a Keras
        # `call` traced without AutoGraph included): doctr's PARSeq `call` -> `@tf.function decode_autoregressive`.
        return next(iter(callee.modes)) if callee.modes else mode
    return mode


def _origin(ff: FunctionFacts) -> str:
    """`ff` named as the start of a call chain: its own reason when that names it (Keras `Net.call`), else its
    name with the reason (`step` (`@tf.function`))."""
    name = ff.node.name
    if not ff.why:
        return f"`{name}`"
    return ff.why if f"{name}`" in ff.why else f"`{name}` ({ff.why})"


def _propagate(info: ModuleInfo) -> None:
    # (function, its new modes, the chain's start as words, whether the function is that start)
    work: list[tuple[FunctionFacts, set[str], str, bool]] = []
    for ff in info.functions.values():
        if ff.modes:
            work.append((ff, set(ff.modes), _origin(ff), True))
    for w, fn in info.tape_withs:
        owner = info.facts(fn)
        if owner is not None and owner.modes:
            continue
        for n in info.own_nodes(w):
            if isinstance(n, ast.Call):
                callee = resolve_callee(info, n, fn)
                if callee is not None:
                    why = f"`{callee.node.name}`, called under `tf.GradientTape`"
                    _add(callee, {_callee_mode(info, callee, EAGER)}, why, why, True, work)
    if info.builds_tf1_graphs and info.differentiates_tf1_graph:
        # A TF 1 graph built at module level: the functions its statements call build parts of it, symbolically.
        for n in info.own_nodes(info.tree):
            if isinstance(n, ast.Call):
                callee = resolve_callee(info, n, None)
                if callee is not None:
                    why = f"`{callee.node.name}`, called {TF1_GRAPH_WHY}"
                    _add(callee, {GRAPH}, why, why, True, work)
    # Bounded: each function gains at most 3 modes.
    while work:
        ff, modes, origin, is_start = work.pop()
        for n in info.own_nodes(ff.node):
            if isinstance(n, ast.Call):
                callee = resolve_callee(info, n, ff.node) or _strategy_run_callee(info, n, ff.node)
                passed = _modes_at_call(modes, info, n) if callee is not None and callee is not ff else None
                if callee is not None and passed:
                    # Messages read "in {why}" / "tracing {why}": a noun phrase naming the function and its caller.
                    via = "" if is_start else f" via `{ff.node.name}`"
                    why = f"`{callee.node.name}`, called{via} from {origin}"
                    _add(callee, {_callee_mode(info, callee, m) for m in passed}, why, origin, False, work)
        # Nested defs (grad_fn, tf.cond branches, closures) run when their parent runs; one handed only to
        # tf.numpy_function / tf.py_function runs later, in Python, on NumPy arrays / eager tensors.
        for child in ff.nested.values():
            cf = info.functions.get(id(child))
            if cf is not None and not _only_run_by_python_function(info, ff.node, child.name):
                _add(cf, set(modes), ff.why, origin, is_start, work)


_STRATEGY_RUN_METHODS = {"run", "experimental_run_v2"}


def _module_strategies(info: ModuleInfo) -> frozenset[str]:
    """Module-level names every binding of which is a `tf.distribute.*Strategy(...)` construction."""

    def build() -> frozenset[str]:
        good: set[str] = set()
        bad: set[str] = set()
        for n in ast.walk(info.tree) if "Strategy" in info.source else ():
            if isinstance(n, ast.Assign):
                q = info.imports.qualname(n.value.func) if isinstance(n.value, ast.Call) else None
                is_strategy = bool(q and q.startswith("tensorflow.distribute.") and q.endswith("Strategy"))
                for t in n.targets:
                    if isinstance(t, ast.Name):
                        (good if is_strategy else bad).add(t.id)
        return frozenset(good - bad)

    return info.memo(f"{__name__}.strategies", build)


def _strategy_run_callee(info: ModuleInfo, call: ast.Call, caller: ast.AST | None) -> FunctionFacts | None:
    """`strategy.run(step_fn, args=...)`: the strategy calls `step_fn` on each replica, in the caller's mode (a
    `@tf.function` train step traces it), so `step_fn` runs as if the caller had called it."""
    f = call.func
    if not (
        isinstance(f, ast.Attribute)
        and f.attr in _STRATEGY_RUN_METHODS
        and isinstance(f.value, ast.Name)
        and f.value.id in _module_strategies(info)
    ):
        return None
    fn = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "fn"), None)
    if not isinstance(fn, ast.Name):
        return None
    return resolve_callee(info, ast.Call(func=fn, args=[], keywords=[]), caller)


def _modes_at_call(modes: set[str], info: ModuleInfo, call: ast.Call) -> set[str]:
    """The caller's modes a call passes on: none of the traced ones where a traced run never makes the call
    (keras-hub's `if self._use_tf_workflow(): ... else: self._call_python(x)`)."""
    if modes == {EAGER} or not runs_only_eagerly(info, call):
        return modes
    return modes & {EAGER}


_PYTHON_FUNCTION_OPS = {
    "tensorflow.numpy_function",
    "tensorflow.py_function",
    "tensorflow.compat.v1.numpy_function",
    "tensorflow.compat.v1.py_func",
    "tensorflow.compat.v1.py_function",
    "tensorflow.py_func",
}


def _only_run_by_python_function(info: ModuleInfo, parent: ast.AST, name: str) -> bool:
    """Is every read of the nested def `name` in `parent` the function argument of tf.numpy_function /
    tf.py_function (which call it outside the traced graph)?"""
    handed = used = 0
    for n in info.own_nodes(parent):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load):
            used += 1
        elif isinstance(n, ast.Call) and info.imports.qualname(n.func) in _PYTHON_FUNCTION_OPS:
            func = n.args[0] if n.args else next((k.value for k in n.keywords if k.arg == "func"), None)
            if isinstance(func, ast.Name) and func.id == name:
                handed += 1
    return handed > 0 and handed == used


def _add(ff: FunctionFacts, modes: set[str], why: str, origin: str, is_start: bool, work: list) -> None:
    new = modes - ff.modes
    if new:
        ff.modes |= new
        if not ff.why:
            ff.why = why
            work.append((ff, new, origin, is_start))
        else:
            work.append((ff, new, _origin(ff), True))  # a reason of its own: its callees are named from it
