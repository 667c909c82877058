"""MultiWorkerMirroredStrategy with 2 local workers (issue 13): each worker is its own process with
its own TF_CONFIG, as users start them (`python train.py` per machine, here per port on
localhost), and each runs under its own probe with the same --steps. Each report counts training
steps, not gradient calls, and its rows say which worker and which (global) replica they came from.
Real TensorFlow on CPU; the two probes run concurrently (they wait for each other at start-up).
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest
from gradls.probe import cli as probe_cli
from gradls.probe import report as probe_report
from gradls.probe.launcher import run_probe_async
from tfharness import tf_python

PROGRAM = Path(__file__).with_name("programs") / "multiworker.py"
TF_PYTHON = tf_python()

pytestmark = pytest.mark.timeout(300)


def free_localhost_ports(count: int) -> list[int]:
    """Ports the OS has free now (bound to port 0, then released for the workers' gRPC servers)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def case_line(marker: str) -> int:
    for i, text in enumerate(PROGRAM.read_text().splitlines(), 1):
        if text.rstrip().endswith("# CASE: " + marker):
            return i
    raise AssertionError(f"no `# CASE: {marker}` in {PROGRAM.name}")


@pytest.fixture(scope="module")
def workers(tmp_path_factory) -> list[tuple[dict, Path]]:
    try:
        ports = free_localhost_ports(2)
    except OSError as e:
        pytest.skip(f"cannot open localhost TCP sockets on this machine ({e}): the workers talk over gRPC")
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    out = tmp_path_factory.mktemp("multiworker")

    async def both():
        return await asyncio.gather(
            *(
                run_probe_async(
                    str(PROGRAM),
                    interpreter=TF_PYTHON,
                    steps=3,
                    device="cpu",
                    timeout=200,
                    cwd=str(out),
                    env={"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})},
                    args=[str(out / f"completed-{index}.txt")],
                )
                for index in range(2)
            )
        )

    return [(rep, out / f"completed-{index}.txt") for index, rep in enumerate(asyncio.run(both()))]


def test_each_worker_reports_three_training_steps_of_its_own_replica(workers):
    line = case_line("replica grad")
    for index, (rep, completed) in enumerate(workers):
        assert rep["status"] == "ok" and rep["stopped_after_steps"], rep["message"]
        assert probe_cli.exit_code(rep) == 0
        calls = rep["gradient_calls"]
        # Under MultiWorkerMirroredStrategy replica ids are global: worker i holds replica i.
        assert [(c["worker"], c["replica"], c["step"]) for c in calls] == [
            (f"worker:{index}", index, step) for step in (1, 2, 3)
        ]
        assert rep["steps_observed"] == 3
        for call in calls:
            # The replica function runs in a tf.distribute thread: still located at the user's line.
            assert (Path(call["file"]).name, call["line"]) == (PROGRAM.name, line)
            assert [(s["name"], s["status"]) for s in call["sources"]] == [
                ("sequential/dense/kernel", "ok"),
                ("sequential/dense/bias", "ok"),
            ]
        # Stopped the way Ctrl+C stops it, as the third step's tf.function call returned; its finally ran.
        assert completed.read_text() == "2\n"


def test_text_report_names_the_worker_and_replica(workers):
    for index, (rep, _) in enumerate(workers):
        text = probe_report.format_text(rep)
        assert f"as worker:{index} of a multi-worker cluster" in text
        assert f"replica {index}" in text
