"""Ground truth from the seed Q&A posts (tests/fixtures/seeds) and focused cases (tests/fixtures/cases).

(a) One TensorFlow process runs every fixture and re-confirms its `tf-verdict` header, so the
    recorded ground truth cannot rot when TF/Keras change.
(b) `gradls.analysis.analyze()` must report exactly the `gradls-expect` CODE@LINE pairs, counting
    only rules that are registered today: expectations for rules not written yet are ignored
    and switch on by themselves when the rule lands.
"""

from __future__ import annotations

import fixture_meta as fm
import pytest

FIXTURES = fm.load("fixtures/seeds", "fixtures/cases")
IDS = [f.name for f in FIXTURES]


@pytest.fixture(scope="module")
def tf_results():
    return fm.run_fixtures(FIXTURES)


def test_fixtures_exist():
    seeds = [f for f in FIXTURES if f.path.parent.name == "seeds"]
    assert len(seeds) >= 15, "every code example of the 5 seeds should have a fixture"


@pytest.mark.parametrize("fx", FIXTURES, ids=IDS)
def test_header(fx):
    assert not fm.header_problems(fx), fm.header_problems(fx)
    if fx.verdict == "ok":
        assert not fx.expect, f"{fx.name}: TensorFlow runs it with healthy gradients, so gradls must expect nothing"


@pytest.mark.parametrize("fx", FIXTURES, ids=IDS)
def test_tf_verdict(fx, tf_results):
    problem = fm.verdict_mismatch(fx, tf_results[fx.name])
    assert problem is None, problem


@pytest.mark.parametrize("fx", FIXTURES, ids=IDS)
def test_gradls_findings(fx):
    why = fm.analysis_available()
    if why:
        pytest.skip(why)
    codes = fm.registered_codes()
    diff = fm.expectation_diff(fx, fm.findings_of(fx.source, str(fx.path)), codes)
    assert diff is None, "\n" + diff
