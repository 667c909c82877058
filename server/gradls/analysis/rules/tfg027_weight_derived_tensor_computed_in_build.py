"""TFG027 weight-derived-tensor-computed-in-build: a Keras layer computes a tensor from its own weight once, in
`build`/`__init__`, and `call` reads that tensor instead of the weight."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ClassFacts, FunctionNode, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import TapeScope, source_elements, tape_scopes
from gradls.analysis.tensors import LAYER_WEIGHT_ATTRS

# Where a layer makes its weights; what is computed there runs once, eagerly, outside every training step.
_SETUP_METHODS = ("__init__", "build")
# Methods that only describe the layer: reading the weight there does not train it.
_NOT_FORWARD = {"__init__", "build", "get_config", "from_config", "compute_output_shape", "compute_output_spec"}
_WEIGHT_CTORS = {"add_weight", "add_variable"}


@rule(
    "TFG027",
    "weight-derived-tensor-computed-in-build",
    "A tensor computed from a layer's weight in `build`/`__init__` is a constant snapshot: `call` reading it instead "
    "of the weight leaves the weight with a None gradient (`fit` warns `Gradients do not exist for variables`).",
)
def find_weight_derived_tensor_computed_in_build(info: ModuleInfo) -> Iterator[Finding]:
    yield from _constructor_snapshots(info)
    differentiates = ".gradient(" in info.source
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"}:
            # A `tf.Module` / plain model class: `__init__` makes its `tf.Variable`s and a snapshot of them, and
            # `__call__` reads the snapshot; it matters where a tape differentiates with respect to the variables.
            init = cls.methods.get("__init__")
            if cls.keras_kind is None and differentiates and init is not None and "Variable" in info.source:
                yield from _snapshots(info, cls, init, _forward_self_reads(cls))
            continue
        forward_reads = _forward_self_reads(cls)
        build = cls.methods.get("build")
        if build is not None:
            yield from _held_layer_snapshots(info, cls, build, forward_reads)
        if "add_weight" not in info.source and "add_variable" not in info.source:
            continue
        for method_name in _SETUP_METHODS:
            method = cls.methods.get(method_name)
            if method is None:
                continue
            yield from _snapshots(info, cls, method, forward_reads)


def _forward_self_reads(cls: ClassFacts) -> set[str]:
    """`self.<attr>` loads in the methods that run in the forward pass (`call` and the helpers it uses)."""
    out: set[str] = set()
    for name, m in cls.methods.items():
        if name in _NOT_FORWARD:
            continue
        for n in ast.walk(m):
            if (
                isinstance(n, ast.Attribute)
                and isinstance(n.ctx, ast.Load)
                and isinstance(n.value, ast.Name)
                and n.value.id == "self"
            ):
                out.add(n.attr)
    return out


def _is_weight_ctor(info: ModuleInfo, e: ast.AST, keras: bool = True) -> bool:
    """A trainable weight made here (a `trainable=False` one gets no gradient anyway)."""
    if not isinstance(e, ast.Call):
        return False
    if any(k.arg == "trainable" and isinstance(k.value, ast.Constant) and k.value.value is False for k in e.keywords):
        return False
    f = e.func
    if isinstance(f, ast.Attribute) and f.attr in _WEIGHT_CTORS and isinstance(f.value, ast.Name):
        return f.value.id == "self"
    q = info.imports.qualname(f)
    if q in {"tensorflow.Variable", "tensorflow.compat.v1.Variable"}:
        return not keras  # on a Keras 3 layer a raw tf.Variable is not tracked at all (TFG014's case)
    return q in {"keras.Variable", "keras.backend.Variable"}


def _snapshots(info: ModuleInfo, cls: ClassFacts, method: FunctionNode, forward_reads: set[str]) -> Iterator[Finding]:
    weight_attrs: set[str] = set()
    weight_locals: set[str] = set()
    # The method's own statements: a step function defined in `__init__` runs later, under the tape.
    for s in info.own_nodes(method):
        if not isinstance(s, ast.Assign) or len(s.targets) != 1:
            continue
        t = s.targets[0]
        if _is_weight_ctor(info, s.value, cls.keras_kind is not None):
            if isinstance(t, ast.Name):
                weight_locals.add(t.id)
            elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                weight_attrs.add(t.attr)
            continue
        if not (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"):
            continue
        if t.attr not in forward_reads or not _computes_with_ops(info, s.value):
            continue
        used = _weights_read(s.value, weight_attrs, weight_locals)
        if not used:
            continue
        # The weight still trains when the forward pass also reads it itself (`self.w` in `call`); a local
        # weight is reachable later only through the attribute it is stored on.
        starved = [w for w in used if not (w.startswith("self.") and w[5:] in forward_reads)]
        stored = {
            n.targets[0].attr
            for n in ast.walk(method)
            if isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id in {w for w in used if not w.startswith("self.")}
        }
        starved = [w for w in starved if w.startswith("self.") or not (stored & forward_reads)]
        if not starved:
            continue
        shown = ", ".join(f"`{w}`" for w in starved)
        if cls.keras_kind is None:
            forward = "__call__" if "__call__" in cls.methods else "the method that uses it"
            msg = (
                f"`self.{t.attr}` is computed from the variable {shown} once, in `{method.name}`: it is a constant "
                f"tensor, and `{cls.node.name}`'s methods read it instead of the variable, so `tape.gradient` returns "
                f"None for {shown} (Keras optimizers warn `Gradients do not exist for variables` and never change "
                f"it); compute `self.{t.attr}` from the variable inside `{forward}`"
            )
            yield Finding("TFG027", msg, info.span(s.value))
            continue
        msg = (
            f"`self.{t.attr}` is computed from the weight {shown} once, in `{method.name}`: it is a constant tensor, "
            f"and `{cls.node.name}.call` reads it instead of the weight, so `tape.gradient` returns None for "
            f"{shown} (`fit` warns `Gradients do not exist for variables` and never changes it); keep the weight in "
            f"`{method.name}` and compute `self.{t.attr}` from it inside `call`"
        )
        yield Finding("TFG027", msg, info.span(s.value))


# A Keras layer's weights, read through the layer: `other.kernel`, `other.weights[0]`.
_WEIGHT_LISTS = {"weights", "trainable_weights", "trainable_variables", "variables"}


def _held_layer_snapshots(
    info: ModuleInfo, cls: ClassFacts, build: FunctionNode, forward_reads: set[str]
) -> Iterator[Finding]:
    """`build` stores a tensor computed from the weight of another layer the class holds (tensorflow#41368's tied
    output projection: `self.transposed_weights = K.transpose(self.tied_to.weights[0])`, `self.tied_to` an Embedding
    handed to the constructor at every construction in the module). Keras calls `build` once, outside every
    training step: the stored tensor is a constant and `call` reading it adds nothing to that weight's gradient."""
    held = _held_layer_attrs(info, cls)
    if not held:
        return
    for s in ast.walk(build):
        if not isinstance(s, ast.Assign) or len(s.targets) != 1:
            continue
        t = s.targets[0]
        if not (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"):
            continue
        if t.attr not in forward_reads or t.attr in held or not _computes_with_ops(info, s.value):
            continue
        reads = [w for w in _held_weights_read(s.value) if w.split(".")[1] in held]
        if not reads:
            continue
        shown = ", ".join(f"`{w}`" for w in reads)
        msg = (
            f"`self.{t.attr}` is computed from {shown}, a weight of another layer, once, in `build`: it is a constant "
            f"tensor, and `{cls.node.name}.call` reads it instead of the weight, so nothing `call` computes from it "
            f"reaches that weight's gradient (the layer that owns it still trains it only through its own use); "
            f"compute `self.{t.attr}` from the weight inside `call`"
        )
        yield Finding("TFG027", msg, info.span(s.value))


def _held_weights_read(e: ast.AST) -> list[str]:
    """`self.a.kernel` / `self.a.weights[i]` (any weight list) read in `e`, as text `self.a.<...>`; not where only its
    shape or dtype is taken (`self.a.kernel.shape`, `tf.shape(self.a.kernel)`: no values, nothing to train)."""
    out: list[str] = []
    meta: set[int] = set()
    for n in ast.walk(e):
        if isinstance(n, ast.Attribute) and n.attr in {"shape", "dtype", "name"}:
            meta.update(id(m) for m in ast.walk(n.value))
        elif isinstance(n, ast.Call) and isinstance(n.func, (ast.Attribute, ast.Name)):
            fname = n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id
            if fname in {"shape", "int_shape", "size", "rank", "len"}:
                meta.update(id(m) for a in n.args for m in ast.walk(a))
    for n in ast.walk(e):
        if id(n) in meta:
            continue
        if not (
            isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Attribute)
            and isinstance(n.value.value, ast.Name)
            and n.value.value.id == "self"
        ):
            continue
        if n.attr in LAYER_WEIGHT_ATTRS or n.attr in _WEIGHT_LISTS:
            w = f"self.{n.value.attr}.{n.attr}"
            if w not in out:
                out.append(w)
    return out


