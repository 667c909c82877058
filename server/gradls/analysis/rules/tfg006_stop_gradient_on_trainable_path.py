"""TFG006 stop-gradient-on-trainable-path: `tf.stop_gradient` that cuts every path from trainable
weights to the loss or the returned output."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gradls.analysis.custom_gradient import inside_custom_gradient
from gradls.analysis.flow import STOP_GRADIENT, Flow, cut_roots, inside_stop_gradient
from gradls.analysis.lambda_layers import lambda_layers, only_way_on, weights_before
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo
from gradls.analysis.rules import rule
from gradls.analysis.tensors import DIFF


@rule(
    "TFG006",
    "stop-gradient-on-trainable-path",
    "`tf.stop_gradient` around a value computed from trainable weights, on the only path from those weights to "
    "the loss or the layer's output: `tape.gradient` returns None for them and they never train.",
)
def find_stop_gradient_on_trainable_path(info: ModuleInfo) -> Iterator[Finding]:
    if "stop_gradient" not in info.source:
        return
    flow = Flow(info)
    for node, _modes in info.region_nodes():
        if not (isinstance(node, ast.Call) and node.args and info.imports.qualname(node.func) in STOP_GRADIENT):
            continue
        arg = node.args[0]
        if info.tensors.level_of(arg) < DIFF or inside_custom_gradient(info, node):
            continue
        if inside_stop_gradient(info, flow, node, skip=node):
            continue
        cut, _ = cut_roots(info, flow, node, arg)
        if not cut:
            continue
        shown = ", ".join(f"`{c}`" for c in cut[:3])
        # Name the op as the code spells it (`ops.stop_gradient`, `keras.ops.stop_gradient`, `tf.stop_gradient`).
        written = info.text(node.func) if len(info.text(node.func)) <= 40 else "tf.stop_gradient"
        msg = (
            f"`{written}` cuts the only path from {shown} to the loss: `tape.gradient` returns None for "
            "those weights (Keras optimizers warn `Gradients do not exist for variables`, or raise `No gradients "
            "provided for any variable`) and they never train; remove it, or keep it only on targets"
        )
        yield Finding("TFG006", msg, info.span(node))
    yield from _stop_gradient_lambda_layers(info, flow)


def _stop_gradient_lambda_layers(info: ModuleInfo, flow: Flow) -> Iterator[Finding]:
    """`Lambda(lambda t: tf.stop_gradient(t))` after trainable layers, with nothing else carrying their output on:
    Keras runs the function in the layer's `call`, so every weight before the layer gets None (under `fit` too)."""
    for layer in lambda_layers(info):
        stops = [
            n
            for e in layer.returned
            for n in ast.walk(e)
            if isinstance(n, ast.Call) and n.args and info.imports.qualname(n.func) in STOP_GRADIENT
        ]
        if not stops:
            continue
        inside = {id(x) for c in stops for x in ast.walk(c)}
        free = [
            n
            for e in layer.returned
            for n in ast.walk(e)
            if isinstance(n, ast.Name) and n.id in layer.params and id(n) not in inside
        ]
        if free or not weights_before(info, layer.ctor) or not only_way_on(info, flow, layer.ctor):
            continue
        msg = (
            "`stop_gradient` in this `Lambda` layer cuts every path from the layers before it to the model's output: "
            "`tape.gradient` returns None for their weights (`fit` warns `Gradients do not exist for variables`, "
            "or raises `No gradients provided for any variable`) and they never train; remove it, or keep it only "
            "on a branch whose input also reaches the output another way"
        )
        yield Finding("TFG006", msg, info.span(stops[0]))
