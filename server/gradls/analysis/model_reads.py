"""Which Keras model a `tape.gradient` target was computed from, and whether the tape saw it run.

For `tape.gradient(loss, M.trainable_variables)` with `M` a Keras model or layer, the target is sliced
backwards through the assignments of the tape's scope (and the module's): every place that runs `M` (a call,
`M` passed to a function, a function of this module or a Keras object built from `M`) is a *read* of `M`,
recorded when it lies inside a `with` block recording on the tape.  A read outside every block is a forward
pass the tape never saw; no read at all means the loss never used `M`.  Both give `None` for every weight of
`M`.  Anything the slice cannot see through (`self`, a method on an unknown object, a name bound by a loop or
`with`, an unresolvable callable, a lambda) makes the answer unknown: rules stay silent then.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gradls.analysis.function_summaries import TRANSPARENT_DECORATORS, decorator_name
from gradls.analysis.keras_facts import KerasFacts
from gradls.analysis.module import ModuleInfo, walk_nodes
from gradls.analysis.tapes import Tape, TapeCall, TapeScope, module_scope, plain_scope, pos

# Libraries whose calls run no model of the module: a model handed to one is an argument, which the slice reads.
# `itertools` / `random` build the Python data a script feeds (`itertools.product([0, 1], repeat=2)`).
_LIBRARIES = ("tensorflow", "keras", "tf_keras", "numpy", "math", "jax", "scipy", "itertools", "random")
_TRAINABLE = {"trainable_variables", "trainable_weights"}
_WEIGHT_LISTS = frozenset({"variables", "weights", "trainable_variables", "trainable_weights"})
_BUILTINS = set(dir(builtins))
_MAX_DEPTH = 10
_MUTATORS = ("assign", "scatter", "append", "extend", "insert", "update", "add", "set", "write", "__setitem__")


@dataclass(frozen=True)
class ModelReads:
    model: str  # the model whose trainable variables are the gradient sources
    recorded: tuple[ast.AST, ...]  # reads of the model inside a block recording on the tape
    unrecorded: tuple[ast.AST, ...]  # reads of the model where the tape does not record


class _Unknown(Exception):
    """The slice met something it cannot see through."""


def source_model(info: ModuleInfo, sources: ast.AST | None, own: bool = False) -> str | None:
    """`M` when the sources are `M.trainable_variables` / `M.trainable_weights` of a Keras object `M`; with
    `own`, also `self` for `self.trainable_variables` in a method of a Keras layer or model class of this module
    (a custom `train_step`)."""
    if not (isinstance(sources, ast.Attribute) and sources.attr in _TRAINABLE):
        return None
    owner = sources.value
    if own and isinstance(owner, ast.Name) and owner.id == "self":
        ff = info.facts(info.enclosing_function(sources))
        if ff is not None and ff.parent is None and ff.cls is not None and ff.cls.keras_kind in {"layer", "model"}:
            return "self"
        return None
    if info.tensors.kind_of(owner) != "layer":
        return None
    if isinstance(owner, ast.Name):
        return owner.id
    if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) and owner.value.id == "self":
        return f"self.{owner.attr}"  # a model held by the Keras model whose step this is
    return None


def _mutated_names(info: ModuleInfo, sc: TapeScope) -> set[str]:
    """Names of `sc` some call mutates in place (`v.assign(...)`, `xs.append(...)`); once per scope."""

    def build() -> set[str]:
        return {
            n.func.value.id
            for n in sc.nodes
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name)
            and n.func.attr.startswith(_MUTATORS)
        }

    return info.memo(f"{__name__}.mutated.{id(sc)}", build)


_GROWTH = ("append", "extend", "insert")


def _growth_calls(info: ModuleInfo, sc: TapeScope) -> dict[str, list[ast.Call] | None]:
    """Per name of `sc` that some call mutates in place: its `xs.append(v)` / `extend` / `insert` calls, which add
    values to the list, or None when any other mutation (`assign`, `update`, `xs[i] = v`) changes it too."""

    def build() -> dict[str, list[ast.Call] | None]:
        out: dict[str, list[ast.Call] | None] = {}
        for n in sc.nodes:
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.attr.startswith(_MUTATORS)
            ):
                name = n.func.value.id
                found = out.setdefault(name, [])
                if found is not None:
                    if n.func.attr in _GROWTH:
                        found.append(n)
                    else:
                        out[name] = None
            elif isinstance(n, ast.Subscript) and isinstance(n.ctx, (ast.Store, ast.Del)):
                if isinstance(n.value, ast.Name):
                    out[n.value.id] = None
        return out

    return info.memo(f"{__name__}.growth.{id(sc)}", build)


_DEF_CLASSES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _named_nodes(info: ModuleInfo, sc: TapeScope) -> tuple[dict[str, ast.AST], set[str]]:
    """Functions and classes defined in `sc` (first wins), and every name an import there binds: read after the
    module body's (`_defined`, `_imported`).  The module body's are listed once (`_body_named`), not once per scope
    (a module of many layers asked it for each)."""
    return info.memo(f"{__name__}.named.{id(sc)}", lambda: _defs_and_imports(sc.nodes))


def _body_named(info: ModuleInfo) -> tuple[dict[str, ast.AST], set[str]]:
    return info.memo(f"{__name__}.body_named", lambda: _defs_and_imports(info.tree.body))


def _defs_and_imports(nodes: list[ast.AST] | list[ast.stmt]) -> tuple[dict[str, ast.AST], set[str]]:
    defs: dict[str, ast.AST] = {}
    imports: set[str] = set()
    # Dispatch on the exact class (the parser makes no subclasses): the module scope lists every node outside
    # its defs, and two isinstance tests per node were most of this build.
    for n in nodes:
        t = type(n)
        if t in _DEF_CLASSES:
            defs.setdefault(n.name, n)  # type: ignore[attr-defined]
        elif t is ast.Import or t is ast.ImportFrom:
            imports.update(a.asname or a.name.split(".")[0] for a in n.names)  # type: ignore[attr-defined]
    return defs, imports


def _defined(info: ModuleInfo, sc: TapeScope, name: str) -> ast.AST | None:
    """The function or class `name` names in the module body or `sc`: the module body's first, then `sc`'s (first
    wins in each)."""
    found = _body_named(info)[0].get(name)
    return found if found is not None else _named_nodes(info, sc)[0].get(name)


def _imported(info: ModuleInfo, sc: TapeScope, name: str) -> bool:
    """Does an import in the module body or in `sc` bind `name`?"""
    return name in _body_named(info)[1] or name in _named_nodes(info, sc)[1]


def _self_attr(e: ast.AST) -> str | None:
    """`self.x` for an attribute `x` of `self`; None for anything else."""
    if isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
        return f"self.{e.attr}"
    return None


def source_models(info: ModuleInfo, sources: ast.AST | None) -> list[str]:
    """The models of `A.trainable_variables + B.trainable_variables + ...`; [] when any part is something else."""
    if isinstance(sources, ast.BinOp) and isinstance(sources.op, ast.Add):
        left, right = source_models(info, sources.left), source_models(info, sources.right)
        return left + right if left and right else []
    model = source_model(info, sources, own=True)
    return [model] if model is not None else []


def model_reads(info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall) -> list[ModelReads]:
    """For each model whose trainable variables are the sources of `tc` (one, or a `+` of several), where the
    target reads it; [] when unknown.  Answered once per gradient call (TFG011 and TFG026 both ask)."""
    answers: dict[tuple[int, int, int], list[ModelReads]] = info.memo(f"{__name__}.model_reads", dict)
    key = (id(scope), id(tape), id(tc))
    if key not in answers:
        answers[key] = _model_reads(info, scope, tape, tc)
    return list(answers[key])


def _model_reads(info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall) -> list[ModelReads]:
    models = source_models(info, _named_sources(scope, tc))
    target = tc.target
    if not models or target is None or len(set(models)) != len(models):
        return []
    if tape.watches or tape.escapes or tape.watches_accessed_variables is not True:
        return []  # explicit watching, or a tape used elsewhere: which tensors it saw is not ours to tell
    out = []
    for model in models:
        trace = _slice(info, scope, model, target)
        if trace is None:
            return []
        out.append(_split(scope, tape, tc, model, trace))
    return out


def _split(scope: TapeScope, tape: Tape, tc: TapeCall, model: str, trace: _Trace) -> ModelReads:
    """The reads of `trace`, recorded by `tape` or not."""
    start = tape.recording(tc.call, scope)
    recorded: list[ast.AST] = []
    unrecorded: list[ast.AST] = []
    for node, when in trace:
        if when is _AT_GRADIENT_CALL:
            on_tape = start
        else:
            on_tape = when is not None and tape.recording(when, scope)
        (recorded if on_tape else unrecorded).append(node)
    return ModelReads(model, tuple(recorded), tuple(unrecorded))


def sub_model_reads(info: ModuleInfo, scope: TapeScope, tape: Tape, tc: TapeCall, attr: str) -> ModelReads | None:
    """Where the target of `tc` runs `self.<attr>`, a sub-model held by the Keras model `self` whose weights the
    gradient call asks for (`tape.gradient(loss, self.trainable_weights)`), recorded by the tape or not; None when
    unknown or when `self.<attr>` is not known to be a Keras layer or model."""
    if tc.target is None or tape.watches or tape.escapes or tape.watches_accessed_variables is not True:
        return None
    cls = _outermost_class(info, scope.node)
    if cls is None or not _keras_sub_model(info, cls, attr):
        return None
    trace = _slice(info, scope, f"self.{attr}", tc.target)
    if trace is None:
        return None
    return _split(scope, tape, tc, f"self.{attr}", trace)


def _keras_sub_model(info: ModuleInfo, cls: ast.ClassDef, attr: str) -> bool:
    """Is every value `self.<attr>` is given in `cls` a Keras layer or model (built in place, or handed to
    `__init__` by every construction of the class)?"""
    values = _self_assigned_values(info, cls).get(f"self.{attr}", [])
    if not values:
        return False
    kf = KerasFacts(info)
    handed = _handed_in(info, cls, values) if any(isinstance(v, ast.Name) for v in values) else None
    if handed is not None:
        return all(kf.is_keras_object(a, kf.scope_of(a)) for a in handed)
    return all(not isinstance(v, ast.Name) and kf.is_keras_object(v, kf.scope_of(v)) for v in values)


def _handed_in(info: ModuleInfo, cls: ast.ClassDef, values: list[ast.expr]) -> list[ast.Name] | None:
    """`self.decoder = decoder` in `cls.__init__`, `decoder` one of its parameters (never rebound there): the
    module-level names every construction of the class in module code (`VAE(encoder, decoder)`) hands it.  None
    when a value is anything else, or the class is used any other way (subclassed, passed as a value, built in a
    function)."""
    init = next(
        (m for m in cls.body if isinstance(m, ast.FunctionDef) and m.name == "__init__"),
        None,
    )
    if init is None:
        return None
    params = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]
    assigned = {
        t.id
        for n in ast.walk(init)
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target] if isinstance(n, ast.AugAssign) else [])
        if isinstance(t, ast.Name)
    }
    wanted: list[str] = []
    for v in values:
        if not (isinstance(v, ast.Name) and v.id in params and v.id not in assigned):
            return None
        if info.enclosing_function(v) is not init:
            return None
        wanted.append(v.id)
    calls = {id(c.func): c for c in info.all_nodes(ast.Call)}
    out: list[ast.Name] = []
    for n in info.all_nodes(ast.Name):
        if n.id != cls.name or not isinstance(n.ctx, ast.Load):
            continue
        call = calls.get(id(n))
        if call is None or info.enclosing_function(call) is not None:
            return None
        for name in wanted:
            arg = next((k.value for k in call.keywords if k.arg == name), None)
            i = params.index(name)
            if arg is None and i < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: i + 1]):
                arg = call.args[i]
            if not isinstance(arg, ast.Name):
                return None
            out.append(arg)
    return out or None


def _named_sources(scope: TapeScope, tc: TapeCall) -> ast.AST | None:
    """The sources of `tc`; for a name the scope binds once, by a plain assignment before the call
    (`all_vars = A.trainable_variables + B.trainable_variables`), the value it was given."""
    sources = tc.sources
    if not isinstance(sources, ast.Name):
        return sources
    defs = scope.defs(sources.id)
    if not defs or len(defs) != 1 or sources.id in scope.params:
        return sources
    (d,) = defs
    if not (isinstance(d, ast.Assign) and len(d.targets) == 1 and isinstance(d.targets[0], ast.Name)):
        return sources
    return d.value if pos(d) < pos(tc.call) else sources


# Where a read's recording is decided, once the tape is known: at the gradient call (the target itself), at the
# statement whose value holds the read (a binding of the gradient call's own scope), or never (None: a binding of
# another scope, which no tape of this scope records).
_AT_GRADIENT_CALL = ast.Pass()
_Trace = list[tuple[ast.AST, "ast.AST | None"]]


def _slice(info: ModuleInfo, scope: TapeScope, model: str, target: ast.AST) -> _Trace | None:
    """The reads of `model` on the way to `target` in `scope`, each with where its recording is decided; None
    when unknown.  The walk does not depend on the tape, so it is kept per (scope, model, target): a script's
    gradient calls whose target is the same name (`loss`, bound once per training loop) share one walk, where
    each would otherwise follow every module-level binding of it again (quadratic in repeated code)."""
    traces: dict[tuple, _Trace | None] = info.memo(f"{__name__}.traces", dict)
    # A target naming the model is itself the read: its node is this call's own.
    shared = target.id if isinstance(target, ast.Name) and target.id != model else None
    key = (id(scope), model, ("name", shared) if shared is not None else ("node", id(target)))
    if key in traces:
        return traces[key]
    slicer = _Slicer(info, scope, model)
    try:
        slicer.expr(target, scope, recording=_AT_GRADIENT_CALL, depth=0)
        found: _Trace | None = slicer.reads
    except _Unknown:
        found = None
    traces[key] = found
    return found


@dataclass
class _Slicer:
    info: ModuleInfo
    scope: TapeScope
    model: str
    reads: _Trace = field(default_factory=list)  # (read, where its recording is decided), see _AT_GRADIENT_CALL
    seen: set[tuple[int, str, int]] = field(default_factory=set)
    model_names: set[str] | None = None  # the model and what it is built from, see _model_closure
    skip: set[int] = field(default_factory=set)  # arguments a callee only reads the weights of (not runs)
    # Callee bodies entered (a method called as `self.m(...)`, a nested def, a lambda bound to a name): per
    # id(scope of the body), where its statements run (the call's recording) and the scope its free names are
    # read from (None: the module).
    entered: dict[int, ast.AST | None] = field(default_factory=dict)
    outer: dict[int, TapeScope | None] = field(default_factory=dict)
    done: set[tuple[int, int]] = field(default_factory=set)
    states: set[str] = field(default_factory=set)  # `self.<attr>` step state whose setters are sliced

    def read(self, node: ast.AST, recording: ast.AST | None) -> None:
        self.reads.append((node, recording))

    def _at(self, d: ast.AST, sc: TapeScope) -> ast.AST | None:
        """Where a statement `d` of `sc` runs: itself in the gradient call's scope, the call that entered `sc` for
        a callee body, never (None) for another scope (the module body)."""
        if sc is self.scope:
            return d
        return self.entered.get(id(sc))

    def expr(self, e: ast.AST, sc: TapeScope, recording: ast.AST | None, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Unknown
        nodes, callees = _expr_nodes(self.info, e)
        for n in nodes:
            if id(n) in self.skip:
                continue
            if isinstance(n, ast.Lambda):
                raise _Unknown
            if isinstance(n, ast.Call):
                self.call(n, sc, recording, depth)
            elif isinstance(n, ast.Attribute) and n.attr in _WEIGHT_LISTS and isinstance(n.value, ast.Name):
                # `params = model.trainable_variables` lists the variables without running the model: a tape
                # records them where they are used (a MAML inner loop's `forward(x, params)` inside the block),
                # which this slice of model runs does not follow
                if n.value.id == self.model:
                    raise _Unknown
            elif isinstance(n, ast.Attribute) and _self_attr(n) is not None:
                if _self_attr(n) == self.model:
                    self.read(n, recording)
                elif n.attr in _step_state(self.info):
                    # `self.out`, set while the step runs (`self.out = self.model(x)` in `forward`): the values
                    # its assignments gave, each recorded where the step ran the assignment
                    self.step_state(n.attr, depth + 1)
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                if n.id == self.model:
                    self.read(n, recording)
                elif id(n) not in callees:
                    self.name(n.id, sc, depth)

    def call(self, c: ast.Call, sc: TapeScope, recording: ast.AST | None, depth: int) -> None:
        f = c.func
        q = self.info.imports.qualname(f) or ""
        if q.split(".")[0] in _LIBRARIES:
            return
        if isinstance(f, ast.Name):
            if f.id == self.model:
                self.read(c, recording)
            elif f.id == "self" and (run := self._self_call(sc)) is not None:
                # `self(x)` in a method of a Keras class: its `call` runs here (what it reads of `self.<attr>`)
                self.skip.add(id(f))
                self.enter(run, c, None, 1, recording, depth + 1)
            elif f.id in _BUILTINS and not self._bound(f.id, sc):
                return
            elif (fn := self._module_function(f.id, sc)) is not None:
                # a module function: it runs the model through a parameter given it (the arguments are sliced as
                # values, less those it only copies the weights of) or through the module names it reads
                self.skip.update(id(a) for a in _weight_only_args(self.info, fn, c))
                if self._runs(fn, depth + 1):
                    self.read(c, recording)
            elif (local := self._local_callable(f.id, sc)) is not None:
                # a nested def or a lambda bound to a name: its body runs here, its free names are the
                # enclosing function's values
                self.enter(local[0], c, local[1], 0, recording, depth + 1)
            elif self.mentions(f.id, sc, depth + 1):
                self.read(c, recording)
            # the callee's own value (a loss object, a function) does not carry a tensor into the target
            return
        if isinstance(f, ast.Attribute) and _self_attr(f) is not None:
            if _self_attr(f) == self.model:
                self.read(c, recording)
                return
            method = self._method(c, sc)
            if method is not None:
                # `self.helper(...)`: a method of the class (or a base class of this module) runs its body here
                self.skip.add(id(f.value))  # `self` as the callee's owner is not a read of a model `self`
                offset = 0 if _decorated(method, "staticmethod") else 1
                self.enter(method, c, None, offset, recording, depth + 1)
                return
            if self.model == "self" or self._self_attr_mentions(f.attr):
                self.read(c, recording)  # a sub-layer of the model `self`, or an attribute built from the model
            return
        if isinstance(f, ast.Attribute):
            root = f.value
            while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name):
                if root.id == self.model:
                    self.read(c, recording)
                    return
                if (self.info.imports.qualname(root) or "").split(".")[0] in _LIBRARIES:
                    return
                if root.id == "self" or self._opaque(root.id, sc):
                    raise _Unknown
                # a method on a value the slice follows (`pred.numpy()`, `loss_obj(...)` results)
                if self.mentions(root.id, sc, depth + 1):
                    self.read(c, recording)
                return
            if isinstance(root, (ast.BinOp, ast.UnaryOp, ast.Constant, ast.List, ast.Tuple)):
                return  # `(a - b).tolist()`, `", ".join(xs)`: a method on a computed value, sliced as part of `e`
        if isinstance(f, ast.Call) and (self.info.imports.qualname(f.func) or "").split(".")[0] in _LIBRARIES:
            return  # `layers.Dense(8)(x)`: a fresh library layer applied (its arguments are sliced as values)
        raise _Unknown

    def enter(
        self,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        call: ast.Call,
        outer: TapeScope | None,
        offset: int,
        recording: ast.AST | None,
        depth: int,
    ) -> None:
        """Slice through the body of `fn`, run by `call` (recorded where `recording` says): what it returns and
        the calls it makes as statements are sliced in its own scope, its parameters are the call's arguments
        (sliced as values by the caller, less those it only copies the weights of), and any mention of the model
        in its body is a read of the model at `call` (over-reading only silences)."""
        if depth > _MAX_DEPTH:
            raise _Unknown
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(decorator_name(self.info, d) not in TRANSPARENT_DECORATORS for d in fn.decorator_list):
                raise _Unknown  # a custom gradient, a property, a wrapper: not the plain body
            self.skip.update(id(a) for a in _weight_only_args(self.info, fn, call, offset))
        key = (id(fn), id(recording))
        if key in self.done:
            return
        self.done.add(key)
        sc = _callee_scope(self.info, fn)
        self.entered[id(sc)] = recording
        self.outer[id(sc)] = outer
        # the callee's own names (the leading parameters a method call binds to its instance are `self`)
        bound = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]][:offset]
        shadowed = (sc.params - set(bound)) | {
            n.id for n in sc.nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        }
        for n in sc.nodes:
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id == self.model:
                if n.id not in shadowed and not self._method_owner(n, sc):
                    self.read(call, recording)
            elif isinstance(n, ast.Attribute) and _self_attr(n) == self.model:
                self.read(call, recording)
        for n in sc.nodes:
            if isinstance(n, ast.Return) and n.value is not None:
                self.expr(n.value, sc, recording, depth)
            elif isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
                f = n.value.func
                if isinstance(f, ast.Name) or _self_attr(f) is not None:
                    self.expr(n.value, sc, recording, depth)  # a helper run for what it does, not what it returns

    def step_state(self, attr: str, depth: int) -> None:
        """`self.<attr>` read on the way to the target, with `attr` set outside `__init__` / `build`: the values
        of its assignments in the step's class (and its base classes of the module), each sliced where it ran.
        Known only when every such assignment is a plain `self.<attr> = value` in the step's own method, or in a
        method the step's method alone calls, as `self.m(...)`; any other setter (a subclass, a nested def, a
        method called from elsewhere or passed as a value) is unknown."""
        if depth > _MAX_DEPTH:
            raise _Unknown
        step = self.scope.node
        ff = self.info.facts(step) if isinstance(step, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if ff is None or ff.cls is None or ff.parent is not None:
            raise _Unknown
        related = _class_family(self.info, ff.cls.node)
        if related is None:
            raise _Unknown
        if attr in self.states:
            return  # `self.h = f(self.h)`: its values are being sliced
        self.states.add(attr)
        for setter, stmt in _step_setters(self.info).get(attr, []):
            holder = _outermost_class(self.info, setter)
            if holder is not None and holder not in related[0] and holder not in related[1]:
                continue  # another class's own instance
            owner = self.info.facts(setter)
            if holder is None or holder in related[1] or owner is None or owner.cls is None or owner.parent:
                raise _Unknown  # a subclass, a nested def or a plain function may set it on this instance
            if stmt is None:
                raise _Unknown
            if setter is step:
                self.expr(stmt.value, self.scope, self._at(stmt, self.scope), depth)
                continue
            calls = _method_calls(self.info, setter.name)
            if not calls or any(self.scope.parent(c) is None for c in calls):
                raise _Unknown  # run from elsewhere too, or not at all by the step
            sc = _callee_scope(self.info, setter)
            for c in calls:
                at = self.scope.parent(c)
                while at is not None and not isinstance(at, ast.stmt):
                    at = self.scope.parent(at)
                if at is None:
                    raise _Unknown
                recording = self._at(at, self.scope)
                self.expr(c, self.scope, recording, depth)  # its arguments, and the setter's body run there
                self.entered[id(sc)] = recording
                self.outer[id(sc)] = None
                self.expr(stmt.value, sc, recording, depth)

    def _method_owner(self, n: ast.Name, sc: TapeScope) -> bool:
        """`self` as the owner in `self.m(...)` of a method `m` of the class: its body is entered where that
        call is sliced, so the name alone is no read of a model `self`."""
        up = sc.parent(n)
        call = sc.parent(up) if up is not None else None
        return (
            isinstance(up, ast.Attribute)
            and isinstance(call, ast.Call)
            and call.func is up
            and self._method(call, sc) is not None
        )

    def _self_call(self, sc: TapeScope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The `call` method `self(x)` runs in `sc`, a method (other than `call` itself) of a Keras class of this
        module that defines it; None elsewhere."""
        caller = self._function_node(sc)
        if caller is None:
            return None
        ff = self.info.facts(caller)
        while ff is not None and ff.cls is None and ff.parent is not None:
            ff = self.info.facts(ff.parent)
        if ff is None or ff.cls is None or ff.cls.keras_kind not in {"model", "layer"}:
            return None
        if ff.node.name in {"call", "__call__"}:
            return None
        run = ff.cls.methods.get("call")
        return run if isinstance(run, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def _method(self, c: ast.Call, sc: TapeScope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The method `self.<name>(...)` runs, when the class around `sc` (or a base class of this module)
        defines it."""
        from gradls.analysis.regions import resolve_callee

        caller = self._function_node(sc)
        if caller is None:
            return None
        ff = resolve_callee(self.info, c, caller)
        if ff is None or ff.cls is None:
            return None
        return ff.node

    def _function_node(self, sc: TapeScope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        node = sc.node
        while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            outer = self.outer.get(id(sc))
            if outer is None:
                return None
            sc, node = outer, outer.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "<lambda>":
            outer = self.outer.get(id(sc))
            return self._function_node(outer) if outer is not None else None
        return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def _local_callable(
        self, name: str, sc: TapeScope
    ) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, TapeScope] | None:
        """A def nested in `sc` (or in a function enclosing it), or a name `sc` (an enclosing function, the
        module) binds once, to a lambda: the callable and the scope it was defined in."""
        for _ in range(_MAX_DEPTH):
            nested = [n for n in sc.nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name]
            stores = [
                n for n in sc.nodes if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
            ]
            if nested:
                return (nested[0], sc) if len(nested) == 1 and not stores else None
            defs = sc.defs(name)
            if defs:
                values = [d.value if isinstance(d, ast.Assign) and len(d.targets) == 1 else None for d in defs]
                if len(values) == 1 and isinstance(values[0], ast.Lambda):
                    return values[0], sc
                return None
            if defs is None or name in sc.params or sc.node is self.info.tree:
                return None
            sc = self._outer_of(sc) or module_scope(self.info)  # a module-level lambda last
        return None

    def _outer_of(self, sc: TapeScope) -> TapeScope | None:
        if id(sc) in self.outer:
            return self.outer[id(sc)]
        node = sc.node
        ff = self.info.facts(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        if ff is None or ff.parent is None:
            return None
        return self.scope if ff.parent is self.scope.node else plain_scope(self.info, ff.parent)

    def _self_attr_mentions(self, attr: str) -> bool:
        """Can `self.<attr>(...)` run the model `self.<model>`?  Known only for an attribute the class assigns a
        value built without naming the model (a loss object, another sub-model)."""
        if not self.model.startswith("self."):
            raise _Unknown  # the step's own model, reached through `self`: not followed
        wanted = self.model.split(".", 1)[1]
        cls = _outermost_class(self.info, self.scope.node)
        if cls is None:
            raise _Unknown
        assigned = _self_assigned_values(self.info, cls)
        values = assigned.get(f"self.{attr}", [])
        if values and any(isinstance(v, ast.Name) for v in values):
            return self._handed_in_link(cls, values, assigned.get(self.model, []))
        if not values:
            raise _Unknown  # a method, or a value handed in from outside
        built_by_function = False
        for v in values:
            for n in ast.walk(v):
                if (isinstance(n, ast.Attribute) and n.attr == wanted) or (isinstance(n, ast.Name) and n.id == wanted):
                    return True
                if isinstance(n, ast.Name) and self._function(n.id, module_scope(self.info)) is not None:
                    built_by_function = True
        if not built_by_function:
            return False
        # Built by a function or class of the module (`self.discriminator = build_discriminator()`): each call
        # makes a fresh object, so it runs the model only when the model is built from it, or when both are built
        # from the same things (a module-level object both factories read, a value of the method both are made
        # in); constants link nothing.
        model_values = assigned.get(self.model, [])
        if not model_values or any(isinstance(v, ast.Name) for v in model_values):
            raise _Unknown
        for v in model_values:
            for n in ast.walk(v):
                if (isinstance(n, ast.Attribute) and n.attr == attr) or (isinstance(n, ast.Name) and n.id == attr):
                    return True
        return bool(self._links(values) & self._links(model_values))

    def _handed_in_link(self, cls: ast.ClassDef, values: list[ast.expr], model_values: list[ast.expr]) -> bool:
        """`self.decoder = decoder` and `self.encoder = encoder`, both `__init__` parameters: can running the one
        run the other?  Judged on the module-level objects every construction of the class hands in (`VAE(encoder,
        decoder)`): True when one is built from the other or both from the same things (constants link nothing)."""
        mine = _handed_in(self.info, cls, values)
        theirs = _handed_in(self.info, cls, model_values) if model_values else None
        if mine is None or theirs is None:
            raise _Unknown  # a value handed in from outside that this walk does not follow
        mod = module_scope(self.info)
        constants = _constant_module_names(self.info)
        closures: dict[str, set[str]] = {}
        for n in {a.id for a in mine} | {b.id for b in theirs}:
            defs = mod.defs(n)
            if not defs:
                raise _Unknown
            closures[n] = self._closure([*defs, *self._extensions(n)], {n})
        return any((closures[a.id] & closures[b.id]) - constants for a in mine for b in theirs)

    def _links(self, values: list[ast.expr]) -> set[str]:
        """What `self.<attr> = value` assignments build their values from: the names they read (through the
        locals of the method each is made in, and the module names a module function or class they call reads),
        less imports, builtins, functions and classes of the module and module names bound only to constants."""
        mod = module_scope(self.info)
        constants = _constant_module_names(self.info)
        out: set[str] = set()
        # (an expression or a local binding with the method scope it is read in) or (a module function's name)
        todo: list[tuple[ast.AST, TapeScope] | str] = []
        for v in values:
            made_in = self.info.enclosing_function(v)
            if not isinstance(made_in, (ast.FunctionDef, ast.AsyncFunctionDef)):
                raise _Unknown
            todo.append((v, plain_scope(self.info, made_in)))
        done: set[int] = set()
        makers: set[str] = set()
        while todo:
            if len(done) + len(makers) > 400:
                raise _Unknown
            item = todo.pop()
            names: list[tuple[str, TapeScope | None]]
            if isinstance(item, str):
                names = [(item, None)]
            else:
                node, local = item
                if id(node) in done:
                    continue
                done.add(id(node))
                names = []
                for n in walk_nodes(node):
                    if (attr := _self_attr(n)) is not None:
                        out.add(attr)
                    elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                        names.append((n.id, local))
            for name, where in names:
                if name in _BUILTINS or name == "self" or self._is_import(name) or name in constants:
                    continue
                if where is not None:
                    ldefs = where.defs(name)
                    if ldefs is None:
                        raise _Unknown  # unpacked, a loop target, a parameter: not followed
                    if ldefs:
                        out.add(f"{id(where.node)}:{name}")
                        todo.extend((d, where) for d in ldefs)
                        continue
                fn = self._function(name, mod)
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
                    fn is m for m in self.info.tree.body
                ):
                    if name not in makers:
                        makers.add(name)
                        todo.extend(_free_names(self.info, fn))
                    continue
                out.add(name)
        return out

    def _bound(self, name: str, sc: TapeScope) -> bool:
        return bool(sc.defs(name)) or name in sc.params or bool(module_scope(self.info).defs(name))

    def _opaque(self, name: str, sc: TapeScope) -> bool:
        """A name whose value the slice cannot see: a parameter, or bound by a loop, `with`, unpacking, import."""
        if name in sc.params:
            return False  # a parameter is a value computed before this scope's tape opened
        d = sc.defs(name)
        if d is None:
            return True
        if d:
            return False
        m = module_scope(self.info).defs(name)
        return m is None or not m

    def name(self, name: str, sc: TapeScope, depth: int) -> None:
        key = (id(sc), name, id(self.entered.get(id(sc))))
        if key in self.seen:
            return
        self.seen.add(key)
        if name in sc.params:
            # computed by the caller, before any tape of this scope opened: where the class's own calls of this
            # method (`self.train_generator(latent, mean, variance)` in `train_step`) computed it, no tape of this
            # scope recorded it
            if sc is self.scope:
                for arg, caller in self._caller_arguments(name, sc):
                    self.expr(arg, caller, None, depth + 1)
            return
        if self._mutated(name, sc):
            # `xs.append(v)`: the list also holds what those calls add, each run where its statement runs;
            # any other mutation (`v.assign(...)`, `xs[i] = v`) is not followed
            self._grown(name, sc, depth)
        defs = sc.defs(name)
        if defs is None:
            if self._is_import_or_def(name):
                return  # a module, a function or a class: not a tensor on the way to the target
            defs = self._unpacked_defs(name, sc)
        if not defs:
            mod = module_scope(self.info)
            if sc is mod or name in _BUILTINS:
                return
            if name in sc.declared_outer():
                raise _Unknown
            outer = self.outer.get(id(sc))
            if outer is not None:
                # a free name of a nested def or lambda: the value the enclosing function bound it to
                self.name(name, outer, depth + 1)
                return
            mdefs = mod.defs(name)
            if mdefs is None:
                if self._is_import_or_def(name):
                    return  # a module, a function or a class: not a tensor on the way to the target
                raise _Unknown
            for d in mdefs:
                self.stmt(d, mod, depth + 1)
            return
        # Every binding, wherever it is: a loop may carry a later one back; over-reading only silences.
        for d in defs:
            self.stmt(d, sc, depth + 1)

    def _caller_arguments(self, name: str, sc: TapeScope) -> list[tuple[ast.expr, TapeScope]]:
        """For a parameter of the method `sc` is: the argument each call of the method gives it, with the
        caller's scope, when every mention of the method's name in the module is a `self.<method>(...)` call in
        a method of its own class, passing plain arguments (no `*args` / `**kwargs`); [] otherwise (unknown
        callers: the value stays unfollowed)."""
        fn = sc.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) or fn.args.vararg or fn.args.kwarg:
            return []
        cls = _outermost_class(self.info, fn)
        if cls is None or self.info.all_parents.get(id(fn)) is not cls or _decorated(fn, "staticmethod"):
            return []
        params = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]][1:]
        out: list[tuple[ast.expr, TapeScope]] = []
        for n in walk_nodes(self.info.tree):
            if not (isinstance(n, ast.Attribute) and n.attr == fn.name):
                continue
            call = self.info.all_parents.get(id(n))
            caller = self.info.enclosing_function(n)
            if not (
                isinstance(call, ast.Call)
                and call.func is n
                and isinstance(n.value, ast.Name)
                and n.value.id == "self"
                and isinstance(caller, (ast.FunctionDef, ast.AsyncFunctionDef))
                and caller is not fn
                and _outermost_class(self.info, caller) is cls
            ):
                return []
            if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
                return []
            bound = dict(zip(params, call.args))
            bound.update((k.arg, k.value) for k in call.keywords if k.arg is not None)
            if name in bound:
                out.append((bound[name], plain_scope(self.info, caller)))
        return out

    def _grown(self, name: str, sc: TapeScope, depth: int) -> None:
        mod = module_scope(self.info)
        for where in (sc, mod) if sc is not mod else (sc,):
            calls = _growth_calls(self.info, where).get(name, [])
            if calls is None:
                raise _Unknown
            for c in calls:
                stmt = where.parent(c)
                while stmt is not None and not isinstance(stmt, ast.stmt):
                    stmt = where.parent(stmt)
                if stmt is None:
                    raise _Unknown
                for a in [*c.args, *(k.value for k in c.keywords)]:
                    self.expr(a, where, self._at(stmt, where), depth + 1)

    def _mutated(self, name: str, sc: TapeScope) -> bool:
        return name in _mutated_names(self.info, sc) or name in _mutated_names(self.info, module_scope(self.info))

    def _is_import_or_def(self, name: str) -> bool:
        return _defined(self.info, self.scope, name) is not None or _imported(self.info, self.scope, name)

    def _unpacked_defs(self, name: str, sc: TapeScope) -> list[ast.AST]:
        """`a, b = ...` assignments binding `name`; anything else opaque (loop target, `with ... as`)."""
        out: list[ast.AST] = []
        for n in sc.nodes:
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store):
                stmt = sc.parent(n)
                while isinstance(stmt, (ast.Tuple, ast.List, ast.Starred)):
                    stmt = sc.parent(stmt)
                if isinstance(stmt, (ast.For, ast.AsyncFor)) and _within(n, stmt.target):
                    out.append(stmt)  # a loop target: a value taken from the iterable
                    continue
                if not isinstance(stmt, ast.Assign):
                    raise _Unknown
                out.append(stmt)
            elif isinstance(n, ast.arg) and n.arg == name:
                raise _Unknown
        if not out:
            raise _Unknown
        return out

    def stmt(self, d: ast.AST, sc: TapeScope, depth: int) -> None:
        if isinstance(d, (ast.For, ast.AsyncFor)):
            # `for a, b in zip(xs, ys)`: each target holds an item of the iterable, evaluated at the loop
            self.expr(d.iter, sc, self._at(d, sc), depth)
            return
        value = d.value if isinstance(d, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)) else None
        if value is None:
            if isinstance(d, ast.AnnAssign):
                return
            raise _Unknown
        self.expr(value, sc, self._at(d, sc), depth)
        if isinstance(d, ast.AugAssign) and isinstance(d.target, ast.Name):
            self.name(d.target.id, sc, depth)

    # -- does a callable or object mention the model? -------------------------------------------------

    def mentions(self, name: str, sc: TapeScope, depth: int) -> bool:
        """Can running `name` (a function, a Keras object, a loss object) run the model?  True when what it is
        built from and what the model is built from meet: the model itself, a layer both hold, an input both
        were built on (over-relating only keeps the rules silent)."""
        if depth > _MAX_DEPTH:
            raise _Unknown
        fn = self._function(name, sc)
        nodes: list[ast.AST]
        if fn is not None:
            nodes = [fn]
        else:
            defs = sc.defs(name)
            if not defs:
                if name in sc.params:
                    raise _Unknown  # a callable handed in by the caller
                defs = module_scope(self.info).defs(name)
                if defs is None:
                    if self._is_import_or_def(name):
                        return False  # imported: a library or another module, which cannot name our model
                    raise _Unknown
                if not defs:
                    raise _Unknown
            if defs is None:
                raise _Unknown
            nodes = [*defs, *self._extensions(name)]
        # a module name bound only to literals (`state_dim = 3`) read by both holds no model: it links nothing
        shared = self._closure(nodes, {name}) & self._model_closure()
        return bool(shared - _constant_module_names(self.info))

    def _module_function(self, name: str, sc: TapeScope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        fn = self._function(name, sc)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(fn is n for n in self.info.tree.body):
            return fn
        return None

    def _runs(self, node: ast.AST, depth: int) -> bool:
        """Can running the module function or class `node` run the model through the module names it reads (its
        parameters and locals are its own: a shared name such as `x` links nothing)?  A function or class it
        names is judged the same way (constructing a class makes a fresh instance); a module-level value by
        what it is built from, as `mentions` does."""
        if depth > _MAX_DEPTH:
            raise _Unknown
        mod = module_scope(self.info)
        constants = _constant_module_names(self.info)
        for name in _free_names(self.info, node):
            if name == self.model:
                return True
            if name in _BUILTINS or name == "self" or self._is_import(name) or name in constants:
                continue
            fn = self._function(name, mod)
            if fn is not None and any(fn is n for n in self.info.tree.body):
                if fn is not node and self._runs(fn, depth + 1):
                    return True
                continue
            defs = mod.defs(name)
            if not defs:
                raise _Unknown  # bound where this walk does not look (a loop target, a `with`, a nested def)
            if self._closure([*defs, *self._extensions(name)], {name}) & self._model_closure():
                return True
        return False

    def _model_closure(self) -> set[str]:
        if self.model_names is None:
            nodes = [*(self.scope.defs(self.model) or []), *(module_scope(self.info).defs(self.model) or [])]
            self.model_names = self._closure([*nodes, *self._extensions(self.model)], {self.model})
        return self.model_names

    def _extensions(self, name: str) -> list[ast.AST]:
        """`name.add(layer)` statements of the module body: what a Sequential is given after it is made."""
        return _module_extensions(self.info).get(name, [])

    def _closure(self, nodes: list[ast.AST], names: set[str]) -> set[str]:
        """The names `nodes` read, and transitively the names read by the module-level definitions of those.

        The answer depends on the module only (and `self.scope`, through `_function`): kept per start."""
        closures: dict[tuple, frozenset[str]] = self.info.memo(f"{__name__}.closures", dict)
        key = (id(self.scope), tuple(id(n) for n in nodes), frozenset(names))
        found = closures.get(key)
        if found is None:
            found = closures[key] = frozenset(self._compute_closure(nodes, names))
        return set(found)

    def _compute_closure(self, nodes: list[ast.AST], names: set[str]) -> set[str]:
        out = set(names)
        todo = list(nodes)
        done: set[int] = set()
        mod = module_scope(self.info)
        read = _names_read(self.info)
        makers: set[str] = set()
        while todo and len(done) < 400:
            node = todo.pop()
            if id(node) in done:
                continue
            done.add(id(node))
            names_here = list(read(node))
            while names_here:
                name = names_here.pop()
                if name in out or name in makers or name in _BUILTINS or name == "self":
                    continue
                if self._is_import(name):
                    continue
                fn = self._function(name, mod)
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
                    fn is n for n in self.info.tree.body
                ):
                    # A module function or class: each call runs it afresh (`q_net = make_q()` and
                    # `target_net = make_q()` are two models), so only the module names it reads link two values
                    # made by it, not its own name, parameters or locals.
                    makers.add(name)
                    names_here.extend(_free_names(self.info, fn))
                    continue
                out.add(name)
                if fn is not None:
                    todo.append(fn)
                todo.extend(mod.defs(name) or [])
                todo.extend(self._extensions(name))
        return out

    def _is_import(self, name: str) -> bool:
        return _imported(self.info, module_scope(self.info), name)

    def _function(self, name: str, sc: TapeScope) -> ast.AST | None:
        found = _defined(self.info, sc, name)
        if found is not None or sc is self.scope:
            return found
        return _defined(self.info, self.scope, name)


def _free_names(info: ModuleInfo, node: ast.AST) -> list[str]:
    """The names a module-level function or class reads from the module: every name it loads less its (and its
    nested functions') parameters and the names it binds, unless declared `global`."""
    cache: dict[int, list[str]] = info.memo(f"{__name__}.free_names", dict)
    found = cache.get(id(node))
    if found is None:
        nodes = walk_nodes(node)
        own = {n.arg for n in nodes if isinstance(n, ast.arg)}
        own |= {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        own |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        own |= {
            a.asname or a.name.split(".")[0]
            for n in nodes
            if isinstance(n, (ast.Import, ast.ImportFrom))
            for a in n.names
        }
        own -= {g for n in nodes if isinstance(n, ast.Global) for g in n.names}
        loads = (n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        found = cache[id(node)] = [n for n in dict.fromkeys(loads) if n not in own]
    return found


_WEIGHT_READS = {"get_weights", "count_params"}


def _decorated(fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    return any(isinstance(d, ast.Name) and d.id == name for d in fn.decorator_list)


def _callee_scope(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> TapeScope:
    """The scope of a callee's body; a lambda as a def returning its body (one per lambda, kept per module)."""
    if isinstance(fn, ast.Lambda):
        wrappers: dict[int, ast.FunctionDef] = info.memo(f"{__name__}.lambda_defs", dict)
        node = wrappers.get(id(fn))
        if node is None:
            ret = ast.copy_location(ast.Return(value=fn.body), fn.body)
            node = wrappers[id(fn)] = ast.copy_location(
                ast.FunctionDef(name="<lambda>", args=fn.args, body=[ret], decorator_list=[], returns=None), fn
            )
            if "type_params" in ast.FunctionDef._fields:
                node.type_params = []  # type: ignore[attr-defined, unused-ignore]  # Python 3.12+
        return plain_scope(info, node)
    return plain_scope(info, fn)


def _weight_only_args(
    info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, offset: int = 0
) -> list[ast.AST]:
    """The arguments of `call` bound to a parameter of `fn` that `fn` only reads the weights of
    (`p.get_weights()`, `keras.models.clone_model(p)`): a copy of its values or its structure, never a run.
    `offset`: the leading parameters the call does not pass (`self` of a method called as `self.m(...)`)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return []
    params = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args]][offset:]
    bound = list(zip(params, call.args))
    bound += [(k.arg, k.value) for k in call.keywords if k.arg is not None]
    return [arg for param, arg in bound if _weight_only_param(info, fn, param)]


def _weight_only_param(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, param: str) -> bool:
    cache: dict[tuple[int, str], bool] = info.memo(f"{__name__}.weight_only", dict)
    key = (id(fn), param)
    found = cache.get(key)
    if found is None:
        parents = {id(c): n for n in walk_nodes(fn) for c in ast.iter_child_nodes(n)}
        uses = [n for n in walk_nodes(fn) if isinstance(n, ast.Name) and n.id == param]
        found = bool(uses) and all(_weight_read(info, n, parents) for n in uses)
        cache[key] = found
    return found


def _weight_read(info: ModuleInfo, n: ast.Name, parents: dict[int, ast.AST]) -> bool:
    if not isinstance(n.ctx, ast.Load):
        return False
    up = parents.get(id(n))
    if isinstance(up, ast.Attribute) and up.attr in _WEIGHT_READS:
        call = parents.get(id(up))
        return isinstance(call, ast.Call) and call.func is up
    if isinstance(up, ast.Call) and up.args and up.args[0] is n:
        return (info.imports.qualname(up.func) or "").endswith(".clone_model")
    return False


def _within(node: ast.AST, root: ast.AST) -> bool:
    return any(n is node for n in ast.walk(root))


def _expr_nodes(info: ModuleInfo, e: ast.AST) -> tuple[list[ast.AST], set[int]]:
    """`ast.walk(e)` and the ids of the names in it not sliced as values: its calls' plain-name callees (handled
    by `call`) and the loop variables of its comprehensions (`[list(k) for k in pairs]`: bound by the
    comprehension from its iterable, which the walk reads); kept per expression, which every slice of the
    module's gradient calls reads again."""
    cache: dict[int, tuple[list[ast.AST], set[int]]] = info.memo(f"{__name__}.expr_nodes", dict)
    found = cache.get(id(e))
    if found is None:
        nodes = walk_nodes(e)  # ast.walk order; the context/operator nodes it leaves out are none of those read
        callees = {id(n.func) for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        bound = {
            t.id
            for c in nodes
            if isinstance(c, ast.comprehension)
            for t in ast.walk(c.target)
            if isinstance(t, ast.Name)
        }
        if bound:
            callees |= {id(n) for n in nodes if isinstance(n, ast.Name) and n.id in bound}
        found = cache[id(e)] = (nodes, callees)
    return found


def _names_read(info: ModuleInfo) -> Callable[[ast.AST], list[str]]:
    """The distinct `ast.Name` ids below a node, in `ast.walk` order; each node walked once per module (the
    closure asks for whole function bodies again for every name it follows)."""
    cache: dict[int, list[str]] = info.memo(f"{__name__}.names_read", dict)

    def read(node: ast.AST) -> list[str]:
        found = cache.get(id(node))
        if found is None:
            found = cache[id(node)] = list(dict.fromkeys(n.id for n in walk_nodes(node) if isinstance(n, ast.Name)))
        return found

    return read


def _module_extensions(info: ModuleInfo) -> dict[str, list[ast.AST]]:
    """`name.add(...)` expression statements of the module body, by `name`, in source order."""

    def build() -> dict[str, list[ast.AST]]:
        out: dict[str, list[ast.AST]] = {}
        for n in info.tree.body:
            if (
                isinstance(n, ast.Expr)
                and isinstance(n.value, ast.Call)
                and isinstance(n.value.func, ast.Attribute)
                and n.value.func.attr == "add"
                and isinstance(n.value.func.value, ast.Name)
            ):
                out.setdefault(n.value.func.value.id, []).append(n)
        return out

    return info.memo(f"{__name__}.extensions", build)


def _constant_module_names(info: ModuleInfo) -> frozenset[str]:
    """Module names every binding of which is a literal (`IMG = 12`, `A, B = 12, 3`, `N: int = 3`) and which no
    function declares `global`: values that can hold no model."""

    def build() -> frozenset[str]:
        literal_names: dict[str, bool] = {}
        others: list[ast.stmt] = []
        for st in info.tree.body:
            pairs: list[tuple[ast.AST, ast.AST | None]] = []
            if isinstance(st, ast.Assign):
                pairs = [(t, st.value) for t in st.targets]
            elif isinstance(st, ast.AnnAssign):
                pairs = [(st.target, st.value)]
            elif isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                literal_names[st.name] = False
                continue
            else:
                others.append(st)  # read below, once the literal names are known
                continue
            for target, value in pairs:
                if isinstance(target, ast.Name):
                    literal_names[target.id] = literal_names.get(target.id, True) and _literal(value)
                elif isinstance(target, (ast.Tuple, ast.List)):
                    elts = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
                    ok = elts is not None and len(elts) == len(target.elts)
                    for i, t in enumerate(target.elts):
                        if isinstance(t, ast.Name):
                            good = ok and elts is not None and _literal(elts[i])
                            literal_names[t.id] = literal_names.get(t.id, True) and good
                else:
                    for n in walk_nodes(target):
                        if isinstance(n, ast.Name):
                            literal_names[n.id] = False
        # Any other binding at module level (a loop or `with` target, an import, `+=`): not a constant.  Only the
        # names bound to literals so far can still be constants, so a statement that does not name one on its
        # lines is not walked (a script's training loop at the top level: most of the module).
        candidates = [k for k, v in literal_names.items() if v]
        rows = _lines_naming(info.source, candidates) if candidates and others else None
        for st in others if candidates else ():
            if rows is not None:
                i = bisect.bisect_left(rows, st.lineno)
                if i == len(rows) or rows[i] > (st.end_lineno or st.lineno):
                    continue
            for n in walk_nodes(st):
                if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                    literal_names[n.id] = False
                elif isinstance(n, (ast.Import, ast.ImportFrom)):
                    for a in n.names:
                        literal_names[a.asname or a.name.split(".")[0]] = False
                elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    literal_names[n.name] = False
        declared = {g for n in info.all_nodes(ast.Global) for g in n.names}
        return frozenset(k for k, v in literal_names.items() if v and k not in declared)

    return info.memo(f"{__name__}.constant_module_names", build)


def _lines_naming(source: str, names: list[str]) -> list[int] | None:
    """The numbers of the lines where one of `names` occurs as text (sorted), or None when the text's line numbers
    or names may not be the parser's (a lone carriage return ends a line for the parser; a non-ASCII identifier is
    normalised by it): every binding of a name is written on its statement's lines."""
    if not source.isascii() or "\r" in source:
        return None
    breaks = [m.start() for m in _NEWLINE.finditer(source)]
    found = re.compile("|".join(re.escape(n) for n in names)).finditer(source)
    return sorted({bisect.bisect_left(breaks, m.start()) + 1 for m in found})


_NEWLINE = re.compile("\n")


def _literal(e: ast.AST | None) -> bool:
    if isinstance(e, ast.Constant):
        return True
    if isinstance(e, (ast.Tuple, ast.List)):
        return all(_literal(x) for x in e.elts)
    return isinstance(e, ast.UnaryOp) and isinstance(e.operand, ast.Constant)


def _outermost_class(info: ModuleInfo, node: ast.AST) -> ast.ClassDef | None:
    """The outermost class holding `node` (itself included): the first such class `ast.walk` meets."""
    parents = info.all_parents
    found = None
    p: ast.AST | None = node
    while p is not None:
        if isinstance(p, ast.ClassDef):
            found = p
        p = parents.get(id(p))
    return found


def _step_state(info: ModuleInfo) -> frozenset[str]:
    """The attributes `self.<attr>` some class of the module sets in a method other than `__init__` / `build`
    (state a step leaves behind, not configuration; every class, so a base class's methods count too)."""

    def build() -> frozenset[str]:
        out: set[str] = set()
        for fn in info.all_nodes((ast.FunctionDef, ast.AsyncFunctionDef)):
            assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            if fn.name in {"__init__", "build"} or "self" not in {a.arg for a in fn.args.args[:1]}:
                continue
            for n in walk_nodes(fn):
                targets = (
                    n.targets
                    if isinstance(n, ast.Assign)
                    else [n.target]
                    if isinstance(n, (ast.AugAssign, ast.AnnAssign))
                    else []
                )
                for t in targets:
                    for e in ast.walk(t):
                        if isinstance(e, ast.Attribute) and isinstance(e.ctx, ast.Store) and _self_attr(e) is not None:
                            out.add(e.attr)
        return frozenset(out)

    return info.memo(f"{__name__}.step_state", build)


def _step_setters(
    info: ModuleInfo,
) -> dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Assign | None]]]:
    """Per attribute of `_step_state`: the innermost function setting `self.<attr>` and the statement, when it is
    a plain `self.<attr> = value` (None for any other form: a tuple target, `+=`, an annotation)."""

    def build() -> dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Assign | None]]]:
        out: dict[str, list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.Assign | None]]] = {}
        for fn in info.all_nodes((ast.FunctionDef, ast.AsyncFunctionDef)):
            assert isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            if fn.name in {"__init__", "build"} or "self" not in {a.arg for a in fn.args.args[:1]}:
                continue
            for n in ast.walk(fn):
                if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and info.enclosing_function(n) is fn:
                    plain = n if isinstance(n, ast.Assign) and len(n.targets) == 1 else None
                    for t in n.targets if isinstance(n, ast.Assign) else [n.target]:
                        for e in ast.walk(t):
                            if isinstance(e, ast.Attribute) and isinstance(e.ctx, ast.Store) and _self_attr(e):
                                out.setdefault(e.attr, []).append((fn, plain if t is e else None))
        return out

    return info.memo(f"{__name__}.step_setters", build)