def _held_layer_attrs(info: ModuleInfo, cls: ClassFacts) -> set[str]:
    """`self.a = p` in `__init__`, `p` a parameter that every construction of the class in the module fills with a
    Keras layer (a module-level name bound to one, or a layer constructor call)."""
    init = cls.methods.get("__init__")
    if init is None:
        return set()
    params = [a.arg for a in init.args.args[1:]]
    stored: dict[str, str] = {}
    for s in ast.walk(init):
        if (
            isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Attribute)
            and isinstance(s.targets[0].value, ast.Name)
            and s.targets[0].value.id == "self"
            and isinstance(s.value, ast.Name)
            and s.value.id in params
        ):
            stored[s.targets[0].attr] = s.value.id
    if not stored:
        return set()
    filled: dict[str, list[ast.expr]] = {p: [] for p in params}
    sites = 0
    for c in _calls_by_name(info).get(cls.node.name, ()):
        sites += 1
        for i, a in enumerate(c.args):
            if isinstance(a, ast.Starred):
                return set()
            if i < len(params):
                filled[params[i]].append(a)
        for k in c.keywords:
            if k.arg is None:
                return set()
            if k.arg in filled:
                filled[k.arg].append(k.value)
    if not sites:
        return set()
    out: set[str] = set()
    for attr, p in stored.items():
        args = filled.get(p, [])
        if len(args) == sites and all(_is_layer(info, a) for a in args):
            out.add(attr)
    return out


