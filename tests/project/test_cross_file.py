"""Across files: a Keras class defined in one module of a project and used in another is one program.

Each project below is written to a temporary folder, analysed with `gradls check`'s engine, and run
under TensorFlow (all projects in one process: TF's import is paid once).  Module names differ per
project so the runs cannot see each other's modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gradls.analysis import analyze
from gradls.analysis.project import ProjectIndex

# name -> (files, the TF verdict: "raises:<Error>" or the RESULT list, findings expected as {(file, code, line)})
PROJECTS: dict[str, tuple[dict[str, str], str, set[tuple[str, str, int]]]] = {
    # A Keras 3 base class in another module: the subclass is a Keras layer, its raw tf.Variable untracked.
    "keras3_base_elsewhere": (
        {
            "k3a_pkg/__init__.py": "from .base import Base\n",
            "k3a_pkg/base.py": """
                import tensorflow as tf

                class Base(tf.keras.layers.Layer):
                    pass
            """,
            "k3a_pkg/scale.py": """
                import tensorflow as tf
                from . import Base

                class Scale(Base):
                    def __init__(self):
                        super().__init__()
                        self.w = tf.Variable(tf.ones((3, 1)))

                    def call(self, x):
                        return tf.matmul(x, self.w)
            """,
            "train.py": """
                import numpy as np
                import tensorflow as tf
                from k3a_pkg.scale import Scale

                layer = Scale()
                model = tf.keras.Sequential([tf.keras.Input((3,)), layer, tf.keras.layers.Dense(1)])
                model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
                before = layer.w.numpy().copy()
                model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), verbose=0)
                RESULT = ["zero" if np.allclose(before, layer.w.numpy()) else "ok"]
            """,
        },
        '["zero"]',
        {("k3a_pkg/scale.py", "TFG014", 7)},
    ),
    # The same shape on a Keras 2 (tf_keras) base: tracked, it trains; nothing to report.
    "keras2_base_elsewhere": (
        {
            "k2b_layers.py": """
                import tf_keras

                class Base(tf_keras.layers.Layer):
                    pass
            """,
            "k2b_scale.py": """
                import tensorflow as tf
                from k2b_layers import Base

                class Scale(Base):
                    def __init__(self):
                        super().__init__()
                        self.w = tf.Variable(tf.ones((3, 1)))

                    def call(self, x):
                        return tf.matmul(x, self.w)
            """,
            "train.py": """
                import numpy as np
                import tf_keras
                from k2b_scale import Scale

                layer = Scale()
                model = tf_keras.Sequential([tf_keras.Input((3,)), layer])
                model.compile(optimizer=tf_keras.optimizers.SGD(0.1), loss="mse")
                before = layer.w.numpy().copy()
                model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), verbose=0)
                RESULT = ["zero" if np.allclose(before, layer.w.numpy()) else "ok"]
            """,
        },
        '["ok"]',
        set(),
    ),
    # A layer with a Python `if` on a tensor, called only eagerly by its one user: TF runs it fine.
    "eager_user_only": (
        {
            "eag_gate.py": """
                import tensorflow as tf

                class Gate(tf.keras.layers.Layer):
                    def build(self, input_shape):
                        self.w = self.add_weight(shape=(input_shape[-1], 1))

                    def call(self, x):
                        y = tf.matmul(x, self.w)
                        if tf.reduce_sum(y) > 0:
                            y = y * 2.0
                        return y
            """,
            "train.py": """
                import tensorflow as tf
                from eag_gate import Gate

                gate = Gate()
                x = tf.ones((4, 3))
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum(gate(x))
                grads = tape.gradient(loss, gate.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["ok"]',
        set(),
    ),
    # The same layer put in a Sequential model by its user: Keras traces `call` without AutoGraph.
    "graph_user": (
        {
            "gru_gate.py": """
                import tensorflow as tf

                class Gate(tf.keras.layers.Layer):
                    def build(self, input_shape):
                        self.w = self.add_weight(shape=(input_shape[-1], 1))

                    def call(self, x):
                        y = tf.matmul(x, self.w)
                        if tf.reduce_sum(y) > 0:
                            y = y * 2.0
                        return y
            """,
            "train.py": """
                import tensorflow as tf
                from gru_gate import Gate

                model = tf.keras.Sequential([tf.keras.Input((3,)), Gate()])
                RESULT = ["ok"]
            """,
        },
        "raises:OperatorNotAllowedInGraphError",
        {("gru_gate.py", "TFG003", 9)},
    ),
    # The model object comes from another module (no telling name): `.numpy()` on its output is seen.
    "object_from_another_module": (
        {
            "obj_nets.py": """
                import tensorflow as tf

                def build():
                    return tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])

                scorer = build()
            """,
            "train.py": """
                import tensorflow as tf
                from obj_nets import scorer

                x = tf.ones((4, 3))
                with tf.GradientTape() as tape:
                    out = scorer(x)
                    loss = tf.reduce_mean(tf.constant(out.numpy()))
                grads = tape.gradient(loss, scorer.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["none", "none"]',
        {("train.py", "TFG002", 7)},
    ),
    # A layer whose call has no differentiable path from input to output, wired after a Dense in another
    # module: the Dense gets None (its own module shows no use of it).
    "cut_layer_after_weights_elsewhere": (
        {
            "qa_layers.py": """
                import tensorflow as tf
                import keras

                class Quantize(keras.layers.Layer):
                    def call(self, x):
                        return tf.cast(tf.cast(x * 10, tf.int32), tf.float32) / 10
            """,
            "train.py": """
                import tensorflow as tf
                import keras
                from qa_layers import Quantize

                inp = keras.Input((3,))
                out = keras.layers.Dense(1)(Quantize()(keras.layers.Dense(4)(inp)))
                model = keras.Model(inp, out)
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum(model(tf.ones((2, 3))))
                grads = tape.gradient(loss, model.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["none", "none", "ok", "ok"]',
        {("qa_layers.py", "TFG008", 6)},
    ),
    # A helper in another module passes its argument on only through argmax (its summary travels with the
    # project index): the call in train.py starves the model.
    "helper_cuts_elsewhere": (
        {
            "hc_utils.py": """
                import tensorflow as tf

                def decode(logits):
                    return tf.cast(tf.argmax(logits, axis=1), tf.float32)
            """,
            "train.py": """
                import tensorflow as tf
                import keras
                from hc_utils import decode

                model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
                x, y = tf.ones((8, 4)), tf.ones((8,))
                with tf.GradientTape() as tape:
                    pred = decode(model(x))
                    loss = tf.reduce_mean(tf.square(pred - y))
                grads = tape.gradient(loss, model.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["none", "none"]',
        {("train.py", "TFG008", 8)},
    ),
    # Issue 10: the same through a lambda bound to a module name and a @staticmethod of a class of the other module
    # (`Decoders.labels(x)`): both summaries travel with the project index.
    "lambda_and_static_cuts_elsewhere": (
        {
            "ls_utils.py": """
                import tensorflow as tf

                to_labels = lambda logits: tf.cast(tf.argmax(logits, axis=1), tf.float32)

                class Decoders:
                    @staticmethod
                    def labels(logits):
                        return tf.cast(tf.argmax(logits, axis=1), tf.float32)
            """,
            "train.py": """
                import tensorflow as tf
                import keras
                from ls_utils import Decoders, to_labels

                model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
                head = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
                x, y = tf.ones((8, 4)), tf.ones((8,))
                with tf.GradientTape(persistent=True) as tape:
                    loss = tf.reduce_mean(tf.square(to_labels(model(x)) - y))
                    loss2 = tf.reduce_mean(tf.square(Decoders.labels(head(x)) - y))
                grads = tape.gradient(loss, model.trainable_variables) + tape.gradient(loss2, head.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["none", "none", "none", "none"]',
        {("train.py", "TFG008", 9), ("train.py", "TFG008", 10)},
    ),
    # The same layer applied to the raw inputs: nothing trainable before it, nothing to report.
    "cut_layer_on_inputs_elsewhere": (
        {
            "qb_layers.py": """
                import tensorflow as tf
                import keras

                class Quantize(keras.layers.Layer):
                    def call(self, x):
                        return tf.cast(tf.cast(x * 10, tf.int32), tf.float32) / 10
            """,
            "train.py": """
                import tensorflow as tf
                import keras
                from qb_layers import Quantize

                inp = keras.Input((3,))
                out = keras.layers.Dense(1)(Quantize()(inp))
                model = keras.Model(inp, out)
                with tf.GradientTape() as tape:
                    loss = tf.reduce_sum(model(tf.ones((2, 3))))
                grads = tape.gradient(loss, model.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["ok", "ok"]',
        set(),
    ),
    # A loss given to `compile()` from another module, whose y_pred reaches the loss only through tf.argsort: fit
    # raises (reported at the name given to compile, with the op's module and line).
    "compiled_loss_cuts_elsewhere": (
        {
            "cl_losses.py": """
                import tensorflow as tf


                def rank_loss(y_true, y_pred):
                    ranks = tf.cast(tf.argsort(tf.argsort(y_pred, axis=0), axis=0), tf.float32)
                    return tf.reduce_mean(tf.square(ranks - y_true))
            """,
            "train.py": """
                import numpy as np
                import keras
                from cl_losses import rank_loss

                model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
                model.compile(optimizer="adam", loss=rank_loss)
                model.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16, 1).astype("float32"), verbose=0)
                RESULT = ["ok"]
            """,
        },
        "raises:ValueError",
        {("train.py", "TFG008", 6)},
    ),
    # The same loss, soft: a sigmoid of scaled differences passes the prediction on; it trains.
    "compiled_loss_soft_elsewhere": (
        {
            "cs_losses.py": """
                import tensorflow as tf


                def soft_rank_loss(y_true, y_pred):
                    diffs = tf.expand_dims(y_pred[:, 0], 1) - tf.expand_dims(y_pred[:, 0], 0)
                    ranks = tf.reduce_sum(tf.sigmoid(diffs * 10.0), axis=1, keepdims=True)
                    return tf.reduce_mean(tf.square(ranks - y_true)) + tf.cast(tf.argmax(y_true[:, 0]), tf.float32) * 0.0
            """,
            "train.py": """
                import numpy as np
                import keras
                from cs_losses import soft_rank_loss

                model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
                model.compile(optimizer="sgd", loss=soft_rank_loss)
                before = [w.numpy().copy() for w in model.trainable_weights]
                model.fit(np.random.rand(16, 4).astype("float32"), np.random.rand(16, 1).astype("float32"), verbose=0)
                RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, model.trainable_weights)]
            """,
        },
        '["ok", "ok"]',
        set(),
    ),
    # A helper of another module turns its argument into a NumPy array on the way to its result, and the taped
    # loss is computed from it: the tape stops there (TF 2.21: no gradient for any weight).
    "numpy_helper_elsewhere": (
        {
            "nh_utils.py": """
                import numpy as np

                def normalize(t):
                    arr = np.asarray(t)
                    return (arr - arr.mean()) / (arr.std() + 1e-8)
            """,
            "train.py": """
                import tensorflow as tf
                from nh_utils import normalize

                model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
                x = tf.random.normal((8, 3))
                y = tf.random.normal((8, 2))
                with tf.GradientTape() as tape:
                    out = normalize(model(x))
                    loss = tf.reduce_mean((tf.convert_to_tensor(out) - y) ** 2)
                grads = tape.gradient(loss, model.trainable_variables)
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["none", "none"]',
        {("train.py", "TFG002", 8)},
    ),
    # The same helper used for reporting only, outside the loss: nothing to say.
    "numpy_helper_for_reporting": (
        {
            "nr_utils.py": """
                import numpy as np

                def normalize(t):
                    arr = np.asarray(t)
                    return (arr - arr.mean()) / (arr.std() + 1e-8)
            """,
            "train.py": """
                import tensorflow as tf
                from nr_utils import normalize

                model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
                x = tf.random.normal((8, 3))
                y = tf.random.normal((8, 2))
                with tf.GradientTape() as tape:
                    out = model(x)
                    loss = tf.reduce_mean((out - y) ** 2)
                    report = normalize(out)
                grads = tape.gradient(loss, model.trainable_variables)
                print(report.max())
                RESULT = ["none" if g is None else "ok" for g in grads]
            """,
        },
        '["ok", "ok"]',
        set(),
    ),
    # A loss of another module written with NumPy, given to compile(): Keras traces it and NumPy raises.
    "numpy_compiled_loss_elsewhere": (
        {
            "nl_metrics.py": """
                import numpy as np

                def rmsle(y_true, y_pred):
                    p = np.log1p(np.maximum(y_pred, 0))
                    return np.sqrt(np.mean((p - np.log1p(y_true)) ** 2))
            """,
            "train.py": """
                import numpy as np
                import keras
                from nl_metrics import rmsle

                model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
                model.compile(optimizer="adam", loss=rmsle)
                model.fit(np.random.rand(16, 4), np.random.rand(16, 1), verbose=0)
                RESULT = ["ok"]
            """,
        },
        "raises:NotImplementedError",
        {("train.py", "TFG002", 6)},
    ),
}

