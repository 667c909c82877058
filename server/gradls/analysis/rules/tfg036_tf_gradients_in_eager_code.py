"""TFG036 tf-gradients-in-eager-code: `tf.gradients(ys, xs)` (or `K.gradients`) where eager execution is on raises
RuntimeError; it only works while a graph is being built (a `tf.function`, a traced Keras step)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.call_sites import function_uses
from gradls.analysis.model import Finding
from gradls.analysis.module import EAGER, ModuleInfo
from gradls.analysis.rules import rule

_GRADIENTS = frozenset({"tensorflow.gradients", "tensorflow.compat.v1.gradients", "keras.backend.gradients"})
# Text that shows the program builds TF1 graphs on purpose (eager execution off, a graph made the default, sessions):
# there `tf.gradients` is the right tool, and where it runs is not told from the syntax.
_GRAPH_PROGRAM_WORDS = (
    "disable_eager_execution",
    "disable_v2_behavior",
    "as_default",
    "Session(",
    "run_functions_eagerly",
    "placeholder",
)


@rule(
    "TFG036",
    "tf-gradients-in-eager-code",
    "`tf.gradients(ys, xs)` run eagerly (module level, a plain function called from there, an eager training loop): "
    "TensorFlow raises `RuntimeError: tf.gradients is not supported when eager execution is enabled. Use "
    "tf.GradientTape instead`; record the computation under a `tf.GradientTape` and call `tape.gradient`.",
)
def find_tf_gradients_in_eager_code(info: ModuleInfo) -> Iterator[Finding]:
    if "gradients(" not in info.source or any(w in info.source for w in _GRAPH_PROGRAM_WORDS):
        return
    for c in info.all_nodes(ast.Call):
        q = info.imports.qualname(c.func)
        if q not in _GRADIENTS or not _runs_eagerly(info, c):
            continue
        shown = info.text(c.func)
        msg = (
            f"`{shown}(...)` runs eagerly here, and TensorFlow 2 raises `RuntimeError: tf.gradients is not supported "
            "when eager execution is enabled. Use tf.GradientTape instead`"
            + (" (Keras 3's own `keras.backend` has no `gradients` at all)" if q == "keras.backend.gradients" else "")
            + "; compute `ys` inside `with tf.GradientTape() as tape:` and call `tape.gradient(ys, xs)`, or run this "
            "code in a `tf.function`"
        )
        yield Finding("TFG036", msg, info.span(c), None)


def _runs_eagerly(info: ModuleInfo, call: ast.Call) -> bool:
    """Only eagerly: at module level (outside lambdas), or in a def that only eager code calls."""
    parents = info.all_parents
    p = parents.get(id(call))
    while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        p = parents.get(id(p))
    if p is None:
        return True
    if not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False  # a lambda or a class body: where it runs is someone else's choice
    return _eager_function(info, p, set())


def _eager_function(info: ModuleInfo, fn: ast.FunctionDef | ast.AsyncFunctionDef, seen: set[int]) -> bool:
    ff = info.facts(fn)
    if ff is None or ff.tf_function or ff.custom_gradient or ff.parent is not None or ff.cls is not None:
        return False
    if fn.decorator_list:
        return False  # a decorator may trace it (tf.function under another name, a framework's wrapper)
    if ff.modes:
        return ff.modes == {EAGER}  # regions: called under an eager GradientTape only
    # Not differentiable code: eager when every use of it is a direct call from module level or from another
    # function that only runs eagerly.
    if id(fn) in seen:
        return False
    seen.add(id(fn))
    uses = function_uses(info).get(fn.name, [])
    if not uses:
        return False
    for call, root in uses:
        if call is None:
            return False  # passed as a value (to tf.function, map, a callback): not known to run eagerly
        if root is info.tree:
            continue
        if not isinstance(root, (ast.FunctionDef, ast.AsyncFunctionDef)) or not _eager_function(info, root, seen):
            return False
    return True
