"""TFG015 symbolic-keras-tensor-in-tf-op: a symbolic Keras tensor (`keras.Input(...)`, a layer output while a
functional model is built, `model.inputs`/`model.outputs`) given to a `tf.*` op, captured by a loss given to
`compile()`, or given to a GradientTape."""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gradls.analysis.keras_facts import KERAS_INPUTS, KerasFacts, Scope, may_hold_keras_objects, tape_names
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import FunctionNode, ModuleInfo, child_nodes
from gradls.analysis.rules import rule

_ERROR = "`ValueError: A KerasTensor cannot be used as input to a TensorFlow function`"
# What tf_keras (Keras 2) raises when a loss run by `fit` reads one of its symbolic tensors (measured under TF 2.21 +
# tf_keras, whatever op reads it: `K.gradients`, `tf.gradients`, `K.mean`).
_KERAS2_ERROR = (
    "`TypeError: You are passing KerasTensor(...), an intermediate TF-Keras symbolic input/output, to a TF API that "
    "does not allow registering custom dispatchers`"
)
# tf.* functions that take a KerasTensor without converting it (checked under TF 2.21).
_ACCEPTS_KERAS_TENSORS = ("tensorflow.print", "tensorflow.is_tensor", "tensorflow.nest.")
_NOT_OPS = (
    "tensorflow.GradientTape",
    "tensorflow.function",
    "tensorflow.TensorSpec",
    "tensorflow.TensorShape",
    "tensorflow.name_scope",
    "tensorflow.device",
    "tensorflow.config.",
    "tensorflow.summary.",
)
_SYMBOLIC_ATTRS = {"input", "inputs", "output", "outputs"}
# keras.* functions that map Keras tensors to Keras tensors.
_KERAS_TENSOR_FUNCS = ("keras.ops.", "keras.activations.", "keras.layers.", "keras.random.")
# tf.* -> keras.ops.* with the same positional parameters (the quick fix).
_OPS = {
    "reduce_sum": "sum",
    "reduce_mean": "mean",
    "reduce_max": "max",
    "reduce_min": "min",
    "reduce_prod": "prod",
    "exp": "exp",
    "log": "log",
    "square": "square",
    "sqrt": "sqrt",
    "abs": "abs",
    "relu": "relu",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "softplus": "softplus",
    "concat": "concatenate",
    "stack": "stack",
    "matmul": "matmul",
    "expand_dims": "expand_dims",
    "squeeze": "squeeze",
    "reshape": "reshape",
    "cast": "cast",
    "maximum": "maximum",
    "minimum": "minimum",
    "sin": "sin",
    "cos": "cos",
}
_OP_MODULES = {"tensorflow", "tensorflow.math", "tensorflow.nn"}


@dataclass(frozen=True)
class KerasOpsFix(PlannedEdits):
    """The `tf.*` callee replaced by the `keras.ops` function with the same parameters."""


