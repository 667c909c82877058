"""TFG020 custom-gradient-returns-non-callable: a `@tf.custom_gradient` function whose second return value is
not the gradient function (a tensor, a tuple, `None`, or the result of calling the grad_fn)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.model import Finding, FixData, Span
from gradls.analysis.module import FunctionFacts, FunctionNode, ModuleInfo, walk_own
from gradls.analysis.rules import rule
from gradls.analysis.tensors import TENSOR

_CALLABLE_FACTORIES = {"functools.partial", "tensorflow.function", "operator.attrgetter", "operator.methodcaller"}


def _assignments(fn: FunctionNode, name: str) -> list[ast.AST] | None:
    """Values bound to `name` in `fn` itself; None when it is also bound in ways that cannot be read."""
    a = fn.args
    if name in {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p is not None}:
        return None

    def binds(t: ast.AST | None) -> bool:
        return t is not None and any(isinstance(x, ast.Name) and x.id == name for x in ast.walk(t))

    out: list[ast.AST] = []
    for n in walk_own(fn):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    out.append(n.value)
                elif binds(t):
                    return None
        elif isinstance(n, ast.AnnAssign) and binds(n.target):
            if n.value is None:
                continue
            out.append(n.value)
        elif isinstance(n, (ast.AugAssign, ast.NamedExpr)) and binds(n.target):
            return None
        elif isinstance(n, (ast.For, ast.AsyncFor)) and binds(n.target):
            return None
        elif isinstance(n, (ast.With, ast.AsyncWith)) and any(binds(i.optional_vars) for i in n.items):
            return None
        elif isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names:
            return None
    return out


def _local_def(info: ModuleInfo, ff: FunctionFacts, name: str) -> FunctionNode | None:
    f: FunctionFacts | None = ff
    while f is not None:
        if name in f.nested:
            return f.nested[name]
        f = info.facts(f.parent)
    return info.module_functions.get(name)


def _returns_callable(info: ModuleInfo, fn: FunctionNode, depth: int) -> bool | None:
    """True: some return value is callable; False: every one is clearly not; None: cannot tell."""
    ff = info.facts(fn)
    if ff is None or not ff.returns:
        return False if ff is not None and not any(isinstance(n, ast.Yield) for n in walk_own(fn)) else None
    verdicts: list[bool | None] = []
    for r in ff.returns:
        if r.value is None:
            verdicts.append(False)
            continue
        why = _not_callable(info, ff, r.value, depth + 1)
        verdicts.append(False if why else _clearly_callable(info, ff, r.value))
    if any(v is True for v in verdicts):
        return True
    if all(v is False for v in verdicts):
        return False
    return None


def _clearly_callable(info: ModuleInfo, ff: FunctionFacts, e: ast.AST) -> bool | None:
    if isinstance(e, ast.Lambda):
        return True
    if isinstance(e, ast.Name) and e.id in ff.nested:
        return True
    if isinstance(e, ast.Call) and info.imports.qualname(e.func) in _CALLABLE_FACTORIES:
        return True
    return None


def _not_callable(info: ModuleInfo, ff: FunctionFacts, e: ast.AST, depth: int = 0) -> str | None:
    """Why `e` (a value in `ff`) is certainly not callable, or None when it is or may be."""
    if depth > 4:
        return None
    if isinstance(e, ast.Constant):
        return "`None`" if e.value is None else f"the constant `{e.value!r}`"
    if isinstance(e, (ast.Tuple, ast.List)):
        return "a tuple of values" if isinstance(e, ast.Tuple) else "a list of values"
    if isinstance(e, (ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.JoinedStr)):
        return "a container of values"
    if isinstance(e, (ast.BinOp, ast.UnaryOp, ast.Compare)):
        return f"the tensor `{_short(info, e)}`"
    if isinstance(e, ast.IfExp):
        return _not_callable(info, ff, e.body, depth + 1) and _not_callable(info, ff, e.orelse, depth + 1)
    if isinstance(e, ast.Subscript):
        return f"the tensor `{_short(info, e)}`" if info.tensors.level_of(e) >= TENSOR else None
    if isinstance(e, ast.Name):
        if e.id in ff.nested:
            return None
        values = _assignments(ff.node, e.id)
        if not values:
            return None  # a parameter, a module-level function or value: cannot tell
        reasons = [_not_callable(info, ff, v, depth + 1) for v in values]
        if all(reasons):
            return f"`{e.id}`, {reasons[-1]}"
        return None
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func)
        if q in _CALLABLE_FACTORIES:
            return None
        if q is not None:
            if q.startswith(("tensorflow.", "keras.ops.")) and not q.startswith("tensorflow.function"):
                return f"the tensor `{_short(info, e)}`"
            return None
        if isinstance(e.func, ast.Name):
            target = _local_def(info, ff, e.func.id)
            if target is not None and _returns_callable(info, target, depth) is False:
                return f"the result of calling `{e.func.id}(...)`, not the function `{e.func.id}` itself"
        return None
    return None


def _short(info: ModuleInfo, e: ast.AST) -> str:
    t = " ".join(info.text(e).split())
    return t if len(t) <= 40 else t[:37] + "..."


@dataclass(frozen=True)
class ReturnGradFnFix(FixData):
    """`grad(x)` returned where the nested def `grad` itself belongs: the call and the def's name."""

    call: Span
    name: str


@rule(
    "TFG020",
    "custom-gradient-returns-non-callable",
    "A `@tf.custom_gradient` function must return `(output, grad_fn)`; a tensor, tuple, `None` or the result of "
    "calling grad_fn there makes every forward call raise `TypeError: unsupported callable`.",
)
def find_custom_gradient_non_callable(info: ModuleInfo) -> Iterator[Finding]:
    if "custom_gradient" not in info.source:
        return
    for ff in info.functions.values():
        if not ff.custom_gradient:
            continue
        for ret in ff.returns:
            v = ret.value
            if not isinstance(v, ast.Tuple) or len(v.elts) != 2 or any(isinstance(x, ast.Starred) for x in v.elts):
                continue
            g = v.elts[1]
            why = _not_callable(info, ff, g)
            if why is None:
                continue
            msg = (
                f"`{ff.node.name}` is a `@tf.custom_gradient` function, so its second return value must be the "
                f"gradient function; here it is {why}: every forward call raises `TypeError: unsupported callable` "
                "(eagerly and in `tf.function`, even with no tape recording; inside a Keras layer `Could not "
                "automatically infer the output shape ... unsupported callable`)"
            )
            fix_data = None
            if isinstance(g, ast.Call) and isinstance(g.func, ast.Name) and g.func.id in ff.nested:
                fix_data = ReturnGradFnFix(info.span(g), g.func.id)
            yield Finding("TFG020", msg, info.span(g), fix_data)
