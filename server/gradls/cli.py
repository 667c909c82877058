"""The `gradls` command: check / explain / rule / probe / server.

Exit codes of `gradls check`: 0 clean, 1 findings (a file that cannot be read, decoded or parsed
is one: E902 / E999), 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradls import __version__
from gradls.files import SKIP_DIRS, iter_python_files, read_source

if TYPE_CHECKING:
    from gradls.analysis.model import Finding, Fix, Span
    from gradls.config import Config
    from gradls.fixes import FixAllResult
    from gradls.notebooks import NotebookProgram

__all__ = ["SKIP_DIRS", "iter_python_files", "read_source", "main"]

# Codes of the findings that say a file could not be checked at all (ruff's codes for the same).
# They are not rules: `--select`/`--ignore` and suppressions never hide them.
IO_ERROR = "E902"
SYNTAX_ERROR = "E999"
_FILE_ERRORS = {
    IO_ERROR: ("io-error", "The file could not be read or is not valid UTF-8; gradls did not check it."),
    SYNTAX_ERROR: ("syntax-error", "The file could not be parsed; gradls did not check it."),
}


@dataclass(frozen=True)
class FileError:
    """Why a file was not checked, reported like a finding (always at severity `error`)."""

    code: str
    message: str
    line: int = 1
    col: int = 0  # 0-based, code points
    cell: int | None = None  # in a notebook: the cell (1-based, as printed), `line` being in that cell


@dataclass
class FileReport:
    path: str
    source: str | None
    findings: list[Finding]
    error: FileError | None = None
    config: Config | None = None
    fixes: list[Fix | None] | None = None  # built with the findings, one per finding (see gradls.runner)

    def severity(self, code: str) -> str:
        from gradls.config import Config

        return (self.config or Config()).severity_of(code)

    def fix_of(self, f: Finding) -> Fix | None:
        if self.fixes is not None:
            for g, fix in zip(self.findings, self.fixes):
                if g is f:
                    return fix
        from gradls.fixes import fix_for

        return fix_for(self.source or "", f) if f.fixable else None


def _codes(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return tuple(c.strip().upper() for c in raw.split(",") if c.strip())


def _config(path: str | Path, base_config: Config | None, overrides: dict[str, Any]) -> Config:
    from gradls.config import config_for_path

    return (base_config or config_for_path(path)).merged(**overrides)


def check_file(path: Path, base_config: Config | None, overrides: dict[str, Any]) -> FileReport:
    source, err = read_source(path)
    if source is None:
        return FileReport(str(path), None, [], FileError(IO_ERROR, err or "cannot read"))
    return check_text(str(path), source, overrides, base_config)


def check_text(path: str, text: str, overrides: dict[str, Any], base_config: Config | None) -> FileReport:
    from gradls.analysis import analyze

    cfg = _config(path, base_config, overrides)
    result = analyze(text, path, cfg)
    if result.failure is not None:
        f = result.failure
        message = f.message if f.message.startswith("syntax error") else f"syntax error: {f.message}"
        return FileReport(path, text, [], FileError(SYNTAX_ERROR, message, f.line, f.col), cfg)
    return FileReport(path, text, result.findings, None, cfg)


def _fix_file(report: FileReport, overrides: dict[str, Any], base_config: Config | None):
    """The file's text with every safe fix applied (to a fixpoint), and what that did."""
    from gradls.analysis import analyze
    from gradls.fixes import fix_all

    cfg = _config(report.path, base_config, overrides)

    def analyse(text: str):
        result = analyze(text, report.path, cfg)
        return result.findings, result.failure

    return fix_all(report.source or "", analyse)


# --- notebooks (.ipynb): one program of their code cells (gradls.notebooks), reported and fixed per cell ---


@dataclass
class NotebookReport(FileReport):
    """`source` is the program of the notebook's code cells and findings are in its positions until
    printed (`_where`); `raw` is the notebook's JSON; cells that do not parse are `cell_errors`."""

    notebook: NotebookProgram | None = None
    raw: str = ""
    cell_errors: list[FileError] = field(default_factory=list)