@rule(
    "TFG015",
    "symbolic-keras-tensor-in-tf-op",
    "A symbolic Keras tensor (`keras.Input`, a layer output while a functional model is built, `model.outputs`) "
    "given to a `tf.*` op or captured by a loss closure raises `ValueError: A KerasTensor cannot be used as input "
    "to a TensorFlow function` in Keras 3; use `keras.ops` or a layer.",
)
def find_symbolic_keras_tensor(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if "Input" not in src and ".output" not in src and ".input" not in src:
        return
    if info.legacy_keras:
        return  # `TF_USE_LEGACY_KERAS=1`: every Keras tensor here is a Keras 2 one, which `tf.*` ops accept
    if not _may_hold_symbolic_tensors(info):
        return
    yield from _Analysis(info).run()
    if _models_are_keras2(info):
        # Keras 2 turns `tf.*` ops on its symbolic tensors into layers while the model is built, but a loss that
        # `fit` runs cannot read one: only the loss-closure check applies to them.
        yield from _Analysis(info, keras2=True).run()


def _may_hold_symbolic_tensors(info: ModuleInfo) -> bool:
    """Every symbolic Keras tensor starts at a `keras.Input(...)` call or at `.input(s)`/`.output(s)` of a Keras
    object: a module with neither gives the flow below nothing to find (speed: array_ops.py has `op.inputs`)."""
    if any(info.imports.qualname(c.func) in KERAS_INPUTS for c in info.all_nodes(ast.Call)):
        return True
    if not any(a.attr in _SYMBOLIC_ATTRS for a in info.all_nodes(ast.Attribute)):
        return False
    return may_hold_keras_objects(info)


def _models_are_keras2(info: ModuleInfo) -> bool:
    """Are the models of this module Keras 2 ones? True when it imports Keras only through `tf_keras` and never
    names `tf.keras`. Under Keras 2, `tf.reshape(model.output, ...)` is no error: `tf.*` ops on a Keras 2
    symbolic tensor become `TFOpLambda` layers of the functional model (checked under TF 2.21 + tf_keras)."""
    if not info.keras2_program:
        return False
    imports = info.imports
    for n in info.all_nodes(ast.Attribute):
        if isinstance(n.value, ast.Name):
            q = imports.qualname(n) or ""
            if (q == "keras" or q.startswith("keras.")) and not imports.is_keras2(n):
                return False
    return True


class _Analysis:
    def __init__(self, info: ModuleInfo, keras2: bool = False):
        self.info = info
        # Follow Keras 2 (`tf_keras`) symbolic tensors instead of Keras 3 ones, into compiled loss closures only.
        self.keras2 = keras2
        self.kf = KerasFacts(info)
        self.tapes = tape_names(info)
        self.seeds: dict[int, dict[str, str]] = {}  # function id -> param -> origin
        self.findings: dict[tuple[int, int], Finding] = {}
        self.env_at_compile: list[tuple[ast.Call, Scope, dict[str, str]]] = []
        self.models_are_keras2 = _models_are_keras2(info)
        self.calls_of: dict[int, list[ast.Call]] = {}  # id(statement) -> its own calls, in _exprs order
        self.module_env: dict[str, str] = {}  # module-level names bound to symbolic Keras tensors
        self.global_origins: dict[str, tuple[str, str]] = {}  # origin -> (module name, function reading it)
        self.global_reported: set[str] = set()  # functions reported for a module-level Keras tensor
        self.attr_store_origin: dict[int, str | None] = {}  # id(`self.x` store target) -> origin of its value
        # The sorted lines of `_origin_lines` and of the `compile(...)` calls (set by `run`), for `_block`'s gate.
        self.origins: list[int] = []
        self.compiles: list[int] = []

    def run(self) -> Iterator[Finding]:
        origins = self.origins = self._origin_lines()
        # Where `compile(...)` is called: its loss may read Keras tensors stored on the instance elsewhere.
        compiles = self.compiles = sorted(
            c.lineno
            for c in self.info.all_nodes(ast.Call)
            if isinstance(c.func, ast.Attribute) and c.func.attr == "compile"
        )
        for _ in range(3):  # parameters seeded by calls with Keras tensors, to a fixed point
            before = {k: dict(v) for k, v in self.seeds.items()}
            self.findings.clear()
            self.global_reported.clear()
            self.env_at_compile.clear()
            for scope in self.kf.scopes():
                env: dict[str, str] = {}
                if not isinstance(scope, ast.Module):
                    env.update(self._module_kts_read_by(scope))
                    env.update(self.seeds.get(id(scope), {}))
                    if not env and not _holds_a_line(origins, scope) and not _holds_a_line(compiles, scope):
                        # Nothing in it starts a Keras tensor and none comes in: every `kt` there is None, so its
                        # walk would bind, seed and report nothing (most functions of a training script).
                        continue
                self._block(scope.body, scope, env)
                if isinstance(scope, ast.Module):
                    self.module_env = dict(env)
            if self.seeds == before:
                break
        for call, scope, env in self.env_at_compile:
            self._loss_closures(call, scope, env)
        for key in sorted(self.findings):
            yield self.findings[key]

    def _origin_lines(self) -> list[int]:
        """The lines, sorted, of every node where `kt` can find a Keras tensor without one in its environment: a
        `keras.Input(...)` call and an `.input(s)` / `.output(s)` attribute."""
        info = self.info
        lines = [c.lineno for c in info.all_nodes(ast.Call) if info.imports.qualname(c.func) in KERAS_INPUTS]
        lines += [a.lineno for a in info.all_nodes(ast.Attribute) if a.attr in _SYMBOLIC_ATTRS]
        return sorted(lines)

    # ------------------------------------------------------------------ flow
    def _block(self, stmts: list[ast.stmt], scope: Scope, env: dict[str, str]) -> None:
        origins, compiles = self.origins, self.compiles
        for s in stmts:
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                env.pop(s.name, None)
                continue
            if not env and not _holds_a_line(origins, s) and not _holds_a_line(compiles, s):
                # The scope gate of `run`, per statement: with no Keras tensor bound, none starting in the statement
                # (its nested blocks included) and no `compile(...)` there, `kt` is None for everything in it, so
                # its walk would bind, seed, record and report nothing (a training script's top level: nearly all).
                continue
            calls = self.calls_of.get(id(s))
            if calls is None:  # each pass of the fixed point below visits every statement again
                calls = self.calls_of[id(s)] = _own_calls(s, self.info.child_nodes)
            for e in calls:
                self._check(e, scope, env)
            if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None:
                origin = self.kt(s.value, scope, env)
                for t in s.targets if isinstance(s, ast.Assign) else [s.target]:
                    self._bind(t, origin, env)
                    if isinstance(t, ast.Attribute):
                        self.attr_store_origin[id(t)] = origin
            elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
                origin = self.kt(s.value, scope, env) or env.get(s.target.id)
                self._bind(s.target, origin, env)
            elif isinstance(s, (ast.For, ast.AsyncFor)):
                self._bind(s.target, self.kt(s.iter, scope, env), env)
            elif isinstance(s, (ast.With, ast.AsyncWith)):
                for item in s.items:
                    if item.optional_vars is not None:
                        self._bind(item.optional_vars, None, env)
            for field in ("body", "orelse", "finalbody"):
                block = getattr(s, field, None)
                if block and isinstance(block, list) and isinstance(block[0], ast.stmt):
                    self._block(block, scope, env)
            for h in getattr(s, "handlers", []) or []:
                self._block(h.body, scope, env)

    def _bind(self, t: ast.AST, origin: str | None, env: dict[str, str]) -> None:
        if isinstance(t, ast.Name):
            if origin:
                env[t.id] = origin
            else:
                env.pop(t.id, None)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                self._bind(e.value if isinstance(e, ast.Starred) else e, origin, env)

    # ------------------------------------------------------------------ module-level Keras tensors in functions
    def _module_kts_read_by(self, fn: FunctionNode) -> dict[str, str]:
        """The module-level symbolic Keras tensors a function reads (a VAE's `z_mu` used in a loss layer's
        method): names the module binds once, at module level, to a Keras tensor, which `fn` does not bind, when
        `fn` surely runs after that binding: the `call` of a module Keras layer/model class (or a method its
        `call` runs as `self.m(...)`) whose instance is applied at module level after the binding, or a module
        function called at module level after it. Keras 3 raises at the first TensorFlow op on such a name
        (measured: `tf.square(z_mu)` in the loss method of a layer applied to the VAE's tensors)."""
        if not self.module_env:
            return {}
        run_line = self._module_run_line(fn)
        if run_line is None:
            return {}
        from gradls.analysis.python_scopes import module_bindings, resolve

        out: dict[str, str] = {}
        binds = module_bindings(self.info)
        ff = self.info.facts(fn)
        label = f"{ff.cls.node.name}.{fn.name}" if ff is not None and ff.cls is not None else fn.name
        for name, origin in self.module_env.items():
            b = binds.get(name, [])
            if len(b) != 1 or b[0].kind != "assign" or b[0].function is not None or b[0].loop is not None:
                continue
            if b[0].stmt.lineno >= run_line or resolve(self.info, fn, name) != ("global", None):
                continue
            o = f"{origin}, bound at module level and read by `{label}`"
            self.global_origins[o] = (name, label)
            out[name] = o
        return out

    def _module_run_line(self, fn: FunctionNode) -> int | None:
        """The line of the first module-level statement that runs `fn` (see `_module_kts_read_by`), or None."""
        info = self.info
        ff = info.facts(fn)
        if ff is None or ff.parent is not None or isinstance(fn, ast.Lambda):
            return None
        tree = info.tree
        if ff.cls is None:
            if info.module_functions.get(fn.name) is not fn:
                return None
            lines = [
                c.lineno
                for st in tree.body
                if not isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                for c in ast.walk(st)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == fn.name
            ]
            return min(lines) if lines else None
        cls = ff.cls
        if cls.keras_kind not in {"layer", "model"} or cls.keras2:
            return None
        call = cls.methods.get("call")
        if call is None:
            return None
        if fn is not call:
            runs = any(
                isinstance(c, ast.Call)
                and isinstance(c.func, ast.Attribute)
                and isinstance(c.func.value, ast.Name)
                and c.func.value.id == "self"
                and c.func.attr == fn.name
                for c in ast.walk(call)
            )
            if not runs or cls.methods.get(fn.name) is not fn:
                return None
        cname = cls.node.name
        instances = {
            t.id
            for st in tree.body
            if isinstance(st, ast.Assign)
            and isinstance(st.value, ast.Call)
            and isinstance(st.value.func, ast.Name)
            and st.value.func.id == cname
            for t in st.targets
            if isinstance(t, ast.Name)
        }
        lines = []
        for st in tree.body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for c in ast.walk(st):
                if not isinstance(c, ast.Call):
                    continue
                f = c.func
                if isinstance(f, ast.Call) and isinstance(f.func, ast.Name) and f.func.id == cname:
                    lines.append(c.lineno)
                elif isinstance(f, ast.Name) and f.id in instances:
                    lines.append(c.lineno)
        return min(lines) if lines else None

    # ------------------------------------------------------------------ what is a Keras tensor
    def kt(self, e: ast.AST | None, scope: Scope, env: dict[str, str], depth: int = 0) -> str | None:
        """Where the symbolic Keras tensor(s) `e` is (or holds) come from, or None when it is none."""
        if e is None or depth > 30:
            return None
        info = self.info
        if isinstance(e, ast.Name):
            return env.get(e.id)
        if isinstance(e, ast.Call):
            q = info.imports.qualname(e.func) or ""
            if q in KERAS_INPUTS and info.imports.is_keras2(e.func) == self.keras2:
                return f"`{info.text(e.func)}(...)` at line {e.lineno}"
            args = [*e.args, *(k.value for k in e.keywords)]
            arg_origin = next(
                (
                    o
                    for o in (
                        self.kt(a.value if isinstance(a, ast.Starred) else a, scope, env, depth + 1) for a in args
                    )
                    if o
                ),
                None,
            )
            if arg_origin is None:
                return None
            if q.startswith(_KERAS_TENSOR_FUNCS) and not q.startswith("keras.layers.Input"):
                if q.startswith("keras.layers.") and q.rsplit(".", 1)[-1][:1].isupper():
                    return None  # a layer constructor: Dense(kt) is no call on it
                return arg_origin
            f = e.func
            if isinstance(f, ast.Call) and info.object_kind(f) == "layer":
                return f"the output of `{info.text(f)[:40]}` applied at line {e.lineno} while the model is built"
            if isinstance(f, (ast.Name, ast.Attribute)) and self.kf.is_keras_object(f, scope):
                return f"the output of `{info.text(f)}` applied at line {e.lineno} while the model is built"
            if isinstance(f, ast.Name) and f.id in info.module_functions:
                fn = info.module_functions[f.id]
                if self._tf_wrapper(fn, e):
                    return None  # the call raises (reported at the call): no Keras tensor comes out of it
                self._seed(fn, e, scope, env)
                if self._returns_kt(fn):
                    return f"the result of `{f.id}(...)` at line {e.lineno}, built from {arg_origin}"
            return None
        if isinstance(e, ast.Attribute):
            if (
                e.attr in _SYMBOLIC_ATTRS
                and self.models_are_keras2 == self.keras2
                and self.kf.is_keras_object(e.value, scope)
            ):
                return f"`{info.text(e)}`"
            return None
        if isinstance(e, ast.Subscript):
            return self.kt(e.value, scope, env, depth + 1)
        if isinstance(e, ast.BinOp):
            return self.kt(e.left, scope, env, depth + 1) or self.kt(e.right, scope, env, depth + 1)
        if isinstance(e, ast.UnaryOp):
            return self.kt(e.operand, scope, env, depth + 1)
        if isinstance(e, ast.Compare):
            return next((o for o in (self.kt(x, scope, env, depth + 1) for x in (e.left, *e.comparators)) if o), None)
        if isinstance(e, (ast.List, ast.Tuple)):
            return next(
                (
                    o
                    for o in (
                        self.kt(x.value if isinstance(x, ast.Starred) else x, scope, env, depth + 1) for x in e.elts
                    )
                    if o
                ),
                None,
            )
        if isinstance(e, ast.IfExp):
            return self.kt(e.body, scope, env, depth + 1) or self.kt(e.orelse, scope, env, depth + 1)
        return None

    def _seed(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, scope: Scope, env: dict[str, str]
    ) -> None:
        params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]
        # A function's entry is made with its first seed: an empty one would count as a change of the seeds, and
        # cost `run` one more pass over every scope that finds what the last one found.
        for i, a in enumerate(call.args):
            if isinstance(a, ast.Starred) or i >= len(params):
                break
            o = self.kt(a, scope, env, 1)
            if o:
                self.seeds.setdefault(id(fn), {}).setdefault(params[i], o)
        for k in call.keywords:
            if k.arg:
                o = self.kt(k.value, scope, env, 1)
                if o:
                    self.seeds.setdefault(id(fn), {}).setdefault(k.arg, o)

    def _returns_kt(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        env = dict(self.seeds.get(id(fn), {}))
        # A quick replay of the function's straight-line assignments.
        for s in fn.body:
            if isinstance(s, ast.Assign):
                o = self.kt(s.value, fn, env, 1)
                for t in s.targets:
                    self._bind(t, o, env)
            elif isinstance(s, ast.Return) and s.value is not None:
                if isinstance(s.value, ast.Call) and self.info.object_kind(s.value) == "layer":
                    return False
                if self.kt(s.value, fn, env, 1):
                    return True
        return False

    # ------------------------------------------------------------------ sinks
    def _check(self, e: ast.AST, scope: Scope, env: dict[str, str]) -> None:
        if not isinstance(e, ast.Call):
            return
        info = self.info
        f = e.func
        if self.keras2:
            if isinstance(f, ast.Name) and f.id in info.module_functions:
                self._seed(info.module_functions[f.id], e, scope, env)
            elif isinstance(f, ast.Attribute) and f.attr == "compile" and self.kf.is_keras_object(f.value, scope):
                self.env_at_compile.append((e, scope, dict(env)))
            return
        if isinstance(f, ast.Name) and f.id in info.module_functions:
            fn = info.module_functions[f.id]
            wrapper = self._tf_wrapper(fn, e)
            if not wrapper:
                self._seed(fn, e, scope, env)
            else:  # the call raises before the body runs: its parameters hold no Keras tensor
                for a in [*e.args, *(k.value for k in e.keywords)]:
                    a = a.value if isinstance(a, ast.Starred) else a
                    o = self.kt(a, scope, env)
                    if o:
                        msg = (
                            f"`{f.id}` is a `{wrapper}` function: it gets `{info.text(a)}`, a symbolic Keras tensor "
                            f"({o}), and Keras 3 raises `ValueError` (a KerasTensor cannot be used as input to a "
                            f"TensorFlow function); apply it through `keras.layers.Lambda({f.id})`, which calls it on "
                            "real tensors"
                        )
                        self._add(e, Finding("TFG015", msg, info.span(e), None))
                        return
        q = info.imports.qualname(f) or ""
        if q == "keras.layers.Lambda" and not info.imports.is_keras2(f):
            self._lambda_layer(e, scope, env)
            return
        if q.startswith("tensorflow.") and not q.startswith(_ACCEPTS_KERAS_TENSORS + _NOT_OPS):
            for a in [*e.args, *(k.value for k in e.keywords)]:
                a = a.value if isinstance(a, ast.Starred) else a
                o = self.kt(a, scope, env)
                if o:
                    finding = self._tf_op_finding(e, a, o)
                    if finding is not None:
                        self._add(e, finding)
                    return
            return
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in self.tapes:
            if f.attr in {"gradient", "jacobian"}:
                sources = (
                    e.args[1] if len(e.args) > 1 else next((k.value for k in e.keywords if k.arg == "sources"), None)
                )
                o = self.kt(sources, scope, env)
                if o:
                    assert sources is not None  # kt(None) is None
                    msg = (
                        f"`{info.text(sources)}` is a symbolic Keras tensor ({o}), not the tensor the model was run on: "
                        f"`{f.value.id}.{f.attr}` raises `AttributeError: 'KerasTensor' object has no attribute '_id'`; "
                        f"take the gradient with respect to the batch you feed the model (watch it), or with respect to "
                        f"an intermediate output returned by a model built to output it"
                    )
                    self._add(e, Finding("TFG015", msg, info.span(e), None))
            elif f.attr == "watch" and e.args:
                o = self.kt(e.args[0], scope, env)
                if o:
                    msg = (
                        f"`{f.value.id}.watch({info.text(e.args[0])})`: a symbolic Keras tensor ({o}) raises "
                        f"`ValueError: Passed in object <KerasTensor ...> of type 'KerasTensor', not tf.Tensor or "
                        f"tf.Variable or ExtensionType`; watch the batch you feed the model instead"
                    )
                    self._add(e, Finding("TFG015", msg, info.span(e), None))
            return
        if isinstance(f, ast.Attribute) and f.attr == "compile" and self.kf.is_keras_object(f.value, scope):
            self.env_at_compile.append((e, scope, dict(env)))

    def _lambda_layer(self, ctor: ast.Call, scope: Scope, env: dict[str, str]) -> None:
        """`keras.layers.Lambda(fn, arguments=...)` given a symbolic Keras tensor other than through its inputs: a
        free name of `fn` bound to one, or a value of `arguments`. Keras calls `fn` on the layer's inputs (placeholders
        while it infers the output shape, real tensors once the model runs), while such a tensor stays the
        placeholder of the model being built: Keras 3 raises `NotImplementedError` (the output shape cannot be
        inferred) when the Lambda has no `output_shape`, else `ValueError: A KerasTensor cannot be used as input to
        a TensorFlow function` under `fit` or a call (measured under TF 2.21 with `tf.*` and `keras.ops` uses, in
        the lambda and through a helper it calls; keras-team/keras#13050, tensorflow#14359)."""
        info = self.info
        where = f"the `Lambda` at line {ctor.lineno}"
        fix = "pass it to the Lambda as one of its inputs (`Lambda(fn)([t, other])`, `fn` taking the list)"
        args = next((k.value for k in ctor.keywords if k.arg == "arguments"), None)
        if isinstance(args, ast.Dict):
            for key, value in zip(args.keys, args.values):
                o = self.kt(value, scope, env) if value is not None else None
                if o and key is not None:
                    msg = (
                        f"{where} passes `{info.text(value)}`, a symbolic Keras tensor ({o}), through `arguments=`: "
                        f"Keras calls the layer's function with it while it is still the placeholder of the model being "
                        f"built, and Keras 3 raises `NotImplementedError` (the Lambda's output shape cannot be "
                        f"inferred) or, with `output_shape`, {_ERROR}; {fix}"
                    )
                    self._add(value, Finding("TFG015", msg, info.span(value), None))
        given = ctor.args[0] if ctor.args else next((k.value for k in ctor.keywords if k.arg == "function"), None)
        fn = self._def_named(given.id, scope) if isinstance(given, ast.Name) else given
        if not isinstance(fn, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        local, body = _locals_and_body(fn)
        seen: set[str] = set()
        for root in body:
            for n in ast.walk(root):
                if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)):
                    continue
                if n.id in local or n.id not in env or n.id in seen:
                    continue
                seen.add(n.id)
                msg = (
                    f"the function of {where} reads `{n.id}`, a symbolic Keras tensor ({env[n.id]}), from outside "
                    f"its inputs: Keras calls it on the layer's inputs while `{n.id}` stays the placeholder of the "
                    f"model being built, and Keras 3 raises `NotImplementedError` (the Lambda's output shape cannot "
                    f"be inferred) or, with `output_shape`, {_ERROR}; {fix}"
                )
                self._add(n, Finding("TFG015", msg, info.span(n), None))

    def _tf_wrapper(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call | None = None) -> str | None:
        """`@tf.custom_gradient` / `@tf.function` when `fn` is decorated with one: TensorFlow converts its
        arguments, so a KerasTensor raises (checked under TF 2.21 for both). Also a module-level function whose
        name module code rebinds to its wrapped self, `fn = tf.recompute_grad(fn)` (`tf.custom_gradient(fn)`,
        `tf.function(fn)`), when `call` is module code after that line and every module-level store to the name
        after the `def` is such a wrap: `tf.recompute_grad` is a `custom_gradient` too and raises the same
        `ValueError` on a KerasTensor (tensorflow#51131, checked under TF 2.21 / Keras 3)."""
        for d in fn.decorator_list:
            q = self.info.imports.qualname(d.func if isinstance(d, ast.Call) else d) or ""
            if q in {"tensorflow.custom_gradient", "tensorflow.function"}:
                return "@tf." + q.rsplit(".", 1)[-1]
        if call is None:
            return None
        tree = self.info.tree
        if not isinstance(tree, ast.Module) or not any(s is _top_level(tree, call) for s in tree.body):
            return None
        label = None
        for s in tree.body:
            stores = [
                t
                for t in (s.targets if isinstance(s, ast.Assign) else [])
                if isinstance(t, ast.Name) and t.id == fn.name
            ]
            if not stores and not (isinstance(s, (ast.AugAssign, ast.AnnAssign)) and _stores_name(s, fn.name)):
                continue
            if s.lineno < fn.lineno:
                continue
            v = s.value if isinstance(s, ast.Assign) else None
            q = self.info.imports.qualname(v.func) or "" if isinstance(v, ast.Call) else ""
            if not (
                isinstance(s, ast.Assign)
                and len(s.targets) == 1
                and isinstance(v, ast.Call)
                and q in _WRAPPERS
                and len(v.args) == 1
                and isinstance(v.args[0], ast.Name)
                and v.args[0].id == fn.name
            ):
                return None
            if s.lineno < call.lineno:
                label = f"tf.{q.rsplit('.', 1)[-1]}({fn.name})"
        return label

    def _add(self, node: ast.expr, finding: Finding) -> None:
        self.findings.setdefault((node.lineno, node.col_offset), finding)

    def _tf_op_finding(self, call: ast.Call, arg: ast.AST, origin: str) -> Finding | None:
        info = self.info
        name = info.text(call.func)
        if origin in self.global_origins:  # one finding per function; `keras.ops` would not help here
            gname, label = self.global_origins[origin]
            if label in self.global_reported:
                return None
            self.global_reported.add(label)
            msg = (
                f"`{name}` gets `{info.text(arg)}`, a symbolic Keras tensor ({origin}): `{gname}` stays the "
                f"placeholder of the model being built whenever `{label}` runs, and Keras 3 raises {_ERROR}; pass "
                f"`{gname}` to the layer as one of its inputs (or compute the term in the model from its inputs)"
            )
            return Finding("TFG015", msg, info.span(call), None)
        q = info.imports.qualname(call.func) or ""
        mod, _, last = q.rpartition(".")
        ops_name = _OPS.get(last) if mod in _OP_MODULES else None
        hint = f"`keras.ops.{ops_name}`" if ops_name else "the `keras.ops` equivalent"
        msg = (
            f"`{name}` gets `{info.text(arg)}`, a symbolic Keras tensor ({origin}): Keras 3 raises {_ERROR}; "
            f"use {hint}, or move the TensorFlow code into a layer (a `Layer` subclass's `call`, or "
            f"`keras.layers.Lambda`), where it runs on real tensors"
        )
        data = None
        prefix = self._ops_prefix()
        if ops_name and prefix and all(k.arg in {"axis", "keepdims"} for k in call.keywords):
            new = f"{prefix}.{ops_name}"
            data = KerasOpsFix(f"Use `{new}`", (PlannedEdit(info.span(call.func), new, name),))
        return Finding("TFG015", msg, info.span(call), data)

    def _ops_prefix(self) -> str | None:
        imp = self.info.imports
        ops = imp.alias_of("keras.ops")
        if ops:
            return ops
        k = imp.alias_of("keras")
        if k and k not in imp.keras2_names:
            return f"{k}.ops"
        tf = imp.alias_of("tensorflow")
        return f"{tf}.keras.ops" if tf else None

    # ------------------------------------------------------------------ loss closures
    def _loss_closures(self, call: ast.Call, scope: Scope, env: dict[str, str]) -> None:
        loss = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "loss"), None)
        if loss is None:
            return
        items = (
            list(loss.values)
            if isinstance(loss, ast.Dict)
            else loss.elts
            if isinstance(loss, (ast.List, ast.Tuple))
            else [loss]
        )
        for item in items:
            if isinstance(item, ast.Lambda):
                bound = self._defaults_kept(item, scope, env)
                self._closure(item, {**env, **bound}, call, bound=set(bound))
            elif isinstance(item, ast.Name):
                fn = self._def_named(item.id, scope)
                if fn is not None:
                    bound = self._defaults_kept(fn, scope, env)
                    self._closure(fn, {**env, **bound}, call, bound=set(bound))
                else:
                    # `modloss = loss_wrapper(model.input, ...)` then `compile(loss=modloss)`: the closure the
                    # factory call returned is what Keras calls, with the factory's arguments captured.
                    b = self.kf.bindings(item.id, scope)
                    if b and len(b) == 1 and b[0].kind == "assign" and isinstance(b[0].value, ast.Call):
                        self._factory_closures(b[0].value, scope, env, call)
            elif isinstance(item, ast.Call):
                self._factory_closures(item, scope, env, call)

    def _factory_closures(self, made: ast.Call, scope: Scope, env: dict[str, str], compile_call: ast.Call) -> None:
        """The closures a loss factory call `made` returns, checked with the factory's parameters bound to the
        symbolic Keras tensors passed to it."""
        if self.info.imports.qualname(made.func) == "functools.partial":
            self._partial_closure(made, scope, env, compile_call)
            return
        if not isinstance(made.func, ast.Name):
            return
        factory = self._def_named(made.func.id, scope)
        if factory is None:
            return
        params = [p.arg for p in (*factory.args.posonlyargs, *factory.args.args)]
        fenv: dict[str, str] = {}
        for i, a in enumerate(made.args):
            if i < len(params) and not isinstance(a, ast.Starred):
                o = self.kt(a, scope, env)
                if o:
                    fenv[params[i]] = o
        for k in made.keywords:
            if not k.arg:
                continue  # **kwargs
            o = self.kt(k.value, scope, env)
            if o:
                fenv[k.arg] = o
        if not fenv:
            return
        inner = {n.name: n for n in factory.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for s in ast.walk(factory):
            if isinstance(s, ast.Return) and s.value is not None:
                if isinstance(s.value, ast.Name) and s.value.id in inner:
                    self._closure(inner[s.value.id], {**env, **fenv}, compile_call)
                elif isinstance(s.value, ast.Lambda):
                    self._closure(s.value, {**env, **fenv}, compile_call)

    def _partial_closure(self, made: ast.Call, scope: Scope, env: dict[str, str], compile_call: ast.Call) -> None:
        """`partial(gradient_penalty_loss, averaged_samples=interpolated)` given to `compile()`: Keras calls the
        function with the parameters the partial binds still holding the symbolic Keras tensors it was given (the
        Keras 2 WGAN-GP recipe, tensorflow#36436), so a use of such a parameter in the function's body is a capture
        of that tensor."""
        if not made.args or not isinstance(made.args[0], ast.Name):
            return
        fn = self._def_named(made.args[0].id, scope)
        if fn is None:
            return
        params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]
        bound: dict[str, str] = {}
        for i, a in enumerate(made.args[1:]):
            if i < len(params) and not isinstance(a, ast.Starred):
                o = self.kt(a, scope, env)
                if o:
                    bound[params[i]] = o
        for k in made.keywords:
            if k.arg:
                o = self.kt(k.value, scope, env)
                if o:
                    bound[k.arg] = o
        if bound:
            self._closure(fn, {**env, **bound}, compile_call, bound=set(bound))

    def _defaults_kept(self, fn: ast.Lambda | FunctionNode, scope: Scope, env: dict[str, str]) -> dict[str, str]:
        """The parameters of a loss given to `compile()` that keep a symbolic Keras tensor as their default value:
        Keras calls the loss with `(y_true, y_pred)` only, so every parameter after those two keeps its default
        (`def vae_loss(x, x_decoded_mean, z_log_var=z_log_var, z_mean=z_mean)`, the GANs in Action VAE)."""
        a = fn.args
        positional = [*a.posonlyargs, *a.args]
        pairs = list(zip(positional[len(positional) - len(a.defaults) :], a.defaults))
        pairs += [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
        out: dict[str, str] = {}
        for p, d in pairs:
            if p in positional[:2]:
                continue  # y_true / y_pred: Keras passes them
            o = self.kt(d, scope, env)
            if o:
                out[p.arg] = o
        return out

    def _def_named(self, name: str, scope: Scope) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        b = self.kf.bindings(name, scope)
        if b and len(b) == 1 and isinstance(b[0].stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return b[0].stmt
        return None

    def _closure(
        self,
        fn: ast.Lambda | FunctionNode,
        env: dict[str, str],
        compile_call: ast.Call,
        bound: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """Report the loads in `fn` of names that hold symbolic Keras tensors when Keras calls it: free names of the
        enclosing scope, and the parameters in `bound` (filled by a `functools.partial`)."""
        seen: set[str] = set()
        todo: list[tuple[ast.Lambda | FunctionNode, frozenset[str] | set[str]]] = [(fn, bound)]
        done: set[int] = set()
        while todo:
            f, f_bound = todo.pop()
            if id(f) in done:
                continue
            done.add(id(f))
            local, body = _locals_and_body(f, exclude=f_bound)
            self_name, self_attrs = self._self_attribute_kts(f, local)
            helpers = self._sibling_defs(f)
            for root in body:
                for n in ast.walk(root):
                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id not in local:
                        # A helper defined beside the loss runs when the loss does: what it captures counts too.
                        helper = helpers.get(n.func.id)
                        if helper is not None:
                            todo.append((helper, frozenset()))
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in env and n.id not in local:
                        self._closure_capture(n, n.id, env[n.id], compile_call, seen)
                    elif (
                        isinstance(n, ast.Attribute)
                        and isinstance(n.ctx, ast.Load)
                        and isinstance(n.value, ast.Name)
                        and n.value.id == self_name
                        and n.attr in self_attrs
                    ):
                        self._closure_capture(n, f"{self_name}.{n.attr}", self_attrs[n.attr], compile_call, seen)

    def _closure_capture(self, n: ast.expr, shown: str, origin: str, compile_call: ast.Call, seen: set[str]) -> None:
        if shown in seen:
            return
        seen.add(shown)
        raised = (
            f"tf_keras raises {_KERAS2_ERROR} (older Keras 2 ran it and gave `None` gradients)"
            if self.keras2
            else f"Keras 3 raises {_ERROR} (Keras 2 ran it and gave `None` gradients)"
        )
        msg = (
            f"the loss given to `{self.info.text(compile_call.func)}` at line {compile_call.lineno} "
            f"captures `{shown}`, a symbolic Keras tensor ({origin}): once `fit` calls the loss, "
            f"{raised}; compute that term inside the model (a layer that calls `self.add_loss(...)`, or an "
            f"extra model output with its own loss)"
        )
        self._add(n, Finding("TFG015", msg, self.info.span(n), None))

    def _sibling_defs(self, fn: ast.Lambda | FunctionNode) -> dict[str, FunctionNode]:
        """The functions defined directly in the body that defines `fn` (a method's inner helpers), by name; a name
        defined twice there is left out (which one runs is not known)."""
        holder = self.info.all_parents.get(id(fn))
        body = getattr(holder, "body", None)
        if not isinstance(body, list) or isinstance(holder, ast.ClassDef):
            return {}
        out: dict[str, FunctionNode] = {}
        twice: set[str] = set()
        for st in body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if st.name in out:
                    twice.add(st.name)
                out[st.name] = st
        return {k: v for k, v in out.items() if k not in twice}

    def _self_attribute_kts(self, fn: ast.Lambda | FunctionNode, local: set[str]) -> tuple[str | None, dict[str, str]]:
        """For a function nested in a method, the method's instance parameter and the attributes of its class that
        hold symbolic Keras tensors: every store to `<instance>.<attr>` in the class's methods was walked by the flow
        and bound a Keras tensor (the Keras 2 VAE recipe keeps the encoder's `self.mu` / `self.log_var` outputs and
        reads them in the loss it compiles)."""
        parents = self.info.all_parents
        method: ast.AST | None = parents.get(id(fn))
        while method is not None and not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            method = parents.get(id(method))
        cls = parents.get(id(method)) if method is not None else None
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not isinstance(cls, ast.ClassDef):
            return None, {}
        params = [*method.args.posonlyargs, *method.args.args]
        if not params or method.decorator_list:
            return None, {}  # a static/class method, or a wrapped one: its first parameter is not known
        self_name = params[0].arg
        if self_name in local:
            return None, {}
        kts: dict[str, str] = {}
        other: set[str] = set()
        for m in cls.body:
            if not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            m_params = [*m.args.posonlyargs, *m.args.args]
            if not m_params:
                continue
            inst = m_params[0].arg
            for n in ast.walk(m):
                if not (
                    isinstance(n, ast.Attribute)
                    and isinstance(n.ctx, (ast.Store, ast.Del))
                    and isinstance(n.value, ast.Name)
                    and n.value.id == inst
                ):
                    continue
                origin = self.attr_store_origin.get(id(n))
                if origin is None or m.decorator_list:
                    other.add(n.attr)
                else:
                    kts.setdefault(n.attr, origin)
        return self_name, {a: o for a, o in kts.items() if a not in other}


def _holds_a_line(lines: list[int], scope: FunctionNode | ast.stmt) -> bool:
    """Does one of the sorted `lines` fall within the lines `scope` (a def or any statement) spans (every node below
    it lies there)?"""
    i = bisect.bisect_left(lines, scope.lineno)
    return i < len(lines) and lines[i] <= (scope.end_lineno or scope.lineno)


_NESTED_BLOCKS = frozenset({"body", "orelse", "finalbody", "handlers"})


def _own_calls(s: ast.stmt, children: Callable[[ast.AST], list[ast.AST]] = child_nodes) -> list[ast.Call]:
    """The calls in the statement itself (not in nested blocks, defs or lambdas), in the order of a depth-first
    walk popping the last child first: the order the fixed point in `_Analysis.run` checks them in."""
    out: list[ast.Call] = []
    stack: list = [c for f, c in ast.iter_fields(s) if f not in _NESTED_BLOCKS]
    AST, Lambda, Call, leaves = ast.AST, ast.Lambda, ast.Call, _LEAVES
    pop, extend = stack.pop, stack.extend
    while stack:
        c = pop()
        t = type(c)
        if t is list:
            extend(c)
        elif t in leaves or t is Lambda:
            continue  # names and constants hold no call (the parser makes no subclasses)
        elif t is Call:
            out.append(c)
            extend(children(c))  # without context/operator leaves, which are no calls
        elif isinstance(c, AST):
            extend(children(c))
    return out


_LEAVES = frozenset({ast.Name, ast.Constant})


def _locals_and_body(
    fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef, exclude: frozenset[str] | set[str] = frozenset()
) -> tuple[set[str], list[ast.AST]]:
    """The names local to `fn` (its parameters but `exclude`, and every name its body stores) and its body's
    roots: a load of any other name reads the enclosing scope."""
    a = fn.args
    local = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p} - set(exclude)
    body: list[ast.AST] = [fn.body] if isinstance(fn, ast.Lambda) else list(fn.body)
    for root in body:
        for n in ast.walk(root):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                local.add(n.id)
    return local, body


_WRAPPERS = {"tensorflow.recompute_grad", "tensorflow.custom_gradient", "tensorflow.function"}


def _top_level(tree: ast.Module, node: ast.Call) -> ast.stmt | None:
    """The statement of `tree.body` that holds `node`, when no function or class lies between them."""
    for s in tree.body:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if s.lineno <= node.lineno <= (s.end_lineno or s.lineno) and any(n is node for n in ast.walk(s)):
            return s
    return None


def _stores_name(s: ast.stmt, name: str) -> bool:
    target = s.target if isinstance(s, (ast.AugAssign, ast.AnnAssign)) else None
    return isinstance(target, ast.Name) and target.id == name
