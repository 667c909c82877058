"""Ground-truth fixtures: header parsing, TF verdicts and expected-vs-got diffs.

Every fixture program (tests/fixtures/seeds, tests/fixtures/cases, tests/corpus/*) starts with

    # gradls-fixture: tf-verdict=<verdict>
    # gradls-expect: TFG004@12 TFG001@20

`tf-verdict` is what really happened when TensorFlow 2.21 ran the file (through tfharness):

    raises:<ExceptionType>   the program raised (e.g. raises:TypeError, raises:OperatorNotAllowedInGraphError)
    none-gradient            it ran; at least one gradient it checked was None
    zero-gradient            it ran; no None, but at least one gradient was all zeros
    nan-gradient / inf-gradient
    ok                       it ran and every gradient it checked was present and non-zero

A program reports its gradients with `RESULT = gradient_status([...])` (a list of statuses, or a
dict / nested list of such lists).  `gradls-expect` lists `CODE@LINE` pairs (1-based line) that
`gradls.analysis.analyze()` must report; empty means gradls must stay silent.

Where each rule reports (the line in `CODE@LINE`):

    TFG001  the NumPy call                     TFG007  the tf.Variable(...) call
    TFG002  the .numpy()/float()/np.array call TFG008  the non-differentiable op call
    TFG003  the if/while/ternary/bool-op       TFG009  the tape.gradient(...) call
    TFG004  the `def` of the grad_fn           TFG010  the second tape.gradient(...) call
    TFG005  the grad_fn's `return`             TFG011  the tape.gradient(...) of a loss made outside the tape
    TFG006  the tf.stop_gradient call          TFG012  the .assign*(...) call
                                               TFG013  where the integer source is created

Run as a script to execute fixtures under TF and print (or --write) their verdicts:

    python tests/fixture_meta.py tests/fixtures/seeds tests/corpus/buggy [--write]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FIXTURE_RE = re.compile(r"^#\s*gradls-fixture:\s*(.*)$")
EXPECT_RE = re.compile(r"^#\s*gradls-expect:(.*)$")
PAIR_RE = re.compile(r"^(TFG\d{3})@(\d+)$")
HEADER_LINES = 10  # headers must sit in the first lines of the file


@dataclass
class Fixture:
    path: Path
    source: str
    verdict: str | None
    expect: frozenset[tuple[str, int]]

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"


def parse_header(source: str, path: Path | str = "<fixture>") -> tuple[str | None, frozenset[tuple[str, int]]]:
    verdict: str | None = None
    expect: set[tuple[str, int]] | None = None
    for line in source.splitlines()[:HEADER_LINES]:
        m = FIXTURE_RE.match(line.strip())
        if m:
            for item in m.group(1).split():
                k, _, v = item.partition("=")
                if k == "tf-verdict":
                    verdict = v
            continue
        m = EXPECT_RE.match(line.strip())
        if m:
            expect = set()
            for tok in m.group(1).split():
                pm = PAIR_RE.match(tok)
                if not pm:
                    raise ValueError(f"{path}: bad gradls-expect token {tok!r} (want TFG001@12)")
                expect.add((pm.group(1), int(pm.group(2))))
    if expect is None:
        raise ValueError(f"{path}: missing '# gradls-expect:' header")
    return verdict, frozenset(expect)


def load(*dirs: Path | str) -> list[Fixture]:
    out = []
    for d in dirs:
        d = Path(d)
        if not d.is_absolute():
            d = TESTS / d if (TESTS / d).exists() else Path.cwd() / d
        for p in sorted(d.glob("*.py")):
            src = p.read_text(encoding="utf-8")
            verdict, expect = parse_header(src, p)
            out.append(Fixture(p, src, verdict, expect))
    return out


def _flatten(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _flatten(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _flatten(v)
    else:
        yield x


def verdict_of(result) -> str:
    """The verdict string for a tfharness.ProgramResult."""
    if result.error is not None:
        return f"raises:{result.error_type}"
    statuses = [s for s in _flatten(result.result) if isinstance(s, str)]
    if not statuses:
        return "no-result"
    for bad in ("none", "zero", "nan", "inf"):
        if bad in statuses:
            return f"{bad}-gradient"
    if any(s != "ok" for s in statuses):
        return "unknown:" + ",".join(sorted(set(statuses)))
    return "ok"


def describe(result) -> str:
    if result.error is not None:
        return f"{result.error[:300]} (line {result.error_line})"
    return f"RESULT={result.result!r}"


def fmt_pairs(pairs) -> str:
    return " ".join(f"{c}@{n}" for c, n in sorted(pairs, key=lambda p: (p[1], p[0]))) or "(nothing)"


def findings_of(source: str, path: str) -> frozenset[tuple[str, int]]:
    from gradls.analysis import engine

    res = engine.analyze(source, path)
    return frozenset((f.code, f.span.line) for f in res.findings)


def registered_codes() -> set[str]:
    from gradls.analysis.rules import all_rules

    return set(all_rules())


def expectation_diff(fixture: Fixture, got: frozenset[tuple[str, int]], codes: set[str]) -> str | None:
    """None when gradls matches the expectation restricted to registered `codes`, else a readable diff."""
    want = {p for p in fixture.expect if p[0] in codes}
    got_r = {p for p in got if p[0] in codes}
    if want == got_r:
        return None
    lines = fixture.source.splitlines()
    out = [f"{fixture.name}: expected {fmt_pairs(want)}  got {fmt_pairs(got_r)}"]
    for sign, pairs in (("- missing", want - got_r), ("+ unexpected", got_r - want)):
        for c, n in sorted(pairs, key=lambda p: (p[1], p[0])):
            text = lines[n - 1].strip() if 0 < n <= len(lines) else "?"
            out.append(f"    {sign} {c}@{n}: {text[:100]}")
    return "\n".join(out)


def program_name(fixture: Fixture) -> str:
    return fixture.name


def _main(argv: list[str]) -> int:
    sys.path.insert(0, str(TESTS))
    from tfharness import run_programs

    write = "--write" in argv
    dirs = [a for a in argv if not a.startswith("--")]
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), None)
    fixtures = [f for f in load(*dirs) if only is None or only in f.name]
    results = run_programs({f.name: f.source for f in fixtures})
    for f in fixtures:
        r = results[f.name]
        v = verdict_of(r)
        mark = "  " if v == f.verdict else "!!"
        print(f"{mark} {f.name:55s} {v:40s} (header {f.verdict}) {describe(r)[:200]}")
        for w in r.warnings[:3]:
            print(f"       warning: {w[:160]}")
        if write and v != f.verdict:
            new = re.sub(r"(#\s*gradls-fixture:.*tf-verdict=)\S*", lambda m, v=v: m.group(1) + v, f.source, count=1)
            f.path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))


# ---------------------------------------------------------------------------------------------
# Helpers shared by tests/test_seeds.py and tests/test_corpus.py


def analysis_available() -> str | None:
    """None when gradls.analysis can analyse a file, else why not (the engine is still being written)."""
    try:
        import gradls.analysis.module  # noqa: F401
        from gradls.analysis import engine

        engine.analyze("x = 1\n", "probe.py")
    except Exception as e:
        return f"gradls.analysis not usable yet: {type(e).__name__}: {e}"
    return None


def run_fixtures(fixtures: list[Fixture]) -> dict:
    """Run every fixture in ONE TensorFlow process; {fixture.name: ProgramResult}."""
    sys.path.insert(0, str(TESTS))
    from tfharness import run_programs

    return run_programs({f.name: f.source for f in fixtures}, per_program_timeout=60)


def verdict_mismatch(fixture: Fixture, result) -> str | None:
    got = verdict_of(result)
    if got == fixture.verdict:
        return None
    return f"{fixture.name}: header says tf-verdict={fixture.verdict}, TensorFlow now gives {got}: {describe(result)}"


def _catalogue() -> set[str]:
    from gradls.analysis.rules import all_rules

    return set(all_rules())


CATALOGUE = _catalogue()
VERDICT_RE = re.compile(r"^(ok|none-gradient|zero-gradient|nan-gradient|inf-gradient|raises:[A-Za-z_][A-Za-z0-9_]*)$")


def header_problems(fixture: Fixture) -> list[str]:
    probs = []
    if not fixture.verdict or not VERDICT_RE.match(fixture.verdict):
        probs.append(f"bad or missing tf-verdict: {fixture.verdict!r}")
    n_lines = len(fixture.source.splitlines())
    for code, line in fixture.expect:
        if code not in CATALOGUE:
            probs.append(f"unknown rule code {code}")
        if not 0 < line <= n_lines:
            probs.append(f"{code}@{line} is past the end of the file ({n_lines} lines)")
    return probs
