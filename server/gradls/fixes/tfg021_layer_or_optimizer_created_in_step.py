"""TFG021 layer-or-optimizer-created-in-step: construct the layer / optimizer once.

Keras `call` of a Layer/Model subclass -> the object is created in `__init__` and `call` uses `self.<attr>`:

    class Block(keras.layers.Layer):                  class Block(keras.layers.Layer):
        def call(self, x):                                def __init__(self, *args, **kwargs):
            dense = keras.layers.Dense(4)     ->              super().__init__(*args, **kwargs)
            return tf.nn.relu(dense(x))                       self.dense = keras.layers.Dense(4)

                                                          def call(self, x):
                                                              return tf.nn.relu(self.dense(x))

An inline construction (`keras.layers.Dense(1)(h)`) becomes `self.dense(h)` the same way; an existing
`__init__` is appended to.  A module-level `@tf.function` -> the assignment moves above the function; an eager
training loop -> the assignment moves above the loop.

Refused (None): constructor arguments reading anything but module-level names, builtins and (in a Keras class)
attributes set in `__init__`; constructions under an `if`/loop/comprehension/lambda inside the step (moving them
would change how many objects exist); names bound more than once; statements sharing a line with another;
`train_step`, helpers, methods of non-Keras classes, per-step functions called from a loop.
"""

from __future__ import annotations

import ast
import builtins
import re

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.analysis.rules.tfg021_layer_or_optimizer_created_in_step import CreatedInStepFix
from gradls.fixes._imports import Refuse, SourceContext, fresh_name, parse_module

_BUILTINS = frozenset(dir(builtins))
_KERAS_ATTRS = frozenset(
    """build call compile fit evaluate predict layers weights variables trainable_variables non_trainable_variables
    trainable_weights non_trainable_weights losses metrics name dtype input output inputs outputs optimizer loss
    trainable built input_spec summary get_config from_config save stateless_call add_weight add_loss""".split()
)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Ctx(SourceContext):
    def text(self, node: ast.AST) -> str:
        t = ast.get_source_segment(self.source, node)
        if t is None:
            raise Refuse
        return t

    def indent(self, line: int) -> str:
        t = self.lines[line - 1]
        return t[: len(t) - len(t.lstrip(" \t"))]

    def nl(self) -> str:
        return "\r\n" if self.lines[0].endswith("\r\n") else "\n"

    def stmt_lines(self, stmt: ast.stmt) -> Span:
        """The statement's whole lines (it must be alone on them), ending at the next line's start."""
        first, last = self.lines[stmt.lineno - 1], self.lines[_end(stmt) - 1]
        if first[: self.col(stmt.lineno, stmt.col_offset)].strip():
            raise Refuse
        after = last[self.col(_end(stmt), stmt.end_col_offset or 0) :].strip()
        if after and not after.startswith("#"):
            raise Refuse
        if _end(stmt) >= len(self.lines):
            raise Refuse  # the last line of the file: nothing to end the span at
        return Span(stmt.lineno, 0, _end(stmt) + 1, 0)

    def reindented(self, stmt: ast.stmt, new_indent: str) -> str:
        old = self.indent(stmt.lineno)
        out = []
        for i in range(stmt.lineno, _end(stmt) + 1):
            ln = self.lines[i - 1].rstrip("\r\n")
            if i > stmt.lineno and ln.strip() and not ln.startswith(old):
                raise Refuse
            out.append(new_indent + ln[len(old) :] if ln.strip() else "")
        return self.nl().join(out) + self.nl()


def _end(node: ast.stmt) -> int:
    end = getattr(node, "end_lineno", None)
    return end if isinstance(end, int) else node.lineno


def _find_call(ctx: _Ctx, span: Span) -> ast.Call | None:
    for n in ast.walk(ctx.tree):
        if isinstance(n, ast.Call) and n.lineno == span.line and ctx.span(n) == span:
            return n
    return None


def _no_multiline_strings(ctx: _Ctx, node: ast.AST) -> None:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and "\n" in ctx.text(n):
            raise Refuse