_DRIVER = r"""
import json, runpy, sys, traceback
out = {}
for name, folder in json.loads(sys.argv[1]).items():
    sys.path.insert(0, folder)
    try:
        ns = runpy.run_path(folder + "/train.py", run_name="__main__")
        out[name] = json.dumps(ns.get("RESULT"))
    except Exception as e:
        out[name] = "raises:" + type(e).__name__
    finally:
        sys.path.remove(folder)
print("@@RESULT@@" + json.dumps(out))
"""


def _write(root: Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for name, (files, _, _) in PROJECTS.items():
        root = tmp_path_factory.mktemp(name)
        _write(root, files)
        out[name] = root
    return out


@pytest.fixture(scope="module")
def tf_results(projects) -> dict[str, str]:
    from tfharness import tf_python

    proc = subprocess.run(
        [tf_python(), "-c", _DRIVER, json.dumps({k: str(v) for k, v in projects.items()})],
        capture_output=True,
        text=True,
        timeout=600,
        env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "-1"},
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("@@RESULT@@")), None)
    assert line is not None, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(line[len("@@RESULT@@") :])


def _findings(root: Path) -> set[tuple[str, str, int]]:
    index = ProjectIndex(root)
    out = set()
    for f in sorted(root.rglob("*.py")):
        r = analyze(f.read_text(), str(f), project=index)
        out |= {(f.relative_to(root).as_posix(), x.code, x.span.line) for x in r.findings}
    return out


