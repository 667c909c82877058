"""TFG007 variable-created-in-step: create the variable once.

Keras `call` (a Layer or Model subclass) -> a weight created in `build()` with `self.add_weight`:

    class Scale(keras.layers.Layer):                   class Scale(keras.layers.Layer):
        def call(self, x):                                 def build(self, input_shape):
            s = tf.Variable(tf.ones((x.shape[-1],)))  ->      self.s = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            return x * s                                       super().build(input_shape)

                                                           def call(self, x):
                                                               return x * self.s

A raw `tf.Variable` is not tracked by a Keras 3 layer (neither in `__init__` nor in `build()`: it never shows
up in `trainable_variables`, so `fit` never trains it), hence `add_weight`.  The initial value is kept
exactly: `tf.zeros(S)` / `tf.ones(S)` become `initializer="zeros"` / `"ones"`, `tf.random.*(S, ...)` and
`tf.fill(S, v)` an `initializer=lambda shape, dtype=None: <the same call>`, float literals and lists of
numbers `tf.constant_initializer(...)`; `name=`, `trainable=`, `dtype=` are passed on.  `self.add_weight(...)`
moves as it is.  `x.shape[k]` (k != 0) of the first `call` argument becomes `input_shape[k]`; an existing
`build(self, shape)` is appended to (before a final `super().build(...)`), otherwise one is added before
`call` with `super().build(input_shape)` (it keeps an inherited `build`, e.g. `Dense`'s, running).  Uses of a
local name become `self.<name>`.

A module-level `@tf.function` -> the variable is hoisted above the function when its initial value only reads
module-level names (safe), else created on the first call under a guard (not marked safe: the variable now
outlives the call and keeps the first call's shape):

    w = None

    @tf.function
    def step(x):
        global w
        if w is None:
            w = tf.Variable(tf.ones_like(x))

Refused (None): creations that are not the value of a plain `name = ...` / `self.name = ...` statement on its
own lines, directly in the method body (or a `with` block of the tf.function); initial values reading
`call` locals, other arguments, `x.shape[0]`/`tf.shape(x)`, attributes of `self` not set in `__init__`, or
whose shape cannot be read from the code (`tf.Variable(some_tensor)`, integer values); other tf.Variable
arguments; names also stored elsewhere; `train_step`, helpers, methods of non-Keras classes, and eager
training loops.
"""

from __future__ import annotations

import ast
import builtins

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.analysis.rules.tfg007_variable_created_in_step import VariableInStepFix
from gradls.fixes._imports import (
    Refuse,
    SourceContext,
    fresh_name,
    parse_module,
    tf_binding,
    used_names,
)

_RESERVED = frozenset(
    """add_loss add_metric add_variable add_weight build build_from_config call compile compile_from_config
    compiled_loss compiled_metrics compute_dtype compute_loss compute_mask compute_metrics compute_output_shape
    compute_output_spec count_params distribute_reduction_method distribute_strategy dtype dtype_policy evaluate
    export fit from_config get_build_config get_compile_config get_config get_layer get_metrics_result
    get_quantization_layer_structure get_state_tree get_weights input input_dtype input_spec jit_compile layers
    load_own_variables load_weights loss losses make_predict_function make_test_function make_train_function
    metrics metrics_names metrics_variables non_trainable_variables non_trainable_weights output path predict
    predict_on_batch predict_step quantization_mode quantize quantized_build quantized_call rematerialized_call
    reset_metrics run_eagerly save save_own_variables save_weights set_state_tree set_weights stateless_call
    stateless_compute_loss summary supports_masking symbolic_call test_on_batch test_step to_json train_on_batch
    train_step trainable trainable_variables trainable_weights variable_dtype variables weights name built
    optimizer history stop_training autocast seed_generator built_shape inputs outputs""".split()
)
_BUILTINS = frozenset(dir(builtins))
_VARIABLE_KWARGS = {"name", "trainable", "dtype"}
_LAMBDA_INITS = {
    "tensorflow.random.normal",
    "tensorflow.random.uniform",
    "tensorflow.random.truncated_normal",
    "tensorflow.fill",
}


_Refuse = Refuse


