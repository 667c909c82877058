"""Cross-file analysis cost: a 50-file project where one model module is imported by 10 training scripts.

    .venv/bin/python bench/bench_project.py [--repeat 30]

Prints, beside `ast.parse` of the same text (never asserted in tests):
  - re-checking the edited model module with the project index warm (the editor's case; target <= 100 ms),
  - the same after an edit that changes the module's summary (its importers must be re-checked),
  - the 10 importers re-checked after that edit,
  - a cold `analyze` of every file of the project (the `gradls check` case), with and without the index.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import tempfile
import time
from pathlib import Path

from gradls.analysis import analyze
from gradls.analysis.project import ProjectIndex

MODEL = """
import tensorflow as tf
from tensorflow import keras


class Block{i}(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(units, activation="relu")
        self.norm = keras.layers.LayerNormalization()

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x, training=None):
        h = self.norm(self.dense(x))
        return tf.nn.relu(h * tf.reduce_mean(self.scale))
"""

TRAIN = """
import tensorflow as tf
from models import {cls}
from helpers_{j} import make_batch


def train(steps=10):
    layer = {cls}()
    opt = tf.keras.optimizers.Adam(1e-3)
    for _ in range(steps):
        x, y = make_batch()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x) - y))
        grads = tape.gradient(loss, layer.trainable_variables)
        opt.apply_gradients(zip(grads, layer.trainable_variables))
"""

HELPER = """
import numpy as np
import tensorflow as tf


def make_batch(n=16):
    return tf.constant(np.random.rand(n, 8), tf.float32), tf.constant(np.random.rand(n, 32), tf.float32)
"""


def build(root: Path) -> tuple[Path, list[Path]]:
    (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    models = root / "models.py"
    models.write_text("".join(MODEL.format(i=i) for i in range(40)))
    importers = []
    for j in range(10):
        (root / f"helpers_{j}.py").write_text(HELPER)
        p = root / f"train_{j}.py"
        p.write_text(TRAIN.format(cls=f"Block{j}", j=j))
        importers.append(p)
    for k in range(29):
        (root / f"util_{k}.py").write_text(HELPER)
    return models, importers


def median_ms(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="gradls-bench-project-") as d:
        root = Path(d)
        models, importers = build(root)
        files = sorted(root.glob("*.py"))
        index = ProjectIndex(root)
        text = models.read_text()
        print(f"python {sys.version.split()[0]}; {len(files)} files; models.py {text.count(chr(10))} lines; ms, median")
        t_parse = median_ms(lambda: ast.parse(text), args.repeat)
        t_edit = median_ms(lambda: analyze(text, str(models), project=index), args.repeat)
        print(f"{'ast.parse(models.py)':48} {t_parse:8.1f}")
        print(f"{'re-check models.py, index warm':48} {t_edit:8.1f}   ({t_edit / t_parse:.1f}x ast.parse)")

        edits = iter(range(10**6))

        def summary_changing_edit() -> None:
            # An edit that changes the summary (a new Keras class): the buffer overrides the disk.
            new = text + f"\n\nclass Extra{next(edits)}(keras.layers.Layer):\n    pass\n"
            index.set_text(models, new)
            analyze(new, str(models), project=index)

        t_sum = median_ms(summary_changing_edit, args.repeat)
        print(f"{'edit changing the summary, re-check models.py':48} {t_sum:8.1f}")

        def recheck_importers() -> None:
            index.set_text(models, text + f"\n\nclass Extra{next(edits)}(keras.layers.Layer):\n    pass\n")
            for p in importers:
                analyze(p.read_text(), str(p), project=index)

        t_imp = median_ms(recheck_importers, max(5, args.repeat // 3))
        print(f"{'... and its 10 importers re-checked':48} {t_imp:8.1f}   (target <= 100 ms)")
        index.set_text(models, None)

        sources = {p: p.read_text() for p in files}
        t_all_parse = median_ms(lambda: [ast.parse(s) for s in sources.values()], 5)
        t_all_single = median_ms(lambda: [analyze(s, str(p), project=False) for p, s in sources.items()], 5)
        t_all_cold = median_ms(
            lambda: (
                [analyze(s, str(p), project=ProjectIndex(root)) for p, s in [next(iter(sources.items()))]]
                + [analyze(s, str(p), project=index) for p, s in sources.items()]
            ),
            5,
        )
        print(f"{'all 50 files: ast.parse':48} {t_all_parse:8.1f}")
        print(f"{'all 50 files: analyze, each file alone':48} {t_all_single:8.1f}")
        print(f"{'all 50 files: analyze with the project index':48} {t_all_cold:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