def check_notebook(path: Path, base_config: Config | None, overrides: dict[str, Any]) -> FileReport:
    source, err = read_source(path)
    if source is None:
        return FileReport(str(path), None, [], FileError(IO_ERROR, err or "cannot read"))
    return check_notebook_text(str(path), source, overrides, base_config)


def check_notebook_text(path: str, raw: str, overrides: dict[str, Any], base_config: Config | None) -> FileReport:
    from gradls.analysis import analyze
    from gradls.notebooks import NotebookError, read_notebook_program

    cfg = _config(path, base_config, overrides)
    try:
        program = read_notebook_program(raw)
    except NotebookError as e:
        return FileReport(path, None, [], FileError(SYNTAX_ERROR, str(e)), cfg)
    result = analyze(program.text, path, cfg)
    rep = NotebookReport(path, program.text, [], None, cfg, notebook=program, raw=raw)
    rep.cell_errors = [FileError(SYNTAX_ERROR, e.message, e.line, e.col, e.cell + 1) for e in program.errors]
    if result.failure is None:
        # Positions stay the program's until printed (fixes edit the program); line numbers inside messages are
        # said in cells now.
        rep.findings = [replace(f, message=program.cell_message(f.message)) for f in result.findings]
    else:  # every cell parses on its own, so this is rare (a pathological program): say where
        cell, line, col = _where(rep, result.failure.line, result.failure.col)
        rep.cell_errors.append(FileError(SYNTAX_ERROR, result.failure.message, line, col, cell))
    return rep


def _where(rep: FileReport, line: int, col: int) -> tuple[int | None, int, int]:
    """(cell, line, col) of a position of the report: a notebook's cell (1-based) and its line in it."""
    program = getattr(rep, "notebook", None)
    found = program.locate(line) if program is not None else None
    if found is None:
        return None, line, col
    return found[0].index + 1, found[1], col


def _in_cell(rep: FileReport, span: Span) -> tuple[int | None, Span]:
    program = getattr(rep, "notebook", None)
    mapped = program.cell_span(span) if program is not None else None
    return (None, span) if mapped is None else (mapped[0] + 1, mapped[1])


def _cell_label(cell: int | None) -> str:
    return "" if cell is None else f"cell {cell}:"


def _errors(rep: FileReport) -> list[FileError]:
    return ([rep.error] if rep.error is not None else []) + list(getattr(rep, "cell_errors", ()))


