"""Start the probe runner in the user's interpreter, watch it, and turn what it wrote into a report.

Isolation: the runner is a separate process in its own session (process group); its results come
back through a private file, never stdout; stdin is /dev/null; stdout/stderr are captured with a
bounded buffer. The whole group is killed on timeout, cancellation, memory excess or output flood,
and also after a normal exit (children the program left behind); processes that escaped the group
with setsid are found by a per-run token in their environment (Linux).

Memory: RLIMIT_AS is useless with TensorFlow (it reserves tens of GB of address space it never
touches) and RLIMIT_DATA trips over allocator arenas and CUDA, so the launcher polls the resident
set size of the process group and kills it above the cap; the runner also raises its own
oom_score_adj so that, if the machine runs out anyway, the kernel picks the probe, not the editor.

No TensorFlow is imported here.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gradls.probe import report as _report
from gradls.probe import schema as _schema
from gradls.probe.schema import ProbeOptions, ProbeReport, normalised

RUNNER_PATH = Path(__file__).with_name("runner.py")
RUNNER_COPY_NAME = "gradls_probe_runner.py"
# The defaults live with the options' type (schema.ProbeOptions); re-exported for callers.
DEFAULT_STEPS = _schema.DEFAULT_STEPS
DEFAULT_TIMEOUT = _schema.DEFAULT_TIMEOUT
DEFAULT_MEMORY_MB = _schema.DEFAULT_MEMORY_MB
DEVICES = _schema.DEVICES
# Output kept per stream: the first and the last bytes (the middle of a flood is dropped).
OUTPUT_HEAD_BYTES = 16 * 1024
OUTPUT_TAIL_BYTES = 48 * 1024
# More output than this (both streams together) is a flood: the program is stopped.
DEFAULT_MAX_OUTPUT_MB = _schema.DEFAULT_MAX_OUTPUT_MB
_POLL_S = 0.2
_TOKEN_ENV = "GRADLS_PROBE_TOKEN"
# On timeout the runner is asked for every thread's Python stack (SIGUSR2) and given this long to write it.
_STACK_DUMP_WAIT_S = 0.5
# Pids of this process's own children that probes must never treat as orphans: every live runner
# and warm worker. Two probes started from one process each adopt orphans (subreaper) and kill
# the children they did not have before; without this set one would kill the other's runner.
_LIVE_CHILDREN: set[int] = set()
# Server-side variables that would confuse another interpreter.
_ENV_DROP = ("PYTHONHOME", "PYTHONEXECUTABLE", "__PYVENV_LAUNCHER__", _TOKEN_ENV)


class _BoundedCapture:
    """Keeps the head and the tail of a byte stream, counting what it drops."""

    def __init__(self, head: int = OUTPUT_HEAD_BYTES, tail: int = OUTPUT_TAIL_BYTES):
        self.head_limit, self.tail_limit = head, tail
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.dropped = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if not data:
            return
        self.tail += data
        excess = len(self.tail) - self.tail_limit
        if excess > 0:
            del self.tail[:excess]
            self.dropped += excess

    def text(self) -> str:
        sep = b"\n[... %d bytes omitted ...]\n" % self.dropped if self.dropped else b""
        return (bytes(self.head) + sep + bytes(self.tail)).decode("utf-8", errors="replace")


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _proc_pids() -> list[int]:
    try:
        return [int(n) for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        return []


def _group_rss_bytes(pgid: int) -> int | None:
    """Resident memory of every process in the group (Linux /proc); None where unavailable."""
    if not os.path.isdir("/proc"):
        return None
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in _proc_pids():
        try:
            with open("/proc/%d/stat" % pid, "rb") as fh:
                stat = fh.read()
            # Fields after the parenthesised command name: state ppid pgrp ...
            fields = stat[stat.rindex(b")") + 2 :].split()
            if int(fields[2]) != pgid:
                continue
            with open("/proc/%d/statm" % pid, "rb") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
    return total


def _kill_token_holders(token: str) -> int:
    """Kill processes whose environment carries this run's token (escaped the group via setsid)."""
    if not os.path.isdir("/proc"):
        return 0
    needle = ("%s=%s" % (_TOKEN_ENV, token)).encode()
    me = os.getpid()
    killed = 0
    for pid in _proc_pids():
        if pid == me:
            continue
        try:
            with open("/proc/%d/environ" % pid, "rb") as fh:
                if needle not in fh.read().split(b"\0"):
                    continue
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except (OSError, ValueError):
            continue
    return killed


