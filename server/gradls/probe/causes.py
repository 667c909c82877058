"""Static causes for the probe's None gradients: gradls' own analysis of the probed program.

The runner records, at run time, the op path that cut a None gradient (report.attach_causes).
The analysis often knows more (the line that cut it and why: argmax, `.numpy()`, an int cast,
stop_gradient, trainable=False, an unwatched tensor), so when it has a verdict for that variable
it becomes the problem's `cause` (`origin: "static"`) and the runtime one moves to
`runtime_cause`. Runs in the launcher's process (no TensorFlow), on the files the report names.
"""

from __future__ import annotations

import os
import re
from typing import Any

from gradls.analysis.engine import analyze_module
from gradls.analysis.explain import NONE, SourceFact, explain_at
from gradls.analysis.model import Finding
from gradls.analysis.module import ModuleInfo

_GRAD_CALL = re.compile(r"\.(gradient|jacobian|batch_jacobian)\s*\(")


class _Analysed:
    """Each file analysed once per report."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[list[Finding], ModuleInfo | None, list[str]]] = {}

    def get(self, path: str) -> tuple[list[Finding], ModuleInfo | None, list[str]]:
        hit = self.cache.get(path)
        if hit is None:
            try:
                with open(path, encoding="utf-8") as fh:
                    source = fh.read()
                result, info = analyze_module(source, path)
                hit = (result.findings, info, source.splitlines())
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
                hit = ([], None, [])
            self.cache[path] = hit
        return hit


def _facts_at(analysed: _Analysed, path: str, line: int) -> list[SourceFact]:
    """The explain engine's per-source verdicts for the gradient call on `line`."""
    findings, info, lines = analysed.get(path)
    if info is None or not 0 < line <= len(lines):
        return []
    m = _GRAD_CALL.search(lines[line - 1])
    if m is None:
        return []
    ex = explain_at(info, line, m.start() + 1, findings, anywhere=False)
    return list(ex.sources) if ex is not None and ex.kind == "gradient-call" else []


def _matching_fact(facts: list[SourceFact], names: list[str], name: str) -> SourceFact | None:
    """The fact for runtime source `name`: by the expression's name (`w`, `self.w`), else by
    position when the call's runtime sources and the engine's facts line up one to one."""
    for f in facts:
        if f.source == name or f.source.split(".")[-1] == name.split("/")[-1]:
            return f
    if len(facts) == len(names) and name in names:
        return facts[names.index(name)]
    return None


def _rule_at(findings: list[Finding], line: int | None) -> Finding | None:
    if line is None:
        return None
    return next((f for f in findings if f.span.line == line), None)


def attach_static_causes(report: dict[str, Any]) -> None:
    """For each `none` problem the analysis explains: `cause` = its verdict (reason, cut line and
    the rule reported on that line, if any). Never raises into the caller's report building."""
    analysed = _Analysed()
    names_at: dict[tuple, list[str]] = {}
    for call in report.get("gradient_calls") or []:
        key = (call.get("kind"), call.get("file"), call.get("line"))
        names_at.setdefault(key, [s["name"] for s in call.get("sources") or []])
    for p in report.get("problems") or []:
        if p.get("status") != "none" or not isinstance(p.get("file"), str) or not isinstance(p.get("line"), int):
            continue
        path = p["file"]
        if not path.endswith(".py") or not os.path.isfile(path):
            continue
        cause = None
        fact = _matching_fact(
            _facts_at(analysed, path, p["line"]), names_at.get((p["kind"], path, p["line"]), []), p["source"]
        )
        if fact is not None and fact.verdict == NONE:
            rule = _rule_at(analysed.get(path)[0], fact.line)
            cause = {
                "kind": "none",
                "origin": "static",
                "op": None,
                "file": path,
                "line": fact.line,
                "message": fact.reason,
                "rule": rule.code if rule is not None else None,
            }
        else:
            created = p.get("created_at")
            made_in = created.get("file") if isinstance(created, dict) else None
            made = created.get("line") if isinstance(created, dict) else None
            ok = isinstance(made_in, str) and made_in.endswith(".py") and os.path.isfile(made_in)
            rule = _rule_at(analysed.get(made_in)[0], made) if ok and isinstance(made_in, str) else None
            if rule is not None:  # a finding on the line that created the variable (e.g. a frozen layer)
                cause = {
                    "kind": "none",
                    "origin": "static",
                    "op": None,
                    "file": made_in,
                    "line": made,
                    "message": rule.message,
                    "rule": rule.code,
                }
        if cause is not None:
            if p.get("cause"):
                p["runtime_cause"] = p["cause"]
            p["cause"] = cause