def _calls_by_name(info: ModuleInfo) -> dict[str, list[ast.Call]]:
    """The module's calls of a bare name (`Block(...)`), by that name, in walk order: once per analysis, not once per
    class (every class with an `__init__` parameter stored on `self` looked through all the module's calls)."""

    def build() -> dict[str, list[ast.Call]]:
        out: dict[str, list[ast.Call]] = {}
        for c in info.all_nodes(ast.Call):
            if isinstance(c.func, ast.Name):
                out.setdefault(c.func.id, []).append(c)
        return out

    return info.memo(f"{__name__}.calls_by_name", build)


def _is_layer(info: ModuleInfo, e: ast.expr) -> bool:
    if isinstance(e, ast.Name):
        return info.module_objects.get(e.id) == "layer"
    return isinstance(e, ast.Call) and info.object_kind(e) == "layer"


def _computes_with_ops(info: ModuleInfo, e: ast.AST) -> bool:
    """An expression that makes a new tensor: a TensorFlow / keras.ops call or arithmetic (a bare name or
    attribute is an alias of the weight, which still trains)."""
    for n in ast.walk(e):
        if isinstance(n, (ast.BinOp, ast.UnaryOp)):
            return True
        if isinstance(n, ast.Subscript):
            return True
        if isinstance(n, ast.Call):
            q = info.imports.qualname(n.func) or ""
            if q.startswith(("tensorflow.", "keras.ops.")):
                return True
    return False


def _weights_read(e: ast.AST, weight_attrs: set[str], weight_locals: set[str]) -> list[str]:
    out: list[str] = []
    for n in ast.walk(e):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            if n.attr in weight_attrs and f"self.{n.attr}" not in out:
                out.append(f"self.{n.attr}")
        elif isinstance(n, ast.Name) and n.id in weight_locals and n.id not in out:
            out.append(n.id)
    return out


