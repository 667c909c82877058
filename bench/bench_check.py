"""`gradls check` on a large folder, cold and warm (cache), beside `ruff check --select ALL --no-cache`.

    .venv/bin/python bench/bench_check.py [FOLDER] [--jobs N] [--repeat 1]

FOLDER defaults to the installed `keras/src`.  Each command runs as a user runs it (a process, start-up
included), wall-clock time; "cold" starts from an empty cache folder, "warm" reuses it unchanged, "serial"
is `--jobs 1 --no-cache` (the way every check ran before the pool and the cache).  gradls runs from bytecode
compiled once before the timed runs, as an installed gradls does (see `bytecode_env`).  Numbers are printed,
never asserted.  Targets (issue 14): cold <= 2x ruff, warm <= 0.5x ruff.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def keras_src() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("keras")  # locate only: importing Keras would import TensorFlow
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / "src"
    return p if p.is_dir() else None


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - t, proc.returncode, proc.stdout


def bytecode_env(prefix: Path) -> dict[str, str]:
    """The environment for the gradls runs: Python compiles its modules once and loads them from bytecode, as from
    an installed gradls (pip writes the .pyc files).  With PYTHONDONTWRITEBYTECODE set (as in this project's
    shells) every run compiled all of gradls again, ~0.5 s that ruff never pays; the bytecode goes below `prefix`,
    not into the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    return env


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", help="default: the installed keras/src")
    ap.add_argument("--jobs", type=int, default=0, help="gradls --jobs (default: all cores)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each command; the best is printed")
    args = ap.parse_args()
    folder = Path(args.folder) if args.folder else keras_src()
    if folder is None or not folder.is_dir():
        print("no folder to check (keras is not installed; pass one)", file=sys.stderr)
        return 2
    files = [p for p in folder.rglob("*.py")]
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    bin_dir = Path(sys.executable).parent
    base = [sys.executable, "-m", "gradls", "check", "--output-format", "json"]
    gradls = [*base, str(folder)]
    if args.jobs:
        gradls += ["--jobs", str(args.jobs)]
    ruff_bin = str(bin_dir / "ruff") if (bin_dir / "ruff").exists() else shutil.which("ruff")

    # The cache is keyed on a hash of the gradls sources; pinned to this run's value so an edit of the working
    # tree between the cold and the warm run (other work in the same checkout) does not turn warm into cold.
    from gradls.cache import fingerprint

    os.environ["GRADLS_CACHE_FINGERPRINT"] = fingerprint()
    cache = Path(tempfile.mkdtemp(prefix="gradls-bench-cache-"))
    pycache = Path(tempfile.mkdtemp(prefix="gradls-bench-pycache-"))
    env = bytecode_env(pycache)
    results: dict[str, float] = {}
    outputs: dict[str, str] = {}
    try:
        # Compiles gradls (and what it imports) once, untimed: each timed run then starts as an installed gradls.
        run([*base, "--no-cache", str(Path(__file__))], env)
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            t, _, outputs["cold"] = run([*gradls, "--cache-dir", str(cache)], env)
            results["cold"] = min(results.get("cold", t), t)
            t, _, outputs["warm"] = run([*gradls, "--cache-dir", str(cache)], env)
            results["warm"] = min(results.get("warm", t), t)
            t, _, outputs["serial"] = run([*base, "--jobs", "1", "--no-cache", str(folder)], env)
            results["serial"] = min(results.get("serial", t), t)
            if ruff_bin:
                t, _, _ = run(
                    [ruff_bin, "check", "--select", "ALL", "--no-cache", "--isolated", "--quiet", str(folder)]
                )
                results["ruff"] = min(results.get("ruff", t), t)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(pycache, ignore_errors=True)

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{folder}: {len(files)} files, {lines} lines; {cpus} CPUs; jobs {args.jobs or 'all'}")
    ruff = results.get("ruff")
    for name, label in (
        ("serial", "gradls check --jobs 1 --no-cache"),
        ("cold", "gradls check (cold cache)"),
        ("warm", "gradls check (warm cache)"),
        ("ruff", "ruff check --select ALL --no-cache"),
    ):
        if name not in results:
            continue
        ratio = f"  {results[name] / ruff:5.2f}x ruff" if ruff and name != "ruff" else ""
        print(f"  {label:36} {results[name]:7.2f} s{ratio}")
    same = outputs["cold"] == outputs["warm"] == outputs["serial"]
    print(f"  same findings cold / warm / serial: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
