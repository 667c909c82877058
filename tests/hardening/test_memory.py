"""Analysis must not keep anything alive between runs: the server analyses every version of every
open document, so one leaked AST per run is a leak per keystroke."""

from __future__ import annotations

import gc
import os

from gradls.analysis import analyze
from gradls.analysis.module import ModuleInfo
from soakkit import make_document, rss_kib

# Uses tapes (TFG010/TFG013 scopes), NumPy in a layer (TFG001), custom gradients and a tf.function.
PROGRAM = (
    make_document(300)
    + """

@tf.function
def train(model, x, opt):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    more = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return more


count = tf.Variable(0)
with tf.GradientTape() as tape:
    out = tf.cast(count, tf.float32) * 2.0
print(tape.gradient(out, count))
"""
)


def _live_module_infos() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, ModuleInfo))


def test_analysis_keeps_no_module_alive():
    analyze(PROGRAM)
    before = _live_module_infos()
    for i in range(20):
        result = analyze(PROGRAM + f"\nz_{i} = {i}\n")
        assert result.failure is None and result.findings
    del result
    assert _live_module_infos() <= before, "ModuleInfo objects (and their ASTs) outlive analyze()"


def test_analysis_rss_is_flat_on_a_5000_line_file():
    text = make_document(5000)
    for i in range(2):
        analyze(text + f"\nwarm_{i} = 1\n")
    gc.collect()
    start = rss_kib(os.getpid())
    for i in range(6):
        analyze(text + f"\nz_{i} = {i}\n")
    gc.collect()
    growth_mib = (rss_kib(os.getpid()) - start) / 1024
    # Before the fix every analysis of this file leaked ~18 MiB (ModuleInfo kept by a WeakKeyDictionary).
    assert growth_mib < 30, f"RSS grew {growth_mib:.1f} MiB over 6 analyses of a 5,000-line file"
