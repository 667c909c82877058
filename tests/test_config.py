"""[tool.gradls] discovery and validation."""

from pathlib import Path

import pytest
from gradls.analysis import analyze
from gradls.config import Config, config_for_path, parse_table

SRC = """\
import numpy as np
import tensorflow as tf
w = tf.Variable([1.0, 2.0])
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(np.square(w))
grads = tape.gradient(loss, [w])
"""


def test_nearest_pyproject_with_section_wins(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.gradls]\nignore = ["TFG001"]\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.gradls]: skipped, as ruff does
    f = sub / "m.py"
    f.write_text(SRC)
    cfg = config_for_path(f)
    assert cfg.source == str(tmp_path / "pyproject.toml")
    assert analyze(SRC, str(f), cfg).findings == []
    assert [x.code for x in analyze(SRC, str(f)).findings] == ["TFG001"]


def test_per_file_ignores_and_exclude(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gradls]\nexclude = ["legacy/*"]\n[tool.gradls.per-file-ignores]\n"tests/*" = ["TFG001"]\n'
    )
    cfg = config_for_path(tmp_path / "x.py")
    assert cfg.is_excluded(str(tmp_path / "legacy" / "old.py"))
    assert not cfg.is_excluded(str(tmp_path / "src" / "new.py"))
    assert analyze(SRC, str(tmp_path / "tests" / "t.py"), cfg).findings == []
    assert analyze(SRC, str(tmp_path / "src" / "t.py"), cfg).findings != []


def test_validation_names_file_and_key():
    kwargs, problems = parse_table(
        {"select": "TFG001", "ignore": [1, 2], "severity": {"TFG0": "loud"}, "nope": 1}, "p.toml"
    )
    assert kwargs["select"] == ("TFG001",)
    messages = [str(p) for p in problems]
    assert any("p.toml: [tool.gradls] ignore: expected a list of strings" in m for m in messages)
    assert any("severity.TFG0" in m and "'loud'" in m for m in messages)
    assert any("nope: unknown key" in m for m in messages)


def test_severity_prefix_longest_match():
    cfg = Config(severity=(("TFG", "information"), ("TFG00", "error"), ("TFG003", "hint")))
    assert cfg.severity_for("TFG003") == "hint"
    assert cfg.severity_for("TFG001") == "error"
    assert cfg.severity_for("TFG012") == "information"
    assert Config().severity_for("TFG001") == "warning"


def test_select_exact_beats_prefix_ignore():
    cfg = Config(select=("TFG001",), ignore=("TFG0",))
    assert cfg.enabled("TFG001")
    assert not cfg.enabled("TFG003")


def test_unknown_codes_in_pyproject_are_reported(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gradls]\nselect = ["TFG0", "TFG999"]\nignore = ["E501"]\n[tool.gradls.per-file-ignores]\n"t/*" = ["TFG42"]\n'
    )
    cfg = config_for_path(tmp_path / "m.py")
    msgs = [str(p) for p in cfg.problems]
    assert any("select: 'TFG999' matches no gradls rule" in m for m in msgs), msgs
    assert any("ignore: 'E501' matches no gradls rule" in m for m in msgs), msgs
    assert any("per-file-ignores.t/*: 'TFG42'" in m for m in msgs), msgs
    assert not any("'TFG0'" in m for m in msgs)


# A raw tf.Variable on a `tf.keras` layer: Keras 3 (TF 2.16+'s default `tf.keras`) does not track it (TFG014);
# Keras 2, which a project selects with TF_USE_LEGACY_KERAS=1 in its environment, does. The environment is not in the
# code, so the project says so in its settings.
RAW_VARIABLE_LAYER = """\
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.s = tf.Variable(1.0)

    def call(self, x):
        return x * self.s
"""


def test_legacy_keras_setting_reads_tf_keras_as_keras_2(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.gradls]\nlegacy-keras = true\n")
    cfg = config_for_path(tmp_path / "layer.py")
    assert cfg.legacy_keras is True
    assert [f.code for f in analyze(RAW_VARIABLE_LAYER, str(tmp_path / "layer.py")).findings] == ["TFG014"]
    assert analyze(RAW_VARIABLE_LAYER, str(tmp_path / "layer.py"), cfg).findings == []


def test_legacy_keras_setting_must_be_a_bool():
    kwargs, problems = parse_table({"legacy-keras": "yes"}, "p.toml")
    assert "legacy_keras" not in kwargs
    assert any("legacy-keras: expected true or false" in str(p) for p in problems)


# TensorFlow 2.16 made Keras 3 `tf.keras`: a project whose dependency files pin an earlier TensorFlow (or Keras 2)
# runs Keras 2, where a raw tf.Variable on a layer is tracked (TFG014 would be false there).
@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("requirements.txt", "numpy\ntensorflow>=2.13,<2.16\n"),
        ("requirements-gpu.txt", "tensorflow[and-cuda]==2.15.1\n"),
        ("setup.py", "setup(install_requires=['tensorflow>=2.13.0,<2.16.0', 'numpy'])\n"),
        ("setup.cfg", "[options]\ninstall_requires =\n    tensorflow-gpu<=2.15.1\n"),
        ("environment.yml", "dependencies:\n  - tensorflow=2.12\n"),
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["keras<3"]\n'),
    ],
)
def test_a_project_pinned_to_keras_2_reads_tf_keras_as_keras_2(tmp_path: Path, file: str, text: str):
    (tmp_path / file).write_text(text)
    if file != "pyproject.toml":
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    layer = tmp_path / "pkg" / "layer.py"
    layer.parent.mkdir()
    layer.write_text(RAW_VARIABLE_LAYER)
    assert analyze(RAW_VARIABLE_LAYER, str(layer)).findings == []


@pytest.mark.parametrize(
    "text",
    [
        "tensorflow>=2.16\n",
        "tensorflow~=2.15\n",  # >=2.15, ==2.*: 2.16 and later too
        "tensorflow<2.16; sys_platform == 'darwin'\n",  # a pin that holds only somewhere
        "tensorflow-probability<0.24\ntf-keras\nkeras-nlp<0.5\n",  # other distributions
    ],
)
def test_a_project_not_pinned_to_keras_2_stays_keras_3(tmp_path: Path, text: str):
    (tmp_path / "requirements.txt").write_text(text)
    layer = tmp_path / "layer.py"
    layer.write_text(RAW_VARIABLE_LAYER)
    assert [f.code for f in analyze(RAW_VARIABLE_LAYER, str(layer)).findings] == ["TFG014"]


def test_legacy_keras_false_overrides_the_pin(tmp_path: Path):
    (tmp_path / "requirements.txt").write_text("tensorflow==2.15.0\n")
    (tmp_path / "pyproject.toml").write_text("[tool.gradls]\nlegacy-keras = false\n")
    layer = tmp_path / "layer.py"
    layer.write_text(RAW_VARIABLE_LAYER)
    cfg = config_for_path(layer)
    assert cfg.legacy_keras is False
    assert [f.code for f in analyze(RAW_VARIABLE_LAYER, str(layer), cfg).findings] == ["TFG014"]