def _cell_entry(rep: FileReport, f: Finding, fix: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """A JSON entry of a notebook's finding: positions in its cell, and `cell` (1-based)."""
    program = getattr(rep, "notebook", None)
    cell, span = _in_cell(rep, f.span)
    if program is None or cell is None:
        return entry
    entry["cell"] = cell
    entry["location"] = _location(span.line, span.col)
    entry["end_location"] = _location(span.end_line, span.end_col)
    edits = program.cell_edits(fix.edits) if fix is not None else None
    if entry["fix"] is not None:
        if edits is None:
            entry["fix"] = None
        else:
            entry["fix"]["edits"] = [
                {
                    "cell": c + 1,
                    "content": e.new_text,
                    "location": _location(e.span.line, e.span.col),
                    "end_location": _location(e.span.end_line, e.span.end_col),
                }
                for c, es in sorted(edits.items())
                for e in es
            ]
    return entry


def _cell_lines(text: str) -> list[str]:
    return [ln if ln.endswith("\n") else ln + "\n" for ln in text.splitlines(keepends=True)]


def _fix_notebook(
    rep: FileReport, result: FixAllResult, overrides: dict[str, Any], base_config: Config | None, diff: bool
) -> tuple[int, FileReport]:
    """Write (or show, per cell) what `result` fixed in the notebook's program: only the changed cells'
    source lines change in the JSON.  (fixes applied, the notebook's report afterwards)."""
    from gradls.notebooks import update_notebook_text

    program = getattr(rep, "notebook", None)
    sources = program.cell_sources(result.text) if program is not None and result.applied else None
    if program is None or not sources:
        return 0, rep  # nothing to apply, or a fix that cannot be put back into the cells: none is
    raw = update_notebook_text(getattr(rep, "raw", ""), sources)
    if diff:
        for index, new in sorted(sources.items()):
            cell = program.cell(index)
            name = f"{_rel(rep.path)}:cell {index + 1}"
            old = cell.source if cell is not None else ""
            sys.stdout.writelines(
                difflib.unified_diff(_cell_lines(old), _cell_lines(new), fromfile=f"a/{name}", tofile=f"b/{name}")
            )
    else:
        Path(rep.path).write_text(raw, encoding="utf-8", newline="")
    return result.applied, check_notebook_text(rep.path, raw, overrides, base_config)


def _rel(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _location(line: int, col: int) -> dict[str, int]:
    return {"row": line, "column": col + 1}


def _json_finding(report: FileReport, f: Finding) -> dict[str, Any]:
    fix = report.fix_of(f)
    entry = {
        "code": f.code,
        "message": f.message,
        "filename": report.path,
        "location": _location(f.span.line, f.span.col),
        "end_location": _location(f.span.end_line, f.span.end_col),
        "fix": None
        if fix is None
        else {
            "message": fix.title,
            "applicability": "safe" if fix.safe else "unsafe",
            "edits": [
                {
                    "content": e.new_text,
                    "location": _location(e.span.line, e.span.col),
                    "end_location": _location(e.span.end_line, e.span.end_col),
                }
                for e in fix.edits
            ],
        },
        "url": _rule_url(f.code),
        "severity": report.severity(f.code),
    }
    return _cell_entry(report, f, fix, entry)


def _json_error(report: FileReport, e: FileError) -> dict[str, Any]:
    return {
        "code": e.code,
        "message": e.message,
        "filename": report.path,
        "location": _location(e.line, e.col),
        "end_location": _location(e.line, e.col),
        "fix": None,
        "url": None,
        "severity": "error",
    } | ({"cell": e.cell} if e.cell is not None else {})


def _rule_url(code: str) -> str | None:
    from gradls.analysis.rules import get_rule

    r = get_rule(code)
    return r.doc_path.as_uri() if r else None


# LSP-style severities -> SARIF result levels.
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def _sarif_result(
    path: str, code: str, level: str, message: str, region: dict[str, int], cell: int | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": code,
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": Path(path).as_posix()}, "region": region}}],
    }
    if cell is not None:  # a notebook: the region is in this cell
        result["locations"][0]["logicalLocations"] = [{"name": f"cell {cell}", "kind": "module"}]
        result["properties"] = {"cell": cell}
    return result


def _sarif(reports: list[FileReport]) -> dict[str, Any]:
    from gradls.analysis.rules import all_rules

    results = []
    error_codes: set[str] = set()
    for rep in reports:
        for e in _errors(rep):
            error_codes.add(e.code)
            region = {"startLine": e.line, "startColumn": e.col + 1}
            results.append(_sarif_result(rep.path, e.code, "error", e.message, region, e.cell))
        for f in rep.findings:
            cell, span = _in_cell(rep, f.span)
            region = {
                "startLine": span.line,
                "startColumn": span.col + 1,
                "endLine": span.end_line,
                "endColumn": span.end_col + 1,
            }
            level = _SARIF_LEVEL.get(rep.severity(f.code), "warning")
            results.append(_sarif_result(rep.path, f.code, level, f.message, region, cell))
    rules: list[dict[str, Any]] = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "helpUri": r.doc_path.as_uri(),
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
        }
        for r in all_rules().values()
    ]
    for code in sorted(error_codes):
        name, text = _FILE_ERRORS[code]
        rules.append(
            {"id": code, "name": name, "shortDescription": {"text": text}, "defaultConfiguration": {"level": "error"}}
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "gradls", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def cmd_check(args: argparse.Namespace) -> int:
    from gradls.config import ConfigLookup, load_config, unknown_codes

    overrides: dict[str, Any] = {}
    if args.select is not None:
        overrides["select"] = _codes(args.select)
    if args.ignore is not None:
        overrides["ignore"] = _codes(args.ignore)
    if args.extend_select is not None:
        overrides["extend_select"] = _codes(args.extend_select)

    for flag, value in (("--select", args.select), ("--ignore", args.ignore), ("--extend-select", args.extend_select)):
        for bad in unknown_codes(_codes(value) or ()):
            print(f"gradls: warning: {flag}: {bad!r} matches no gradls rule", file=sys.stderr)
    base_config = None
    if args.config:
        if not Path(args.config).is_file():
            print(f"gradls: error: config file not found: {args.config}", file=sys.stderr)
            return 2
        base_config = load_config(Path(args.config))
    todo: list[tuple[Path, Config]] = []
    seen_problems: set[str] = set()
    walked: list[str] = []  # checked paths, in walk order
    notebook_reports: list[FileReport] = []  # .ipynb: gradls.notebooks
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f"gradls: error: {p}: no such file or directory", file=sys.stderr)
    existing = [p for p in args.paths if Path(p).exists()]
    config_for_path = ConfigLookup()
    for path, explicit in iter_python_files(existing, respect_gitignore=args.respect_gitignore):
        cfg = base_config or config_for_path(path)
        for prob in cfg.problems:
            if str(prob) not in seen_problems:
                seen_problems.add(str(prob))
                print(f"gradls: warning: {prob}", file=sys.stderr)
        if (args.force_exclude or not explicit) and cfg.is_excluded(str(path)):
            continue
        walked.append(str(path))
        if path.suffix == ".ipynb":
            notebook_reports.append(check_notebook(path, base_config, overrides))
            continue
        todo.append((path, cfg.merged(**overrides)))
    from gradls.cache import Cache, default_cache_dir
    from gradls.runner import check_files, cpu_count

    cache = Cache(None if args.no_cache else (args.cache_dir or default_cache_dir()))
    reports = check_files(todo, cache, args.jobs or cpu_count())

    if notebook_reports:  # in the order the files were walked
        order = {p: i for i, p in enumerate(walked)}
        reports = sorted([*reports, *notebook_reports], key=lambda r: order.get(r.path, len(order)))
    fixed_total = 0
    found_before = sum(len(rep.findings) for rep in reports)
    if args.fix or args.diff:
        remaining: list[FileReport] = []
        for rep in reports:
            if rep.error or not rep.findings:
                remaining.append(rep)
                continue
            result = _fix_file(rep, overrides, base_config)
            if isinstance(rep, NotebookReport):
                fixed, after = _fix_notebook(rep, result, overrides, base_config, args.diff)
                fixed_total += fixed
                remaining.append(after)
                continue
            fixed_total += result.applied
            if result.applied and args.diff:
                sys.stdout.writelines(
                    difflib.unified_diff(
                        (rep.source or "").splitlines(keepends=True),
                        result.text.splitlines(keepends=True),
                        fromfile=f"a/{_rel(rep.path)}",
                        tofile=f"b/{_rel(rep.path)}",
                    )
                )
            elif result.applied:
                Path(rep.path).write_text(result.text, encoding="utf-8", newline="")
            remaining.append(FileReport(rep.path, result.text, result.remaining, None, rep.config))
        if args.diff:
            left = sum(len(r.findings) for r in remaining)
            unchecked = sum(1 for r in reports if _errors(r))
            if fixed_total:
                print(
                    f"Would fix {_plural(fixed_total, 'finding')}" + (f" ({left} would remain)" if left else "") + ".",
                    file=sys.stderr,
                )
            else:
                print("No fix to apply.", file=sys.stderr)
            if missing:
                return 2
            return 1 if fixed_total or unchecked else 0
        reports = remaining

    findings = [(rep, f) for rep in reports for f in rep.findings]
    errors = [rep for rep in reports if _errors(rep)]
    fmt = args.output_format
    if fmt == "json":
        entries: list[dict[str, Any]] = []
        for rep in reports:
            entries.extend(_json_error(rep, e) for e in _errors(rep))
            entries.extend(_json_finding(rep, f) for f in rep.findings)
        json.dump(entries, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt == "sarif":
        json.dump(_sarif(reports), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for rep in reports:
            for e in _errors(rep):
                print(f"{_rel(rep.path)}:{_cell_label(e.cell)}{e.line}:{e.col + 1}: {e.code} {e.message}")
            for f in rep.findings:
                cell, line, col = _where(rep, f.span.line, f.span.col)
                print(f"{_rel(rep.path)}:{_cell_label(cell)}{line}:{col + 1}: {f.code} {f.message}")
    _print_summary(findings, errors, fixed_total, bool(args.fix), found_before, clean_line=not missing)
    if missing:
        return 2
    return 1 if findings or errors else 0


def _print_summary(
    findings: list[tuple[FileReport, Finding]],
    errors: list[FileReport],
    fixed: int,
    fixing: bool,
    found_before: int = 0,
    clean_line: bool = True,
) -> None:
    """One line on stderr, like ruff's: what was found, fixed, left, and what could still be fixed."""
    parts = []
    if fixing:
        found = fixed + len(findings)
        if not found and not errors:
            if clean_line:
                print("All checks passed.", file=sys.stderr)
            return
        # A fix can uncover a finding the first analysis could not see; it is counted (and fixed) too.
        uncovered = found - found_before
        later = f"; {uncovered} appeared only once another was fixed" if uncovered > 0 else ""
        parts.append(f"Found {_plural(found, 'finding')} ({fixed} fixed, {len(findings)} remaining{later})")
    elif findings:
        fixes = [rep.fix_of(f) for rep, f in findings if f.fixable]
        safe = sum(1 for x in fixes if x is not None and x.safe)
        unsafe = sum(1 for x in fixes if x is not None and not x.safe)
        hint = []
        if safe:
            hint.append(f"{safe} fixable with `gradls check --fix`")
        if unsafe:
            hint.append(f"{unsafe} with a fix to review in the editor")
        parts.append(f"Found {_plural(len(findings), 'finding')}" + (f" ({'; '.join(hint)})" if hint else ""))
    if errors:
        parts.append(f"{_plural(len(errors), 'file')} could not be checked")
    if parts:
        print("; ".join(parts) + ".", file=sys.stderr)
    elif clean_line:
        print("All checks passed.", file=sys.stderr)


def cmd_rule(args: argparse.Namespace) -> int:
    from gradls.analysis.rules import all_rules, get_rule

    if args.all or not args.code:
        for each in all_rules().values():
            state = "" if each.default_on else "  (off by default)"
            print(f"{each.code}  {each.name}{state}")
        return 0
    r = get_rule(args.code)
    if r is None:
        print(f"gradls: error: unknown rule {args.code!r}; `gradls rule --all` lists them", file=sys.stderr)
        return 2
    print(r.documentation().rstrip())
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """What the analysis knows at PATH:LINE:COL (1-based, as `gradls check` prints positions)."""
    from gradls.analysis.explain import explain_source
    from gradls.config import config_for_path

    where = _parse_location(args.location)
    if where is None:
        print(
            f"gradls: error: {args.location!r} is not PATH:LINE or PATH:LINE:COL (1-based, as `gradls check` prints)",
            file=sys.stderr,
        )
        return 2
    path, line, col = where
    if path.suffix == ".ipynb":
        print("gradls: error: `explain` takes a .py file; in a notebook, hover the code in the editor", file=sys.stderr)
        return 2
    text, error = read_source(path)
    if text is None:
        print(f"gradls: error: {path}: {error}", file=sys.stderr)
        return 2
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        print(f"gradls: error: {path} has {len(lines)} lines; line {line} is outside it", file=sys.stderr)
        return 2
    col = min(max(col, 1), len(lines[line - 1]) + 1)
    found = explain_source(text, line, col - 1, str(path.resolve()), config_for_path(path))
    if args.output_format == "json":
        print(json.dumps({"path": str(path), "line": line, "col": col, "explanation": found and found.to_json()}))
        return 0
    if found is None:
        print(f"{path}:{line}:{col}: gradls knows nothing about the gradients here")
        return 0
    s = found.span
    print(f"{path}:{s.line}:{s.col + 1}: {found.text()}")
    return 0


def _parse_location(raw: str) -> tuple[Path, int, int] | None:
    parts = raw.rsplit(":", 2)
    nums: list[int] = []
    while len(parts) > 1 and parts[-1].isdigit():
        nums.insert(0, int(parts.pop()))
    if not nums or not parts[0]:
        return None
    path = Path(":".join(parts))
    return path, nums[0], nums[1] if len(nums) > 1 else 1


def _jobs(raw: str) -> int:
    n = int(raw)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gradls", description="Find and fix TensorFlow code whose gradients silently vanish."
    )
    p.add_argument("--version", action="version", version=f"gradls {__version__}")
    sub = p.add_subparsers(dest="command")

    c = sub.add_parser("check", help="report gradient bugs in Python files and folders")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    c.add_argument("--output-format", choices=["text", "json", "sarif"], default="text")
    c.add_argument("--select", help="comma-separated codes or prefixes to enable (replaces the default set)")
    c.add_argument("--extend-select", help="codes or prefixes to enable on top of the selection")
    c.add_argument("--ignore", help="comma-separated codes or prefixes to disable")
    c.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    c.add_argument("--diff", action="store_true", help="print the safe fixes as a unified diff instead of writing them")
    c.add_argument("--config", help="use this pyproject.toml instead of discovering one per file")
    c.add_argument(
        "--jobs", "-j", type=_jobs, default=0, metavar="N", help="files analysed at once (default: all cores)"
    )
    c.add_argument(
        "--cache-dir", help="where to keep the cache (default: .gradls_cache beside the nearest pyproject.toml)"
    )
    c.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    c.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply `exclude` from [tool.gradls] to files named explicitly too (for pre-commit, as ruff's)",
    )
    c.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        help="also check files that git ignores (.gitignore, .git/info/exclude) in the folders walked",
    )
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("rule", help="print a rule's documentation")
    r.add_argument("code", nargs="?")
    r.add_argument("--all", action="store_true", help="list every rule")
    r.set_defaults(func=cmd_rule)

    e = sub.add_parser(
        "explain",
        help="say what gradls knows at a position: which sources get a gradient and why not, a variable's "
        "dtype and tapes, how a function runs",
    )
    e.add_argument("location", metavar="PATH:LINE[:COL]", help="1-based, as `gradls check` prints it")
    e.add_argument("--output-format", choices=["text", "json"], default="text")
    e.set_defaults(func=cmd_explain)

    pr = sub.add_parser(
        "probe", help="run a script under an instrumented TensorFlow and report its gradients", add_help=False
    )
    pr.set_defaults(func=None)
    sv = sub.add_parser("server", help="start the language server (stdio)", add_help=False)
    sv.set_defaults(func=None)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # probe and server own their flags; hand them the rest of the line untouched.
    if argv and argv[0] == "probe":
        from gradls.probe.cli import main as probe_main

        return probe_main(argv[1:])
    if argv and argv[0] == "server":
        from gradls.lsp import main as serve

        return serve(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # an internal error is a bug: say so, with enough to report it
        import traceback

        traceback.print_exc()
        print(f"gradls: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
