"""Opt-in warm worker for the probe: TensorFlow imported once, one forked child per probe.

A `WarmWorkerPool` keeps one worker process (warm_worker.py, run by path in the user's
interpreter next to a copy of runner.py). The worker imports TensorFlow and Keras, then waits on
its control pipe; for each probe it forks a child that becomes exactly what the cold path's runner
process is (own session, stdin /dev/null, stdout/stderr to files in the probe's workdir, cwd,
argv, env with the run's token) and runs runner.run. The launcher watches that child as it
watches a cold runner: timeout, resident memory of its process group, output volume (file sizes),
cancellation, orphans. The report is built by the same code, plus a note.

The worker is restarted when the interpreter (path or mtime), the environment passed to it or the
device changes, or when it died; if it cannot start or misbehaves, `run_warm` returns None and the
launcher runs the probe cold. No TensorFlow is imported here.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gradls.probe import launcher as _L
from gradls.probe import report as _report

WORKER_PATH = Path(__file__).with_name("warm_worker.py")
WORKER_COPY_NAME = "gradls_probe_worker.py"
_FLOOD_POLL_S = 0.1
_PID_WAIT_S = 30.0
_EXIT_WAIT_S = 10.0
_log = logging.getLogger("gradls.probe.warm")


class _Unavailable(Exception):
    pass


class _Zygote:
    def __init__(self, key: tuple, proc: subprocess.Popen, directory: str):
        self.key = key
        self.proc = proc
        self.dir = directory
        self.pid = proc.pid
        self._buf = b""
        assert proc.stdout is not None and proc.stdin is not None  # started with both as PIPE
        self._out = proc.stdout.fileno()
        self._in = proc.stdin.fileno()

    @classmethod
    def start(cls, key: tuple, interpreter: str, env: dict, device: str) -> _Zygote:
        directory = tempfile.mkdtemp(prefix="gradls-warm-")
        try:
            shutil.copyfile(_L.RUNNER_PATH, os.path.join(directory, _L.RUNNER_COPY_NAME))
            worker = os.path.join(directory, WORKER_COPY_NAME)
            shutil.copyfile(WORKER_PATH, worker)
            with open(os.path.join(directory, "worker.log"), "wb") as log:
                proc = subprocess.Popen(
                    [interpreter, worker, "--device", device],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    cwd=directory,
                    env=env,
                    start_new_session=True,
                    bufsize=0,
                )
        except OSError as exc:
            shutil.rmtree(directory, ignore_errors=True)
            raise _Unavailable("could not start the worker: %s" % exc) from exc
        _L._LIVE_CHILDREN.add(proc.pid)  # a concurrent cold probe must not take it for an orphan
        return cls(key, proc, directory)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self) -> str:
        try:
            with open(os.path.join(self.dir, "worker.log"), "rb") as fh:
                fh.seek(0, 2)
                fh.seek(max(0, fh.tell() - 2000))
                return fh.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def send(self, obj: dict) -> None:
        data = (json.dumps(obj) + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self._in, data) :]
        except OSError as exc:
            raise _Unavailable("the worker's control pipe is closed (%s)" % exc) from exc

    def poll_msg(self) -> dict | None:
        """The next message if one has arrived (never blocks); _Unavailable once the worker is gone."""
        while b"\n" not in self._buf:
            ready, _, _ = select.select([self._out], [], [], 0)
            if not ready:
                return None
            chunk = os.read(self._out, 65536)
            if not chunk:
                raise _Unavailable("the worker exited (status %s)" % self.proc.poll())
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            msg = json.loads(line.decode("utf-8"))
        except ValueError as exc:
            raise _Unavailable("the worker sent garbage: %r" % line[:200]) from exc
        if not isinstance(msg, dict):
            raise _Unavailable("the worker sent garbage: %r" % line[:200])
        return msg

    async def wait_msg(self, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            msg = self.poll_msg()
            if msg is not None:
                return msg
            if time.monotonic() >= deadline:
                raise _Unavailable("the worker did not answer within %g s" % seconds)
            await asyncio.sleep(0.02)

    def kill(self) -> None:
        _L._kill_group(self.pid)  # the worker leads its own session; probe children have their own
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        _L._LIVE_CHILDREN.discard(self.pid)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _zygote_env(env: dict[str, str] | None) -> dict[str, str]:
    zenv = _L._child_env(env, "")
    zenv.pop(_L._TOKEN_ENV, None)
    return zenv


def _key(interpreter: str, zenv: dict[str, str], device: str) -> tuple:
    stamps: list[int | None] = []
    for f in (os.lstat, os.stat):
        try:
            stamps.append(f(interpreter).st_mtime_ns)
        except OSError:
            stamps.append(None)
    return (interpreter, os.path.realpath(interpreter), tuple(stamps), tuple(sorted(zenv.items())), device)


class WarmWorkerPool:
    """Holds at most one warm worker, for the latest (interpreter, environment, device); one probe at a time.

    `log(message)` is told about starts, restarts and failures. `close()` kills the worker (also at exit)."""

    def __init__(self, log: Callable[[str], None] | None = None):
        self._log = log or _log.info
        self._lock = threading.Lock()
        self._zygote: _Zygote | None = None
        self.starts = 0
        self.last_child_pid: int | None = None
        atexit.register(self.close)

    @property
    def worker_pid(self) -> int | None:
        z = self._zygote
        return z.pid if z is not None and z.alive() else None

    def close(self) -> None:
        z, self._zygote = self._zygote, None
        if z is not None:
            z.kill()

    def _discard(self, z: _Zygote, why: str) -> None:
        self._log("probe warm worker (pid %d) dropped: %s" % (z.pid, why))
        if self._zygote is z:
            self._zygote = None
        z.kill()

    async def _ensure(self, interpreter: str, zenv: dict, device: str, wait_s: float) -> _Zygote:
        key = _key(interpreter, zenv, device)
        z = self._zygote
        if z is not None and (z.key != key or not z.alive()):
            self._discard(
                z,
                "interpreter, environment or device changed"
                if z.key != key
                else "it exited (status %s)" % z.proc.poll(),
            )
        if self._zygote is not None:
            return self._zygote
        started = time.monotonic()
        z = _Zygote.start(key, interpreter, zenv, device)
        self.starts += 1
        try:
            msg = await z.wait_msg(wait_s)
        except _Unavailable as exc:
            tail = z.log_tail()
            z.kill()
            raise _Unavailable("starting it failed: %s%s" % (exc, (": " + tail[-500:]) if tail else "")) from exc
        except BaseException:
            z.kill()
            raise
        if not msg.get("ready"):
            z.kill()
            raise _Unavailable("it could not import TensorFlow: %s" % msg.get("error"))
        self._log(
            "probe warm worker started (pid %d, %s, TensorFlow %s) in %.1f s"
            % (z.pid, interpreter, msg.get("tensorflow"), time.monotonic() - started)
        )
        self._zygote = z
        return z


_DEFAULT: WarmWorkerPool | None = None


def default_pool() -> WarmWorkerPool:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WarmWorkerPool()
    return _DEFAULT


def _capture_file(path: str) -> _L._BoundedCapture:
    """Head and tail of an output file, as the cold path's pipe capture keeps them."""
    cap = _L._BoundedCapture()
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size <= cap.head_limit + cap.tail_limit:
                cap.feed(fh.read(size))
                return cap
            cap.head += fh.read(cap.head_limit)
            fh.seek(size - cap.tail_limit)
            cap.tail += fh.read(cap.tail_limit)
            cap.total = size
            cap.dropped = size - len(cap.head) - len(cap.tail)
    except OSError:
        pass
    return cap


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


