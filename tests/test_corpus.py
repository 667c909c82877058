"""The realistic corpora: tests/corpus/correct (gradls must stay silent) and tests/corpus/buggy
(one catalogue bug each, gradls must report exactly it).

(a) One TensorFlow process runs every corpus program and re-confirms its `tf-verdict`: every correct
    program runs and gives present, non-zero gradients for every trainable variable it checks;
    every buggy program really fails (raises, None or zero gradient).
(b) gradls findings: none at all on the correct corpus; on the buggy corpus exactly the expected
    CODE@LINE, counting only rules registered today (the rest switch on when their rule lands).
(c) Library code that ships with the installed TensorFlow/Keras (read-only, analysis only) must
    produce no findings either.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import fixture_meta as fm
import pytest

CORRECT = fm.load("corpus/correct")
BUGGY = fm.load("corpus/buggy")
ALL = CORRECT + BUGGY

# The bundled examples/ folder (what the README's `gradls check examples` runs on): plain user
# scripts without fixture headers.  file -> (codes gradls must report, what TensorFlow raises or None).
EXAMPLES_DIR = fm.TESTS.parent / "examples"
EXAMPLES = {
    "numpy_in_training_loop.py": ({"TFG001"}, "ValueError"),  # all gradients None -> optimizer refuses
    "numpy_in_tf_function.py": ({"TFG001"}, "NotImplementedError"),
    "python_if_in_keras_layer.py": ({"TFG003"}, "OperatorNotAllowedInGraphError"),
    "custom_gradient_layer.py": ({"TFG004"}, "TypeError"),
    "clean_training.py": (set(), None),
}


def _program_of(params: dict) -> str | None:
    """The corpus program (`fx`) or bundled example (`name`) a test is parametrized with."""
    if "fx" in params:
        return params["fx"].name
    if "name" in params:
        return f"examples/{params['name']}"
    return None


@pytest.fixture(scope="module")
def tf_results(request):
    programs = {f.name: f.source for f in ALL}
    programs.update({f"examples/{n}": (EXAMPLES_DIR / n).read_text(encoding="utf-8") for n in EXAMPLES})
    from tfharness import run_programs, selected_programs

    wanted = selected_programs(request.session, "tf_results", _program_of)
    if wanted is not None:
        programs = {n: src for n, src in programs.items() if n in wanted}
    return run_programs(programs, per_program_timeout=60)


@pytest.fixture(scope="module")
def analysis():
    why = fm.analysis_available()
    if why:
        pytest.skip(why)
    return fm.registered_codes()


def test_corpus_sizes_and_coverage():
    assert len(CORRECT) >= 25
    assert len(BUGGY) >= 25
    per_code = Counter(code for f in BUGGY for code, _ in f.expect)
    missing = sorted(c for c in fm.CATALOGUE - set(per_code) if not c.startswith("TFG9"))  # TFG9xx: about gradls itself
    assert not missing, f"no buggy program for {missing}"
    for code in ("TFG001", "TFG003", "TFG004"):
        assert per_code[code] >= 4, f"only {per_code[code]} buggy programs for {code}"


@pytest.mark.parametrize("fx", CORRECT, ids=[f.name for f in CORRECT])
def test_correct_header(fx):
    assert not fm.header_problems(fx), fm.header_problems(fx)
    assert fx.verdict == "ok" and not fx.expect, (
        f"{fx.name}: a correct program must be tf-verdict=ok with an empty gradls-expect"
    )


@pytest.mark.parametrize("fx", BUGGY, ids=[f.name for f in BUGGY])
def test_buggy_header(fx):
    assert not fm.header_problems(fx), fm.header_problems(fx)
    assert fx.verdict != "ok", f"{fx.name}: a buggy program must really fail under TensorFlow"
    assert len(fx.expect) == 1, f"{fx.name}: one catalogue bug per buggy program, got {fm.fmt_pairs(fx.expect)}"
    ((code, _),) = fx.expect
    assert fx.path.name.startswith("b" + code[3:]), f"{fx.name}: file name should start with b{code[3:]}"


@pytest.mark.parametrize("fx", ALL, ids=[f.name for f in ALL])
def test_tf_verdict(fx, tf_results):
    problem = fm.verdict_mismatch(fx, tf_results[fx.name])
    assert problem is None, problem


@pytest.mark.parametrize("fx", CORRECT, ids=[f.name for f in CORRECT])
def test_correct_has_no_findings(fx, analysis):
    got = fm.findings_of(fx.source, str(fx.path))
    diff = fm.expectation_diff(fx, got, {c for c, _ in got} | analysis)
    assert diff is None, "\n" + diff


@pytest.mark.parametrize("fx", BUGGY, ids=[f.name for f in BUGGY])
def test_buggy_findings(fx, analysis):
    diff = fm.expectation_diff(fx, fm.findings_of(fx.source, str(fx.path)), analysis)
    assert diff is None, "\n" + diff


# Library code shipped with the installed Keras 3 / TensorFlow that uses GradientTape,
# custom_gradient, train_step or straight-through estimators the way users do.  Read-only:
# analysed in place, never run.
LIBRARY_FILES = [
    "keras/src/backend/tensorflow/trainer.py",
    "keras/src/backend/tensorflow/core.py",
    "keras/src/backend/tensorflow/optimizer.py",
    "keras/src/quantizers/quantizers.py",
    "keras/src/layers/core/dense.py",
    "keras/src/layers/core/einsum_dense.py",
    "keras/src/layers/attention/multi_head_attention.py",
    "keras/src/layers/normalization/batch_normalization.py",
    "keras/src/layers/rnn/lstm.py",
    "keras/src/layers/layer.py",
    "keras/src/losses/losses.py",
    "keras/src/models/model.py",
    "keras/src/optimizers/base_optimizer.py",
    "keras/src/trainers/trainer.py",
    "tensorflow/python/distribute/single_loss_example.py",
    "tensorflow/python/keras/engine/training.py",
    "tensorflow/python/keras/optimizer_v2/optimizer_v2.py",
    "tensorflow/python/keras/mixed_precision/loss_scale_optimizer.py",
    "tensorflow/python/ops/custom_gradient.py",
    "tensorflow/python/ops/nn_fused_batch_norm_grad.py",
    "tensorflow/python/ops/nn_impl.py",
    "tensorflow/python/eager/backprop.py",
    "tensorflow/python/training/optimizer.py",
]


def _site_packages() -> Path | None:
    for pkg in ("keras", "tensorflow"):
        spec = importlib.util.find_spec(pkg)  # locates the package without importing it
        if spec and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))).parent
    return None


@pytest.mark.parametrize("rel", LIBRARY_FILES)
def test_installed_library_code_has_no_findings(rel, analysis):
    site = _site_packages()
    path = site / rel if site else None
    if path is None or not path.is_file():
        pytest.skip(f"{rel} is not installed here")
    source = path.read_text(encoding="utf-8")
    got = fm.findings_of(source, str(path))
    lines = source.splitlines()
    detail = "\n".join(f"    {c}@{n}: {lines[n - 1].strip()[:100]}" for c, n in sorted(got, key=lambda p: p[1]))
    assert not got, f"{rel}: expected no findings, got\n{detail}"


def test_examples_folder_is_listed():
    assert sorted(p.name for p in EXAMPLES_DIR.glob("*.py")) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_really_fails_under_tf(name, tf_results):
    r = tf_results[f"examples/{name}"]
    want = EXAMPLES[name][1]
    assert r.error_type == want, f"examples/{name}: expected {want or 'a clean run'}, TensorFlow gave {fm.describe(r)}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_findings(name, analysis):
    path = EXAMPLES_DIR / name
    got = {c for c, _ in fm.findings_of(path.read_text(encoding="utf-8"), str(path))}
    want = EXAMPLES[name][0]
    assert got & analysis == want & analysis, (
        f"examples/{name}: expected codes {sorted(want)}, gradls reported {sorted(got)}"
    )
