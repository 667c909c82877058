"""Notebook analysis time beside the same code as a `.py`.

    .venv/bin/python bench/bench_notebook.py [--repeat 5] [--lines 500]

The generated Keras module is cut into cells at its top-level blank lines, with a line magic and a
shell line in the first cell; the notebook's time includes reading the JSON, masking magics and
joining the cells.  Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_keras_file import generate
from gradls.analysis import analyze
from gradls.notebooks import read_notebook_program


def as_notebook(source: str) -> str:
    cells, current = [], ["%matplotlib inline\n", "!nvidia-smi\n"]
    for line in source.splitlines(keepends=True):
        if not line.strip() and current and not current[-1].strip():
            cells.append(current)
            current = []
        elif line.strip() or current:
            current.append(line)
    cells.append(current)
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
            for c in cells
            if c
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, sort_keys=True) + "\n"


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--lines", type=int, default=500)
    args = ap.parse_args()
    source = generate(args.lines)
    raw = as_notebook(source)
    program = read_notebook_program(raw)
    py = analyze(source, None, project=False)
    nb = analyze(program.text, None, project=False)
    print(f"{source.count(chr(10))} lines; notebook: {len(program.included)} code cells")
    print(f"findings: .py {len(py.findings)}, .ipynb {len(nb.findings)}")
    t_py = timed(lambda: analyze(source, None, project=False), args.repeat)
    t_read = timed(lambda: read_notebook_program(raw), args.repeat)
    t_nb = timed(lambda: analyze(read_notebook_program(raw).text, None, project=False), args.repeat)
    print(f"  .py    analyze                {t_py:8.1f} ms")
    print(f"  .ipynb read + mask + join     {t_read:8.1f} ms")
    print(f"  .ipynb read + analyze         {t_nb:8.1f} ms  ({t_nb / t_py:.2f}x the .py)")


if __name__ == "__main__":
    main()
