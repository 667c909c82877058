"""`gradls probe FILE [options] [-- script args]`: run a script under an instrumented TensorFlow.

Exit codes: 0 every observed gradient is ok, 1 gradient problems found, 2 usage error or the
probe could not run (no TensorFlow, crash before any gradient, timeout without findings, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from gradls.probe import launcher, notebook_source
from gradls.probe.html import render_html
from gradls.probe.report import format_text, has_gradient_problems
from gradls.probe.schema import ProbeOptions


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gradls probe",
        description="Run FILE as __main__ in a separate process under an instrumented TensorFlow, stop it after "
        "a few training steps, and report which variables lose their gradient and where.",
        epilog="Arguments after `--` are passed to the script. The probe RUNS the script: use it on code you trust.",
    )
    p.add_argument(
        "file", nargs="?", help="the Python script to run, or a Jupyter notebook (.ipynb: its code cells in order)"
    )
    p.add_argument(
        "-m",
        dest="module",
        metavar="MODULE",
        help="run a module as `python -m MODULE` would (sys.path[0] = the working directory), instead of FILE",
    )
    p.add_argument(
        "--steps",
        type=_positive_int,
        default=launcher.DEFAULT_STEPS,
        help="stop after this many training steps, as Ctrl+C would (default %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=_positive_float,
        default=launcher.DEFAULT_TIMEOUT,
        help="wall-clock limit in seconds, TensorFlow import included (default %(default)g)",
    )
    p.add_argument(
        "--device",
        choices=launcher.DEVICES,
        default="auto",
        help="auto: the GPU when TensorFlow sees one, else the CPU (default); gpu: fail without one",
    )
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    p.add_argument(
        "--html",
        metavar="FILE",
        help="also write the report as a self-contained HTML page: gradient norms per variable over steps",
    )
    p.add_argument(
        "--python",
        dest="interpreter",
        default=os.environ.get("GRADLS_PROBE_PYTHON", sys.executable),
        help="the interpreter that has TensorFlow (default: $GRADLS_PROBE_PYTHON, else this Python)",
    )
    p.add_argument(
        "--memory-mb",
        type=_positive_int,
        default=launcher.DEFAULT_MEMORY_MB,
        help="kill the program when its processes use more resident memory (default %(default)s)",
    )
    p.add_argument("--no-memory-limit", action="store_true", help="do not cap memory")
    p.add_argument(
        "--cwd",
        default=None,
        help="working directory for the program (default: the current one, as `python FILE` would; "
        "a notebook's: its folder, as Jupyter would)",
    )
    p.add_argument(
        "--warm",
        action="store_true",
        help="run in a forked child of a worker that has imported TensorFlow already "
        "(the worker is started for this run and ended with it; the editor keeps one alive)",
    )
    return p


def exit_code(report: dict) -> int:
    if has_gradient_problems(report):
        return 1
    return 0 if report.get("status") == "ok" else 2


def main(argv: list[str]) -> int:
    argv = list(argv)
    script_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, script_args = argv[:cut], argv[cut + 1 :]
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if (ns.file is None) == (ns.module is None):
        print("gradls probe: give either FILE or -m MODULE", file=sys.stderr)
        return 2
    if ns.file is not None and not os.path.isfile(ns.file):
        print("gradls probe: no such file: %s" % ns.file, file=sys.stderr)
        return 2
    if ns.cwd is not None and not os.path.isdir(ns.cwd):
        print("gradls probe: --cwd: no such directory: %s" % ns.cwd, file=sys.stderr)
        return 2
    options = ProbeOptions(
        target=ns.module or ns.file,
        module=ns.module is not None,
        interpreter=ns.interpreter,
        steps=ns.steps,
        timeout=ns.timeout,
        device=ns.device,
        memory_mb=None if ns.no_memory_limit else ns.memory_mb,
        args=tuple(script_args),
        # -m: the module is looked up from the shell's directory; a script runs in the shell's
        # directory as `python FILE` would; a notebook in its own folder, as Jupyter does.
        cwd=ns.cwd or (None if ns.module is None and notebook_source.is_notebook(ns.file) else os.getcwd()),
        warm=ns.warm and ns.module is None,
    )
    try:
        if ns.module is None and notebook_source.is_notebook(ns.file):  # its code cells in order, mapped back
            kwargs = options.to_json()
            del kwargs["target"], kwargs["module"]
            report = notebook_source.run_notebook_probe(ns.file, **kwargs)
        else:
            report = launcher.run_probe(options=options)
    except KeyboardInterrupt:  # the launcher has already killed the process group
        print("gradls probe: interrupted", file=sys.stderr)
        return 2
    if ns.html:
        page = render_html(report)
        with open(ns.html, "w", encoding="utf-8") as fh:
            fh.write(page)
    if ns.output_format == "json":
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        sys.stdout.write(format_text(notebook_source.text_view(report) if report.get("notebook") else report))
    return exit_code(report)