def _track_descendants(root: int, known: dict[int, bytes]) -> None:
    """Add every live descendant of `root` (and of processes already known) to `known`: pid -> start time.

    Catches children that left the process group (setsid) and dropped the token from their
    environment (env={}), as long as they were seen once while their parent was alive.
    """
    children: dict[int, list[int]] = {}
    starts: dict[int, bytes] = {}
    for pid in _proc_pids():
        try:
            with open("/proc/%d/stat" % pid, "rb") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(pid)
            starts[pid] = fields[19]
        except (OSError, ValueError, IndexError):
            continue
    todo = [root, *[p for p in known if starts.get(p) == known[p]]]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in known and child in starts:
                known[child] = starts[child]
                todo.append(child)


_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    """Make this process the reaper of orphaned descendants (Linux >= 3.4), so a child the probed program
    leaves behind (setsid, empty environment, parent already gone) is re-parented to us, not to init, and
    can still be found and killed.  Harmless to call repeatedly; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _own_children() -> set[int]:
    me = str(os.getpid()).encode()
    out = set()
    for pid in _proc_pids():
        try:
            with open("/proc/%d/stat" % pid, "rb") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            if fields[1] == me and fields[0] not in (b"Z", b"X"):
                out.add(pid)
        except (OSError, ValueError, IndexError):
            continue
    return out


def _kill_adopted(before: set[int], runner_pid: int) -> int:
    """Kill orphans the run left that were re-parented to us (we are their subreaper), then reap them."""
    killed = 0
    for _ in range(5):  # killing a parent re-parents its children to us: repeat until none is left
        adopted = _own_children() - before - {runner_pid} - _LIVE_CHILDREN
        if not adopted:
            break
        for pid in adopted:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.05)
        for pid in adopted:
            try:
                os.waitpid(pid, os.WNOHANG)
            except (ChildProcessError, OSError):
                pass
    return killed


def _kill_tracked(known: dict[int, bytes]) -> int:
    """SIGKILL tracked descendants that are still the same processes (pid and start time match)."""
    killed = 0
    for pid, start in known.items():
        try:
            with open("/proc/%d/stat" % pid, "rb") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            if fields[19] != start or fields[0] in (b"Z", b"X"):
                continue  # the pid was reused, or the process is already dead
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except (OSError, ValueError, IndexError):
            continue
    return killed


def _signal_name(returncode: int | None) -> str | None:
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return "signal %d" % -returncode


def _resolve_interpreter(interpreter: str) -> str | None:
    if os.sep in interpreter or (os.altsep and os.altsep in interpreter):
        return interpreter if os.path.isfile(interpreter) and os.access(interpreter, os.X_OK) else None
    return shutil.which(interpreter)


async def _dump_stacks(pid: int, stack_path: str) -> None:
    """Ask the runner for every thread's Python stack (faulthandler on SIGUSR2) before killing it."""
    try:
        before = os.path.getsize(stack_path)
    except OSError:
        before = 0
    try:
        os.kill(pid, signal.SIGUSR2)
    except OSError:
        return
    waited = 0.0
    while waited < _STACK_DUMP_WAIT_S:
        await asyncio.sleep(0.05)
        waited += 0.05
        try:
            if os.path.getsize(stack_path) > before:
                await asyncio.sleep(0.05)  # let it finish the remaining threads
                return
        except OSError:
            pass


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(1024 * 1024)
    except OSError:
        return ""


def _child_env(env: dict[str, str] | None, token: str) -> dict[str, str]:
    child = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    if env:
        child.update({str(k): str(v) for k, v in env.items()})
    child[_TOKEN_ENV] = token
    child["PYTHONUNBUFFERED"] = "1"  # prints survive the runner's os._exit
    child.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return child


def _error_report(file: str, interpreter: str, steps: int, device: str, message: str, status: str = "error") -> dict:
    rep = _report.new_report(file, interpreter, steps, device)
    rep["status"] = status
    rep["message"] = message
    return rep


async def run_probe_async(
    file: str | None = None, *, options: ProbeOptions | None = None, pool: Any = None, **kwargs: Any
) -> dict[str, Any]:
    """Probe `file` (run as __main__ in `interpreter`) and return the versioned report dict.

    The run is described either by `options` (a schema.ProbeOptions) or by `file` and keyword
    arguments with ProbeOptions' names (interpreter, steps, timeout, device, cwd, memory_mb, env,
    args, max_output_mb, warm, module). The dict has the shape of schema.ProbeReport (see
    `probe_async` for the typed result).
    """
    if options is None:
        if file is None:
            raise TypeError("run_probe_async() needs a file or options")
        options = ProbeOptions.from_kwargs(file, **kwargs)
    elif file is not None or kwargs:
        raise TypeError("run_probe_async(): give either options or a file and keyword arguments, not both")
    rep = await _run_probe(
        options.target,
        interpreter=options.interpreter,
        steps=options.steps,
        timeout=options.timeout,
        device=options.device,
        cwd=options.cwd,
        memory_mb=options.memory_mb,
        env=options.env,
        args=options.args,
        max_output_mb=options.max_output_mb,
        warm=options.warm,
        pool=pool,
        module=options.module,
    )
    return normalised(rep)


