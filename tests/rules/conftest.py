import pytest

from rules.casekit import all_cases


def _case_name(params: dict) -> str | None:
    c = params.get("c")
    return c.name if hasattr(c, "name") else None


@pytest.fixture(scope="session")
def tf_verdicts(request):
    """The rule cases the session's selected verdict tests ask for (every case of every module on a full run),
    run under TensorFlow in one batch: `pytest tests/rules/test_tfg008_*.py -k top_k` runs only those cases."""
    from tfharness import run_programs, selected_programs

    cases = all_cases()
    wanted = selected_programs(request.session, "tf_verdicts", _case_name)
    chosen = {name: c for name, c in cases.items() if wanted is None or name in wanted}
    return run_programs({name: c.source for name, c in chosen.items()})