def _class_family(info: ModuleInfo, cls: ast.ClassDef) -> tuple[set[ast.ClassDef], set[ast.ClassDef]] | None:
    """The module classes `cls` is (itself and its bases of the module) and those deriving from it."""
    by_name = {c.node.name: c.node for c in info.classes.values()}
    if by_name.get(cls.name) is not cls:
        return None  # two classes of one name: which is which is not told
    bases: dict[ast.ClassDef, list[ast.ClassDef]] = {
        c: [by_name[b.id] for b in c.bases if isinstance(b, ast.Name) and b.id in by_name] for c in by_name.values()
    }
    up: set[ast.ClassDef] = set()
    todo = [cls]
    while todo:
        c = todo.pop()
        if c not in up:
            up.add(c)
            todo.extend(bases[c])
    down = {c for c in by_name.values() if c not in up and _derives(c, cls, bases)}
    return up, down


def _derives(c: ast.ClassDef, base: ast.ClassDef, bases: dict[ast.ClassDef, list[ast.ClassDef]]) -> bool:
    seen: set[int] = set()
    todo = list(bases[c])
    while todo:
        b = todo.pop()
        if b is base:
            return True
        if id(b) not in seen:
            seen.add(id(b))
            todo.extend(bases[b])
    return False


def _method_calls(info: ModuleInfo, name: str) -> list[ast.Call] | None:
    """Every `self.<name>(...)` call of the module; None when `<name>` is also reached any other way (`obj.name`,
    passed as a value)."""
    found: list[ast.Call] = []
    calls = {id(c.func): c for c in info.all_nodes(ast.Call)}
    for n in info.all_nodes(ast.Attribute):
        if n.attr != name:
            continue
        c = calls.get(id(n))
        if c is None or _self_attr(n) is None:
            return None
        found.append(c)
    return found


