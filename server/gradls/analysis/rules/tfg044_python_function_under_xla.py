"""TFG044 python-function-under-xla: `tf.py_function` / `tf.numpy_function` in code that XLA compiles
(`tf.function(jit_compile=True)`, or a loss given to `compile(..., jit_compile=True)`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import bound_values
from gradls.analysis.model import Finding
from gradls.analysis.module import FunctionNode, ModuleInfo, walk_own
from gradls.analysis.regions import instance_class, resolve_callee
from gradls.analysis.rules import rule

_PYTHON_OPS = {
    "tensorflow.py_function": "tf.py_function",
    "tensorflow.numpy_function": "tf.numpy_function",
    "tensorflow.compat.v1.py_func": "tf.compat.v1.py_func",
    "tensorflow.py_func": "tf.py_func",
    "tensorflow.compat.v1.py_function": "tf.compat.v1.py_function",
    "tensorflow.compat.v1.numpy_function": "tf.compat.v1.numpy_function",
}
_MODELS = {"keras.Sequential", "keras.models.Sequential", "keras.Model", "keras.models.Model"}
_TF_FUNCTION = {"tensorflow.function", "tensorflow.compat.v1.function"}
_JIT_KEYWORDS = {"jit_compile", "experimental_compile"}


def _jit_on(call: ast.Call) -> bool:
    return any(
        k.arg in _JIT_KEYWORDS and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
    )


def _roots(info: ModuleInfo) -> list[tuple[ast.AST, str]]:
    """(function or lambda XLA compiles, how it is compiled)."""
    out: list[tuple[ast.AST, str]] = []
    for ff in info.functions.values():
        for d in ff.node.decorator_list:
            if isinstance(d, ast.Call) and info.imports.qualname(d.func) in _TF_FUNCTION and _jit_on(d):
                out.append((ff.node, f"`{ff.node.name}`, compiled by `@tf.function(jit_compile=True)`"))
    for n in ast.walk(info.tree):
        if not isinstance(n, ast.Call) or not _jit_on(n):
            continue
        q = info.imports.qualname(n.func)
        if q in _TF_FUNCTION and n.args:
            target = n.args[0]
            if isinstance(target, ast.Lambda):
                out.append((target, "a lambda given to `tf.function(..., jit_compile=True)`"))
            elif isinstance(target, ast.Name):
                fn = _named_def(info, target.id, info.enclosing_function(n))
                if fn is not None:
                    out.append((fn, f"`{target.id}`, compiled by `tf.function(..., jit_compile=True)`"))
        elif isinstance(n.func, ast.Attribute) and n.func.attr == "compile":
            loss = next((k.value for k in n.keywords if k.arg == "loss"), n.args[1] if len(n.args) > 1 else None)
            if isinstance(loss, ast.Name) and loss.id in info.module_functions:
                out.append((info.module_functions[loss.id], f"loss `{loss.id}` of `compile(..., jit_compile=True)`"))
            # `fit`/`evaluate`/`predict` run the model's step, and so every layer's `call`, under XLA.
            model = n.func.value
            if isinstance(model, ast.Name):
                caller = info.enclosing_function(n)
                how = f"a layer of `{model.id}`, compiled by `{model.id}.compile(..., jit_compile=True)`"
                cls = instance_class(info, model, caller)
                if cls is not None and cls.keras_kind in {"layer", "model"}:
                    for m in ("call", "train_step", "compute_loss"):
                        if m in cls.methods:
                            out.append(
                                (
                                    cls.methods[m],
                                    f"`{cls.node.name}.{m}`, compiled by `{model.id}.compile(..., jit_compile=True)`",
                                )
                            )
                for fn in _model_layer_calls(info, model, caller):
                    out.append((fn, how))
    return out


def _named_def(info: ModuleInfo, name: str, scope: FunctionNode | None) -> FunctionNode | None:
    """The def a name refers to where it is read: a nested def of an enclosing function, else a module function."""
    while scope is not None:
        ff = info.facts(scope)
        if ff is None:
            break
        if name in ff.nested:
            return ff.nested[name]
        scope = ff.parent
    return info.module_functions.get(name)


def _reached(info: ModuleInfo, root: ast.AST) -> list[ast.AST]:
    """The root and the functions of this module it runs (calls it makes, a Keras class's `call` for `layer(x)`)."""
    seen: dict[int, ast.AST] = {id(root): root}
    todo = [root]
    while todo:
        fn = todo.pop()
        caller = fn if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else info.enclosing_function(fn)
        for n in walk_own(fn.body if isinstance(fn, ast.Lambda) else fn):
            if not isinstance(n, ast.Call):
                continue
            target: FunctionNode | None = None
            callee = resolve_callee(info, n, caller)
            if callee is not None:
                target = callee.node
            elif isinstance(n.func, (ast.Name, ast.Attribute)):
                cls = instance_class(info, n.func, caller)
                if cls is not None and cls.keras_kind in {"layer", "model"} and "call" in cls.methods:
                    target = cls.methods["call"]
            targets = [target] if target is not None else _model_layer_calls(info, n.func, caller)
            for t in targets:
                if id(t) not in seen:
                    seen[id(t)] = t
                    todo.append(t)
    return list(seen.values())


def _model_layer_calls(info: ModuleInfo, e: ast.expr, caller: ast.AST | None) -> list[FunctionNode]:
    """`call` of the module's Keras layer classes inside the model a name holds, when the name is bound (in the
    caller or an enclosing scope, else the module) only to a `keras.Sequential([...])`, a functional `keras.Model`
    (the layers made in the scope that builds it) or a module function returning a Keras model (the layers its body
    makes): calling the model runs each of them."""
    if not isinstance(e, ast.Name):
        return []
    # The scope that binds the name: the caller, an enclosing function, else the module.
    scope: ast.AST = info.tree
    values: list[ast.expr | None] = []
    look: ast.AST | None = caller
    while isinstance(look, (ast.FunctionDef, ast.AsyncFunctionDef)):
        values = bound_values(info, look).get(e.id) or []
        if values:
            scope = look
            break
        ff = info.facts(look)
        look = ff.parent if ff is not None else None
    if not values:
        values = bound_values(info, info.tree).get(e.id) or []
    out: list[FunctionNode] = []
    for v in values:
        if not isinstance(v, ast.Call):
            return []
        q = info.imports.qualname(v.func)
        if q in {"keras.Sequential", "keras.models.Sequential"}:
            made: ast.AST = v
        elif q in _MODELS:
            made = scope
        elif isinstance(v.func, ast.Name) and v.func.id in info.module_functions:
            fn = info.module_functions[v.func.id]
            if not info.returns_layer(fn):
                return []
            made = fn
        else:
            return []
        for n in ast.walk(made):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                cls = info.classes.get(n.func.id)
                if cls is not None and cls.keras_kind == "layer" and "call" in cls.methods:
                    out.append(cls.methods["call"])
    return out


@rule(
    "TFG044",
    "python-function-under-xla",
    "`tf.py_function` / `tf.numpy_function` in code XLA compiles (`tf.function(jit_compile=True)`, a loss of "
    "`compile(..., jit_compile=True)`): XLA has no kernel for them, so TensorFlow raises `InvalidArgumentError: "
    "Detected unsupported operations when trying to compile graph ... EagerPyFunc`.",
)
def find_python_function_under_xla(info: ModuleInfo) -> Iterator[Finding]:
    src = info.source
    if ("jit_compile" not in src and "experimental_compile" not in src) or (
        "py_function" not in src and "numpy_function" not in src and "py_func" not in src
    ):
        return
    reported: set[int] = set()
    for root, how in _roots(info):
        for fn in _reached(info, root):
            for n in walk_own(fn):
                if not isinstance(n, ast.Call) or id(n) in reported:
                    continue
                name = _PYTHON_OPS.get(info.imports.qualname(n.func) or "")
                if name is None:
                    continue
                reported.add(id(n))
                # `tf.py_function` builds an EagerPyFunc op; `numpy_function` and `py_func` a PyFunc (measured).
                op = "EagerPyFunc" if name.endswith(".py_function") else "PyFunc"
                yield Finding(
                    "TFG044",
                    f"`{name}` runs in code XLA compiles ({how}): XLA has no kernel for a Python function, so "
                    f"TensorFlow raises `InvalidArgumentError: Detected unsupported operations when trying to compile "
                    f"graph ... {op}`; write it with TensorFlow ops, or drop `jit_compile=True`",
                    info.span(n),
                )
