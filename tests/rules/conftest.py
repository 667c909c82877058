import pytest

from rules.casekit import all_cases


@pytest.fixture(scope="session")
def tf_verdicts():
    """Every rule case of every module, run under TensorFlow in one process."""
    from tfharness import run_programs

    cases = all_cases()
    return run_programs({name: c.source for name, c in cases.items()})
