"""Long fuzz run of the analysis and fixes (the test suite runs a bounded version).

    .venv/bin/python bench/fuzz.py --examples 3000

Prints how many mutated programs were checked, findings and fixes exercised, and any failure.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzzkit import check_invariants, mutated_programs
from hypothesis import HealthCheck, given, settings


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=3000)
    args = ap.parse_args()
    totals = {"programs": 0, "findings": 0, "fixes": 0}
    t0 = time.perf_counter()

    @settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(mutated_programs())
    def run(text):
        s = check_invariants(text)
        totals["programs"] += 1
        totals["findings"] += s["findings"]
        totals["fixes"] += s["fixes"]

    try:
        run()
    except Exception as e:  # hypothesis re-raises the minimal failing example
        print(f"FAILED after {totals['programs']} programs: {type(e).__name__}: {e}")
        return 1
    dt = time.perf_counter() - t0
    print(
        f"fuzzed {totals['programs']} mutated programs in {dt:.0f} s: {totals['findings']} findings, "
        f"{totals['fixes']} fixes applied and re-checked; no exception, every fix parsed and converged"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
