"""Analysis speed: gradls's finding path beside `ast.parse`, `ruff check` and `pylint` on the same files.

    .venv/bin/python bench/bench_analysis.py [--repeat 15] [--pylint]

Numbers are printed, never asserted.  Target: gradls <= 2x ast.parse (it runs on every keystroke).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_keras_file import generate


def tf_file(rel: str) -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("tensorflow")  # locate only: importing TF costs seconds
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / rel
    return p if p.exists() else None


def timeit(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), min(samples)


def run_tool(cmd: list[str], repeat: int) -> float | None:
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).exists():
        return None

    def go():
        subprocess.run(cmd, capture_output=True)

    med, _ = timeit(go, max(3, repeat // 3))
    return med


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--pylint", action="store_true", help="also time pylint (slow)")
    args = ap.parse_args()
    from gradls.analysis import analyze

    tmp = Path(tempfile.mkdtemp(prefix="gradls-bench-"))
    files: list[tuple[str, Path]] = []
    arr = tf_file("python/ops/array_ops.py")
    if arr:
        files.append(("tensorflow/python/ops/array_ops.py", arr))
    gen = tmp / "generated_keras_20k.py"
    gen.write_text(generate(20_000))
    files.append(("generated Keras module", gen))
    venv_bin = Path(sys.executable).parent
    ruff = str(venv_bin / "ruff") if (venv_bin / "ruff").exists() else "ruff"
    pylint = str(venv_bin / "pylint") if (venv_bin / "pylint").exists() else "pylint"

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; median of {args.repeat} runs (ms)")
    print(
        f"{'file':40} {'lines':>6} {'ast.parse':>10} {'gradls':>8} {'ratio':>6} {'findings':>8} {'ruff check':>11}"
        + (f" {'pylint':>9}" if args.pylint else "")
    )
    for label, path in files:
        src = path.read_text(encoding="utf-8")
        lines = src.count("\n")
        t_ast, _ = timeit(lambda src=src: ast.parse(src), args.repeat)
        result = analyze(src, str(path))
        t_g, _ = timeit(lambda src=src, path=path: analyze(src, str(path)), args.repeat)
        # ruff/pylint include process start-up; that is what a user waits for on the command line.
        t_ruff = run_tool([ruff, "check", "--no-cache", "--isolated", "--select", "E,F", str(path)], args.repeat)
        row = (
            f"{label:40} {lines:6d} {t_ast * 1e3:10.1f} {t_g * 1e3:8.1f} {t_g / t_ast:6.2f} {len(result.findings):8d} "
            f"{(t_ruff or float('nan')) * 1e3:11.1f}"
        )
        if args.pylint:
            t_pl = run_tool([pylint, "--disable=all", "--enable=E", str(path)], 3)
            row += f" {(t_pl or float('nan')) * 1e3:9.0f}"
        print(row)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
