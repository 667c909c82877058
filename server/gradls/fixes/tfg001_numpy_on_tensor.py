"""TFG001 numpy-on-tensor: replace a NumPy call on a tensor with its TensorFlow equivalent.

The call is rewritten in place with libcst (callee swapped, keyword names mapped, argument text
kept verbatim); anything the TensorFlow op cannot express exactly (`out=`, `dtype=`, `where=`,
`order=`, a flattening `axis=None`, extra positionals) makes the builder return None.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from gradls.analysis.model import Edit, Finding, Fix
from gradls.analysis.names import ImportTable
from gradls.analysis.rules.tfg001_numpy_on_tensor import NumpyCallFix
from gradls.fixes._imports import (
    parse_module,
    text_at,
    tf_binding,
)


@dataclass(frozen=True)
class OpSpec:
    tf: str  # attribute path under the tensorflow alias: "reduce_sum", "math.log"
    # NumPy parameters accepted positionally (in order) or by keyword, with the TF keyword name.
    params: tuple[tuple[str, str], ...]
    required: int  # how many of `params` must be given
    keywords: dict[str, str] = field(default_factory=dict)  # keyword-only NumPy name -> TF name
    defaults: tuple[tuple[str, str], ...] = ()  # TF keyword + text to add when the NumPy param is absent
    no_none: frozenset[str] = frozenset()  # NumPy params whose literal `None` TF cannot express
    star_ok: bool = False  # `*operands` may follow the positionals (einsum)
    safe: bool = True
    extra_text: str = ""  # fixed text appended to the call (np.dot -> tensordot axes=1)


def _reduce(tf: str) -> OpSpec:
    return OpSpec(tf, (("a", "input_tensor"), ("axis", "axis")), 1, {"keepdims": "keepdims"})


def _unary(tf: str) -> OpSpec:
    return OpSpec(tf, (("x", "x"),), 1)


def _binary(tf: str) -> OpSpec:
    return OpSpec(tf, (("x1", "x"), ("x2", "y")), 2)


OPS: dict[str, OpSpec] = {
    "numpy.sum": _reduce("reduce_sum"),
    "numpy.mean": _reduce("reduce_mean"),
    "numpy.max": _reduce("reduce_max"),
    "numpy.amax": _reduce("reduce_max"),
    "numpy.min": _reduce("reduce_min"),
    "numpy.amin": _reduce("reduce_min"),
    "numpy.prod": _reduce("reduce_prod"),
    "numpy.std": _reduce("math.reduce_std"),
    "numpy.var": _reduce("math.reduce_variance"),
    "numpy.exp": _unary("exp"),
    "numpy.log": _unary("math.log"),
    "numpy.log1p": _unary("math.log1p"),
    "numpy.expm1": _unary("math.expm1"),
    "numpy.sqrt": _unary("sqrt"),
    "numpy.square": _unary("square"),
    "numpy.abs": _unary("abs"),
    "numpy.absolute": _unary("abs"),
    "numpy.negative": _unary("negative"),
    "numpy.reciprocal": _unary("math.reciprocal"),
    "numpy.tanh": _unary("tanh"),
    "numpy.sin": _unary("sin"),
    "numpy.cos": _unary("cos"),
    "numpy.add": _binary("add"),
    "numpy.subtract": _binary("subtract"),
    "numpy.multiply": _binary("multiply"),
    "numpy.divide": _binary("divide"),
    "numpy.true_divide": _binary("divide"),
    "numpy.maximum": _binary("maximum"),
    "numpy.minimum": _binary("minimum"),
    "numpy.power": _binary("pow"),
    "numpy.matmul": _binary("matmul"),
    "numpy.where": OpSpec("where", (("condition", "condition"), ("x", "x"), ("y", "y")), 3),
    "numpy.clip": OpSpec(
        "clip_by_value",
        (("a", "t"), ("a_min", "clip_value_min"), ("a_max", "clip_value_max")),
        3,
        {"min": "clip_value_min", "max": "clip_value_max"},
        no_none=frozenset({"a_min", "a_max", "min", "max"}),
    ),
    "numpy.transpose": OpSpec("transpose", (("a", "a"), ("axes", "perm")), 1),
    "numpy.reshape": OpSpec("reshape", (("a", "tensor"), ("newshape", "shape")), 2, {"shape": "shape"}),
    "numpy.concatenate": OpSpec(
        "concat", (("arrays", "values"), ("axis", "axis")), 1, defaults=(("axis", "0"),), no_none=frozenset({"axis"})
    ),
    "numpy.stack": OpSpec("stack", (("arrays", "values"), ("axis", "axis")), 1),
    "numpy.expand_dims": OpSpec("expand_dims", (("a", "input"), ("axis", "axis")), 2),
    "numpy.squeeze": OpSpec("squeeze", (("a", "input"), ("axis", "axis")), 1),
    "numpy.cumsum": OpSpec("cumsum", (("a", "x"), ("axis", "axis")), 2, no_none=frozenset({"axis"})),
    # np.dot contracts the last axis of a with the second-to-last of b; tensordot(axes=1) with the
    # first of b: identical for a 1-D/2-D `b` (vectors, matrices), different for rank >= 3 `b`.
    "numpy.dot": OpSpec("tensordot", (("a", "a"), ("b", "b")), 2, safe=False, extra_text="axes=1"),
    "numpy.tensordot": OpSpec("tensordot", (("a", "a"), ("b", "b"), ("axes", "axes")), 2, defaults=(("axes", "2"),)),
    "numpy.einsum": OpSpec("einsum", (("subscripts", "equation"),), 1, star_ok=True),
    "numpy.linalg.norm": OpSpec("norm", (("x", "tensor"),), 1),
}

# Spellings the analysis canonicalises to NumPy (autograd.numpy is NumPy semantics).
_PREFIXES = (("autograd.numpy", "numpy"),)


def _canonical(q: str) -> str:
    for old, new in _PREFIXES:
        if q == old or q.startswith(old + "."):
            return new + q[len(old) :]
    return q


def _is_none(e: cst.BaseExpression) -> bool:
    return isinstance(e, cst.Name) and e.value == "None"


def _map_args(call: cst.Call, spec: OpSpec) -> list[cst.Arg] | None:
    """The TF call's arguments (original nodes, keywords renamed), or None when not expressible."""
    out: list[cst.Arg] = []
    given: set[str] = set()
    pos_names = [p for p, _ in spec.params]
    tf_of = dict(spec.params) | spec.keywords
    i = 0
    seen_keyword = False
    for arg in call.args:
        if arg.star == "**":
            return None
        if arg.star == "*":
            if not spec.star_ok or seen_keyword or i < spec.required:
                return None
            out.append(arg)
            i = len(pos_names) + 1_000  # nothing positional may be named after a star
            continue
        if arg.keyword is None:
            if seen_keyword or i >= len(pos_names):
                if spec.star_ok and not seen_keyword and i >= len(pos_names):
                    out.append(arg)  # einsum operands
                    i += 1
                    continue
                return None
            name = pos_names[i]
            if name in spec.no_none and _is_none(arg.value):
                return None
            given.add(name)
            out.append(arg)
            i += 1
            continue
        seen_keyword = True
        name = arg.keyword.value
        if name not in tf_of or name in given:
            return None
        if name in spec.no_none and _is_none(arg.value):
            return None
        given.add(name)
        # `min=`/`max=` (NumPy 2.1) and `a_min=`/`a_max=` are the same parameter.
        canon = {"min": "a_min", "max": "a_max", "shape": "newshape"}.get(name, name)
        if canon != name:
            if canon in given:
                return None
            given.add(canon)
        out.append(arg.with_changes(keyword=cst.Name(tf_of[name])))
    if spec.star_ok:
        return out if i >= spec.required else None
    # Required params: positionals or their keyword spellings.
    aliases = {"a_min": {"min"}, "a_max": {"max"}, "newshape": {"shape"}}
    for p in pos_names[: spec.required]:
        if p not in given and not (aliases.get(p, set()) & given):
            return None
    extra: list[tuple[str, str]] = []
    for tf_kw, text in spec.defaults:
        np_names = {n for n, t in tf_of.items() if t == tf_kw}
        if not (np_names & given):
            extra.append((tf_kw, text))
    if spec.extra_text:
        k, v = spec.extra_text.split("=", 1)
        extra.append((k, v))
    for k, v in extra:
        new = cst.Arg(
            value=cst.parse_expression(v),
            keyword=cst.Name(k),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        if out and isinstance(out[-1].comma, cst.Comma):
            # keep a trailing comma where the user wrote one, and a space before the new argument
            new = new.with_changes(comma=out[-1].comma)
            out[-1] = out[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        out.append(new)
    return out


def convert_call(call_text: str, func: str, tf_alias: str) -> tuple[str, str, bool] | None:
    """(new call text, TF function name, safe) for a NumPy call's text, or None."""
    spec = OPS.get(_canonical(func))
    if spec is None:
        return None
    try:
        call = cst.parse_expression(call_text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    if not isinstance(call, cst.Call):
        return None
    args = _map_args(call, spec)
    if args is None:
        return None
    tf_func = f"{tf_alias}.{spec.tf}"
    new = call.with_changes(func=cst.parse_expression(tf_func), args=args)
    return cst.Module([]).code_for_node(new), tf_func, spec.safe


def build(source: str, finding: Finding, data: NumpyCallFix) -> Fix | None:
    span, func = data.call, data.func
    text = text_at(source, span)
    tree = parse_module(source)
    if text is None or tree is None:
        return None
    # The call must still be the NumPy call the finding saw (the document may have changed).
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(node, ast.Call):
        return None
    resolved = ImportTable.of(tree).qualname(node.func)
    if resolved is None or _canonical(resolved) != _canonical(func):
        return None
    binding = tf_binding(source, tree, data.tf_alias)
    if binding is None:
        return None
    alias, import_edits = binding
    converted = convert_call(text, func, alias)
    if converted is None:
        return None
    new_text, tf_func, safe = converted
    callee = ast.get_source_segment(text, node.func) or func
    return Fix(f"Replace {callee} with {tf_func}", (Edit(span, new_text),) + import_edits, safe)
