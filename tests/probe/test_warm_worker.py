"""The opt-in warm worker: one worker start (TensorFlow imported once), several probes forked from it.

Real TensorFlow on CPU. Timings are printed, never asserted; what is asserted is structural: the
same worker serves every probe, its report matches the cold path's, a timeout or a cancel kills
the forked child and leaves the worker serving, changed settings restart it, a dead one falls back.
"""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradls.probe import warm
from gradls.probe.launcher import run_probe_async
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")
TF_PYTHON = tf_python()
ENV = {"CUDA_VISIBLE_DEVICES": "-1"}

pytestmark = pytest.mark.timeout(240)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def comparable(rep: dict):
    """The report without what differs between any two runs: timings, pids in notes, measured
    numbers (gradient norms depend on random initial weights), and stderr (what TensorFlow logs
    while it imports, absl/oneDNN/CUDA lines, differs by machine and is never printed again by a
    warm worker that imported it once); names, lines, statuses and the program's stdout stay."""

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if not isinstance(v, float)}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    skip = ("duration_s", "notes", "stderr", "stderr_omitted_bytes")
    return strip({k: v for k, v in rep.items() if k not in skip})


def test_warm_worker_end_to_end(tmp_path):
    eager = str(PROGRAMS / "eager_losses.py")
    hang = tmp_path / "hang_warm.py"
    shutil.copy(PROGRAMS / "hang.py", hang)
    logs: list[str] = []
    pool = warm.WarmWorkerPool(log=logs.append)

    async def go():
        timings = {}
        t = time.monotonic()
        cold = await run_probe_async(eager, interpreter=TF_PYTHON, env=ENV)
        timings["cold"] = time.monotonic() - t

        t = time.monotonic()
        first = await run_probe_async(eager, interpreter=TF_PYTHON, env=ENV, warm=True, pool=pool)
        timings["warm, worker start + probe"] = time.monotonic() - t
        worker = pool.worker_pid
        assert worker is not None and alive(worker)
        assert any("warm worker" in n for n in first["notes"]), first["notes"]
        assert not any("warm worker" in n for n in cold["notes"])

        t = time.monotonic()
        second = await run_probe_async(eager, interpreter=TF_PYTHON, env=ENV, warm=True, pool=pool)
        timings["warm re-probe"] = time.monotonic() - t
        assert pool.worker_pid == worker and pool.starts == 1
        for rep in (first, second):
            assert comparable(rep) == comparable(cold)
            assert rep["version"] == cold["version"] and rep["status"] == cold["status"] == "gradient-problems"

        # A timeout kills the forked child (and what it started); the worker lives on.
        t = time.monotonic()
        timed_out = await run_probe_async(str(hang), interpreter=TF_PYTHON, env=ENV, timeout=3, warm=True, pool=pool)
        timings["warm timeout (3 s)"] = time.monotonic() - t
        child = pool.last_child_pid
        assert timed_out["status"] == "timeout" and "3 s wall-clock timeout" in timed_out["message"]
        assert "started" in timed_out["stdout"]
        assert not alive(child) and pool.worker_pid == worker and alive(worker)

        # Cancellation: the child dies, CancelledError comes back, the worker lives on.
        task = asyncio.ensure_future(
            run_probe_async(str(hang), interpreter=TF_PYTHON, env=ENV, timeout=60, warm=True, pool=pool)
        )
        for _ in range(100):
            await asyncio.sleep(0.1)
            if pool.last_child_pid != child:
                break
        await asyncio.sleep(0.5)
        child = pool.last_child_pid
        assert alive(child)
        task.cancel()
        t = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        timings["warm cancel"] = time.monotonic() - t
        assert not alive(child) and pool.worker_pid == worker and alive(worker)

        third = await run_probe_async(eager, interpreter=TF_PYTHON, env=ENV, warm=True, pool=pool)
        assert comparable(third) == comparable(cold) and pool.worker_pid == worker and pool.starts == 1

        # Children the program starts (in its group, and in a new session) die with the probe, as cold.
        pid_file = tmp_path / "pids.txt"
        hostile = await run_probe_async(
            str(PROGRAMS / "children_exit.py"),
            interpreter=TF_PYTHON,
            env=ENV,
            args=[str(pid_file)],
            timeout=60,
            warm=True,
            pool=pool,
        )
        assert hostile["exit"]["code"] == 3 and hostile["exit"]["reason"] == "exited-abruptly"
        assert "stdin gave EOFError" in hostile["stdout"]
        same_group, new_session = map(int, pid_file.read_text().split())
        for _ in range(30):
            if not (alive(same_group) or alive(new_session)):
                break
            await asyncio.sleep(0.1)
        assert not alive(same_group) and not alive(new_session)
        assert pool.worker_pid == worker and alive(worker)

        # A worker that died is noticed; the probe still comes back (a new worker serves it).
        os.kill(worker, signal.SIGKILL)
        await asyncio.sleep(0.2)
        fourth = await run_probe_async(eager, interpreter=TF_PYTHON, env=ENV, warm=True, pool=pool)
        assert comparable(fourth) == comparable(cold) and pool.starts == 2 and pool.worker_pid not in (None, worker)
        return timings

    try:
        timings = asyncio.run(go())
    finally:
        last = pool.worker_pid
        pool.close()
    assert last is None or not alive(last)
    print("\nwarm worker timings: " + ", ".join("%s %.2f s" % kv for kv in timings.items()))
    print("\n".join(logs))


