"""Analysis speed: gradls's finding path beside `ast.parse`, `ruff check` and `pylint` on the same files.

    .venv/bin/python bench/bench_analysis.py [--repeat 15] [--pylint]
    .venv/bin/python bench/bench_analysis.py --examples          # bundled examples x8 / x16
    .venv/bin/python bench/bench_analysis.py --corpus DIR        # per-file ratio over a real-code corpus
    --cpu: in-process timings (not ruff/pylint processes) by this process's CPU time, for a loaded machine
    .venv/bin/python bench/bench_analysis.py --compare-rev REV   # REV's analysis beside the working tree's, alternating

Numbers are printed, never asserted.  Target: gradls <= 2x ast.parse (it runs on every keystroke).
"""

from __future__ import annotations

import argparse
import ast
import gc
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


def timeit(fn, repeat: int, collect: bool = False, wall: bool = False) -> tuple[float, float]:
    """(median, min) wall time of `fn()`.  The cyclic garbage collector runs (untimed) before each sample, so no
    sample pays for what an earlier one left; `collect`: the sample also pays for collecting what `fn` left
    (an analysis pauses the collector while it runs, so its garbage is collected after it)."""
    clock = time.perf_counter if wall else CLOCK
    fn()  # warm caches
    samples = []
    for _ in range(repeat):
        gc.collect()
        t = clock()
        fn()
        if collect:
            gc.collect()
        samples.append(clock() - t)
    return statistics.median(samples), min(samples)


# --cpu: this process's CPU time instead of wall time (other processes on a loaded machine then cost nothing).
CLOCK = time.perf_counter


