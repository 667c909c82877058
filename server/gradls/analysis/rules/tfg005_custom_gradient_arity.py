"""TFG005 custom-gradient-arity: a `@tf.custom_gradient` grad_fn returning the wrong number of input
gradients, or forgetting the `(input_grads, variable_grads)` pair when the function uses variables."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import call_index
from gradls.analysis.custom_gradient import accepts_variables, find_grad_fn, variables_read
from gradls.analysis.model import Finding
from gradls.analysis.module import EAGER, FunctionFacts, ModuleInfo
from gradls.analysis.rules import rule

# Calls known to return exactly one tensor (gradient of one input).
_LIST_RETURNING = {
    "gradient",
    "gradients",
    "unstack",
    "split",
    "meshgrid",
    "jacobian",
    "flatten",
    "map_structure",
    "batch_jacobian",
    "unpack",
}


def _count(e: ast.AST, grad: ast.AST, depth: int = 0) -> int | None:
    """How many gradients `nest.flatten(e)` yields, or None when it cannot be told."""
    if depth > 5:
        return None
    if isinstance(e, (ast.Tuple, ast.List)):
        total = 0
        for x in e.elts:
            if isinstance(x, ast.Starred):
                return None
            c = _count(x, grad, depth + 1)
            if c is None:
                return None
            total += c
        return total
    if isinstance(e, ast.Constant):
        return 1 if e.value is None or isinstance(e.value, (int, float)) else None
    if isinstance(e, (ast.BinOp, ast.UnaryOp)):
        return 1
    if isinstance(e, ast.Call):
        f = e.func
        name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
        if name in _LIST_RETURNING or name in {"list", "tuple", "zip", "map", "range", "dict"}:
            return None
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id in {"tf", "tensorflow", "K", "ops", "keras"}
        ):
            return 1
        if (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Attribute)
            and isinstance(f.value.value, ast.Name)
            and f.value.value.id in {"tf", "tensorflow", "keras"}
            and f.value.attr in {"math", "nn", "linalg", "ops", "signal"}
        ):
            return 1
        return None
    if isinstance(e, ast.Subscript):
        return 1 if not isinstance(e.slice, ast.Slice) else None
    if isinstance(e, ast.Name):
        # A local bound only to single-tensor expressions counts as one; lists/unknown stay unknown.
        values = []
        for n in ast.walk(grad):
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == e.id for t in n.targets):
                values.append(n.value)
            elif (
                isinstance(n, (ast.AugAssign, ast.AnnAssign)) and isinstance(n.target, ast.Name) and n.target.id == e.id
            ):
                if n.value is not None:
                    values.append(n.value)
            elif isinstance(n, (ast.For, ast.comprehension, ast.With)):
                tgt = getattr(n, "target", None)
                if tgt is not None and any(isinstance(x, ast.Name) and x.id == e.id for x in ast.walk(tgt)):
                    return None
            elif isinstance(n, ast.Assign) and any(
                isinstance(t, (ast.Tuple, ast.List))
                and any(isinstance(x, ast.Name) and x.id == e.id for x in ast.walk(t))
                for t in n.targets
            ):
                return None
        if not values:
            # TensorFlow calls grad_fn with one upstream gradient tensor per flattened output of the forward
            # function, so a positional parameter never rebound is one tensor.
            args = getattr(grad, "args", None)
            positional = {a.arg for a in [*args.posonlyargs, *args.args]} if args is not None else set()
            return 1 if e.id in positional - {"variables", "self"} else None
        counts = {_count(v, grad, depth + 1) for v in values}
        return counts.pop() if len(counts) == 1 else None
    return None


def _expected(info: ModuleInfo, ff: FunctionFacts) -> set[int] | None:
    """Number of positional inputs TensorFlow will count (nest.flatten(args))."""
    a = ff.node.args
    params = [p.arg for p in [*a.posonlyargs, *a.args]]
    is_method = ff.cls is not None and params[:1] in (["self"], ["cls"])
    if is_method:
        params = params[1:]
    if a.vararg is not None:
        return None
    required = len(params) - len(a.defaults)
    sites = _call_sites(info, ff, is_method)
    if sites:
        counts = set()
        for call in sites:
            if any(isinstance(x, ast.Starred) for x in call.args):
                return None
            if _keyword_misuse(info, call) is not None:
                continue  # reported at the call: TF ignores the grad_fn there, or raises before counting
            c = 0
            for x in call.args:
                if isinstance(x, (ast.List, ast.Tuple, ast.Dict, ast.ListComp)):
                    return None
                c += 1
            counts.add(c)
        return counts
    return set(range(required, len(params) + 1))


def _call_sites(info: ModuleInfo, ff: FunctionFacts, is_method: bool) -> list[ast.Call]:
    """`name(...)` (a method: `self.name(...)`) calls, in walk order; none when the function is also passed as
    a value (Lambda layer, map_fn...): its call shape is then unknown.  From the module's call index (one walk
    for every custom-gradient function)."""
    name = ff.node.name
    calls = call_index(info)

    def direct(n: ast.Call) -> bool:
        return isinstance(n.func, ast.Name) and n.func.id == name

    def on_self(n: ast.Call) -> bool:
        f = n.func
        return (
            isinstance(f, ast.Attribute) and f.attr == name and isinstance(f.value, ast.Name) and f.value.id == "self"
        )

    # A call to the function itself (`f(f)`, or `self.f(f)` for a method) is a call site, not a use as a value.
    if any(not direct(n) and not (is_method and on_self(n)) for n in calls.passed.get(name, ())):
        return []
    return list(calls.self_attr.get(name, ())) if is_method else list(calls.by_name.get(name, ()))


def _call_mode(info: ModuleInfo, call: ast.Call) -> str | None:
    """`"eager"` when the call surely runs eagerly (module level, or a def run only under an eager tape), `"traced"`
    when it surely runs while a graph is built (a `tf.function`, a Keras `call` / step), else None."""
    parents = info.all_parents
    p = parents.get(id(call))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        p = parents.get(id(p))
    if p is None:
        return "eager"
    if not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    caller = info.facts(p)
    if caller is None or caller.custom_gradient:
        return None
    if caller.tf_function or (caller.modes and EAGER not in caller.modes):
        return "traced"
    return "eager" if caller.modes == {EAGER} else None


def _keyword_misuse(info: ModuleInfo, call: ast.Call) -> str | None:
    """What TensorFlow does with a call of a custom-gradient function that passes arguments by keyword, when that
    is not the grad_fn it was given (measured under TF 2.21): traced, any keyword raises `ValueError: The
    custom_gradient decorator currently supports keywords arguments only when eager execution is enabled`;
    eagerly, a call with keywords only records no input, so the grad_fn is never called and the gradient is
    TensorFlow's own of the forward computation. (Eagerly, a keyword beside positional arguments is not counted as
    an input: the arity check counts the positional ones.)"""
    keywords = [k for k in call.keywords if k.arg is not None]
    if not keywords or len(keywords) != len(call.keywords):
        return None
    mode = _call_mode(info, call)
    if mode == "traced":
        return "traced"
    if mode == "eager" and not call.args:
        return "ignored"
    return None


def _returns(info: ModuleInfo, grad: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """(report node, returned expression) for the grad_fn's own returns."""
    if isinstance(grad, ast.Lambda):
        return [(grad.body, grad.body)]
    ff = info.functions.get(id(grad))
    return [(r, r.value) for r in (ff.returns if ff else []) if r.value is not None]