def _python_without_tensorflow() -> str | None:
    for candidate in ("/usr/bin/python3", shutil.which("python3") or ""):
        if candidate and os.path.exists(candidate):
            r = subprocess.run(
                [
                    candidate,
                    "-c",
                    "import importlib.util,sys; sys.exit(importlib.util.find_spec('tensorflow') is not None)",
                ]
            )
            if r.returncode == 0:
                return candidate
    return None


def test_restart_key_and_fallback(tmp_path):
    """The worker's identity follows interpreter, environment and device; one that cannot start means cold."""
    zenv = warm._zygote_env(ENV)
    key = warm._key(TF_PYTHON, zenv, "cpu")
    assert key == warm._key(TF_PYTHON, warm._zygote_env(ENV), "cpu")
    assert key != warm._key(TF_PYTHON, warm._zygote_env({**ENV, "X": "1"}), "cpu")
    assert key != warm._key(TF_PYTHON, zenv, "auto")
    assert "GRADLS_PROBE_TOKEN" not in zenv
    fake = tmp_path / "python"
    fake.symlink_to(sys.executable)
    k1 = warm._key(str(fake), zenv, "cpu")
    os.utime(fake, (1, 1), follow_symlinks=False)
    assert warm._key(str(fake), zenv, "cpu") != k1

    # An interpreter without TensorFlow: the worker cannot start, the probe runs cold and says so.
    script = tmp_path / "s.py"
    script.write_text("print('hi')\n")
    nontf = _python_without_tensorflow()
    if nontf is None:
        pytest.skip("no Python without TensorFlow on this machine")
    logs: list[str] = []
    pool = warm.WarmWorkerPool(log=logs.append)
    try:
        rep = asyncio.run(run_probe_async(str(script), interpreter=nontf, warm=True, pool=pool, timeout=60))
        assert rep["status"] == "no-tensorflow"
        assert any("ran in a fresh interpreter" in n for n in rep["notes"]), rep["notes"]
        assert pool.worker_pid is None and any("TensorFlow" in m for m in logs), logs
    finally:
        pool.close()


def test_worker_is_self_contained_and_server_never_imports_tensorflow():
    tree = ast.parse(warm.WORKER_PATH.read_text())
    top = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            top.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            top.add(node.module.split(".")[0])
    assert top - set(sys.stdlib_module_names) - {"__future__"} <= {"tensorflow", "keras", "gradls_probe_runner"}
    code = "import sys, gradls.probe.warm; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_setting_is_opt_in():
    from gradls.lsp.settings import parse_settings

    assert parse_settings({})[0].probe.warm_worker is False
    settings, problems = parse_settings({"probe": {"warmWorker": True}})
    assert settings.probe.warm_worker is True and not problems
    assert settings.as_json()["probe"]["warmWorker"] is True
    settings, problems = parse_settings({"probe": {"warmWorker": "yes"}})
    assert settings.probe.warm_worker is False and any("warmWorker" in p for p in problems)
