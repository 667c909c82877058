"""gradls probe warm worker (the "zygote"): import TensorFlow once, fork one child per probe.

Executed BY PATH in the user's interpreter, next to a copy of runner.py named
gradls_probe_runner.py (imported from there: the instrumentation is runner.py's, not duplicated).
Like runner.py it must stay self-contained: standard library + tensorflow (and keras) only.

    python gradls_probe_worker.py [--device auto|cpu|gpu]

Control channel: requests arrive as JSON lines on stdin, answers leave as JSON lines on stdout
(file descriptor 1 is then pointed at stderr, so nothing TensorFlow prints can corrupt them):

    -> {"ready": true, "pid": P, "tensorflow": V}        once TensorFlow is imported (or ready: false, error)
    <- {"argv": [runner options], "cwd": D, "env": {...}, "stdout": F1, "stderr": F2}
    -> {"pid": C}                                         the forked child, already leader of its own session
    -> {"exit": R}                                        its exit status (negative: killed by that signal)

The worker itself never runs user code: only the forked child does (runner.run, exactly the cold
path), after setsid(), stdin = /dev/null, stdout/stderr = the given files, cwd, argv and env set.
When its stdin closes (the server went away) the worker kills a running child and exits.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import traceback

_HERE = os.path.dirname(os.path.realpath(__file__))


def _write(fd: int, obj: dict) -> None:
    data = (json.dumps(obj) + "\n").encode("utf-8")
    while data:
        data = data[os.write(fd, data) :]


def _child(req: dict, ctl_fds, sync_w: int) -> None:
    """In the forked child: become a probe exactly like the cold path's runner process. Never returns."""
    code = 70
    try:
        os.setsid()
        os.write(sync_w, b"1")
        os.close(sync_w)
        for fd in ctl_fds:
            os.close(fd)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        for target, path in ((1, req["stdout"]), (2, req["stderr"])):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        import gradls_probe_runner as runner

        code = runner.run(runner._parse_args(req["argv"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code if isinstance(code, int) else 1)


def _status(status: int) -> int:
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return -1


def _serve(req_fd: int, resp_fd: int) -> None:
    buf = b""
    while True:
        while b"\n" not in buf:
            chunk = os.read(req_fd, 65536)
            if not chunk:
                return  # the server closed the channel
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        if not line.strip():
            continue
        req = json.loads(line.decode("utf-8"))
        sync_r, sync_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(sync_r)
            _child(req, (req_fd, resp_fd), sync_w)
        os.close(sync_w)
        os.read(sync_r, 1)  # the child has called setsid(): its pid is its process group
        os.close(sync_r)
        _write(resp_fd, {"pid": pid})
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            ready, _, _ = select.select([req_fd], [], [], 0.2)
            if ready:
                chunk = os.read(req_fd, 65536)
                if not chunk:  # the server went away mid-probe: do not leave the program running
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                    os.waitpid(pid, 0)
                    return
                buf += chunk
        _write(resp_fd, {"exit": _status(status)})


def main(argv) -> int:
    device = "auto"
    if len(argv) >= 2 and argv[0] == "--device":
        device = argv[1]
    # Private copies of the channel; fd 0 becomes /dev/null and fd 1 the log (stderr).
    req_fd, resp_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except Exception:
        pass
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # must precede the TensorFlow import, as in the runner
    try:
        import tensorflow as tf

        try:
            import keras  # noqa: F401  (the runner imports it too: pay for it once)
        except Exception:
            pass
        import gradls_probe_runner

        gradls_probe_runner._INTERNAL_FILES.add(os.path.realpath(__file__))
    except BaseException as exc:
        _write(resp_fd, {"ready": False, "error": "%s: %s" % (type(exc).__name__, exc)})
        return 3
    _write(resp_fd, {"ready": True, "pid": os.getpid(), "tensorflow": tf.__version__})
    _serve(req_fd, resp_fd)
    return 0


if __name__ == "__main__":
    if sys.path[0] != _HERE:  # run by path, sys.path[0] is already this directory
        sys.path.insert(0, _HERE)
    sys.exit(main(sys.argv[1:]))
