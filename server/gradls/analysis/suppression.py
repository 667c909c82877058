"""Suppression comments, read before findings are reported (as ruff reads `# noqa`).

x = np.sum(t)  # gradls: ignore[TFG001]      one or more codes on this line
x = np.sum(t)  # gradls: ignore              every code on this line
x = np.sum(t)  # noqa: TFG001               flake8/ruff habit, also honoured
x = np.sum(t)  # noqa                        bare noqa: every code
# gradls: ignore-file                        on its own line: the whole file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gradls.analysis.model import Finding, Span
from gradls.analysis.module import split_lines

_GRADLS = re.compile(r"#\s*gradls:\s*ignore(?P<file>-file)?(?:\[(?P<codes>[^\]]*)\])?", re.I)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)


@dataclass
class Directive:
    line: int
    col: int
    end_col: int
    codes: tuple[str, ...] | None  # None = every code
    kind: str  # "gradls" | "noqa"
    used: set[str] = field(default_factory=set)

    @property
    def span(self) -> Span:
        return Span(self.line, self.col, self.line, self.end_col)


@dataclass
class Suppressions:
    file_wide: bool = False
    by_line: dict[int, list[Directive]] = field(default_factory=dict)

    def directives(self) -> list[Directive]:
        return [d for ds in self.by_line.values() for d in ds]


def parse_suppressions(source: str) -> Suppressions:
    out = Suppressions()
    lowered = source.lower()
    if "gradls" not in lowered and "noqa" not in lowered:
        return out  # the common case costs one scan
    for i, text in enumerate(split_lines(source), start=1):
        if "#" not in text:
            continue
        m = _GRADLS.search(text)
        if m:
            if m.group("file"):
                if text.strip().startswith("#"):
                    out.file_wide = True
                continue
            codes = _codes(m.group("codes"))
            out.by_line.setdefault(i, []).append(Directive(i, m.start(), m.end(), codes, "gradls"))
            continue
        m = _NOQA.search(text)
        if m:
            codes = _codes(m.group("codes"))
            out.by_line.setdefault(i, []).append(Directive(i, m.start(), m.end(), codes, "noqa"))
    return out


def _codes(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    codes = tuple(c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c)
    return codes or None


def _suppressing(sup: Suppressions, f: Finding) -> Directive | None:
    for line in {f.span.line, f.span.end_line}:
        for d in sup.by_line.get(line, ()):
            if d.codes is None or f.code in d.codes:
                return d
    return None


def apply_suppressions(
    source: str, findings: list[Finding], config=None, path=None
) -> tuple[list[Finding], list[Finding]]:
    sup = parse_suppressions(source)
    if sup.file_wide:
        return [], list(findings)
    kept, suppressed = [], []
    for f in findings:
        d = _suppressing(sup, f)
        if d is None:
            kept.append(f)
        else:
            d.used.add(f.code)
            suppressed.append(f)
    return kept, suppressed


def unused_directives(
    source: str, suppressed: list[Finding], known_codes: set[str]
) -> list[tuple[Directive, list[str]]]:
    """Suppression comments naming gradls codes that suppressed nothing, or codes that do not exist."""
    sup = parse_suppressions(source)
    for f in suppressed:
        d = _suppressing(sup, f)
        if d is not None:
            d.used.add(f.code)
    out: list[tuple[Directive, list[str]]] = []
    for d in sup.directives():
        if d.codes is None:
            if d.kind == "gradls" and not d.used:
                out.append((d, []))
            continue
        # Other tools' codes in a shared noqa comment are not ours to judge.
        ours = [c for c in d.codes if c.startswith("TFG")] if d.kind == "noqa" else list(d.codes)
        bad = [c for c in ours if c not in d.used]
        if bad:
            out.append((d, bad))
    return out


__all__ = ["apply_suppressions", "parse_suppressions", "unused_directives", "known_code_pattern"]
known_code_pattern = re.compile(r"^TFG\d{3}$")
