"""Run many small TensorFlow programs in ONE subprocess (TF's import costs ~5 s per process).

    results = run_programs({"name": source, ...})
    results["name"].error        # None, or "TypeError: @tf.custom_gradient grad_fn must ..."
    results["name"].error_line   # line in the program that raised (innermost frame of the program)
    results["name"].result       # the program's module-level RESULT, made JSON-friendly

Inside a program, `gradient_status(grads)` maps a list of gradients to
"none" / "zero" / "nan" / "inf" / "ok" strings, and `RESULT = ...` hands values back.
Each program runs as `__main__` in a fresh namespace after `keras.backend.clear_session()`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_WORKER = Path(__file__).with_name("_tf_worker.py")


@dataclass
class ProgramResult:
    error: str | None
    error_type: str | None
    error_line: int | None
    result: object
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return self.error is None


def selected_programs(session, fixture: str, program_of) -> set[str] | None:
    """The program names the collected tests using `fixture` ask for, so a `-k` run executes only those: each
    test's parametrization is mapped by `program_of(params)` to a name (None when it names none). None (run every
    program) when some such test is not parametrized with a program, or when nothing is collected."""
    out: set[str] = set()
    for item in session.items:
        if fixture not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        name = program_of(params)
        if name is None:
            return None  # a test reading results by name: run them all
        out.add(name)
    return out or None


def tf_python() -> str:
    """The interpreter that has TensorFlow: GRADLS_TF_PYTHON, else the one running the tests."""
    return os.environ.get("GRADLS_TF_PYTHON", sys.executable)


def _default_jobs(n_programs: int) -> int:
    """Worker processes for a batch: GRADLS_TF_JOBS, else one per core (at most 4) for big batches.

    Each worker pays TF's ~5 s import, so a small batch stays in one process; the corpus and the rule
    cases (hundreds of programs) split across the cores CI has.
    """
    env = os.environ.get("GRADLS_TF_JOBS")
    if env:
        return max(1, int(env))
    if n_programs < 40:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def run_programs(
    programs: dict[str, str], timeout: float | None = None, per_program_timeout: int = 120, jobs: int | None = None
) -> dict[str, ProgramResult]:
    """Run every program under TensorFlow; {name: ProgramResult}.

    The batch is cut into `jobs` contiguous shards run by concurrent worker processes. Each worker resets
    Keras' session, the global dtype policy and the seed before every program, so a program's verdict does
    not depend on which programs ran before it in the same worker.
    """
    if not programs:
        return {}
    names = list(programs)
    jobs = min(jobs or _default_jobs(len(names)), len(names))
    size = -(-len(names) // jobs)
    shards = [names[i : i + size] for i in range(0, len(names), size)]
    if timeout is None:
        # A safety net, not a budget: most programs take well under a second, but a loaded 2-core machine (CI, or
        # a desk with other TensorFlow jobs) can take several times that.
        timeout = 600 + 6.0 * size
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1", PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory(prefix="gradls-tf-") as d:
        running = []
        for i, shard in enumerate(shards):
            work = Path(d, f"shard{i}")
            work.mkdir()
            inp, out = work / "in.json", work / "out.json"
            inp.write_text(
                json.dumps({"programs": {n: programs[n] for n in shard}, "per_program_timeout": per_program_timeout})
            )
            proc = subprocess.Popen(
                [tf_python(), str(_WORKER), str(inp), str(out)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=work,
            )
            running.append((proc, out))
        raw: dict[str, dict] = {}
        deadline = time.monotonic() + timeout
        try:
            for proc, out in running:
                try:
                    stdout, stderr = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    stdout, stderr = proc.communicate()
                if out.exists():
                    raw.update(json.loads(out.read_text()))
                    continue
                partial = Path(str(out) + ".partial")
                done = []
                for line in partial.read_text().splitlines() if partial.exists() else []:
                    try:
                        done.append(json.loads(line))
                    except ValueError:
                        pass  # the line being written when the worker was killed
                if time.monotonic() < deadline:
                    raise RuntimeError(f"TF worker died (exit {proc.returncode}):\n{stdout[-3000:]}\n{stderr[-5000:]}")
                for entry in done:
                    raw.update(entry)
        finally:
            for proc, _ in running:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    cut = f"Timeout: the batch ran past its {timeout:.0f} s deadline before this program finished (machine overloaded?)"
    missing = {"error": cut, "error_type": "Timeout", "error_line": None, "result": None, "warnings": []}
    return {name: ProgramResult(**raw.get(name, missing)) for name in names}
