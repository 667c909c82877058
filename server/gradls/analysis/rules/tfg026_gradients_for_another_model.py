"""TFG026 gradients-for-another-model: `tape.gradient(loss, M.trainable_variables)` where nothing on the way to
`loss` runs `M`, or gradients taken for one model's variables handed to an optimizer with another model's."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.flow import Flow
from gradls.analysis.keras_facts import KerasFacts
from gradls.analysis.model import Finding
from gradls.analysis.model_reads import applied_to_other_model, model_reads
from gradls.analysis.module import ModuleInfo, walk_own
from gradls.analysis.names import dotted
from gradls.analysis.rules import rule
from gradls.analysis.tapes import Tape, TapeScope, tape_scopes


@rule(
    "TFG026",
    "gradients-for-another-model",
    "Gradients taken for a model the loss never ran (`None` for all of them: `ValueError: No gradients provided "
    "for any variable`), or one model's gradients applied to another model's variables (a shape error, or the "
    "wrong weights trained).",
)
def find_gradients_for_another_model(info: ModuleInfo) -> Iterator[Finding]:
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                if not isinstance(tc.target, ast.Name):
                    continue
                for reads in model_reads(info, scope, tape, tc):
                    if reads.recorded or reads.unrecorded or _assigns_while_recording(scope, tape):
                        continue
                    model = reads.model
                    yield Finding(
                        "TFG026",
                        f"`{tc.target.id}` is never computed from `{model}`: nothing on its way runs `{model}`, so "
                        f"`{tape.name}.{tc.method}` returns `None` for every one of `{model}.trainable_variables` "
                        "(a Keras optimizer then raises `ValueError: No gradients provided for any variable`); "
                        f"take the gradient of a loss computed from `{model}`'s output, or for the variables of the "
                        "model the loss did use",
                        info.span(tc.call),
                        None,
                    )
        for n in scope.nodes:
            if not isinstance(n, ast.Call):
                continue
            found = applied_to_other_model(info, scope, n)
            if found is None:
                continue
            source, applied, node = found
            yield Finding(
                "TFG026",
                f"the gradients zipped here were taken for `{source}.trainable_variables`, but are applied to "
                f"`{applied}.trainable_variables`: each gradient lands on another model's variable (a shape "
                "mismatch raises `InvalidArgumentError: Incompatible shapes`; matching shapes silently train the "
                f"wrong weights, and `{source}` never trains); zip them with `{source}.trainable_variables`",
                info.span(node),
                None,
            )
    yield from _sub_layers_the_loss_never_runs(info)


_OWN_WEIGHTS = {"trainable_variables", "trainable_weights"}


def _assigns_while_recording(scope: TapeScope, tape: Tape) -> bool:
    """Does the tape's block write into a variable (`new_w.assign(w - lr * g)`, a MAML inner step into a second
    model)?  Then the loss may be made from the model's values through that write, which is not differentiable:
    TFG012's finding, not a model the loss never used."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr.startswith("assign")
        and tape.recording(n, scope)
        for n in scope.nodes
    )


def _self_layer_calls(
    info: ModuleInfo, root: ast.FunctionDef | ast.AsyncFunctionDef, kf: KerasFacts
) -> dict[str, list[ast.Call]]:
    """`self.<attr>(...)` calls of layers/models held on `self` (built there, or handed to the constructor by
    its callers), below `root`, by dotted name."""
    out: dict[str, list[ast.Call]] = {}
    for n in walk_own(root):
        if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)):
            continue
        d = dotted(n.func)
        if not (d and d.startswith("self.") and d.count(".") == 1):
            continue
        if (
            info.tensors.kind_of(n.func) == "layer"
            or kf.is_keras_object(n.func, root)
            or _constructor_gets_keras_object(info, kf, root, n.func.attr)
        ):
            out.setdefault(d, []).append(n)
    return out