@rule(
    "TFG005",
    "custom-gradient-arity",
    "A `@tf.custom_gradient` grad_fn must return one gradient per positional input (and `(input_grads, "
    "variable_grads)` when the function uses variables): otherwise TensorFlow raises `ValueError: custom_gradient "
    "function expected to return N gradients` (eager) or `Recorded operation ... returned too few gradients` "
    "(tf.function).",
)
def find_custom_gradient_arity(info: ModuleInfo) -> Iterator[Finding]:
    for ff in info.functions.values():
        if not ff.custom_gradient:
            continue
        grad = find_grad_fn(info, ff)
        if grad is None:
            continue
        yield from _keyword_call_findings(info, ff)
        expected = _expected(info, ff)
        if not expected:
            continue
        uses_vars = bool(variables_read(info, ff, grad))
        takes_vars = accepts_variables(grad)
        if uses_vars and not takes_vars:
            continue  # TFG004: TensorFlow raises its TypeError before any gradient is counted
        if takes_vars and not uses_vars:
            continue  # cannot tell whether TF will pass variables: stay quiet
        n_in = min(expected)
        for report, value in _returns(info, grad):
            if uses_vars:
                if (
                    isinstance(value, ast.Tuple)
                    and len(value.elts) == 2
                    and not any(isinstance(x, ast.Starred) for x in value.elts)
                ):
                    got = _count(value.elts[0], grad)
                    if got is None or got in expected:
                        continue
                    msg = (
                        f"`{ff.node.name}` takes {_fmt(expected)} input(s) but its grad_fn returns {got} input "
                        f"gradient(s) before the variable gradients: TensorFlow raises `ValueError: custom_gradient "
                        f"function expected to return {n_in} gradients, but returned {got} instead.` (inside "
                        "tf.function: `Recorded operation ... returned too few gradients`)"
                    )
                else:
                    got = _count(value, grad)
                    if got is None or isinstance(value, ast.Tuple) and len(value.elts) == 2:
                        continue
                    msg = (
                        f"`{ff.node.name}` uses trainable variables, so its grad_fn must return the pair "
                        "`(input_gradients, variable_gradients)`; this return gives "
                        f"{'a single value' if got == 1 else str(got) + ' values'}: TensorFlow fails unpacking it "
                        "when the gradient is taken"
                    )
            else:
                got = _count(value, grad)
                if got is None or got in expected:
                    continue
                msg = (
                    f"`{ff.node.name}` has {_fmt(expected)} positional input(s) (Python numbers count too) but this "
                    f"grad_fn returns {got} gradient(s): TensorFlow raises `ValueError: custom_gradient function "
                    f"expected to return {n_in} gradients, but returned {got} instead.` eagerly, and `InternalError: "
                    "Recorded operation ... returned too few gradients` inside tf.function; return one gradient (or "
                    "None) per input"
                )
            span = info.span(report)
            yield Finding("TFG005", msg, span)


