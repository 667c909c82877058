"""TFG041 gradient-override-map-no-effect: a TF 1 `graph.gradient_override_map({...})` block whose override
TensorFlow never uses: a GradientTape records the block's ops (eagerly or inside a `tf.function`) and
differentiates them with their registered gradients, or the map's key is not the type of the op the block creates
(`"Matmul"` for `tf.matmul`, whose op type is `MatMul`). No error: the gradient is silently the ordinary one."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tapes import tape_scopes

# Op type created by a TensorFlow function (qualified name as the import table resolves it): the name the
# override map must use. Only functions that make one op of a fixed type are listed.
_OP_TYPES = {
    "tensorflow.matmul": "MatMul",
    "tensorflow.linalg.matmul": "MatMul",
    "tensorflow.nn.relu": "Relu",
    "tensorflow.nn.relu6": "Relu6",
    "tensorflow.nn.elu": "Elu",
    "tensorflow.nn.selu": "Selu",
    "tensorflow.nn.softplus": "Softplus",
    "tensorflow.nn.sigmoid": "Sigmoid",
    "tensorflow.sigmoid": "Sigmoid",
    "tensorflow.math.sigmoid": "Sigmoid",
    "tensorflow.nn.tanh": "Tanh",
    "tensorflow.tanh": "Tanh",
    "tensorflow.math.tanh": "Tanh",
    "tensorflow.sign": "Sign",
    "tensorflow.math.sign": "Sign",
    "tensorflow.round": "Round",
    "tensorflow.math.round": "Round",
    "tensorflow.floor": "Floor",
    "tensorflow.math.floor": "Floor",
    "tensorflow.math.ceil": "Ceil",
    "tensorflow.identity": "Identity",
    "tensorflow.abs": "Abs",
    "tensorflow.math.abs": "Abs",
    "tensorflow.square": "Square",
    "tensorflow.math.square": "Square",
    "tensorflow.sqrt": "Sqrt",
    "tensorflow.math.sqrt": "Sqrt",
    "tensorflow.exp": "Exp",
    "tensorflow.math.exp": "Exp",
    "tensorflow.nn.softmax": "Softmax",
    "tensorflow.nn.bias_add": "BiasAdd",
    "tensorflow.nn.conv2d": "Conv2D",
    "tensorflow.nn.max_pool2d": "MaxPool",
}


@rule(
    "TFG041",
    "gradient-override-map-no-effect",
    "A TF 1 `graph.gradient_override_map({...})` whose override is never used: its block runs under a recording "
    "`tf.GradientTape` (the tape differentiates the ops with their registered gradients, eagerly and in a "
    "`tf.function` alike), or a key is not the op type of the op the block creates (`'Matmul'` for `tf.matmul`, "
    "whose type is `MatMul`). The gradient is silently the ordinary one; in TF 2 write the gradient with "
    "`@tf.custom_gradient`.",
)
def find_gradient_override_map_no_effect(info: ModuleInfo) -> Iterator[Finding]:
    if "gradient_override_map" not in info.source:
        return
    under_tape = _override_blocks_under_tape(info)
    for w in info.all_nodes(ast.With):
        for item in w.items:
            call = item.context_expr
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "gradient_override_map"
            ):
                continue
            if id(w) in under_tape:
                yield Finding(
                    "TFG041",
                    "this `gradient_override_map` block is recorded by the `GradientTape` around it, and a tape "
                    "differentiates each op with its registered gradient: the override is ignored (eagerly and "
                    "inside a `tf.function` alike) and the gradient is silently the ordinary one; write the "
                    "gradient with `@tf.custom_gradient`, or enter the override inside a `tf.function` that the "
                    "tape only calls",
                    info.span(call),
                    None,
                )
                continue
            yield from _misnamed_keys(info, w, call)


def _override_blocks_under_tape(info: ModuleInfo) -> set[int]:
    """The `with ...gradient_override_map(...)` statements inside a `with` block recording on a tape whose
    gradient the same scope takes."""
    out: set[int] = set()
    for scope in tape_scopes(info):
        differentiated = [t for t in scope.tapes if t.calls and t.blocks]
        if not differentiated:
            continue
        for n in scope.nodes:
            if isinstance(n, ast.With) and any(
                isinstance(i.context_expr, ast.Call)
                and isinstance(i.context_expr.func, ast.Attribute)
                and i.context_expr.func.attr == "gradient_override_map"
                for i in n.items
            ):
                if any(t.recording(n, scope) for t in differentiated) and not _in_graph_context(scope, n, info):
                    out.add(id(n))
    return out


def _in_graph_context(scope, node: ast.AST, info: ModuleInfo) -> bool:
    """Inside `with <graph>.as_default():` (TF 1 graph building): not judged."""
    for p in scope.ancestors(node):
        if isinstance(p, ast.With) and any(
            isinstance(i.context_expr, ast.Call)
            and isinstance(i.context_expr.func, ast.Attribute)
            and i.context_expr.func.attr == "as_default"
            for i in p.items
        ):
            return True
    return False


def _misnamed_keys(info: ModuleInfo, w: ast.With, call: ast.Call) -> Iterator[Finding]:
    """Keys that differ only in letter case from the op type of an op the block creates."""
    if len(call.args) != 1 or not isinstance(call.args[0], ast.Dict):
        return
    made: set[str] = set()
    for stmt in w.body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call):
                t = _OP_TYPES.get(info.imports.qualname(n.func) or "")
                if t:
                    made.add(t)
    for k in call.args[0].keys:
        if not (isinstance(k, ast.Constant) and isinstance(k.value, str)) or k.value in made:
            continue
        right = [t for t in made if t.lower() == k.value.lower()]
        if right:
            yield Finding(
                "TFG041",
                f"`{k.value!r}` is not an op type: the op this block creates is `{right[0]}`, and "
                "`gradient_override_map` matches op types exactly, so the override is never used and the gradient "
                f"is silently the ordinary one; use the key `{right[0]!r}`",
                info.span(k),
                None,
            )
