"""The `gradls` command: check / rule / probe / server.

Exit codes of `gradls check`: 0 clean, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from gradls import __version__

_SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "site-packages",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
    ".eggs",
}


@dataclass
class FileReport:
    path: str
    source: str | None
    findings: list
    error: str | None = None


def _codes(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return tuple(c.strip().upper() for c in raw.split(",") if c.strip())


def iter_python_files(paths: list[str], explicit_only: bool = False):
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
                for f in sorted(files):
                    if f.endswith((".py", ".pyi")):
                        yield Path(root, f), False
        else:
            yield path, True


def read_source(path: Path) -> tuple[str | None, str | None]:
    """(text, error).  Non-UTF-8 or unreadable files are reported, never guessed at."""
    try:
        data = path.read_bytes()
    except OSError as e:
        return None, f"cannot read: {e.strerror or e}"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, f"not valid UTF-8 (byte {e.start}): skipped"
    return text, None


def check_file(path: Path, base_config, overrides: dict) -> FileReport:
    from gradls.analysis import analyze
    from gradls.config import config_for_path

    source, err = read_source(path)
    if err:
        return FileReport(str(path), None, [], err)
    cfg = (base_config or config_for_path(path)).merged(**overrides)
    result = analyze(source, str(path), cfg)
    if result.failure is not None:
        f = result.failure
        return FileReport(str(path), source, [], f"{f.line}:{f.col + 1}: {f.message}")
    return FileReport(str(path), source, result.findings)


def _apply_fixes(report: FileReport, cfg_overrides: dict, base_config) -> tuple[str, int]:
    """Apply safe fixes until none is left (bounded), re-analysing after each round."""
    from gradls.analysis import analyze
    from gradls.config import config_for_path
    from gradls.fixes import apply_edits, fix_for

    cfg = (base_config or config_for_path(report.path)).merged(**cfg_overrides)
    text = report.source or ""
    applied = 0
    for _ in range(20):
        result = analyze(text, report.path, cfg)
        if result.failure is not None:
            break
        progressed = False
        for f in result.findings:
            fix = fix_for(text, f)
            if fix is None or not fix.safe:
                continue
            try:
                new = apply_edits(text, fix.edits)
            except ValueError:
                continue
            import ast

            try:
                ast.parse(new)
            except SyntaxError:
                continue  # never write a file that stops parsing
            text = new
            applied += 1
            progressed = True
            break  # positions of the other findings are stale now
        if not progressed:
            break
    return text, applied


def _rel(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _json_finding(report: FileReport, f) -> dict:
    from gradls.fixes import fix_for

    fix = fix_for(report.source or "", f) if f.fixable else None
    return {
        "code": f.code,
        "message": f.message,
        "filename": report.path,
        "location": {"row": f.span.line, "column": f.span.col + 1},
        "end_location": {"row": f.span.end_line, "column": f.span.end_col + 1},
        "fix": None
        if fix is None
        else {
            "message": fix.title,
            "applicability": "safe" if fix.safe else "unsafe",
            "edits": [
                {
                    "content": e.new_text,
                    "location": {"row": e.span.line, "column": e.span.col + 1},
                    "end_location": {"row": e.span.end_line, "column": e.span.end_col + 1},
                }
                for e in fix.edits
            ],
        },
        "url": _rule_url(f.code),
    }


def _rule_url(code: str) -> str | None:
    from gradls.analysis.rules import get_rule

    r = get_rule(code)
    return r.doc_path.as_uri() if r else None


def _sarif(reports: list[FileReport]) -> dict:
    from gradls.analysis.rules import all_rules

    rules = all_rules()
    results = []
    for rep in reports:
        for f in rep.findings:
            results.append(
                {
                    "ruleId": f.code,
                    "level": "warning",
                    "message": {"text": f.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": Path(rep.path).as_posix()},
                                "region": {
                                    "startLine": f.span.line,
                                    "startColumn": f.span.col + 1,
                                    "endLine": f.span.end_line,
                                    "endColumn": f.span.end_col + 1,
                                },
                            }
                        }
                    ],
                }
            )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gradls",
                        "version": __version__,
                        "rules": [
                            {
                                "id": r.code,
                                "name": r.name,
                                "shortDescription": {"text": r.summary},
                                "helpUri": r.doc_path.as_uri(),
                            }
                            for r in rules.values()
                        ],
                    }
                },
                "results": results,
            }
        ],
    }


def cmd_check(args) -> int:
    from gradls.config import config_for_path

    overrides = {}
    if args.select is not None:
        overrides["select"] = _codes(args.select)
    if args.ignore is not None:
        overrides["ignore"] = _codes(args.ignore)
    if args.extend_select is not None:
        overrides["extend_select"] = _codes(args.extend_select)
    from gradls.config import unknown_codes

    for flag, value in (("--select", args.select), ("--ignore", args.ignore), ("--extend-select", args.extend_select)):
        for bad in unknown_codes(_codes(value) or ()):
            print(f"gradls: warning: {flag}: {bad!r} matches no gradls rule", file=sys.stderr)
    base_config = None
    if args.config:
        from gradls.config import load_config

        if not Path(args.config).is_file():
            print(f"gradls: error: config file not found: {args.config}", file=sys.stderr)
            return 2
        base_config = load_config(Path(args.config))
    reports: list[FileReport] = []
    seen_problems: set[str] = set()
    missing = [p for p in args.paths if not Path(p).exists()]
    for p in missing:
        print(f"gradls: error: {p}: no such file or directory", file=sys.stderr)
    for path, explicit in iter_python_files([p for p in args.paths if Path(p).exists()]):
        cfg = base_config or config_for_path(path)
        for prob in cfg.problems:
            if str(prob) not in seen_problems:
                seen_problems.add(str(prob))
                print(f"gradls: warning: {prob}", file=sys.stderr)
        if not explicit and cfg.is_excluded(str(path)):
            continue
        reports.append(check_file(path, base_config, overrides))

    errors = 0
    for rep in reports:
        if rep.error:
            errors += 1
            print(f"gradls: {_rel(rep.path)}: {rep.error}", file=sys.stderr)

    if args.fix or args.diff:
        fixed_total = 0
        remaining: list[FileReport] = []
        for rep in reports:
            if rep.error or not rep.findings:
                remaining.append(rep)
                continue
            new_text, n = _apply_fixes(rep, overrides, base_config)
            fixed_total += n
            if n and args.diff:
                sys.stdout.writelines(
                    difflib.unified_diff(
                        (rep.source or "").splitlines(keepends=True),
                        new_text.splitlines(keepends=True),
                        fromfile=f"a/{_rel(rep.path)}",
                        tofile=f"b/{_rel(rep.path)}",
                    )
                )
            elif n:
                Path(rep.path).write_text(new_text, encoding="utf-8", newline="")
            remaining.append(check_text(rep.path, new_text, overrides, base_config) if n else rep)
        if args.diff:
            return 1 if fixed_total else (2 if errors and not reports else 0)
        reports = remaining
        print(f"gradls: fixed {fixed_total} finding{'s' if fixed_total != 1 else ''}", file=sys.stderr)

    findings = [(rep, f) for rep in reports for f in rep.findings]
    fmt = args.output_format
    if fmt == "json":
        json.dump([_json_finding(rep, f) for rep, f in findings], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt == "sarif":
        json.dump(_sarif(reports), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for rep, f in findings:
            print(f"{_rel(rep.path)}:{f.span.line}:{f.span.col + 1}: {f.code} {f.message}")
        if findings:
            from gradls.fixes import fix_for

            fixes = [fix_for(rep.source or "", f) for rep, f in findings if f.fixable]
            safe = sum(1 for x in fixes if x is not None and x.safe)
            unsafe = sum(1 for x in fixes if x is not None and not x.safe)
            hint = []
            if safe:
                hint.append(f"{safe} fixable with `gradls check --fix`")
            if unsafe:
                hint.append(f"{unsafe} with a fix to review in the editor")
            print(
                f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}"
                + (f" ({'; '.join(hint)})" if hint else "")
                + ".",
                file=sys.stderr,
            )
        elif not errors and not missing:
            print("All checks passed.", file=sys.stderr)
    if missing or (errors and not findings and not reports):
        return 2
    return 1 if findings else 0


def check_text(path: str, text: str, overrides: dict, base_config) -> FileReport:
    from gradls.analysis import analyze
    from gradls.config import config_for_path

    cfg = (base_config or config_for_path(path)).merged(**overrides)
    result = analyze(text, path, cfg)
    return FileReport(path, text, result.findings)


def cmd_rule(args) -> int:
    from gradls.analysis.rules import all_rules, get_rule

    if args.all or not args.code:
        for r in all_rules().values():
            state = "" if r.default_on else "  (off by default)"
            print(f"{r.code}  {r.name}{state}")
        return 0
    r = get_rule(args.code)
    if r is None:
        print(f"gradls: error: unknown rule {args.code!r}; `gradls rule --all` lists them", file=sys.stderr)
        return 2
    print(r.documentation().rstrip())
    return 0


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
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("rule", help="print a rule's documentation")
    r.add_argument("code", nargs="?")
    r.add_argument("--all", action="store_true", help="list every rule")
    r.set_defaults(func=cmd_rule)

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