class _Ctx(SourceContext):
    def __init__(self, source: str, tree: ast.Module):
        super().__init__(source, tree)
        self.unit = "    "

    def text(self, node: ast.expr | ast.stmt, repl: dict[int, str] | None = None) -> str:
        """Source of `node`, with the nodes in `repl` (by id) replaced by the given text."""
        t = ast.get_source_segment(self.source, node)
        if t is None:
            raise _Refuse
        if not repl:
            return t
        base = self._off(node.lineno, node.col_offset)
        edits = []
        for n in ast.walk(node):
            if id(n) in repl and isinstance(n, (ast.expr, ast.stmt)):
                edits.append(
                    (
                        self._off(n.lineno, n.col_offset) - base,
                        self._off(_last_line(n), _end_col(n)) - base,
                        repl[id(n)],
                    )
                )
        for s, e, new in sorted(edits, reverse=True):
            t = t[:s] + new + t[e:]
        return t

    def _off(self, line: int, byte_col: int) -> int:
        return sum(len(x) for x in self.lines[: line - 1]) + self.col(line, byte_col)

    def indent(self, line: int) -> str:
        t = self.lines[line - 1]
        return t[: len(t) - len(t.lstrip(" \t"))]

    def stmt_lines(self, stmt: ast.stmt, block: list[ast.stmt]) -> Span:
        """The whole lines of `stmt` (it must be alone on them), as a span ending at the next line's start."""
        first, last = self.lines[stmt.lineno - 1], self.lines[_last_line(stmt) - 1]
        if first[: self.col(stmt.lineno, stmt.col_offset)].strip():
            raise _Refuse
        after = last[self.col(_last_line(stmt), _end_col(stmt)) :].strip()
        if after and not after.startswith("#"):
            raise _Refuse  # `; other`
        i = block.index(stmt)
        if (i > 0 and _last_line(block[i - 1]) >= stmt.lineno) or (
            i + 1 < len(block) and block[i + 1].lineno <= _last_line(stmt)
        ):
            raise _Refuse
        if _last_line(stmt) < len(self.lines):
            return Span(stmt.lineno, 0, _last_line(stmt) + 1, 0)
        return Span(stmt.lineno, 0, _last_line(stmt), len(last))

    def stmt_text(self, stmt: ast.stmt, new_indent: str) -> list[str]:
        """The statement's own lines, re-indented from its indentation to `new_indent` (continuation lines kept
        relative)."""
        old = self.indent(stmt.lineno)
        out = []
        for i in range(stmt.lineno, _last_line(stmt) + 1):
            ln = self.lines[i - 1].rstrip("\r\n")
            if i > stmt.lineno and ln.strip() and not ln.startswith(old):
                raise _Refuse
            out.append(new_indent + ln[len(old) :] if ln.strip() else "")
        return out


def _find_call(ctx: _Ctx, span: Span) -> ast.Call | None:
    for n in ast.walk(ctx.tree):
        if isinstance(n, ast.Call) and n.lineno == span.line and ctx.span(n) == span:
            return n
    return None


