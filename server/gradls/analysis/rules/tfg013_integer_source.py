"""TFG013 integer-source: a gradient taken with respect to an integer (or bool) variable or tensor."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import VARIABLE_CTORS, ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.rules._common import span_list
from gradls.analysis.rules.tfg010_tape_reused import Scope, pos, tape_scopes

_INT_NAMES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "bool_"}
_FLOAT_NAMES = {"float16", "float32", "float64", "bfloat16", "half", "double", "complex64", "complex128"}


def dtype_name(info: ModuleInfo, e: ast.AST | None) -> str | None:
    """'int32', 'float32', ... for a dtype expression (`tf.int32`, `"int32"`, `np.int64`, `int`), else None."""
    if e is None:
        return None
    if isinstance(e, ast.Constant) and isinstance(e.value, str):
        return e.value
    if isinstance(e, ast.Name) and e.id in {"int", "bool", "float"}:
        return {"int": "int64", "bool": "bool", "float": "float64"}[e.id]
    q = info.imports.qualname(e) if isinstance(e, (ast.Attribute, ast.Name)) else None
    if q and (q.startswith(("tensorflow.", "numpy.", "keras."))):
        last = q.rsplit(".", 1)[-1]
        if last in _INT_NAMES or last in _FLOAT_NAMES:
            return "bool" if last == "bool_" else last
    return None


def _kw(call: ast.Call, name: str) -> ast.AST | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def literal_dtype(info: ModuleInfo, e: ast.AST | None) -> str | None:
    """Dtype TensorFlow infers for a Python/NumPy literal: 'int32', 'int64' (NumPy ints), 'bool', 'float', or None."""
    if e is None:
        return None
    if isinstance(e, ast.Constant):
        if isinstance(e.value, bool):
            return "bool"
        if isinstance(e.value, int):
            return "int32"
        if isinstance(e.value, float):
            return "float"
        return None
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        return literal_dtype(info, e.operand)
    if isinstance(e, (ast.List, ast.Tuple)) and e.elts:
        kinds = {literal_dtype(info, x) for x in e.elts}
        if None in kinds:
            return None
        if "float" in kinds:
            return "float"
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(e, ast.Call):
        q = info.imports.qualname(e.func) or ""
        if q in {"numpy.array", "numpy.asarray"} and e.args:
            dt = dtype_name(info, _kw(e, "dtype") or (e.args[1] if len(e.args) > 1 else None))
            if dt is not None:
                return dt if dt in _INT_NAMES else "float"
            inner = literal_dtype(info, e.args[0])
            return "int64" if inner == "int32" else inner
        if q == "numpy.arange" and e.args and _kw(e, "dtype") is None:
            kinds = {literal_dtype(info, a) for a in e.args}
            return "int64" if kinds == {"int32"} else None
    return None


def int_dtype_of(info: ModuleInfo, e: ast.AST) -> str | None:
    """The integer/bool dtype of the tensor or variable a constructor call creates, or None (float/unknown)."""
    if not isinstance(e, ast.Call):
        return None
    q = info.imports.qualname(e.func) or ""
    last = q.rsplit(".", 1)[-1]
    dt: str | None = None
    if q in VARIABLE_CTORS:
        given = _kw(e, "dtype")
        if given is not None:
            dt = dtype_name(info, given)
        else:
            init = e.args[0] if e.args else _kw(e, "initial_value")
            dt = literal_dtype(info, init)
            if dt is None and init is not None:
                dt = int_dtype_of(info, init)
    elif q.startswith("tensorflow.") or q.startswith("keras.ops."):
        if last in {"constant", "convert_to_tensor"}:
            given = _kw(e, "dtype") or (e.args[1] if len(e.args) > 1 else None)
            dt = (
                dtype_name(info, given)
                if given is not None
                else literal_dtype(info, e.args[0] if e.args else _kw(e, "value"))
            )
        elif last in {"zeros", "ones", "fill", "eye"}:
            dt = dtype_name(info, _kw(e, "dtype"))
        elif last == "range":
            given = _kw(e, "dtype")
            if given is not None:
                dt = dtype_name(info, given)
            elif e.args and all(literal_dtype(info, a) == "int32" for a in e.args):
                dt = "int32"
        elif last == "cast" and len(e.args) > 1:
            dt = dtype_name(info, e.args[1])
        elif last == "cast":
            dt = dtype_name(info, _kw(e, "dtype"))
    return dt if dt in _INT_NAMES else None


def source_elements(sources: ast.AST | None) -> list[ast.AST]:
    """The single sources of a `gradient(target, sources)` call: list/tuple/dict displays are flattened."""
    if sources is None:
        return []
    if isinstance(sources, (ast.List, ast.Tuple)):
        return [y for x in sources.elts if not isinstance(x, ast.Starred) for y in source_elements(x)]
    if isinstance(sources, ast.Dict):
        return [y for v in sources.values if v is not None for y in source_elements(v)]
    return [sources]


def sources_with_aliases(info: ModuleInfo, scope: Scope, sources: ast.AST | None) -> list[tuple[ast.AST, ast.AST]]:
    """(source, node to report) pairs; a name bound once to a list/tuple display (`params = [w, b]`) stands for
    its elements, reported on the name in the call."""
    out: list[tuple[ast.AST, ast.AST]] = []
    for el in source_elements(sources):
        out.append((el, el))
        if isinstance(el, ast.Name):
            r = resolve_defs(info, scope, el.id)
            if r is not None and len(r[0]) == 1:
                v = def_value(r[0][0])
                if isinstance(v, (ast.List, ast.Tuple)):
                    out.extend((sub, el) for sub in source_elements(v) if isinstance(sub, ast.Name))
    return out


def module_scope(info: ModuleInfo) -> Scope:
    for s in tape_scopes(info):
        if s.node is info.tree:
            return s
    # Cached on the ModuleInfo (a WeakKeyDictionary entry would keep it alive: Scope refers to it).
    s = getattr(info, "_tfg013_module_scope", None)
    if s is None:
        s = Scope(info, info.tree)
        try:
            info._tfg013_module_scope = s
        except AttributeError:
            pass
    return s


def resolve_defs(info: ModuleInfo, scope: Scope, name: str) -> tuple[list[ast.AST], Scope] | None:
    """The statements binding `name` as seen from `scope` (its own, else the enclosing function's, else the
    module's), and the scope they live in.  None when a binding is opaque (parameter, loop target, unpacking...)."""
    if name in scope.declared_outer():
        return None
    if name in scope.params:
        return None
    defs = scope.defs(name)
    if defs is None:
        return None
    if defs:
        return defs, scope
    node = scope.node
    ff = info.facts(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    while ff is not None and ff.parent is not None:
        outer = Scope(info, ff.parent)
        if name in outer.params:
            return None
        d = outer.defs(name)
        if d is None:
            return None
        if d:
            return d, outer
        ff = info.facts(ff.parent)
    if node is info.tree:
        return None
    mod = module_scope(info)
    d = mod.defs(name)
    if not d:
        return None
    return d, mod


def def_value(d: ast.AST) -> ast.AST | None:
    if isinstance(d, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
        return d.value
    return None


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
                for el, _ in sources_with_aliases(info, scope, tc.sources):
                    if not isinstance(el, ast.Name):
                        continue
                    r = resolve_defs(info, scope, el.id)
                    if r is None or len(r[0]) != 1:
                        continue
                    value = def_value(r[0][0])
                    if value is None or id(value) in seen:
                        continue
                    dt = int_dtype_of(info, value)
                    if dt is None:
                        continue
                    seen.add(id(value))
                    yield _finding(info, el.id, value, dt, tc.call, tape.name)


def _finding(info: ModuleInfo, name: str, value: ast.Call, dt: str, call: ast.Call, tape: str) -> Finding:
    what = "variable" if (info.imports.qualname(value.func) or "") in VARIABLE_CTORS else "tensor"
    msg = (
        f"`{name}` is {'a' if dt[0] not in 'aeiou' else 'an'} {dt} {what}, and `{tape}.{call.func.attr}` at line {call.lineno} differentiates with respect "
        f"to it: TensorFlow returns `None` for integer sources without any error"
        + (" (watching it only logs a WARNING)" if what == "tensor" else "")
        + "; create it as floating point (e.g. `0.` instead of `0`, or `dtype=tf.float32`)"
    )
    data: dict = {"name": name, "value": span_list(info.span(value))}
    q = info.imports.qualname(value.func) or ""
    last = q.rsplit(".", 1)[-1]
    dtype_kw = _kw(value, "dtype")
    init = None
    if q in VARIABLE_CTORS:
        init = value.args[0] if value.args else _kw(value, "initial_value")
    elif last in {"constant", "convert_to_tensor"}:
        init = value.args[0] if value.args else _kw(value, "value")
        if dtype_kw is None and len(value.args) > 1:
            init = None  # positional dtype: leave it alone
    if dtype_kw is None and init is not None and literal_dtype(info, init) == "int32":
        ints = [n for n in ast.walk(init) if isinstance(n, ast.Constant) and type(n.value) is int]
        data["edits"] = [[*span_list(info.span(n)), repr(float(n.value)), info.text(n)] for n in ints]
        data["safe"] = True
    elif dtype_kw is not None and dt not in {"bool"}:
        text = info.text(dtype_kw)
        if isinstance(dtype_kw, ast.Constant):
            new = repr("float32")
        elif isinstance(dtype_kw, ast.Attribute) and text.endswith(dt):
            new = text[: -len(dt)] + "float32"
        else:
            new = None
        if new is not None:
            data["edits"] = [[*span_list(info.span(dtype_kw)), new, text]]
            data["safe"] = False  # an explicit integer dtype may have been meant: the user decides
    return Finding("TFG013", msg, info.span(value), data if "edits" in data else None)


__all__ = [
    "def_value",
    "dtype_name",
    "int_dtype_of",
    "literal_dtype",
    "pos",
    "resolve_defs",
    "source_elements",
    "sources_with_aliases",
]
