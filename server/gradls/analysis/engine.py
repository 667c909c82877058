"""`analyze()`: the one entry point of the analysis layer."""

from __future__ import annotations

import ast
import gc
import os
import sys
import warnings
from typing import TYPE_CHECKING

from gradls.analysis.model import AnalysisResult, Finding, ParseFailure
from gradls.analysis.project import ProjectIndex, project_for
from gradls.analysis.rules import all_rules
from gradls.config import Config

if TYPE_CHECKING:
    from gradls.analysis.module import ModuleInfo

# Beyond this the editor skips a file with a log line; the CLI still checks it.
MAX_SOURCE_CHARS = 5_000_000


def parse(source: str) -> ast.Module | ParseFailure:
    if len(source) > MAX_SOURCE_CHARS:
        return ParseFailure(f"file too large to analyse ({len(source)} characters)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences etc. are not ours to report
            return ast.parse(source, type_comments=False)
    except SyntaxError as e:
        return ParseFailure(f"syntax error: {e.msg}", e.lineno or 1, max((e.offset or 1) - 1, 0))
    except (ValueError, RecursionError, MemoryError) as e:  # null bytes, absurd nesting
        return ParseFailure(f"cannot parse: {type(e).__name__}: {e}")


def analyze(
    source: str,
    path: str | None = None,
    config: Config | None = None,
    project: ProjectIndex | bool | None = None,
) -> AnalysisResult:
    """Find gradient bugs in `source`.  Never raises for any input text.

    `project`: the index of the project's other modules, so names imported from them are understood
    (a Keras class from `model.py` used in `train.py`).  None: the shared index of the project holding
    `path` when `path` is a file on disk; False: this file alone."""
    result, info = analyze_module(source, path, config, project)
    if info is not None:
        info.release()  # freed now by reference counting, not by a later pass of the cyclic collector
    return result


def analyze_module(
    source: str,
    path: str | None = None,
    config: Config | None = None,
    project: ProjectIndex | bool | None = None,
    parsed: ast.Module | None = None,
) -> tuple[AnalysisResult, ModuleInfo | None]:
    """`analyze`, and the `ModuleInfo` the rules ran on (None when the text does not parse): the
    language server keeps it for hover and for the module's project summary instead of building them again.
    `parsed`: `source` already parsed, equal to `ast.parse(source)` (the server splices an edited statement into
    its last tree, lsp/incremental.py); never mutated here."""
    # The tree and the indexes built over it are tens of thousands of objects, all alive until the analysis ends:
    # the cyclic collector's passes over them find nothing to free and cost ~15% of an analysis (array_ops.py,
    # the examples x16).  Paused for the analysis, back on after (left off if the caller had turned it off).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze_module(source, path, config, project, parsed)
    finally:
        if collecting:
            gc.enable()


def _analyze_module(
    source: str,
    path: str | None,
    config: Config | None,
    project: ProjectIndex | bool | None,
    parsed: ast.Module | None,
) -> tuple[AnalysisResult, ModuleInfo | None]:
    from gradls.analysis.module import ModuleInfo
    from gradls.analysis.suppression import apply_suppressions

    config = config or Config()
    if source.startswith("\ufeff"):
        source = source[1:]
    tree = parse(source) if parsed is None else parsed
    if isinstance(tree, ParseFailure):
        return AnalysisResult([], tree), None
    try:
        index = _project_index(path, project)
        info = ModuleInfo(tree, source, config, project=index, path=path if index is not None else None)
    except RecursionError:
        return AnalysisResult([], ParseFailure("expression nesting too deep to analyse")), None
    findings: list[Finding] = []
    rules = all_rules()
    enabled = {code for code, r in rules.items() if config.enabled(code, r.default_on, path)}
    for code, r in rules.items():
        if code not in enabled:
            continue
        try:
            findings.extend(r.check(info))
        except RecursionError:
            continue  # pathological nesting: this rule stays silent on this file
    findings.sort(key=lambda f: (f.span, f.code))
    kept, suppressed = apply_suppressions(source, findings, config, path)
    # Rules that judge the suppression comments themselves (TFG900) run once every other rule has.
    extra: list[Finding] = []
    for code in sorted(enabled):
        hook = getattr(sys.modules.get(f"gradls.analysis.rules.{rules[code].module}"), "after_suppression", None)
        if hook is not None:
            extra.extend(hook(source, kept, suppressed, enabled, set(rules)))
    if extra:
        kept = sorted(kept + extra, key=lambda f: (f.span, f.code))
    return AnalysisResult(kept, None, suppressed), info


def _project_index(path: str | None, project: ProjectIndex | bool | None) -> ProjectIndex | None:
    if isinstance(project, ProjectIndex):
        return project
    if project is False or not path:
        return None
    try:
        if not os.path.isfile(path):
            return None
        return project_for(path)
    except OSError:
        return None