@pytest.mark.parametrize("name", PROJECTS)
def test_tensorflow_verdict(name, tf_results):
    assert tf_results[name] == PROJECTS[name][1]


@pytest.mark.parametrize("name", PROJECTS)
def test_gradls_sees_the_whole_project(name, projects):
    assert _findings(projects[name]) == PROJECTS[name][2]


def test_each_file_alone_misses_what_the_project_shows(projects):
    # Without the index, the subclass of an imported base is not known to be a Keras layer.
    f = projects["keras3_base_elsewhere"] / "k3a_pkg/scale.py"
    assert not analyze(f.read_text(), str(f), project=False).findings


def test_editor_buffer_overrides_the_disk(projects):
    root = projects["keras3_base_elsewhere"]
    index = ProjectIndex(root)
    scale = root / "k3a_pkg/scale.py"
    assert {x.code for x in analyze(scale.read_text(), str(scale), project=index).findings} == {"TFG014"}
    # The user edits base.py (unsaved) so Base is no longer a Keras layer: the summary changes.
    changed = index.set_text(root / "k3a_pkg/base.py", "class Base:\n    pass\n")
    assert changed
    assert not analyze(scale.read_text(), str(scale), project=index).findings
    assert index.set_text(root / "k3a_pkg/base.py", None)  # closed unsaved: back to the disk


