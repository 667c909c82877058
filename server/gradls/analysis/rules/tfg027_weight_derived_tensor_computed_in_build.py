"""TFG027 weight-derived-tensor-computed-in-build: a Keras layer computes a tensor from its own weight once, in
`build`/`__init__`, and `call` reads that tensor instead of the weight."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ClassFacts, FunctionNode, ModuleInfo
from gradls.analysis.rules import rule

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
    if "add_weight" not in info.source and "add_variable" not in info.source:
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"}:
            continue
        forward_reads = _forward_self_reads(cls)
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


def _is_weight_ctor(info: ModuleInfo, e: ast.AST) -> bool:
    """A trainable weight made here (a `trainable=False` one gets no gradient anyway)."""
    if not isinstance(e, ast.Call):
        return False
    if any(k.arg == "trainable" and isinstance(k.value, ast.Constant) and k.value.value is False for k in e.keywords):
        return False
    f = e.func
    if isinstance(f, ast.Attribute) and f.attr in _WEIGHT_CTORS and isinstance(f.value, ast.Name):
        return f.value.id == "self"
    return info.imports.qualname(f) in {"keras.Variable", "keras.backend.Variable"}


def _snapshots(info: ModuleInfo, cls: ClassFacts, method: FunctionNode, forward_reads: set[str]) -> Iterator[Finding]:
    weight_attrs: set[str] = set()
    weight_locals: set[str] = set()
    for s in ast.walk(method):
        if not isinstance(s, ast.Assign) or len(s.targets) != 1:
            continue
        t = s.targets[0]
        if _is_weight_ctor(info, s.value):
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
        msg = (
            f"`self.{t.attr}` is computed from the weight {shown} once, in `{method.name}`: it is a constant tensor, "
            f"and `{cls.node.name}.call` reads it instead of the weight, so `tape.gradient` returns None for "
            f"{shown} (`fit` warns `Gradients do not exist for variables` and never changes it); keep the weight in "
            f"`{method.name}` and compute `self.{t.attr}` from it inside `call`"
        )
        yield Finding("TFG027", msg, info.span(s.value))


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
