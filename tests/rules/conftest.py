import pytest

from rules.casekit import all_cases


def _selected_case_names(session) -> set[str]:
    """Names of the cases the collected verdict tests are parametrized with."""
    out = set()
    for item in session.items:
        if "tf_verdicts" not in getattr(item, "fixturenames", ()):
            continue
        callspec = getattr(item, "callspec", None)
        c = callspec.params.get("c") if callspec is not None else None
        if c is None or not hasattr(c, "name"):
            return set()  # a test reading verdicts by name: run them all
        out.add(c.name)
    return out


@pytest.fixture(scope="session")
def tf_verdicts(request):
    """The rule cases the session's selected verdict tests ask for (every case of every module on a full run),
    run under TensorFlow in one batch: `pytest tests/rules/test_tfg008_*.py -k top_k` runs only those cases."""
    from tfharness import run_programs

    cases = all_cases()
    wanted = _selected_case_names(request.session)
    chosen = {name: c for name, c in cases.items() if name in wanted} or cases
    return run_programs({name: c.source for name, c in chosen.items()})
