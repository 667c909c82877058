"""Random edits of real TensorFlow programs, shared by the bounded fuzz test and bench/fuzz.py.

The invariants checked on every mutated text:
- `analyze()` never raises and returns either findings or a ParseFailure;
- every fix gradls offers applies cleanly, keeps a parsing file parsing, and only touches the finding's own
  statement (plus an added import line);
- applying the safe fixes repeatedly reaches a fixed point (idempotent: nothing left to fix).
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def seed_programs() -> list[str]:
    paths = sorted(
        list((ROOT / "examples").glob("*.py"))
        + list((ROOT / "tests" / "corpus").rglob("*.py"))
        + list((ROOT / "tests" / "fixtures").rglob("*.py"))
    )
    return [p.read_text(encoding="utf-8") for p in paths]


def _mutations(draw, text: str) -> str:
    lines = text.split("\n")
    op = draw(
        st.sampled_from(
            [
                "delete_lines",
                "duplicate_lines",
                "truncate",
                "random_chars",
                "nest_parens",
                "huge_string",
                "tabs",
                "crlf",
                "bom",
                "swap_lines",
                "indent_line",
                "nul",
                "non_utf8",
            ]
        )
    )
    n = len(lines)
    i = draw(st.integers(0, max(n - 1, 0)))
    j = draw(st.integers(i, min(n, i + 8)))
    if op == "delete_lines":
        lines[i:j] = []
    elif op == "duplicate_lines":
        lines[i:i] = lines[i:j]
    elif op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    elif op == "random_chars":
        pos = draw(st.integers(0, len(text)))
        junk = draw(
            st.text(alphabet=st.sampled_from(list("()[]{}:,.=+-*/#'\"\\ \t\nifelsewhileandornot λ✓")), max_size=12)
        )
        return text[:pos] + junk + text[pos:]
    elif op == "nest_parens":
        depth = draw(st.sampled_from([50, 500, 10_000]))
        lines.insert(i, "x = " + "(" * depth + "1" + ")" * depth)
    elif op == "huge_string":
        lines.insert(i, "s = '" + "a" * draw(st.sampled_from([10_000, 1_000_000])) + "'")
    elif op == "tabs":
        lines = [ln.replace("    ", "\t", 1) if k % 2 else ln for k, ln in enumerate(lines)]
    elif op == "crlf":
        return "\r\n".join(lines)
    elif op == "bom":
        return "\ufeff" + text
    elif op == "swap_lines" and n > 1:
        k = draw(st.integers(0, n - 2))
        lines[k], lines[k + 1] = lines[k + 1], lines[k]
    elif op == "indent_line" and n:
        lines[i] = "  " + lines[i]
    elif op == "nul":
        return text[: len(text) // 2] + "\x00" + text[len(text) // 2 :]
    elif op == "non_utf8":
        # What an editor hands over after decoding bytes with replacement characters.
        return (text.encode("utf-8")[: len(text) // 2] + b"\xff\xfe" + text.encode("utf-8")[len(text) // 2 :]).decode(
            "utf-8", errors="replace"
        )
    return "\n".join(lines)


@st.composite
def mutated_programs(draw) -> str:
    programs = seed_programs()
    text = draw(st.sampled_from(programs))
    for _ in range(draw(st.integers(1, 3))):
        text = _mutations(draw, text)
    return text


def parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def check_invariants(text: str) -> dict:
    """Run analysis + every fix on `text`; raise AssertionError on a broken invariant. Returns counters."""
    from gradls.analysis import analyze
    from gradls.fixes import apply_edits, fix_for

    stats = {"findings": 0, "fixes": 0, "fixpoint_rounds": 0}
    result = analyze(text)
    if result.failure is not None:
        assert result.failure.message
        return stats
    stats["findings"] = len(result.findings)
    source_parses = parses(text)
    lines = text.split("\n")
    for f in result.findings:
        fix = fix_for(text, f)
        if fix is None:
            continue
        stats["fixes"] += 1
        new = apply_edits(text, fix.edits)  # raises on overlapping edits
        if source_parses:
            assert parses(new), f"{f.code} fix broke the syntax:\n{fix}"
        for e in fix.edits:
            inside = f.span.line - 200 <= e.span.line <= f.span.end_line + 200
            adds_import = (
                e.span.line == e.span.end_line
                and e.span.col == e.span.end_col
                and (e.new_text.lstrip().startswith(("import ", "from ")))
            )
            assert inside or adds_import, f"{f.code} fix edits far outside its finding: {e} for {f.span}"
        assert "\n".join(lines) == text  # the source text itself is never mutated
    # Applying safe fixes converges: no fix is offered forever.
    current = text
    for rnd in range(25):
        res = analyze(current)
        if res.failure is not None:
            break
        fixes = [(f, fix_for(current, f)) for f in res.findings]
        fixes = [(f, x) for f, x in fixes if x is not None and x.safe]
        if not fixes:
            stats["fixpoint_rounds"] = rnd
            break
        new = apply_edits(current, fixes[0][1].edits)
        assert new != current, f"{fixes[0][0].code} fix changes nothing but is offered again"
        current = new
    else:
        raise AssertionError("safe fixes did not reach a fixed point in 25 rounds")
    return stats