def run_tool(cmd: list[str], repeat: int) -> float | None:
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).exists():
        return None

    def go():
        subprocess.run(cmd, capture_output=True)

    med, _ = timeit(go, max(3, repeat // 3), wall=True)  # another process: wall time
    return med


def examples_repeated(times: int) -> str:
    """The bundled examples/*.py joined, repeated `times` times (x8 ~1.2k lines, x16 ~2.5k): training code
    where every name, tape and layer recurs, so any per-function walk of the whole module shows as x16/x8 > 2."""
    root = Path(__file__).resolve().parent.parent / "examples"
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*.py")))
    return "\n\n".join([text] * times)


def bench_examples(repeat: int) -> None:
    from gradls.analysis import analyze

    print(
        "bundled examples repeated (median of runs, ms; +gc: the analysis then a collection of what it left);"
        " targets: x16 <= 5x ast.parse, x16/x8 <= 2.5"
    )
    took = {}
    for times in (8, 16):
        src = examples_repeated(times)
        t_ast, _ = timeit(lambda src=src: ast.parse(src), repeat)
        t_g, _ = timeit(lambda src=src: analyze(src), max(3, repeat // 3))
        t_gc, _ = timeit(lambda src=src: analyze(src), max(3, repeat // 3), collect=True)
        took[times] = t_g
        print(
            f"  x{times:<3} {src.count(chr(10)):6d} lines  ast.parse {t_ast * 1e3:7.1f}  gradls {t_g * 1e3:8.1f}"
            f"  {t_g / t_ast:5.1f}x  +gc {t_gc * 1e3:8.1f}  {t_gc / t_ast:5.1f}x"
        )
    print(f"  x16/x8: {took[16] / took[8]:.2f}")


def bench_corpus(folder: Path, limit_ratio: float = 10.0) -> None:
    """Per file of a real-code corpus: analysis time / ast.parse time; the files above `limit_ratio` are timed
    again (best of 3 each) before they are listed, so one preempted run does not list a file."""
    from gradls.analysis import analyze

    files = sorted(folder.rglob("*.py"))
    rows = []
    total_parse = total_analysis = 0.0
    for p in files:
        try:
            src = p.read_text(encoding="utf-8")
            ast.parse(src)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        t = CLOCK()
        ast.parse(src)
        t_ast = CLOCK() - t
        t = CLOCK()
        analyze(src, str(p))
        t_g = CLOCK() - t
        total_parse += t_ast
        total_analysis += t_g
        rows.append((p, src, t_ast, t_g))
    slow = []
    # Below ~1 ms of parsing (about 100 lines) a file's ratio is the fixed cost of one analysis (settings, the rule
    # registry, the project lookup: ~0.5 ms), not work that grows with the code; those files are counted apart.
    tiny = [r for r in rows if r[2] < 1e-3 and r[3] / max(r[2], 1e-6) > limit_ratio]
    for p, src, t_ast, t_g in rows:
        if t_ast < 1e-3 or t_g / max(t_ast, 1e-6) <= limit_ratio:
            continue
        _, b_ast = timeit(lambda src=src: ast.parse(src), 3)
        _, b_g = timeit(lambda src=src, p=p: analyze(src, str(p)), 3)
        if b_g / b_ast > limit_ratio:
            slow.append((b_g / b_ast, b_g, src.count("\n"), p))
    print(
        f"{folder}: {len(rows)} files; analysis {total_analysis:.1f} s / ast.parse {total_parse:.1f} s"
        f" ({total_analysis / max(total_parse, 1e-9):.1f}x); files parsing in >= 1 ms above {limit_ratio:.0f}x"
        f" ast.parse (best of 3): {len(slow)}; smaller files above it (fixed cost per file): {len(tiny)}"
    )
    for ratio, t_g, lines, p in sorted(slow, reverse=True)[:20]:
        print(f"  {ratio:5.1f}x  {t_g * 1e3:7.1f} ms  {lines:6d} lines  {p.relative_to(folder)}")


# --compare-rev: one worker process per code version, asked for one sample at a time in turn, so both versions see
# the same load (on a shared machine, runs minutes apart differ by more than most changes do).
_WORKER = """
import ast, gc, sys, time
sys.path.insert(0, sys.argv[1])
from bench_analysis import compare_inputs
from gradls.analysis import analyze
inputs = compare_inputs()
for src, path in inputs.values():
    analyze(src, path)
print("ready", flush=True)
for line in sys.stdin:
    name, what = line.rstrip().rsplit(" ", 1)
    src, path = inputs[name]
    gc.collect()
    t = time.process_time()
    if what == "parse":
        ast.parse(src)
    else:
        analyze(src, path)
        if what == "gc":
            gc.collect()
    print(time.process_time() - t, flush=True)
"""


def compare_inputs() -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {}
    arr = tf_file("python/ops/array_ops.py")
    if arr:
        out["array_ops.py"] = (arr.read_text(encoding="utf-8"), str(arr))
    out["examples x8"] = (examples_repeated(8), None)
    out["examples x16"] = (examples_repeated(16), None)
    return out


def bench_compare(rev: str, samples: int) -> None:
    """CPU time per input (median of `samples`) of the analysis at git revision `rev` and of the working tree."""
    repo = Path(__file__).resolve().parent.parent
    tmp = Path(tempfile.mkdtemp(prefix="gradls-bench-rev-"))
    try:
        archive = subprocess.run(["git", "archive", rev, "server"], cwd=repo, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        roots = {rev: tmp / "server", "working tree": repo / "server"}
        workers = {}
        for label, root in roots.items():
            env = dict(os.environ, PYTHONPATH=str(root))
            cmd = [sys.executable, "-c", _WORKER, str(Path(__file__).parent)]
            w = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
            assert w.stdin is not None and w.stdout is not None
            if w.stdout.readline().strip() != "ready":
                raise SystemExit(f"the {label} worker did not start")
            workers[label] = w

        def ask(w: subprocess.Popen, name: str, what: str) -> float:
            assert w.stdin is not None and w.stdout is not None
            w.stdin.write(f"{name} {what}\n")
            w.stdin.flush()
            return float(w.stdout.readline())

        names = list(compare_inputs())
        got: dict[tuple[str, str, str], list[float]] = {}
        for name in names:
            for _ in range(samples):
                for label, w in workers.items():
                    for what in ("parse", "analysis", "gc"):
                        got.setdefault((label, name, what), []).append(ask(w, name, what))
        for w in workers.values():
            w.kill()
        print(f"CPU time, median of {samples} alternating samples; +gc: the analysis then a collection of its garbage")
        for name in names:
            for label in workers:
                p, a, g = (statistics.median(got[(label, name, what)]) for what in ("parse", "analysis", "gc"))
                print(
                    f"  {name:14} {label:14} ast.parse {p * 1e3:6.1f} ms  analysis {a * 1e3:7.1f} ms {a / p:5.2f}x"
                    f"  +gc {g / p:5.2f}x"
                )
        for label in workers:
            x16 = statistics.median(got[(label, "examples x16", "analysis")])
            x8 = statistics.median(got[(label, "examples x8", "analysis")])
            print(f"  x16/x8 {label}: {x16 / x8:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--pylint", action="store_true", help="also time pylint (slow)")
    ap.add_argument("--examples", action="store_true", help="only the bundled examples x8 / x16")
    ap.add_argument("--corpus", type=Path, help="only: per-file analysis / ast.parse over every .py below this folder")
    ap.add_argument("--cpu", action="store_true", help="time in-process work by CPU time, not wall time")
    ap.add_argument("--compare-rev", metavar="REV", help="only: REV's analysis beside the working tree's, alternating")
    args = ap.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    if args.compare_rev:
        bench_compare(args.compare_rev, args.repeat)
        return 0
    if args.examples:
        bench_examples(args.repeat)
        return 0
    if args.corpus:
        bench_corpus(args.corpus)
        return 0
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
        f"{'file':40} {'lines':>6} {'ast.parse':>10} {'gradls':>8} {'ratio':>6} {'+gc':>6} {'findings':>8} {'ruff check':>11}"
        + (f" {'pylint':>9}" if args.pylint else "")
    )
    for label, path in files:
        src = path.read_text(encoding="utf-8")
        lines = src.count("\n")
        t_ast, _ = timeit(lambda src=src: ast.parse(src), args.repeat)
        result = analyze(src, str(path))
        t_g, _ = timeit(lambda src=src, path=path: analyze(src, str(path)), args.repeat)
        t_gc, _ = timeit(lambda src=src, path=path: analyze(src, str(path)), args.repeat, collect=True)
        # ruff/pylint include process start-up; that is what a user waits for on the command line.
        t_ruff = run_tool([ruff, "check", "--no-cache", "--isolated", "--select", "E,F", str(path)], args.repeat)
        row = (
            f"{label:40} {lines:6d} {t_ast * 1e3:10.1f} {t_g * 1e3:8.1f} {t_g / t_ast:6.2f} {t_gc / t_ast:6.2f} "
            f"{len(result.findings):8d} "
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
