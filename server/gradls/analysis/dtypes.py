"""Dtype resolution from source: the dtype a dtype expression names, the dtype TensorFlow infers for a
literal, and the integer/bool dtype of the tensor or variable a constructor call creates."""

from __future__ import annotations

import ast
import re

from gradls.analysis.module import VARIABLE_CTORS, ModuleInfo
from gradls.analysis.names import keyword_value

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
            dt = dtype_name(info, keyword_value(e, "dtype") or (e.args[1] if len(e.args) > 1 else None))
            if dt is not None:
                return dt if dt in _INT_NAMES else "float"
            inner = literal_dtype(info, e.args[0])
            return "int64" if inner == "int32" else inner
        if q == "numpy.arange" and e.args and keyword_value(e, "dtype") is None:
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
        given = keyword_value(e, "dtype")
        if given is not None:
            dt = dtype_name(info, given)
        else:
            init = e.args[0] if e.args else keyword_value(e, "initial_value")
            dt = literal_dtype(info, init)
            if dt is None and init is not None:
                dt = int_dtype_of(info, init)
    elif q.startswith("tensorflow.") or q.startswith("keras.ops."):
        if last in {"constant", "convert_to_tensor"}:
            given = keyword_value(e, "dtype") or (e.args[1] if len(e.args) > 1 else None)
            dt = (
                dtype_name(info, given)
                if given is not None
                else literal_dtype(info, e.args[0] if e.args else keyword_value(e, "value"))
            )
        elif last in {"zeros", "ones", "fill", "eye"}:
            dt = dtype_name(info, keyword_value(e, "dtype"))
        elif last == "range":
            given = keyword_value(e, "dtype")
            if given is not None:
                dt = dtype_name(info, given)
            elif e.args and all(literal_dtype(info, a) == "int32" for a in e.args):
                dt = "int32"
        elif last == "cast" and len(e.args) > 1:
            dt = dtype_name(info, e.args[1])
        elif last == "cast":
            dt = dtype_name(info, keyword_value(e, "dtype"))
    return dt if dt in _INT_NAMES else None


_INT_DTYPE = re.compile(r"(^|\.)(u?int(8|16|32|64)|bool)$|^['\"](u?int(8|16|32|64)|bool)['\"]$")


def is_int_cast(info: ModuleInfo, call: ast.Call) -> bool:
    dt = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "dtype"), None)
    return dt is not None and bool(_INT_DTYPE.search(info.text(dt) or ""))