async def probe_async(options: ProbeOptions, pool: Any = None) -> ProbeReport:
    """run_probe_async with typed options and a typed report."""
    return ProbeReport.from_json(await run_probe_async(options=options, pool=pool))


def probe(options: ProbeOptions, pool: Any = None) -> ProbeReport:
    """Synchronous probe_async."""
    return ProbeReport.from_json(run_probe(options=options, pool=pool))


async def _run_probe(
    file: str,
    *,
    interpreter: str,
    steps: int,
    timeout: float,
    device: str,
    cwd: str | None,
    memory_mb: int | None,
    env: dict[str, str] | None,
    args: Sequence[str],
    max_output_mb: float,
    warm: bool,
    pool: Any,
    module: bool,
) -> dict[str, Any]:
    """The probe itself (run_probe_async's options unpacked).

    `module=True`: `file` is a module name, run as `python -m file` would (sys.path[0] = cwd;
    `cwd` defaults to this process's working directory then).

    Always returns a report, also when the program fails, hangs or crashes. `env` adds to /
    overrides this process's environment. `memory_mb=None` disables the memory cap. On
    cancellation the process group is killed and waited for, then CancelledError is re-raised.

    `warm=True` runs the probe in a child forked from a warm worker that has TensorFlow imported
    already (`pool`: a gradls.probe.warm.WarmWorkerPool, default a process-wide one); when no
    worker can serve it, the probe runs cold as usual and a note says why."""
    module_name = file if module else None
    if module_name is not None:
        cwd = os.path.abspath(cwd or os.getcwd())
        if not module_name.replace(".", "").replace("_", "").isalnum() or module_name.startswith("."):
            return _error_report(module_name, interpreter, steps, device, "not a module name: %r" % module_name)
        file = os.path.join(cwd, *module_name.split("."))  # a placeholder until the runner resolves it
    else:
        file = os.path.abspath(file)
    if device not in DEVICES:
        return _error_report(
            file, interpreter, steps, device, "unknown device %r: use one of %s" % (device, ", ".join(DEVICES))
        )
    if steps < 1:
        return _error_report(file, interpreter, steps, device, "steps must be at least 1 (got %d)" % steps)
    if module_name is None and not os.path.isfile(file):
        return _error_report(file, interpreter, steps, device, "no such file: %s" % file)
    resolved = _resolve_interpreter(interpreter)
    if resolved is None:
        return _error_report(
            file,
            interpreter,
            steps,
            device,
            "Python interpreter not found or not executable: %s. Set the interpreter that has "
            "TensorFlow (gradls probe --python PATH, or the editor's gradls.probe.interpreter)." % interpreter,
        )

    fallback_note = None
    if warm and module_name is not None:
        warm = False
        fallback_note = "the warm worker runs files, not -m modules; this probe ran in a fresh interpreter"
    if warm:
        from gradls.probe import warm as _warm

        rep, why = await _warm.run_warm(
            pool if pool is not None else _warm.default_pool(),
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
        if rep is not None:
            return rep
        fallback_note = "the warm worker could not run this probe (%s); it ran in a fresh interpreter" % why

    workdir = tempfile.mkdtemp(prefix="gradls-probe-")
    token = uuid.uuid4().hex
    subreaper = _become_subreaper()
    children_before = _own_children() if subreaper else set()
    try:
        runner = os.path.join(workdir, RUNNER_COPY_NAME)
        shutil.copyfile(RUNNER_PATH, runner)  # the run must not depend on the server's files staying put
        report_path = os.path.join(workdir, "events.jsonl")
        stack_path = os.path.join(workdir, "stacks.txt")
        target = ["--module", "--", module_name] if module_name is not None else ["--", file]
        cmd = [resolved, runner, "--report-file", report_path, "--stack-file", stack_path]
        cmd += ["--steps", str(steps), "--device", device, *target, *args]
        rep = _report.new_report(file, resolved, steps, device)
        rep["argv"] = [module_name or file, *args]
        if module_name is not None:
            rep["module"] = module_name
        started = time.monotonic()
        try:
            proc = await asyncio.create_subprocess_exec(
                *cmd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd or os.path.dirname(file),
                env=_child_env(env, token),
                start_new_session=True,
            )
        except OSError as exc:
            return _error_report(file, resolved, steps, device, "could not start %s: %s" % (resolved, exc))
        pgid = proc.pid  # start_new_session: the runner leads its own group
        _LIVE_CHILDREN.add(proc.pid)
        captures = {"stdout": _BoundedCapture(), "stderr": _BoundedCapture()}
        limits: dict[str, Any] = {"kill_reason": None, "peak_rss": 0}
        descendants: dict[int, bytes] = {}  # pid -> start time, seen while the runner lived
        flood_bytes = int(max_output_mb * 1024 * 1024)

        def stop(reason: str) -> None:
            if limits["kill_reason"] is None:
                limits["kill_reason"] = reason
            _kill_group(pgid)

        async def pump(name: str, stream: asyncio.StreamReader) -> None:
            cap = captures[name]
            while True:
                data = await stream.read(65536)
                if not data:
                    return
                cap.feed(data)
                if captures["stdout"].total + captures["stderr"].total > flood_bytes:
                    stop("output")

        async def watch() -> None:
            """Returns once the runner process itself has exited (asyncio's proc.wait() would also
            wait for every holder of its pipes: children the program left behind)."""
            deadline = started + timeout
            while proc.returncode is None:
                await asyncio.to_thread(_track_descendants, proc.pid, descendants)
                if time.monotonic() >= deadline:
                    await _dump_stacks(proc.pid, stack_path)
                    stop("timeout")
                elif memory_mb is not None:
                    rss = await asyncio.to_thread(_group_rss_bytes, pgid)
                    if rss is not None:
                        limits["peak_rss"] = max(limits["peak_rss"], rss)
                        if rss > memory_mb * 1024 * 1024:
                            stop("memory")
                await asyncio.sleep(_POLL_S)

        assert proc.stdout is not None and proc.stderr is not None  # both are PIPE
        pumps = [asyncio.ensure_future(pump("stdout", proc.stdout)), asyncio.ensure_future(pump("stderr", proc.stderr))]
        watcher = asyncio.ensure_future(watch())
        cancelled = False
        escaped = 0
        try:
            await watcher
        except asyncio.CancelledError:
            cancelled = True
            limits["kill_reason"] = "cancelled"
            _kill_group(pgid)
            watcher.cancel()
            # Make sure the kill landed before reporting back; a second cancel cannot leave a live
            # group behind (SIGKILL was already sent), it only skips this wait.
            while proc.returncode is None:
                await asyncio.sleep(0.02)
        finally:
            watcher.cancel()
            _kill_group(pgid)  # whatever the program left behind in its group
            escaped = _kill_token_holders(token)
            escaped += _kill_tracked(descendants)  # left the group and dropped the token (setsid, env={})
            if subreaper:  # orphans whose parent died before we ever saw them
                escaped += await asyncio.to_thread(_kill_adopted, children_before, proc.pid)
            # Children may still hold the output pipes: give the readers a moment, then stop them.
            done, pending = await asyncio.wait(pumps, timeout=1.0)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pumps, watcher, return_exceptions=True)
            if pending:
                transport = getattr(proc, "_transport", None)
                if transport is not None:
                    transport.close()
            _LIVE_CHILDREN.discard(proc.pid)
        if cancelled:
            raise asyncio.CancelledError()

        if limits["kill_reason"] == "timeout":
            rep["threads"] = _report.parse_thread_stacks(_read_text(stack_path))
        _complete(
            rep, started, captures, report_path, escaped, proc.returncode, limits, timeout, memory_mb, max_output_mb
        )
        if fallback_note:
            rep["notes"].append(fallback_note)
        return rep
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _complete(
    rep: dict,
    started: float,
    captures: dict,
    report_path: str,
    escaped: int,
    returncode: int | None,
    limits: dict,
    timeout: float,
    memory_mb: int | None,
    max_output_mb: float,
) -> None:
    """Fill the report from the captured output and the events file, once the process is gone."""
    rep["duration_s"] = round(time.monotonic() - started, 3)
    for name, cap in captures.items():
        rep[name] = cap.text()
        rep[name + "_omitted_bytes"] = cap.dropped
    try:
        with open(report_path, encoding="utf-8", errors="replace") as fh:
            events, bad = _report.parse_events(fh)
    except FileNotFoundError:
        events, bad = [], 0
    if bad:
        rep["notes"].append("%d malformed report line%s ignored" % (bad, "s" if bad != 1 else ""))
    if escaped:
        rep["notes"].append(
            "killed %d process%s the program started outside its process group"
            % (escaped, "es" if escaped != 1 else "")
        )
    _report.apply_events(rep, events)
    if any(p["status"] == "none" for p in rep["problems"]):
        try:  # gradls' own analysis of the program: the line that cut the gradient, when it knows
            from gradls.probe.causes import attach_static_causes

            attach_static_causes(rep)
        except Exception as exc:  # the report must not be lost to an analysis bug
            rep["notes"].append("static causes not attached: %s: %s" % (type(exc).__name__, exc))
    rep["exit"]["signal"] = _signal_name(returncode)
    if rep["exit"]["code"] is None and returncode is not None and returncode >= 0:
        rep["exit"]["code"] = returncode
    _finish(rep, limits["kill_reason"], returncode, timeout, memory_mb, limits["peak_rss"], max_output_mb)