def _fmt(expected: set[int]) -> str:
    s = sorted(expected)
    return str(s[0]) if len(s) == 1 else f"{s[0]}-{s[-1]}"


def _keyword_call_findings(info: ModuleInfo, ff: FunctionFacts) -> Iterator[Finding]:
    a = ff.node.args
    params = [p.arg for p in [*a.posonlyargs, *a.args]]
    is_method = ff.cls is not None and params[:1] in (["self"], ["cls"])
    name = ff.node.name
    for call in _call_sites(info, ff, is_method):
        if any(isinstance(x, ast.Starred) for x in call.args):
            continue
        misuse = _keyword_misuse(info, call)
        shown = ", ".join(f"{k.arg}=" for k in call.keywords)
        if misuse == "traced":
            msg = (
                f"`{name}` is a `@tf.custom_gradient` function called with keyword arguments ({shown}) in code "
                "TensorFlow traces: it raises `ValueError: The custom_gradient decorator currently supports keywords "
                "arguments only when eager execution is enabled`; pass the tensors positionally"
            )
        elif misuse == "ignored":
            msg = (
                f"`{name}` is a `@tf.custom_gradient` function called with keyword arguments only ({shown}): "
                "TensorFlow records it with no inputs, so its grad_fn is never called and the gradient is "
                "TensorFlow's own of the forward computation, silently (traced, the call raises `ValueError`); pass "
                "the tensors positionally"
            )
        else:
            continue
        yield Finding("TFG005", msg, info.span(call))