def _block_of(ctx: _Ctx, stmt: ast.stmt) -> list[ast.stmt]:
    p = ctx.parent(stmt)
    for name in ("body", "orelse", "finalbody"):
        block = getattr(p, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    raise _Refuse


def _nl(ctx: _Ctx) -> str:
    first = ctx.lines[0]
    return "\r\n" if first.endswith("\r\n") else "\n"


def build(source: str, finding: Finding, data: VariableInStepFix) -> Fix | None:
    span = data.call
    tree = parse_module(source)
    if tree is None:
        return None
    try:
        ctx = _Ctx(source, tree)
        call = _find_call(ctx, span)
        if call is None:
            return None
        stmt = ctx.parent(call)
        if not (isinstance(stmt, ast.Assign) and stmt.value is call and len(stmt.targets) == 1):
            return None
        fn = ctx.parent(stmt)
        while fn is not None and isinstance(fn, ast.With):
            fn = ctx.parent(fn)
        if not isinstance(fn, ast.FunctionDef):
            return None
        owner = ctx.parent(fn)
        if isinstance(owner, ast.ClassDef) and fn.name == "call" and data.keras_method == "call" and stmt in fn.body:
            return _keras_fix(ctx, call, stmt, fn, owner, data)
        if isinstance(owner, ast.Module) and (data.tf_function or _decorated_tf_function(ctx, fn)):
            return _tf_function_fix(ctx, call, stmt, fn, data)
        return None
    except (_Refuse, RecursionError, ValueError):
        return None


# ----------------------------------------------------------------------------- Keras layers
def _self_attrs(cls: ast.ClassDef) -> tuple[set[str], dict[str, int], set[str]]:
    """(every self.<attr> name / method / class attribute, stores per attr, attrs assigned in __init__)."""
    names: set[str] = set()
    stores: dict[str, int] = {}
    init: set[str] = set()
    for s in cls.body:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(s.name)
        elif isinstance(s, (ast.Assign, ast.AnnAssign)):
            for t in s.targets if isinstance(s, ast.Assign) else [s.target]:
                if isinstance(t, ast.Name):
                    names.add(t.id)
    for n in ast.walk(cls):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            names.add(n.attr)
            if isinstance(n.ctx, ast.Store):
                stores[n.attr] = stores.get(n.attr, 0) + 1
    for s in cls.body:
        if isinstance(s, ast.FunctionDef) and s.name == "__init__":
            for n in ast.walk(s):
                if (
                    isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name)
                    and n.value.id == "self"
                    and isinstance(n.ctx, ast.Store)
                ):
                    init.add(n.attr)
    return names, stores, init


def _fn_locals(fn: ast.FunctionDef) -> set[str]:
    a = fn.args
    out = {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if p is not None}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
        elif isinstance(n, ast.arg):
            out.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not fn:
            out.add(n.name)
    return out


def _shape_index(e: ast.AST) -> int | None:
    if isinstance(e, ast.Constant) and type(e.value) is int:
        return e.value
    if (
        isinstance(e, ast.UnaryOp)
        and isinstance(e.op, ast.USub)
        and isinstance(e.operand, ast.Constant)
        and type(e.operand.value) is int
    ):
        return -e.operand.value
    return None


def _movable(
    node: ast.AST, xname: str | None, shape_name: str, call_locals: set[str], init_attrs: set[str]
) -> dict[int, str]:
    """Replacements that make `node` valid in build(); raises _Refuse when it reads what build() lacks."""
    repl: dict[int, str] = {}
    covered: set[int] = set()
    for n in ast.walk(node):
        if isinstance(
            n,
            (
                ast.Lambda,
                ast.NamedExpr,
                ast.Await,
                ast.Yield,
                ast.YieldFrom,
                ast.ListComp,
                ast.SetComp,
                ast.DictComp,
                ast.GeneratorExp,
            ),
        ):
            raise _Refuse
        if id(n) in covered:
            continue
        if (
            xname
            and isinstance(n, ast.Subscript)
            and isinstance(n.value, ast.Attribute)
            and n.value.attr == "shape"
            and isinstance(n.value.value, ast.Name)
            and n.value.value.id == xname
        ):
            k = _shape_index(n.slice)
            if k is None or k == 0:
                raise _Refuse  # the batch dimension (None in build) or a slice
            repl[id(n)] = f"{shape_name}[{k}]"
            covered.update(id(x) for x in ast.walk(n))
            continue
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            if n.attr not in init_attrs:
                raise _Refuse
            covered.add(id(n.value))
            continue
        if isinstance(n, ast.Name) and (n.id in call_locals or n.id == shape_name):
            raise _Refuse
    return repl


def _last_line(node: ast.expr | ast.stmt) -> int:
    return node.lineno if node.end_lineno is None else node.end_lineno


def _end_col(node: ast.expr | ast.stmt) -> int:
    return node.col_offset if node.end_col_offset is None else node.end_col_offset


