"""`@tf.custom_gradient` functions: the grad_fn a function returns, whether it accepts `variables`,
the trainable variables its forward pass reads, and whether a node lies inside one."""

from __future__ import annotations

import ast

from gradls.analysis.call_sites import function_uses
from gradls.analysis.keras_facts import KerasFacts, Scope
from gradls.analysis.module import FunctionFacts, FunctionNode, ModuleInfo, walk_nodes, walk_own

_WEIGHT_LISTS = {"trainable_variables", "trainable_weights", "weights", "variables"}


def find_grad_fn(info: ModuleInfo, ff: FunctionFacts) -> FunctionNode | ast.Lambda | None:
    """The grad_fn a custom_gradient function returns as the second element of its result."""
    nested = ff.nested
    for n in ff.returns:
        if isinstance(n.value, ast.Tuple) and len(n.value.elts) == 2:
            second = n.value.elts[1]
            if isinstance(second, ast.Name) and second.id in nested:
                return nested[second.id]
            if isinstance(second, ast.Lambda):
                return second
    return None


def accepts_variables(grad: FunctionNode | ast.Lambda) -> bool:
    args = grad.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    return "variables" in names or args.kwarg is not None


def variables_read(info: ModuleInfo, ff: FunctionFacts, grad: ast.AST) -> list[str]:
    """Trainable variables (and layers, which own variables) the forward pass reads."""
    inside_grad = {id(n) for n in walk_nodes(grad)}  # the context/operator leaves are never asked about
    params = {a.arg for a in [*ff.node.args.posonlyargs, *ff.node.args.args, *ff.node.args.kwonlyargs]}
    found: list[str] = []
    for n in walk_own(ff.node):
        if id(n) in inside_grad or n in ff.node.decorator_list:
            continue
        label = None
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in params:
            if info.tensors.kind_of(n) == "variable":
                label = n.id
        elif isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Load):
            if info.tensors.kind_of(n) == "variable":
                label = info.text(n)
            elif n.attr in _WEIGHT_LISTS and info.tensors.kind_of(n.value) == "layer":
                label = info.text(n)
        elif isinstance(n, ast.Call) and info.tensors.kind_of(n.func) == "layer":
            label = f"weights of {info.text(n.func)}"
        if label and label not in found:
            found.append(label)
    return found


def keras_variable_arguments(info: ModuleInfo, ff: FunctionFacts) -> list[tuple[str, ast.Call]]:
    """Keras 3 variables (`self.add_weight(...)`, `keras.Variable(...)`) passed as arguments at the call sites of a
    module-level custom_gradient function. TF counts a `tf.Variable` argument as an input, but a Keras variable is
    not one: the `tf.Variable` inside it is read in the forward pass, so TF asks grad_fn for `variables` (checked
    under TF 2.21: `TypeError ... since function uses variables` at the forward call, float32 or mixed precision).
    Only an eager call raises: traced (a `tf.function`, a layer's `call` under `fit`) the same call builds the
    gradient, so a call site whose function runs only traced does not count."""
    if info.module_functions.get(ff.node.name) is not ff.node:
        return []
    kf: KerasFacts | None = None
    found: list[tuple[str, ast.Call]] = []
    for call, scope in function_uses(info).get(ff.node.name, []):
        if call is None:
            continue
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            caller = info.facts(scope)
            if caller is not None and caller.modes and "eager" not in caller.modes:
                continue  # run only traced (tensorflow#41836's layer under `fit`): no TypeError
        for a in [*call.args, *(k.value for k in call.keywords)]:
            if kf is None:
                kf = KerasFacts(info)
            if not isinstance(a, ast.Starred) and isinstance(scope, Scope) and kf.keras_variable(a, scope) == "var":
                found.append((info.text(a), call))
    return found


def inside_custom_gradient(info: ModuleInfo, node: ast.AST) -> bool:
    """Inside a @tf.custom_gradient function (or its grad_fn): the gradient is user-defined there."""
    fn = info.enclosing_function(node)
    while fn is not None:
        ff = info.facts(fn)
        if ff is None:
            return False
        if ff.custom_gradient:
            return True
        fn = ff.parent
    return False


def custom_gradient_parameter(info: ModuleInfo, node: ast.AST) -> bool:
    """Is `node` a name read in a `@tf.custom_gradient` function (or its grad_fn) that is a parameter of that
    function? Traced, TF converts the function's arguments to tensors (measured under TF 2.21: a `tf.Variable` or
    Keras variable passed in arrives as a symbolic tensor; `.numpy()` on it raises `AttributeError: 'SymbolicTensor'
    object has no attribute 'numpy'`)."""
    if not isinstance(node, ast.Name):
        return False
    fn = info.enclosing_function(node)
    while fn is not None:
        ff = info.facts(fn)
        if ff is None:
            return False
        a = ff.node.args
        if node.id in {p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]}:
            return ff.custom_gradient
        fn = ff.parent
    return False
