"""How `gradls check` analyses many files: cache first, then the misses on a pool of processes.

Every result, computed here or in a worker, fresh or from the cache, goes through the same JSON form
(`gradls.cache.encode`/`decode`), so the output is byte-identical whichever way a file was checked.
Reports come back in the order the files were given, whatever order the workers finish in.
Workers import gradls only (never TensorFlow).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradls.cache import Cache, decode, encode, index_for
from gradls.cli import IO_ERROR, SYNTAX_ERROR, FileError, FileReport
from gradls.files import read_source

if TYPE_CHECKING:
    from gradls.config import Config


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def analyse(path: str, source: str, config: Config, cache: Cache) -> str:
    """Analyse one file (its project's index recording what it consults), store and return the entry."""
    from gradls.analysis import analyze

    index = index_for(path) if os.path.isfile(path) else None
    deps: list[list[Any]] = []
    if index is not None:
        index.log = deps
    try:
        result = analyze(source, path, config, project=index if index is not None else False)
    finally:
        if index is not None:
            index.log = None
    data = json.dumps(encode(result, source, deps), default=str)
    cache.store(path, config, data)
    return data


def report(path: str, source: str, config: Config, entry: dict[str, Any]) -> FileReport:
    findings, fixes, failure = decode(entry)
    if failure is not None:
        message, line, col = failure
        message = message if message.startswith("syntax error") else f"syntax error: {message}"
        return FileReport(path, source, [], FileError(SYNTAX_ERROR, message, line, col), config)
    rep = FileReport(path, source, findings, None, config)
    rep.fixes = fixes
    return rep


_WORKER_CACHE: Cache | None = None


def _worker_init(cache: Cache) -> None:
    global _WORKER_CACHE
    _WORKER_CACHE = cache


def _worker(path: str, source: str, config: Config) -> str:
    assert _WORKER_CACHE is not None
    return analyse(path, source, config, _WORKER_CACHE)


def _context():
    # fork starts a worker in milliseconds with gradls already imported; elsewhere the platform's default.
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def check_files(files: list[tuple[Path, Config]], cache: Cache, jobs: int) -> list[FileReport]:
    """One report per (path, effective config), in that order."""
    reports: list[FileReport | None] = [None] * len(files)
    misses: list[tuple[int, str, str, Config]] = []
    for i, (p, config) in enumerate(files):
        path = str(p)
        source, err = read_source(p)
        if source is None:
            reports[i] = FileReport(path, None, [], FileError(IO_ERROR, err or "cannot read"))
            continue
        entry = cache.load(path, source, config)
        if entry is not None:
            reports[i] = report(path, source, config, entry)
        else:
            misses.append((i, path, source, config))

    if jobs <= 1 or len(misses) <= 1:
        for i, path, source, config in misses:
            reports[i] = report(path, source, config, json.loads(analyse(path, source, config, cache)))
    else:
        # Biggest files first, so no worker is left with a large one at the end.
        misses.sort(key=lambda m: -len(m[2]))
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(misses)), mp_context=_context(), initializer=_worker_init, initargs=(cache,)
        ) as pool:
            futures = [(m, pool.submit(_worker, m[1], m[2], m[3])) for m in misses]
            try:
                for (i, path, source, config), fut in futures:
                    reports[i] = report(path, source, config, json.loads(fut.result()))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return [r for r in reports if r is not None]