def _float_list_shape(e: ast.AST) -> tuple[list[int], bool] | None:
    """(shape, has a float) of a rectangular nested list/tuple of number literals."""
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        e = e.operand
    if isinstance(e, ast.Constant) and type(e.value) in (int, float):
        return [], type(e.value) is float
    if isinstance(e, (ast.List, ast.Tuple)) and e.elts:
        subs = [s for s in (_float_list_shape(x) for x in e.elts) if s is not None]
        if len(subs) != len(e.elts) or len({tuple(s[0]) for s in subs}) != 1:
            return None
        return [len(e.elts), *subs[0][0]], any(s[1] for s in subs)
    return None


def _shape_text(ctx: _Ctx, e: ast.expr, repl: dict[int, str]) -> str:
    if isinstance(e, (ast.Tuple, ast.List)):
        return ctx.text(e, repl)
    if _shape_index(e) is not None:
        return f"({ctx.text(e)},)"
    raise _Refuse


def _add_weight_args(ctx: _Ctx, call: ast.Call, what: str, repl: dict[int, str], tf: str | None) -> tuple[str, bool]:
    """`shape=..., initializer=..., ...` for a tf.Variable / keras.Variable; (text, needs the tf alias)."""
    init = call.args[0] if call.args else None
    if len(call.args) > 1 or any(isinstance(a, ast.Starred) for a in call.args):
        raise _Refuse
    extra = []
    first_kw = "initial_value" if what == "tf.Variable" else "initializer"
    for k in call.keywords:
        if k.arg == first_kw and init is None:
            init = k.value
        elif k.arg in _VARIABLE_KWARGS:
            extra.append(f"{k.arg}={ctx.text(k.value, repl)}")
        else:
            raise _Refuse  # shape=, validate_shape=, constraint=, **kwargs ...
    if init is None:
        raise _Refuse
    uses_tf = False
    if isinstance(init, ast.Call):
        q = ctx.qual(init.func) or ""
        shape = init.args[0] if init.args else None
        for k in init.keywords:
            if k.arg in ("shape", "dims") and shape is None:
                shape = k.value
        if shape is None:
            raise _Refuse
        if q in ("tensorflow.zeros", "tensorflow.ones"):
            if len(init.args) > 1 or any(k.arg not in ("shape", "name") for k in init.keywords):
                raise _Refuse  # dtype=
            initializer = '"zeros"' if q.endswith("zeros") else '"ones"'
        elif q in _LAMBDA_INITS:
            if any(k.arg == "dtype" for k in init.keywords) or (q != "tensorflow.fill" and len(init.args) > 3):
                raise _Refuse
            initializer = f"lambda shape, dtype=None: {ctx.text(init, repl)}"
        else:
            raise _Refuse
        shape_text = _shape_text(ctx, shape, repl)
    else:
        got = _float_list_shape(init)
        if got is None or not got[1]:
            raise _Refuse  # not a literal, or an integer variable
        dims, _ = got
        shape_text = "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"
        value = ctx.text(init)
        if not dims and value in ("0.0", "0.", "1.0", "1."):
            initializer = '"zeros"' if value.startswith("0") else '"ones"'
        else:
            if tf is None:
                raise _Refuse
            initializer = f"{tf}.constant_initializer({value})"
            uses_tf = True
    args = [f"shape={shape_text}", f"initializer={initializer}", *extra]
    return ", ".join(args), uses_tf