def _self_assigned_values(info: ModuleInfo, cls: ast.ClassDef) -> dict[str, list[ast.expr]]:
    """The values `self.<attr> = value` assignments anywhere in `cls` give, by `self.<attr>`, in `ast.walk` order."""

    def build() -> dict[str, list[ast.expr]]:
        out: dict[str, list[ast.expr]] = {}
        for n in ast.walk(cls):
            if isinstance(n, ast.Assign):
                for key in dict.fromkeys(k for k in map(_self_attr, n.targets) if k is not None):
                    out.setdefault(key, []).append(n.value)
        return out

    return info.memo(f"{__name__}.self_assigned.{id(cls)}", build)


def applied_to_other_model(info: ModuleInfo, scope: TapeScope, call: ast.Call) -> tuple[str, str, ast.AST] | None:
    """`opt.apply_gradients(zip(grads, B.trainable_variables))` where `grads = tape.gradient(..., A.trainable_variables)`
    with `A` another Keras object: (A, B, the `B.trainable_variables` node)."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "apply_gradients" and call.args):
        return None
    pairs = call.args[0]
    if not (
        isinstance(pairs, ast.Call)
        and isinstance(pairs.func, ast.Name)
        and pairs.func.id == "zip"
        and len(pairs.args) == 2
        and isinstance(pairs.args[0], ast.Name)
    ):
        return None
    applied = source_model(info, pairs.args[1])
    if applied is None:
        return None
    defs = scope.defs(pairs.args[0].id)
    if not defs:
        return None
    taken: set[str] = set()
    for d in defs:
        value = d.value if isinstance(d, ast.Assign) else None
        if not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "gradient"
            and len(value.args) >= 2
        ):
            return None
        m = source_model(info, value.args[1])
        if m is None:
            return None
        taken.add(m)
    if len(taken) != 1 or applied in taken:
        return None
    # The same object under two names (`enc = model`) is not another model.
    for d in module_scope(info).defs(applied) or []:
        if isinstance(d, ast.Assign) and isinstance(d.value, ast.Name):
            return None
    (source,) = taken
    for d in module_scope(info).defs(source) or []:
        if isinstance(d, ast.Assign) and isinstance(d.value, ast.Name):
            return None
    if pos(pairs) < pos(defs[0]):
        return None
    if _weight_copies(info, source, applied):
        return None  # one model is a copy of the other (MAML, Reptile): same shapes, applied on purpose
    return source, applied, pairs.args[1]


def _weight_copies(info: ModuleInfo, a: str, b: str) -> bool:
    """Is one of the models `a`, `b` made as a copy of the other: `b = keras.models.clone_model(a)`,
    `b.set_weights(a.get_weights())`, or `b = make_copy(a, ...)` with `make_copy` a module function that calls
    `set_weights(...get_weights())` or `clone_model`?  Then their variables correspond one to one."""
    copying = ("set_weights", "clone_model")
    for x, y in ((a, b), (b, a)):
        for n in info.all_nodes(ast.Call):
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
            if name == "set_weights" and isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                if f.value.id == y and any(isinstance(m, ast.Name) and m.id == x for m in ast.walk(n)):
                    return True
            if not any(isinstance(arg, ast.Name) and arg.id == x for arg in n.args):
                continue
            parent = info.all_parents.get(id(n))
            if not (
                isinstance(parent, ast.Assign) and any(isinstance(t, ast.Name) and t.id == y for t in parent.targets)
            ):
                continue
            if name == "clone_model":
                return True
            fn = info.module_functions.get(name)
            if fn is not None and any(isinstance(m, ast.Attribute) and m.attr in copying for m in ast.walk(fn)):
                return True
    return False


def frozen_whole(info: ModuleInfo, scope: TapeScope, model: str, at: ast.AST) -> ast.stmt | None:
    """The statement that froze every weight of `model` before `at`: `model.trainable = False`, or
    `for layer in model.layers: layer.trainable = False`, in the module body or `scope`, with nothing in the
    module ever setting `trainable = True` again.  Then `model.trainable_variables` is an empty list."""
    if "trainable" not in info.source or not info.memo(f"{__name__}.only_freezes", lambda: _only_freezes(info)):
        return None
    freezes: dict[str, list[ast.stmt]] = info.memo(f"{__name__}.module_freezes", lambda: _module_freezes(info))
    limit = pos(at) if scope.node is info.tree else pos(scope.node)
    # Module statements before the function's `def` ran before any call of it; then its own body.
    for s in freezes.get(model, []):
        if pos(s) < limit:
            return s
    if scope.node is not info.tree:
        for s in cast_body(scope.node):
            if pos(s) < pos(at) and _freezes(s, model):
                return s
    return None


def _module_freezes(info: ModuleInfo) -> dict[str, list[ast.stmt]]:
    """Statements of the module body that freeze a whole model, by the model's name."""
    out: dict[str, list[ast.stmt]] = {}
    for s in info.tree.body:
        model = None
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Attribute):
            target = s.targets[0].value
            model = target.id if isinstance(target, ast.Name) else None
        elif isinstance(s, ast.For) and isinstance(s.iter, ast.Attribute) and isinstance(s.iter.value, ast.Name):
            model = s.iter.value.id
        if model is not None and _freezes(s, model):
            out.setdefault(model, []).append(s)
    return out