def _constructor_snapshots(info: ModuleInfo) -> Iterator[Finding]:
    """A plain class or `tf.Module` computes a tensor from a `tf.Variable` handed to its constructor, once, in
    `__init__`; a method reads that tensor; the object is built before the tape that differentiates with respect to
    the variable, so the gradient is None (tensorflow#39996). Module-level construction and tape only."""
    if "GradientTape" not in info.source or "Variable" not in info.source:
        return
    variables = _module_variables(info)
    if not variables:
        return
    scopes = [sc for sc in tape_scopes(info) if sc.node is info.tree]
    if not scopes:
        return
    for cls in info.classes.values():
        if cls.keras_kind is not None:
            continue
        init = cls.methods.get("__init__")
        if init is None or isinstance(init, ast.AsyncFunctionDef):
            continue
        params = [a.arg for a in init.args.posonlyargs + init.args.args][1:]
        rebound = {n.id for n in ast.walk(init) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        reads = _forward_self_reads(cls)
        builds = [s for s in info.tree.body if isinstance(s, ast.Assign) and _constructs(s.value, cls.node.name)]
        if len(builds) != 1:
            continue
        build = builds[0]
        ctor = build.value
        assert isinstance(ctor, ast.Call)
        passed: dict[str, str] = {}  # parameter -> module-level variable name
        for i, a in enumerate(ctor.args):
            if i < len(params) and isinstance(a, ast.Name) and a.id in variables:
                passed[params[i]] = a.id
        for k in ctor.keywords:
            if k.arg in params and isinstance(k.value, ast.Name) and k.value.id in variables:
                passed[k.arg] = k.value.id
        if not passed:
            continue
        for st in init.body:
            if not (
                isinstance(st, ast.Assign)
                and len(st.targets) == 1
                and isinstance(st.targets[0], ast.Attribute)
                and isinstance(st.targets[0].value, ast.Name)
                and st.targets[0].value.id == "self"
                and st.targets[0].attr in reads
                and _computes_with_ops(info, st.value)
            ):
                continue
            used = [
                p
                for p in passed
                if p not in rebound and any(isinstance(n, ast.Name) and n.id == p for n in ast.walk(st.value))
            ]
            for p in used:
                var = passed[p]
                call = _later_gradient_wrt(scopes, var, build)
                if call is None:
                    continue
                attr = st.targets[0].attr
                msg = (
                    f"`self.{attr}` is computed from `{p}` once, in `{cls.node.name}.__init__`, and `{p}` is the "
                    f"`tf.Variable` `{var}` (passed at line {build.lineno}): the object is built before the tape, so "
                    f"`self.{attr}` is a constant and the gradient at line {call.lineno} returns None for `{var}`; keep "
                    f"the variable (`self.{p} = {p}`) and compute `self.{attr}` from it in the method that uses it, or "
                    f"build the object inside the tape"
                )
                yield Finding("TFG027", msg, info.span(st.value))


def _module_variables(info: ModuleInfo) -> set[str]:
    """Module-level names bound exactly once, to a trainable `tf.Variable(...)`."""
    seen: dict[str, list[ast.AST]] = {}
    for s in info.tree.body:
        if not isinstance(s, ast.Assign):
            continue
        for t in s.targets:
            if isinstance(t, ast.Name):
                seen.setdefault(t.id, []).append(s.value)
    out: set[str] = set()
    for name, values in seen.items():
        if len(values) != 1 or not isinstance(values[0], ast.Call):
            continue
        v = values[0]
        if info.imports.qualname(v.func) != "tensorflow.Variable":
            continue
        if any(
            k.arg == "trainable" and isinstance(k.value, ast.Constant) and k.value.value is False for k in v.keywords
        ):
            continue
        out.add(name)
    return out


def _constructs(e: ast.AST, cls: str) -> bool:
    return isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == cls


def _later_gradient_wrt(scopes: list[TapeScope], var: str, build: ast.stmt) -> ast.Call | None:
    """A module-level `tape.gradient(..., sources)` naming `var`, whose tape starts recording after `build`."""
    for sc in scopes:
        for tape in sc.tapes:
            if not tape.blocks or any(_pos(b) < _pos(build) for b in tape.blocks):
                continue
            for tc in tape.calls:
                if any(isinstance(e, ast.Name) and e.id == var for e in source_elements(tc.sources)):
                    return tc.call
    return None


def _pos(n: ast.AST) -> tuple[int, int]:
    return (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))
