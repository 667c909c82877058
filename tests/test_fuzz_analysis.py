"""Bounded fuzzing of the analysis and the fixes on mutated real TensorFlow programs.

The longer run is `bench/fuzz.py --examples N`; this one keeps CI fast.
"""

from fuzzkit import check_invariants, mutated_programs, seed_programs
from hypothesis import HealthCheck, given, settings


def test_seed_programs_exist():
    assert len(seed_programs()) >= 20


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(mutated_programs())
def test_mutated_programs_keep_every_invariant(text):
    check_invariants(text)


def test_unmutated_programs_keep_every_invariant():
    for text in seed_programs():
        check_invariants(text)
