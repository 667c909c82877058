"""Hostile probe targets through `gradls probe` (CLI) and `gradls/runProbe` (LSP): each ends within
its limit with a clear message, no process outlives it (found by a unique marker in the cmdline of
everything the target starts), and the server stays up for the next probe. 7 probe runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from rawlsp import RawServer

pytestmark = pytest.mark.timeout(300)

GRADLS = [sys.executable, "-m", "gradls"]

# Children that try to outlive the probe: one in the process group, one in its own session, and one
# in its own session with an empty environment (no per-run token to find it by).
CHILDREN = """
import os, subprocess, sys, time
MARK = "{marker}"
nap = [sys.executable, "-c", "import time; time.sleep(1000)", MARK]
subprocess.Popen(nap)
subprocess.Popen(nap, start_new_session=True)
subprocess.Popen(nap, start_new_session=True, env={{}})
print('children up', flush=True)
"""

TARGETS = {
    "busy_loop": CHILDREN
    + """
try:
    sys.stdin.read()  # stdin: must not block
except Exception as e:
    print("stdin:", type(e).__name__)
print("spinning", flush=True)
while True:
    pass
""",
    "flood": "import sys\nchunk = 'x' * (1 << 20) + '\\n'\nfor _ in range(1024):\n    sys.stdout.write(chunk)\nprint('printed 1 GB')\n",
    "memory": "import time\nhog = []\nwhile True:\n    hog.append(bytearray(100 << 20))\n    time.sleep(0.01)\n",
    "sleep": CHILDREN + "time.sleep(1000)\n",
    "segfault": "import ctypes\nprint('about to crash', flush=True)\nctypes.string_at(0)\n",
    "os_exit": CHILDREN + "print('bye', flush=True)\nos._exit(3)\n",
    "healthy": """import tensorflow as tf
w = tf.Variable(2.0, name="w")
with tf.GradientTape() as tape:
    loss = w * w
print(tape.gradient(loss, w))
""",
}


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes_mentioning(marker: str) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read() and _alive(int(entry)):
                        out.append(int(entry))
            except OSError:
                pass
    return out


def assert_no_orphans(marker: str) -> None:
    deadline = time.monotonic() + 3
    while processes_mentioning(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = processes_mentioning(marker)
    for pid in left:  # clean up before failing, so one bad run does not poison the machine
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    assert not left, f"processes outlived the probe: {left}"


def write_target(tmp_path: Path, name: str) -> tuple[Path, str]:
    marker = f"gradls-hostile-{name}-{uuid.uuid4().hex[:10]}"
    path = tmp_path / f"{name}_{marker[-10:]}.py"
    path.write_text(f"# {marker}\n" + TARGETS[name].replace("{marker}", marker).replace("{{}}", "{}"))
    return path, marker


def cli_probe(path: Path, *args: str, limit: float) -> tuple[int, str, float]:
    t0 = time.monotonic()
    r = subprocess.run(
        [*GRADLS, "probe", str(path), "--device", "cpu", *args],
        capture_output=True,
        text=True,
        timeout=limit,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "-1"},
    )
    return r.returncode, r.stdout + r.stderr, time.monotonic() - t0


def test_cli_busy_loop_with_escaping_children_is_stopped_by_the_timeout(tmp_path):
    path, marker = write_target(tmp_path, "busy_loop")
    code, out, took = cli_probe(path, "--timeout", "30", limit=90)
    assert code == 2 and "30 s wall-clock timeout" in out and "spinning" in out, out[-2000:]
    assert took >= 30  # stopped by the timeout (the message says so), never before it
    assert_no_orphans(marker)


def test_cli_output_flood_and_memory_hog_are_killed(tmp_path):
    path, marker = write_target(tmp_path, "flood")
    code, out, took = cli_probe(path, "--timeout", "60", limit=120)
    assert code == 2 and "wrote more than" in out and "printed 1 GB" not in out, out[-2000:]
    assert len(out) < 1_000_000  # killed for its output (the message says so), capture bounded
    assert_no_orphans(marker)
    path, marker = write_target(tmp_path, "memory")
    code, out, took = cli_probe(path, "--timeout", "60", "--memory-mb", "1200", limit=120)
    assert code == 2 and "1200 MB cap" in out, out[-2000:]
    assert_no_orphans(marker)


def test_lsp_hostile_probes_leave_the_server_serving(tmp_path):
    settings = {"probe": {"interpreter": sys.executable, "device": "cpu", "steps": 1}}
    with RawServer(cwd=str(tmp_path), env={"CUDA_VISIBLE_DEVICES": "-1"}) as s:
        s.initialize(tmp_path.as_uri(), {"trusted": True, "settings": settings}, {})

        def probe(name: str, timeout_s: int) -> tuple[dict, str, float]:
            path, marker = write_target(tmp_path, name)
            t0 = time.monotonic()
            resp = s.request(
                "gradls/runProbe", {"uri": path.as_uri(), "timeoutSeconds": timeout_s}, timeout=timeout_s + 30
            )
            took = time.monotonic() - t0
            assert "result" in resp, resp
            assert_no_orphans(marker)
            assert s.alive()
            return resp["result"]["report"], marker, took

        rep, _, took = probe("sleep", 30)
        assert rep["status"] == "timeout" and "30 s wall-clock timeout" in rep["message"] and took >= 30
        assert "children up" in rep["stdout"]
        assert any("outside its process group" in n for n in rep["notes"]), rep["notes"]
        rep, _, _ = probe("segfault", 60)
        assert rep["exit"]["signal"] == "SIGSEGV" and "crashed with SIGSEGV" in rep["message"]
        rep, _, _ = probe("os_exit", 60)
        assert rep["exit"]["code"] == 3 and "ended abruptly with exit code 3" in rep["message"]
        rep, _, _ = probe("healthy", 60)
        assert rep["status"] == "ok", rep["message"]
        assert s.request("gradls/serverInfo", {})["result"]["tensorflowImported"] is False