def _reads(node: ast.AST) -> set[str]:
    for n in ast.walk(node):
        if isinstance(n, (*_SCOPES, *_COMPREHENSIONS, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            raise Refuse
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _module_names(tree: ast.Module, before: int | None = None) -> set[str]:
    out: set[str] = set()
    for s in tree.body:
        if before is not None and _end(s) >= before:
            break
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(s.name)
            continue
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.add(n.id)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                out.update((a.asname or a.name).split(".")[0] for a in n.names)
    return out


def _stores(root: ast.AST, name: str) -> list[ast.AST]:
    out: list[ast.AST] = []
    for n in ast.walk(root):
        if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load):
            out.append(n)
        elif isinstance(n, ast.arg) and n.arg == name:
            out.append(n)
        elif isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names:
            out.append(n)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name and n is not root:
            out.append(n)
    return out


def _snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    return s if s.isidentifier() else "layer"


def build(source: str, finding: Finding, data: CreatedInStepFix) -> Fix | None:
    span = data.call
    tree = parse_module(source)
    if tree is None:
        return None
    try:
        ctx = _Ctx(source, tree)
        call = _find_call(ctx, span)
        if call is None:
            return None
        _no_multiline_strings(ctx, call)
        context = data.context
        if context == "keras":
            return _keras_fix(ctx, call)
        if context == "tf_function":
            return _tf_function_fix(ctx, call)
        if context == "eager_loop":
            return _loop_fix(ctx, call)
        return None
    except (Refuse, RecursionError, ValueError):
        return None


# ----------------------------------------------------------------------------- Keras call -> __init__
def _keras_fix(ctx: _Ctx, call: ast.Call) -> Fix | None:
    path = []
    p = ctx.parent(call)
    while p is not None and not isinstance(p, _SCOPES):
        path.append(p)
        p = ctx.parent(p)
    fn = p
    if not isinstance(fn, ast.FunctionDef) or fn.name != "call":
        return None
    cls = ctx.parent(fn)
    if not isinstance(cls, ast.ClassDef):
        return None
    for q in path:
        if isinstance(q, (*_LOOPS, ast.If, ast.IfExp, ast.BoolOp, ast.Try, *_COMPREHENSIONS)):
            return None
        if isinstance(q, ast.ExceptHandler):
            return None
    init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
    init_attrs = set()
    if init is not None:
        for n in ast.walk(init):
            if (
                isinstance(n, ast.Attribute)
                and isinstance(n.value, ast.Name)
                and n.value.id == "self"
                and isinstance(n.ctx, ast.Store)
            ):
                init_attrs.add(n.attr)
    # What the constructor reads must exist in __init__: module names, builtins, self.<attr set in __init__>.
    module = _module_names(ctx.tree)
    for n in ast.walk(call):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            if n.attr not in init_attrs:
                return None
    reads = _reads(call) - {"self"}
    if not reads <= (module | _BUILTINS) or reads & {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}:
        return None
    if any(_stores(fn, r) for r in reads):
        return None
    class_names = {n.attr for n in ast.walk(cls) if isinstance(n, ast.Attribute)} | {
        s.name for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    taken = class_names | _KERAS_ATTRS
    edits: list[Edit] = []
    stmt = ctx.parent(call)
    if isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1 and stmt in fn.body:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            local = target.id
            if len(_stores(fn, local)) != 1:
                return None
            attr = local if local not in taken and not local.startswith("_") else fresh_name(local + "_layer", taken)
            edits.append(Edit(ctx.stmt_lines(stmt), ""))
            for n in ast.walk(fn):
                if isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Load):
                    edits.append(Edit(ctx.span(n), f"self.{attr}"))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            attr = target.attr
            stores = [
                n
                for n in ast.walk(cls)
                if isinstance(n, ast.Attribute) and n.attr == attr and not isinstance(n.ctx, ast.Load)
            ]
            if len(stores) != 1:
                return None
            edits.append(Edit(ctx.stmt_lines(stmt), ""))
        else:
            return None
        if len(fn.body) < 2:
            return None
    elif isinstance(stmt, ast.Assign) and stmt.value is call:
        return None
    else:
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "layer")
        attr = fresh_name(_snake(name), taken)
        edits.append(Edit(ctx.span(call), f"self.{attr}"))
    value = ctx.text(call)
    nl = ctx.nl()
    if init is not None:
        if init.body[0].lineno == init.lineno or any(isinstance(n, ast.Return) for n in ast.walk(init)):
            return None
        bi = ctx.indent(init.body[0].lineno)
        last = init.body[-1]
        if _end(last) >= len(ctx.lines):
            return None
        new = f"{bi}self.{attr} = {value}"
        edits.append(Edit(Span(_end(last) + 1, 0, _end(last) + 1, 0), _reindent_value(new, ctx, call, bi)))
    else:
        ci = ctx.indent(fn.lineno)
        body_indent = ctx.indent(fn.body[0].lineno)
        unit = body_indent[len(ci) :] if body_indent.startswith(ci) and len(body_indent) > len(ci) else "    "
        bi = ci + unit
        text = (
            f"{ci}def __init__(self, *args, **kwargs):{nl}{bi}super().__init__(*args, **kwargs){nl}"
            + _reindent_value(f"{bi}self.{attr} = {value}", ctx, call, bi)
            + nl
        )
        at = min([fn.lineno, *[d.lineno for d in fn.decorator_list]])
        edits.append(Edit(Span(at, 0, at, 0), text))
    return Fix(f"Create `self.{attr}` once, in `__init__()`", tuple(edits), safe=True)