def _only_freezes(info: ModuleInfo) -> bool:
    """Every `trainable` the module sets is the constant False (once per module: a walk of the whole tree)."""
    for n in info.all_nodes((ast.Assign, ast.keyword)):
        if isinstance(n, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "trainable" for t in n.targets):
            if not (isinstance(n.value, ast.Constant) and n.value.value is False):
                return False  # set back, or set from a flag: which weights train is not known here
        elif isinstance(n, ast.keyword) and n.arg == "trainable":
            if not (isinstance(n.value, ast.Constant) and n.value.value is False):
                return False
    return True


def cast_body(node: ast.AST) -> list[ast.stmt]:
    body = getattr(node, "body", None)
    return body if isinstance(body, list) else []


def _freezes(s: ast.stmt, model: str) -> bool:
    if isinstance(s, ast.Assign) and len(s.targets) == 1:
        t = s.targets[0]
        return (
            isinstance(t, ast.Attribute)
            and t.attr == "trainable"
            and isinstance(t.value, ast.Name)
            and t.value.id == model
        )
    if isinstance(s, ast.For) and isinstance(s.target, ast.Name) and not s.orelse:
        it = s.iter
        if not (
            isinstance(it, ast.Attribute)
            and it.attr == "layers"
            and isinstance(it.value, ast.Name)
            and it.value.id == model
        ):
            return False
        return any(
            isinstance(b, ast.Assign)
            and len(b.targets) == 1
            and isinstance(b.targets[0], ast.Attribute)
            and b.targets[0].attr == "trainable"
            and isinstance(b.targets[0].value, ast.Name)
            and b.targets[0].value.id == s.target.id
            for b in s.body
        )
    return False