def _constructor_gets_keras_object(info: ModuleInfo, kf: KerasFacts, method: ast.AST, attr: str) -> bool:
    """`self.decoder = decoder` in `__init__`, and every `VAE(encoder, decoder)` of the module passes a Keras layer
    or model for that parameter."""
    ff = info.facts(method)  # type: ignore[arg-type]
    cls = ff.cls if ff is not None else None
    init = cls.methods.get("__init__") if cls is not None else None
    if cls is None or init is None:
        return False
    params = [a.arg for a in init.args.args[1:]]
    param = next(
        (
            v.id
            for st in ast.walk(init)
            if isinstance(st, ast.Assign) and isinstance(v := st.value, ast.Name) and v.id in params
            for t in st.targets
            if isinstance(t, ast.Attribute)
            and isinstance(t.value, ast.Name)
            and t.value.id == "self"
            and t.attr == attr
        ),
        None,
    )
    if param is None:
        return False
    i = params.index(param)
    sites = [c for c in info.all_nodes(ast.Call) if isinstance(c.func, ast.Name) and c.func.id == cls.node.name]
    for c in sites:
        arg = c.args[i] if i < len(c.args) else next((k.value for k in c.keywords if k.arg == param), None)
        scope = info.enclosing_function(c) or info.tree
        if arg is None or not kf.is_keras_object(arg, scope):
            return False
    return bool(sites)


def _sub_layers_the_loss_never_runs(info: ModuleInfo) -> Iterator[Finding]:
    """`tape.gradient(loss, self.trainable_weights)` in a method that runs `self.decoder(z)` under the tape, where
    `loss` never depends on that output: the sources include the decoder's weights, and their gradients are None
    (keras-team/keras#10819: a VAE loss reduced to the KL term)."""
    flow: Flow | None = None
    kf: KerasFacts | None = None
    for scope in tape_scopes(info):
        fn = scope.node
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for tape in scope.tapes:
            for tc in tape.calls:
                src = tc.sources
                if not (
                    isinstance(tc.target, ast.Name)
                    and isinstance(src, ast.Attribute)
                    and src.attr in _OWN_WEIGHTS
                    and isinstance(src.value, ast.Name)
                    and src.value.id == "self"
                ):
                    continue
                flow = flow or Flow(info)
                kf = kf or KerasFacts(info)
                sink = ("grad", id(tc.call))
                calls = _self_layer_calls(info, fn, kf)
                for name, sites in calls.items():
                    if not any(any(flow.scope_of(c).contains(b, c) for b in tape.blocks) for c in sites):
                        continue  # not run under this tape
                    if any(sink in flow.sinks(c, cut=False) for c in sites):
                        continue
                    if not all(_dropped(fn, flow.scope_of(c).statement(c), c) for c in sites):
                        continue  # its value may go on where the flow does not follow
                    yield Finding(
                        "TFG026",
                        f"`{tc.target.id}` is never computed from `{name}`: its output (line {sites[0].lineno}) does "
                        f"not reach `{tc.target.id}`, so `{tape.name}.{tc.method}` returns `None` for `{name}`'s "
                        f"weights among `self.{src.attr}` (Keras optimizers warn `Gradients do not exist for "
                        "variables`); add the term that uses it to the loss, or take the gradient for the weights "
                        "the loss does use",
                        info.span(tc.call),
                        None,
                    )


def _dropped(fn: ast.FunctionDef | ast.AsyncFunctionDef, stmt: ast.stmt | None, call: ast.Call) -> bool:
    """Syntactically dead: `t = call` binds plain names, and every name that reads them (transitively, through
    plain-name assignments) is read nowhere else in `fn` (any read in any other statement counts as a use)."""
    if not (isinstance(stmt, ast.Assign) and stmt.value is call):
        return False
    dead: set[str] = set()
    todo: list[ast.Assign] = [stmt]
    while todo:
        s = todo.pop()
        if not all(isinstance(t, ast.Name) for t in s.targets):
            return False
        new = {t.id for t in s.targets if isinstance(t, ast.Name)} - dead
        dead |= new
        for n in ast.walk(fn):
            if not (isinstance(n, ast.Name) and n.id in new and isinstance(n.ctx, ast.Load)):
                continue
            reader = next((x for x in ast.walk(fn) if isinstance(x, ast.stmt) and _directly_holds(x, n)), None)
            if not isinstance(reader, ast.Assign):
                return False
            todo.append(reader)
    return True


def _directly_holds(stmt: ast.stmt, node: ast.AST) -> bool:
    """Is `node` in `stmt` itself (not in a statement nested in it)?"""
    todo = [c for f, c in ast.iter_fields(stmt) if f not in {"body", "orelse", "finalbody", "handlers"}]
    while todo:
        c = todo.pop()
        if c is node:
            return True
        if isinstance(c, list):
            todo.extend(c)
        elif isinstance(c, ast.AST) and not isinstance(c, ast.stmt):
            todo.extend(ast.iter_child_nodes(c))
    return False
