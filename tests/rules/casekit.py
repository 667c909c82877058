"""Rule cases: small programs whose TensorFlow verdict is checked by running them.

A case marks the lines gradls must report with a trailing `# <- TFG001` comment; every
other line must stay silent.  `tf` says what TensorFlow really does with the program:

    "raises:TypeError"   the program raises that exception type
    "none" / "zero"      it runs, and RESULT (a gradient_status list) contains "none" / "zero"
    "ok"                 it runs, and RESULT (if set) is all "ok"
    "stale" / "once"     it runs, and RESULT contains "stale" (a traced function kept a value of its first trace)
                         / "once" (a Python side effect in a traced function ran once per trace, not per call)
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

_MARK = re.compile(r"#\s*<-\s*((?:TFG\d{3}[\s,]*)+)")


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    tf: str

    @property
    def expected(self) -> set[tuple[str, int]]:
        out = set()
        for i, line in enumerate(self.source.splitlines(), start=1):
            m = _MARK.search(line)
            if m:
                for code in re.findall(r"TFG\d{3}", m.group(1)):
                    out.add((code, i))
        return out


def case(name: str, tf: str, source: str) -> Case:
    return Case(name, textwrap.dedent(source).lstrip("\n"), tf)


def all_cases() -> dict[str, Case]:
    """Every CASES list of the test modules in this folder, by name."""
    here = Path(__file__).parent
    out: dict[str, Case] = {}
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("test_"):
            mod = importlib.import_module(f"rules.{info.name}")
            for c in getattr(mod, "CASES", []):
                assert c.name not in out, f"duplicate case name {c.name}"
                out[c.name] = c
    return out


def check_verdict(c: Case, r) -> None:
    kind, _, detail = c.tf.partition(":")
    if kind == "raises":
        assert r.error_type == detail, (
            f"{c.name}: expected TF to raise {detail}, got {r.error or 'no error'} (RESULT={r.result})"
        )
    elif kind in {"none", "zero", "nan", "stale", "once"}:
        assert r.error is None, f"{c.name}: expected it to run, got {r.error}"
        assert isinstance(r.result, list) and kind in r.result, f"{c.name}: expected {kind!r} in RESULT, got {r.result}"
    elif kind == "ok":
        assert r.error is None, f"{c.name}: expected it to run, got {r.error}"
        if r.result is not None:
            assert all(s == "ok" for s in r.result), f"{c.name}: expected healthy gradients, got {r.result}"
    else:
        raise AssertionError(f"bad verdict {c.tf!r}")


def findings_of(source: str, codes: set[str] | None = None) -> set[tuple[str, int]]:
    from gradls.analysis import analyze

    result = analyze(source, "case.py")
    assert result.failure is None, result.failure
    return {(f.code, f.span.line) for f in result.findings if codes is None or f.code in codes}