def _keras_fix(
    ctx: _Ctx, call: ast.Call, stmt: ast.Assign, fn: ast.FunctionDef, cls: ast.ClassDef, data: VariableInStepFix
) -> Fix | None:
    what = data.what
    if len(fn.body) < 2:
        return None
    target = stmt.targets[0]
    attrs, stores, init_attrs = _self_attrs(cls)
    local = None
    if isinstance(target, ast.Name):
        local = target.id
        if local in _RESERVED or local.startswith("_") or local in attrs:
            attr = fresh_name(local.strip("_") + "_weight", set(attrs) | set(_RESERVED))
        else:
            attr = local
        if (
            sum(
                1
                for n in ast.walk(fn)
                if (isinstance(n, ast.Name) and n.id == local and not isinstance(n.ctx, ast.Load))
                or (isinstance(n, ast.arg) and n.arg == local)
            )
            != 1
        ):
            return None
        if any(isinstance(n, (ast.Global, ast.Nonlocal)) and local in n.names for n in ast.walk(fn)):
            return None
    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        attr = target.attr
        if stores.get(attr, 0) != 1:
            return None
    else:
        return None
    a = fn.args
    params = [p.arg for p in [*a.posonlyargs, *a.args]]
    xname = params[1] if len(params) > 1 else None
    call_locals = _fn_locals(fn) - {"self"}

    builder = next(
        (s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == "build"), None
    )
    if builder is not None:
        b = builder.args
        bparams = [p.arg for p in [*b.posonlyargs, *b.args]]
        if (
            not isinstance(builder, ast.FunctionDef)
            or len(bparams) != 2
            or b.vararg
            or b.kwarg
            or b.kwonlyargs
            or builder.decorator_list
            or builder.body[0].lineno == builder.lineno
        ):
            return None
        if any(isinstance(n, (ast.Return, ast.Yield)) for n in ast.walk(builder)):
            return None
        shape_name = bparams[1]
    else:
        shape_name = "input_shape"
    tf_binding_ = tf_binding(ctx.source, ctx.tree, data.tf_alias)
    tf = tf_binding_[0] if tf_binding_ else None

    if what in ("self.add_weight", "self.add_variable"):
        if not (
            isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "self"
        ):
            return None
        repl = {}
        for part in [*call.args, *call.keywords]:
            repl.update(_movable(part, xname, shape_name, call_locals, init_attrs))
        value = ctx.text(call, repl)
        uses_tf = False
    elif what in ("tf.Variable", "keras.Variable"):
        repl = {}
        for part in [*call.args, *call.keywords]:
            repl.update(_movable(part, xname, shape_name, call_locals, init_attrs))
        args, uses_tf = _add_weight_args(ctx, call, what, repl, tf)
        value = f"self.add_weight({args})"
    else:
        return None
    if "\n" in value and any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and "\n" in ctx.text(n) for n in ast.walk(call)
    ):
        return None  # a multi-line string literal cannot be re-indented
    imports = tf_binding_[1] if (uses_tf and tf_binding_) else ()

    nl = _nl(ctx)
    edits: list[Edit] = []
    body_indent = ctx.indent(stmt.lineno)
    edits.append(Edit(ctx.stmt_lines(stmt, fn.body), ""))
    if local is not None:
        for n in ast.walk(fn):
            if isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Load):
                edits.append(Edit(ctx.span(n), f"self.{attr}"))
    value_lines = value.split("\n")
    if builder is None:
        cls_indent = ctx.indent(fn.lineno)
        unit = (
            body_indent[len(cls_indent) :]
            if body_indent.startswith(cls_indent) and len(body_indent) > len(cls_indent)
            else "    "
        )
        bi = cls_indent + unit
        new_stmt = [f"{bi}self.{attr} = {value_lines[0]}", *value_lines[1:]]
        text = nl.join(
            [f"{cls_indent}def build(self, {shape_name}):", *new_stmt, f"{bi}super().build({shape_name})", "", ""]
        )
        at = min([fn.lineno, *[d.lineno for d in fn.decorator_list]])
        edits.append(Edit(Span(at, 0, at, 0), text))
    else:
        bi = ctx.indent(builder.body[0].lineno)
        new_stmt = [f"{bi}self.{attr} = {value_lines[0]}", *value_lines[1:]]
        last = builder.body[-1]
        if _is_super_build(last):
            at = last.lineno
        else:
            if _last_line(last) >= len(ctx.lines) or ctx.lines[_last_line(last) - 1][-1:] not in ("\n", "\r"):
                return None
            at = _last_line(last) + 1
        edits.append(Edit(Span(at, 0, at, 0), nl.join(new_stmt) + nl))
    title = f"Create `self.{attr}` once, with `self.add_weight` in `build()`"
    return Fix(title, tuple(edits) + imports, safe=True)


def _is_super_build(s: ast.stmt) -> bool:
    if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)):
        return False
    f = s.value.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr == "build"
        and isinstance(f.value, ast.Call)
        and isinstance(f.value.func, ast.Name)
        and f.value.func.id == "super"
    )


