"""TFG013 integer-source: a gradient taken with respect to an integer (or bool) variable or tensor."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from gradls.analysis.dtypes import dtype_name, int_dtype_of, literal_dtype
from gradls.analysis.model import Finding, PlannedEdit, PlannedEdits
from gradls.analysis.module import TF_GRADIENTS, VARIABLE_CTORS, ModuleInfo
from gradls.analysis.names import keyword_value
from gradls.analysis.rules import rule
from gradls.analysis.tapes import (
    def_value,
    module_scope,
    plain_scope,
    pos,
    resolve_defs,
    sources_with_aliases,
    tape_scopes,
)


@dataclass(frozen=True)
class FloatSourceFix(PlannedEdits):
    """Integer literals made float (`0` -> `0.0`, safe), or an explicit integer dtype made float32 (not safe)."""


@rule(
    "TFG013",
    "integer-source",
    "A gradient with respect to an integer (or bool) variable or tensor is `None` without any error "
    "(`tf.Variable([0, 0, 0])` and `tf.Variable(3)` are int32); make the value floating point.",
)
def find_integer_source(info: ModuleInfo) -> Iterator[Finding]:
    seen: set[int] = set()
    for scope in tape_scopes(info):
        for tape in scope.tapes:
            for tc in tape.calls:
                yield from _integer_sources(info, scope, tc.sources, tc.call, tape.name, seen)
    if info.builds_tf1_graphs:
        # `tf.gradients(loss, [w])` in a TF 1 graph: None for an integer source, as with a tape
        for call in info.all_nodes(ast.Call):
            if info.imports.qualname(call.func) not in TF_GRADIENTS:
                continue
            xs = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "xs"), None)
            fn = info.enclosing_function(call)
            scope = plain_scope(info, fn) if fn is not None else module_scope(info)
            yield from _integer_sources(info, scope, xs, call, info.text(call.func).rsplit(".", 1)[0], seen)
    yield from _integer_trainable_weights(info)


def _integer_sources(
    info: ModuleInfo, scope, sources: ast.AST | None, call: ast.Call, differentiator: str, seen: set[int]
) -> Iterator[Finding]:
    """The sources of one gradient call that are names bound once to an integer constructor call."""
    for el, _ in sources_with_aliases(info, scope, sources):
        if not isinstance(el, ast.Name):
            continue
        r = resolve_defs(info, scope, el.id)
        if r is None:
            continue
        d = r[0][0] if len(r[0]) == 1 else _last_straight_line_def(r[1], r[0], call)
        value = def_value(d) if d is not None else None
        if not isinstance(value, ast.Call) or id(value) in seen:
            continue  # only a constructor call has an integer dtype (int_dtype_of)
        dt = int_dtype_of(info, value)
        if dt is None:
            continue
        seen.add(id(value))
        yield _finding(info, el.id, value, dt, call, differentiator)


_BRANCHING = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.Try, ast.With, ast.AsyncWith)


def _last_straight_line_def(scope, defs: list[ast.AST], call: ast.Call) -> ast.AST | None:
    """The binding that reaches `call` when a name is bound several times in straight-line code of the scope
    (`img = tf.convert_to_tensor(x)` then `img = tf.cast(img, tf.uint8)` before the tape): the last plain
    assignment before the call, when neither it nor the call sits in a loop or branch and every earlier binding
    is a plain assignment too.  None when unsure."""
    if not defs or scope.parent(call) is None:
        return None
    if any(isinstance(a, (ast.For, ast.AsyncFor, ast.While)) for a in scope.ancestors(call)):
        return None
    before = [d for d in defs if pos(d) < pos(call)]
    if not before or not all(isinstance(d, ast.Assign) for d in before):
        return None
    last = max(before, key=pos)
    if any(isinstance(a, _BRANCHING) for a in scope.ancestors(last)):
        return None
    return last


def _integer_trainable_weights(info: ModuleInfo) -> Iterator[Finding]:
    """`self.add_weight(..., dtype="int32")` left trainable: it sits in `trainable_variables`, so every
    tape and `fit` differentiate with respect to it, and its gradient is always None."""
    if "add_weight" not in info.source and "add_variable" not in info.source:
        return
    for cls in info.classes.values():
        if cls.keras_kind not in {"layer", "model"}:
            continue
        for n in info.walk(cls.node):
            if not (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in {"add_weight", "add_variable"}
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == "self"
            ):
                continue
            dtype_kw = keyword_value(n, "dtype")
            if dtype_kw is None:
                continue
            dt = dtype_name(info, dtype_kw)
            if dt is None or dt not in _INTEGER_DTYPES:
                continue
            trainable = keyword_value(n, "trainable")
            if trainable is not None and not (isinstance(trainable, ast.Constant) and trainable.value is True):
                continue  # trainable=False (a counter, an index table): meant not to train
            msg = (
                f"`{info.text(n.func)}(..., dtype={info.text(dtype_kw)})` makes a trainable {dt} weight on Keras "
                f"{cls.keras_kind} `{cls.node.name}`: it is in `trainable_variables`, but a gradient with respect to an "
                "integer weight is always `None`, so it never trains (`fit` and Keras optimizers only warn "
                "`Gradients do not exist for variables`); make it floating point, or pass `trainable=False` if it "
                "is state"
            )
            data: FloatSourceFix | None = None
            if isinstance(dtype_kw, ast.Constant) and isinstance(dtype_kw.value, str):
                text = info.text(dtype_kw)
                data = FloatSourceFix(
                    'Make the weight floating point (dtype="float32")',
                    (PlannedEdit(info.span(dtype_kw), text[0] + "float32" + text[0], text),),
                    safe=False,
                )
            yield Finding("TFG013", msg, info.span(n), data)


_INTEGER_DTYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"}


def _finding(info: ModuleInfo, name: str, value: ast.Call, dt: str, call: ast.Call, tape: str) -> Finding:
    assert isinstance(call.func, ast.Attribute)  # a tape call: `tape.gradient(...)`
    what = "variable" if (info.imports.qualname(value.func) or "") in VARIABLE_CTORS else "tensor"
    msg = (
        f"`{name}` is {'a' if dt[0] not in 'aeiou' else 'an'} {dt} {what}, and `{tape}.{call.func.attr}` at line {call.lineno} differentiates with respect "
        f"to it: TensorFlow returns `None` for integer sources without any error"
        + (" (watching it only logs a WARNING)" if what == "tensor" else "")
        + "; create it as floating point (e.g. `0.` instead of `0`, or `dtype=tf.float32`)"
    )
    title = f"Make `{name}` floating point"
    data: FloatSourceFix | None = None
    q = info.imports.qualname(value.func) or ""
    last = q.rsplit(".", 1)[-1]
    dtype_kw = keyword_value(value, "dtype")
    init = None
    if q in VARIABLE_CTORS:
        init = value.args[0] if value.args else keyword_value(value, "initial_value")
    elif last in {"constant", "convert_to_tensor"}:
        init = value.args[0] if value.args else keyword_value(value, "value")
        if dtype_kw is None and len(value.args) > 1:
            init = None  # positional dtype: leave it alone
    if dtype_kw is None and init is not None and literal_dtype(info, init) == "int32":
        ints = [(n, n.value) for n in ast.walk(init) if isinstance(n, ast.Constant) and type(n.value) is int]
        data = FloatSourceFix(title, tuple(PlannedEdit(info.span(n), repr(float(v)), info.text(n)) for n, v in ints))
    elif dtype_kw is not None and dt not in {"bool"}:
        text = info.text(dtype_kw)
        if isinstance(dtype_kw, ast.Constant):
            new = repr("float32")
        elif isinstance(dtype_kw, ast.Attribute) and text.endswith(dt):
            new = text[: -len(dt)] + "float32"
        else:
            new = None
        if new is not None:
            # an explicit integer dtype may have been meant: the user decides
            data = FloatSourceFix(title, (PlannedEdit(info.span(dtype_kw), new, text),), safe=False)
    return Finding("TFG013", msg, info.span(value), data)