def _reindent_value(first_line: str, ctx: _Ctx, call: ast.Call, new_indent: str) -> str:
    """`first_line` (which ends with the call's text) with continuation lines moved to `new_indent`."""
    lines = first_line.split("\n")
    if len(lines) == 1:
        return first_line + ctx.nl()
    old = ctx.indent(call.lineno)
    out = [lines[0].rstrip("\r")]
    for ln in lines[1:]:
        ln = ln.rstrip("\r")
        if ln.strip() and not ln.startswith(old):
            raise Refuse
        out.append(new_indent + ln[len(old) :] if ln.strip() else "")
    return ctx.nl().join(out) + ctx.nl()


# ----------------------------------------------------------------------------- hoisting
def _assignment_in_block(ctx: _Ctx, call: ast.Call) -> tuple[ast.Assign, str]:
    stmt = ctx.parent(call)
    if not (
        isinstance(stmt, ast.Assign)
        and stmt.value is call
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        raise Refuse
    return stmt, stmt.targets[0].id


def _tf_function_fix(ctx: _Ctx, call: ast.Call) -> Fix | None:
    stmt, local = _assignment_in_block(ctx, call)
    p = ctx.parent(stmt)
    while isinstance(p, (ast.With, ast.AsyncWith)):
        p = ctx.parent(p)
    fn = p
    if not isinstance(fn, ast.FunctionDef) or ctx.parent(fn) is not ctx.tree:
        return None
    if not any(ctx.qual(d.func if isinstance(d, ast.Call) else d) == "tensorflow.function" for d in fn.decorator_list):
        return None
    if len(_stores(fn, local)) != 1:
        return None
    # The module must not bind the name elsewhere (uses outside, e.g. `layer.trainable_variables`, then see it).
    outside = [n for n in _stores(ctx.tree, local) if not any(n is m for m in ast.walk(fn))]
    if outside:
        return None
    at = min([fn.lineno, *[d.lineno for d in fn.decorator_list]])
    reads = _reads(call)
    if not reads <= (_module_names(ctx.tree, at) | _BUILTINS) or any(_stores(fn, r) for r in reads):
        return None
    block = _block_of(ctx, stmt)
    if len(block) < 2:
        return None
    nl = ctx.nl()
    edits = [Edit(ctx.stmt_lines(stmt), ""), Edit(Span(at, 0, at, 0), ctx.reindented(stmt, "") + nl + nl)]
    return Fix(f"Create `{local}` once, at module level, outside `{fn.name}`", tuple(edits), safe=True)


def _loop_fix(ctx: _Ctx, call: ast.Call) -> Fix | None:
    stmt, local = _assignment_in_block(ctx, call)
    p = ctx.parent(stmt)
    while isinstance(p, (ast.With, ast.AsyncWith)):
        p = ctx.parent(p)
    loop = p
    if not isinstance(loop, _LOOPS) or not any(stmt is s or _inside(s, stmt) for s in loop.body):
        return None
    reads = _reads(call)
    if any(_stores(loop, r) for r in reads):
        return None
    if isinstance(loop, (ast.For, ast.AsyncFor)) and reads & {
        n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)
    }:
        return None
    if len(_stores(loop, local)) != 1:
        return None
    if len(_block_of(ctx, stmt)) < 2:
        return None
    edits = [
        Edit(ctx.stmt_lines(stmt), ""),
        Edit(Span(loop.lineno, 0, loop.lineno, 0), ctx.reindented(stmt, ctx.indent(loop.lineno))),
    ]
    return Fix(f"Create `{local}` once, before the loop", tuple(edits), safe=True)


def _inside(outer: ast.AST, node: ast.AST) -> bool:
    return any(n is node for n in ast.walk(outer))


def _block_of(ctx: _Ctx, stmt: ast.stmt) -> list[ast.stmt]:
    p = ctx.parent(stmt)
    for name in ("body", "orelse", "finalbody"):
        block = getattr(p, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    raise Refuse
