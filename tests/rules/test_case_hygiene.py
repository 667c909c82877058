"""Every rule case and corpus program runs in a shared TensorFlow worker process (tests/tfharness.py), one after
another: a program must not change process-wide TensorFlow state the worker cannot reset."""

import re

import fixture_meta as fm

from rules.casekit import all_cases

# Eager execution cannot be turned back on in a process once it is off: every later program in the shard would run
# in graph mode (`numpy() is only available when eager execution is enabled`).
_PROCESS_WIDE = re.compile(r"^[^#\n]*\b(?:disable_eager_execution|disable_v2_behavior|disable_eager)\s*\(", re.M)


def test_no_program_turns_eager_execution_off_for_the_worker():
    sources = {name: c.source for name, c in all_cases().items()}
    sources.update({f.name: f.source for f in fm.load("corpus/correct") + fm.load("corpus/buggy")})
    offenders = sorted(name for name, src in sources.items() if _PROCESS_WIDE.search(src))
    assert not offenders, f"these programs turn eager execution off for the shared TF worker: {offenders}"