async def run_warm(
    pool: WarmWorkerPool,
    *,
    file: str,
    resolved: str,
    steps: int,
    timeout: float,
    device: str,
    cwd: str | None,
    memory_mb: int | None,
    env: dict[str, str] | None,
    args: Sequence[str],
    max_output_mb: float,
) -> tuple[dict[str, Any] | None, str | None]:
    """(report, None), or (None, why) when the probe must run cold instead. Cancellation: the child's
    group is killed and waited for, the worker survives, CancelledError is re-raised."""
    if not pool._lock.acquire(blocking=False):
        return None, "it is busy with another probe"
    try:
        started = time.monotonic()
        try:
            z = await pool._ensure(resolved, _zygote_env(env), device, timeout)
        except _Unavailable as exc:
            pool._log("probe warm worker unavailable, running cold: %s" % exc)
            return None, str(exc)
        return await _run_in(
            pool,
            z,
            started,
            file=file,
            resolved=resolved,
            steps=steps,
            timeout=timeout,
            device=device,
            cwd=cwd,
            memory_mb=memory_mb,
            env=env,
            args=args,
            max_output_mb=max_output_mb,
        )
    finally:
        pool._lock.release()


async def _run_in(
    pool: WarmWorkerPool,
    z: _Zygote,
    started: float,
    *,
    file,
    resolved,
    steps,
    timeout,
    device,
    cwd,
    memory_mb,
    env,
    args,
    max_output_mb,
):
    workdir = tempfile.mkdtemp(prefix="gradls-probe-")
    token = uuid.uuid4().hex
    subreaper = _L._become_subreaper()
    children_before = (_L._own_children() | {z.pid}) if subreaper else set()
    try:
        report_path = os.path.join(workdir, "events.jsonl")
        outputs = {"stdout": os.path.join(workdir, "stdout"), "stderr": os.path.join(workdir, "stderr")}
        stack_path = os.path.join(workdir, "stacks.txt")
        argv = ["--report-file", report_path, "--stack-file", stack_path, "--steps", str(steps), "--device", device]
        argv += ["--", file, *args]
        request = {
            "argv": argv,
            "cwd": cwd or os.path.dirname(file),
            "env": _L._child_env(env, token),
            "stdout": outputs["stdout"],
            "stderr": outputs["stderr"],
        }
        try:
            z.send(request)
            msg = await z.wait_msg(_PID_WAIT_S)
            pid = int(msg["pid"])
        except (_Unavailable, KeyError, TypeError, ValueError) as exc:
            pool._discard(z, "no child for the probe: %s" % exc)
            return None, "it did not start the probe: %s" % exc
        pool.last_child_pid = pid
        pgid = pid  # the child called setsid() before the worker told us its pid
        rep = _report.new_report(file, resolved, steps, device)
        rep["argv"] = [file, *args]
        limits: dict = {"kill_reason": None, "peak_rss": 0}
        descendants: dict[int, bytes] = {}
        flood_bytes = int(max_output_mb * 1024 * 1024)
        state: dict = {"returncode": None, "lost": None}

        def stop(reason: str) -> None:
            if limits["kill_reason"] is None:
                limits["kill_reason"] = reason
            _L._kill_group(pgid)

        def check_exit() -> bool:
            try:
                m = z.poll_msg()
            except _Unavailable as exc:
                state["lost"] = str(exc)
                return True
            if m is not None and "exit" in m:
                state["returncode"] = m["exit"] if isinstance(m["exit"], int) else None
                return True
            return False

        deadline = started + timeout
        cancelled = False
        escaped = 0
        try:
            next_slow = 0.0
            while not check_exit():
                now = time.monotonic()
                if sum(_size(p) for p in outputs.values()) > flood_bytes:
                    stop("output")
                if now >= next_slow:  # the /proc scans, at the cold path's pace
                    next_slow = now + _L._POLL_S
                    await asyncio.to_thread(_L._track_descendants, pid, descendants)
                    if now >= deadline:
                        await _L._dump_stacks(pid, stack_path)
                        stop("timeout")
                    elif memory_mb is not None:
                        rss = await asyncio.to_thread(_L._group_rss_bytes, pgid)
                        if rss is not None:
                            limits["peak_rss"] = max(limits["peak_rss"], rss)
                            if rss > memory_mb * 1024 * 1024:
                                stop("memory")
                await asyncio.sleep(_FLOOD_POLL_S)
        except asyncio.CancelledError:
            cancelled = True
            limits["kill_reason"] = "cancelled"
            _L._kill_group(pgid)
            # Wait for the worker to reap the child, so it is ready for the next probe; a second
            # cancel cannot leave a live group behind (SIGKILL was already sent), it only skips this.
            until = time.monotonic() + _EXIT_WAIT_S
            while not check_exit() and time.monotonic() < until:
                await asyncio.sleep(0.02)
        finally:
            _L._kill_group(pgid)
            escaped = _L._kill_token_holders(token)
            escaped += _L._kill_tracked(descendants)
            if subreaper:
                escaped += await asyncio.to_thread(_L._kill_adopted, children_before, pid)
            if state["lost"] is not None or (cancelled and state["returncode"] is None):
                pool._discard(z, state["lost"] or "it did not report the cancelled child's exit")
        if cancelled:
            raise asyncio.CancelledError()
        captures = {name: _capture_file(path) for name, path in outputs.items()}
        if limits["kill_reason"] == "timeout":
            rep["threads"] = _report.parse_thread_stacks(_L._read_text(stack_path))
        _L._complete(
            rep, started, captures, report_path, escaped, state["returncode"], limits, timeout, memory_mb, max_output_mb
        )
        if state["lost"] is not None:
            rep["notes"].append(
                "the warm worker was lost during the probe (%s); the exit status is unknown" % state["lost"]
            )
        rep["notes"].append(
            "ran in the warm worker (pid %d): TensorFlow was imported once, the program ran in a "
            "forked child (pid %d)" % (z.pid, pid)
        )
        return rep, None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
