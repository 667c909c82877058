"""Function summaries: which parameters of a module function reach its return value only through an op that
passes no gradient back.

`def decode(logits): return tf.cast(tf.argmax(logits, 1), tf.float32)` summarises as "`logits` -> return is cut
by `tf.argmax` at line 2".  A caller that hands it a value computed from trainable weights and trains on the
result starves those weights, wherever the helper lives: the summary is kept in the project index too, so
`from utils import decode` in `train.py` is judged by `utils.py`'s summary.  Built without tensor levels (only
the syntax and the imports), so a project summary can carry it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from gradls.analysis.module import FunctionNode, ModuleInfo


@dataclass(frozen=True)
class ParamCut:
    """Parameter `param` (positional `index`) reaches the return value only through `op` at `line`."""

    index: int
    param: str
    op: str
    line: int


def param_cuts(info: ModuleInfo, fn: FunctionNode) -> tuple[ParamCut, ...]:
    """The cut parameters of a module-level function or a method called like one (`index` counts the call's
    positional arguments; empty for nested defs and unknown shapes)."""
    table: dict[int, tuple[ParamCut, ...]] = info.memo(f"{__name__}.param_cuts", dict)
    found = table.get(id(fn))
    if found is None:
        found = table[id(fn)] = _param_cuts(info, fn)
    return found


def module_param_cuts(info: ModuleInfo) -> dict[str, tuple[ParamCut, ...]]:
    """Module function name -> its cut parameters, for the functions that have any (a project summary)."""
    out: dict[str, tuple[ParamCut, ...]] = {}
    for name, fn in info.module_functions.items():
        cuts = param_cuts(info, fn)
        if cuts:
            out[name] = cuts
    return out


def _param_cuts(info: ModuleInfo, fn: FunctionNode) -> tuple[ParamCut, ...]:
    from gradls.analysis.flow import Flow

    if fn.decorator_list:
        return ()  # decorated: tf.custom_gradient and friends define their own gradient
    ff = info.facts(fn)
    # A module function, or a method called like one (`self.custom_loss(y, pred)`; not a method Keras calls,
    # which reaches its loss its own way): its first parameter is the instance, not an argument of the call.
    method = ff is not None and ff.cls is not None and ff.parent is None and not ff.keras_method
    if info.module_functions.get(fn.name) is not fn and not method:
        return ()
    body = info.own_nodes(fn)  # also records the parents the flow walks
    flow: Flow = info.memo(f"{__name__}.flow", lambda: Flow(info))
    cutting = [n for n in body if isinstance(n, ast.Call) and _cutting_op(info, flow, n)]
    if not cutting:
        return ()
    ret = ("return", id(fn))
    reaching = [c for c in cutting if ret in flow.sinks(c, cut=False)]
    if not reaching:
        return ()
    reaching.sort(key=lambda c: (c.lineno, c.col_offset))
    op = reaching[0]
    a = fn.args
    out: list[ParamCut] = []
    params = [x.arg for x in [*a.posonlyargs, *a.args]][1 if method else 0 :]
    for i, p in enumerate(params):
        uses = [n for n in body if isinstance(n, ast.Name) and n.id == p and isinstance(n.ctx, ast.Load)]
        if not uses or not any(ret in flow.sinks(u, cut=False) for u in uses):
            continue  # never reaches the return (or only through what the flow cannot follow)
        if any(ret in flow.sinks(u, cut=True) for u in uses):
            continue  # a differentiable path exists
        out.append(ParamCut(i, p, info.text(op.func) or "an op", op.lineno))
    return tuple(out)


def _cutting_op(info: ModuleInfo, flow, call: ast.Call) -> bool:
    """A TensorFlow / keras.ops call with no gradient for some argument (argmax, round, an integer cast...)."""
    q = info.imports.qualname(call.func) or ""
    if not q.startswith(("tensorflow.", "keras.ops.")):
        return False
    return any(flow.is_cut(call, a) == "nondiff" for a in call.args)