def test_import_cycles_and_broken_modules_stay_silent(tmp_path):
    _write(
        tmp_path,
        {
            "cyc_a.py": "from cyc_b import B\nclass A(B):\n    pass\n",
            "cyc_b.py": "from cyc_a import A\nclass B(A):\n    pass\n",
            "broken.py": "class Broken(:\n",
            "user.py": "from broken import Broken\nfrom cyc_a import A\nx = Broken()\ny = A()\n",
        },
    )
    index = ProjectIndex(tmp_path)
    for f in tmp_path.glob("*.py"):
        analyze(f.read_text(), str(f), project=index)  # must not raise or recurse forever


def test_sys_path_is_not_the_project(tmp_path):
    # A module outside the project root is never read.
    outside = tmp_path / "outside"
    inside = tmp_path / "proj"
    _write(outside, {"ext_mod.py": "import tensorflow as tf\nclass L(tf.keras.layers.Layer):\n    pass\n"})
    _write(inside, {"use.py": "from ext_mod import L\n"})
    index = ProjectIndex(inside)
    assert index.lookup(inside / "use.py", 0, "ext_mod.L") is None
    assert sys.modules.get("ext_mod") is None


def test_an_editor_workspace_inside_a_repository_is_its_own_project(tmp_path):
    from gradls.analysis.project import find_root

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'big'\n")
    ws = tmp_path / "sub" / "workspace"
    (ws / "pkg").mkdir(parents=True)
    f = ws / "pkg" / "model.py"
    f.write_text("x = 1\n")
    assert find_root(f) == tmp_path.resolve()  # the CLI: the nearest marker
    assert find_root(f, [str(ws)]) == ws.resolve()  # the editor: never above the workspace folder
    (ws / "pkg" / "pyproject.toml").write_text("")
    assert find_root(f, [str(ws)]) == (ws / "pkg").resolve()  # a marker below the folder still wins