def _finish(
    rep: dict,
    kill_reason: str | None,
    returncode: int | None,
    timeout: float,
    memory_mb: int | None,
    peak_rss: int,
    max_output_mb: float,
) -> None:
    """Status and message, once the process is gone."""
    summary = _report.summary_message(rep)
    observed = rep["gradient_calls"] or rep["errors"]
    partial = " Observed before that: " + _report.sentence(summary, capitalize=False) if observed else ""
    if kill_reason == "timeout":
        rep["status"] = "timeout"
        rep["exit"]["reason"] = "timeout"
        rep["message"] = (
            "The program was stopped after the %g s wall-clock timeout (it ran %d of %d training steps)."
            % (timeout, rep["steps_observed"], rep["steps_requested"])
            + partial
        )
        return
    if kill_reason == "memory":
        rep["status"] = "killed"
        rep["exit"]["reason"] = "memory"
        rep["message"] = (
            "The program was killed: its processes used %.0f MB of memory, over the %d MB cap."
            % (peak_rss / 2**20, memory_mb or 0)
            + partial
        )
        return
    if kill_reason == "output":
        rep["status"] = "killed"
        rep["exit"]["reason"] = "output-flood"
        rep["message"] = (
            "The program was killed: it wrote more than %g MB to stdout/stderr." % max_output_mb
        ) + partial
        return
    if rep.get("runner_status"):
        rep["status"] = rep["runner_status"]
        return
    sig = rep["exit"]["signal"]
    if sig and rep["exit"]["reason"] is None:
        where = _report.crash_location(rep["stderr"], rep["file"])
        rep["errors"].append(
            {
                "type": sig,
                "message": "the Python process died with %s" % sig,
                "file": where[0] if where else None,
                "line": where[1] if where else None,
                "category": "program",
                "during": "program",
                "step": rep["steps_observed"],
            }
        )
        rep["exit"]["reason"] = "crashed"
        rep["status"] = _report.decide_status(rep)
        at = " at %s:%d" % (os.path.basename(where[0]), where[1]) if where else ""
        rep["message"] = "The program crashed with %s%s." % (sig, at) + partial
        return
    if rep["exit"]["reason"] is None:
        # No "done" event: the program ended the process itself (os._exit) or the runner died.
        rep["exit"]["reason"] = "exited-abruptly"
        rep["notes"].append(
            "the process ended (exit code %s) without the runner finishing: os._exit() or a "
            "fatal error in native code" % returncode
        )
        rep["status"] = (
            "gradient-problems" if _report.has_gradient_problems(rep) else ("ok" if returncode == 0 else "error")
        )
        rep["message"] = ("The program ended abruptly with exit code %s." % returncode) + (
            " " + _report.sentence(summary) if summary else ""
        )
        return
    rep["status"] = _report.decide_status(rep)
    msg = summary
    if rep["stopped_after_steps"]:
        msg += " (stopped after %d training steps)" % rep["steps_requested"]
    elif rep["exit"]["code"] not in (0, None) and not rep["errors"]:
        msg += "; the program exited with code %s" % rep["exit"]["code"]
    rep["message"] = _report.sentence(msg)


def run_probe(
    file: str | None = None, *, options: ProbeOptions | None = None, pool: Any = None, **kwargs: Any
) -> dict[str, Any]:
    """Synchronous run_probe_async (safe to call from a thread that already runs an event loop)."""
    if options is None:
        if file is None:
            raise TypeError("run_probe() needs a file or options")
        options = ProbeOptions.from_kwargs(file, **kwargs)
    elif file is not None or kwargs:
        raise TypeError("run_probe(): give either options or a file and keyword arguments, not both")
    run = options

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run_probe_async(options=run, pool=pool))
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        return executor.submit(lambda: asyncio.run(run_probe_async(options=run, pool=pool))).result()
