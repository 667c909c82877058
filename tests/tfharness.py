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


def tf_python() -> str:
    """The interpreter that has TensorFlow: GRADLS_TF_PYTHON, else the one running the tests."""
    return os.environ.get("GRADLS_TF_PYTHON", sys.executable)


def run_programs(
    programs: dict[str, str], timeout: float = 900, per_program_timeout: int = 120
) -> dict[str, ProgramResult]:
    if not programs:
        return {}
    with tempfile.TemporaryDirectory(prefix="gradls-tf-") as d:
        inp, out = Path(d, "in.json"), Path(d, "out.json")
        inp.write_text(json.dumps({"programs": programs, "per_program_timeout": per_program_timeout}))
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1", PYTHONHASHSEED="0")
        proc = subprocess.run(
            [tf_python(), str(_WORKER), str(inp), str(out)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=d,
        )
        if not out.exists():
            raise RuntimeError(
                f"TF worker died (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
            )
        raw = json.loads(out.read_text())
    return {name: ProgramResult(**r) for name, r in raw.items()}