# ----------------------------------------------------------------------------- tf.function
def _decorated_tf_function(ctx: _Ctx, fn: ast.FunctionDef) -> bool:
    for d in fn.decorator_list:
        e = d.func if isinstance(d, ast.Call) else d
        if ctx.qual(e) == "tensorflow.function":
            return True
    return False


def _module_names_before(ctx: _Ctx, line: int) -> set[str]:
    out: set[str] = set()
    for s in ctx.tree.body:
        if _last_line(s) >= line:
            break
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(s.name)
            continue
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.add(n.id)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                out.update(a.asname or a.name.split(".")[0] for a in n.names)
    return out


def _tf_function_fix(
    ctx: _Ctx, call: ast.Call, stmt: ast.Assign, fn: ast.FunctionDef, data: VariableInStepFix
) -> Fix | None:
    target = stmt.targets[0]
    if not isinstance(target, ast.Name):
        return None
    local = target.id
    block = _block_of(ctx, stmt)
    if len(block) < 2:
        return None
    for n in ast.walk(fn):
        if (
            (isinstance(n, ast.Name) and n.id == local and not isinstance(n.ctx, ast.Load) and n is not target)
            or (isinstance(n, ast.arg) and n.arg == local)
            or (isinstance(n, (ast.Global, ast.Nonlocal)) and local in n.names)
        ):
            return None
    # The module-level name: the local's own name unless the module uses it anywhere else.
    outside: set[str] = set()
    fn_nodes = {id(n) for n in ast.walk(fn)}
    for n in ast.walk(ctx.tree):
        if id(n) in fn_nodes:
            continue
        if isinstance(n, ast.Name):
            outside.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            outside.add(n.name)
        elif isinstance(n, ast.arg):
            outside.add(n.arg)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            outside.update(a.asname or a.name.split(".")[0] for a in n.names)
    name = (
        local
        if local not in outside and local not in _BUILTINS
        else fresh_name(f"{fn.name}_{local}", used_names(ctx.tree))
    )
    at = min([fn.lineno, *[d.lineno for d in fn.decorator_list]])
    reads = {n.id for n in ast.walk(call) if isinstance(n, ast.Name)}
    if any(
        isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr))
        for n in ast.walk(call)
    ):
        return None
    hoist = reads <= (_module_names_before(ctx, at) | _BUILTINS) and not (reads & _fn_locals(fn))
    nl = _nl(ctx)
    edits: list[Edit] = []
    for n in ast.walk(fn):
        if name != local and isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Load):
            edits.append(Edit(ctx.span(n), name))
    lines_span = ctx.stmt_lines(stmt, block)
    if any(isinstance(n, ast.Constant) and isinstance(n.value, str) and "\n" in ctx.text(n) for n in ast.walk(call)):
        return None  # a multi-line string literal cannot be re-indented
    value_lines = (f"{name} = " + ctx.text(call)).split("\n")
    if hoist:
        edits.append(Edit(lines_span, ""))
        edits.append(Edit(Span(at, 0, at, 0), nl.join(value_lines) + nl * 3))
        return Fix(f"Create `{name}` once, at module level, outside `{fn.name}`", tuple(edits), safe=True)
    si = ctx.indent(stmt.lineno)
    if fn.body[0].lineno == fn.lineno:
        return None
    body_indent = ctx.indent(fn.body[0].lineno)
    def_indent = ctx.indent(fn.lineno)
    unit = (
        body_indent[len(def_indent) :] if body_indent.startswith(def_indent) and body_indent != def_indent else "    "
    )
    guarded = [f"{si}if {name} is None:", f"{si}{unit}{value_lines[0]}", *value_lines[1:]]
    edits.append(Edit(lines_span, nl.join(guarded) + nl))
    first = fn.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
        and len(fn.body) > 1
    ):
        first = fn.body[1]
    edits.append(Edit(Span(first.lineno, 0, first.lineno, 0), f"{body_indent}global {name}{nl}"))
    edits.append(Edit(Span(at, 0, at, 0), f"{name} = None{nl * 3}"))
    return Fix(f"Create `{name}` on the first call only (`if {name} is None:`)", tuple(edits), safe=False)
