"""Runtime gradient probe: real TensorFlow runs (CPU), one process per probed program.

TensorFlow's import costs ~5 s per process, so each program is probed once (results cached per
module) and several assertions share a run. Lines are found through `# CASE: ...` markers.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradls.probe import cli as probe_cli
from gradls.probe import launcher
from gradls.probe import report as probe_report
from gradls.probe.launcher import run_probe, run_probe_async
from tfharness import tf_python

PROGRAMS = Path(__file__).with_name("programs")
TF_PYTHON = tf_python()
_CACHE: dict = {}

pytestmark = pytest.mark.timeout(180)


def program(name: str) -> str:
    return str(PROGRAMS / name)


def case_line(name: str, marker: str) -> int:
    for i, text in enumerate((PROGRAMS / name).read_text().splitlines(), 1):
        if text.rstrip().endswith("# CASE: " + marker):
            return i
    raise AssertionError(f"no `# CASE: {marker}` in {name}")


def probed(name: str, **kwargs) -> dict:
    key = (name, tuple(sorted(kwargs.items())))
    if key not in _CACHE:
        env = {"CUDA_VISIBLE_DEVICES": "-1"} if kwargs.get("device", "auto") != "gpu" else None
        _CACHE[key] = run_probe(program(name), interpreter=TF_PYTHON, env=env, **kwargs)
    return _CACHE[key]


def sources_at(rep: dict, line: int) -> dict[str, dict]:
    """{source name: source entry} of the (first) gradient computation at `line`."""
    for call in rep["gradient_calls"]:
        if call["line"] == line:
            return {s["name"]: s for s in call["sources"]}
    raise AssertionError(f"no gradient computation at line {line}: {[c['line'] for c in rep['gradient_calls']]}")


def created_line(src: dict) -> int | None:
    return (src["created_at"] or {}).get("line")


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for a reaper)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def processes_mentioning(text: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if text.encode() in fh.read() and alive(int(entry)):
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


# --------------------------------------------------------------------------------------------
# Known gradient losses


def test_eager_losses_are_reported_with_names_creation_lines_and_statuses():
    name = "eager_losses.py"
    rep = probed(name, steps=20)
    assert rep["version"] == 1
    assert rep["status"] == "gradient-problems"
    assert rep["device"] == "cpu" and rep["tensorflow"]

    numpy_layer = sources_at(rep, case_line(name, "numpy layer gradient"))
    assert numpy_layer["dense_in/kernel"]["status"] == "none"
    assert numpy_layer["dense_in/bias"]["status"] == "none"
    assert created_line(numpy_layer["dense_in/kernel"]) == case_line(name, "dense_in created")
    assert numpy_layer["dense_in/kernel"]["shape"] == [3, 4]
    assert numpy_layer["dense_out/kernel"]["status"] == "ok" and numpy_layer["dense_out/kernel"]["norm"] > 0

    stopped = sources_at(rep, case_line(name, "stop_gradient gradient"))
    assert stopped["w"]["status"] == "none" and created_line(stopped["w"]) == case_line(name, "w created")
    assert stopped["bias"]["status"] == "ok" and created_line(stopped["bias"]) == case_line(name, "b created")

    argmax = sources_at(rep, case_line(name, "argmax gradient"))["logits"]
    assert argmax["status"] == "none" and created_line(argmax) == case_line(name, "logits created")

    unwatched = sources_at(rep, case_line(name, "unwatched gradient"))["c"]
    assert unwatched["status"] == "none" and unwatched["kind"] == "tensor"
    assert created_line(unwatched) == case_line(name, "c created")

    nan = sources_at(rep, case_line(name, "nan gradient"))["scale"]
    assert nan["status"] == "nan" and created_line(nan) == case_line(name, "scale created")

    sign = sources_at(rep, case_line(name, "sign gradient"))["gate"]
    assert sign["status"] == "zero" and created_line(sign) == case_line(name, "gate created")

    healthy = sources_at(rep, case_line(name, "healthy gradient"))["healthy"]
    assert healthy["status"] == "ok" and healthy["norm"] == pytest.approx(8.485, rel=1e-3)

    jac = [c for c in rep["gradient_calls"] if c["kind"] == "tape.jacobian"]
    assert len(jac) == 1 and jac[0]["line"] == case_line(name, "jacobian")
    assert jac[0]["sources"][0]["name"] == "xs" and jac[0]["sources"][0]["status"] == "ok"
    # jacobian runs gradient internally: that must not show up as extra gradient computations
    assert len(rep["gradient_calls"]) == 8

    (err,) = rep["errors"]
    assert err["type"] == "TypeError" and "variables" in err["message"] and err["category"] == "gradient"
    assert err["line"] == case_line(name, "custom_gradient call") and err["file"] == program(name)
    assert "all eager cases ran" in rep["stdout"]

    problems = {(p["source"], p["status"]) for p in rep["problems"]}
    assert problems == {
        ("dense_in/kernel", "none"),
        ("dense_in/bias", "none"),
        ("w", "none"),
        ("logits", "none"),
        ("c", "none"),
        ("scale", "nan"),
        ("gate", "zero"),
    }
    text = probe_report.format_text(rep)
    assert "dense_in/kernel" in text and "NaN in gradient" in text and "eager_losses.py:" in text


def test_fit_in_graph_mode_stops_after_steps_and_names_the_lost_kernel():
    name = "fit_lost_kernel.py"
    rep = probed(name)  # 100 epochs in the script; 3 steps by default
    assert rep["status"] == "gradient-problems"
    assert rep["stopped_after_steps"] and rep["steps_observed"] == 3
    assert [c["step"] for c in rep["gradient_calls"]] == [1, 2, 3]
    assert all(c["mode"] == "graph" for c in rep["gradient_calls"])
    fit_line = case_line(name, "fit")
    srcs = sources_at(rep, fit_line)
    kernel = srcs["sequential/frozen/kernel"]
    assert kernel["status"] == "none" and created_line(kernel) == case_line(name, "kernel created")
    assert srcs["sequential/head/kernel"]["status"] == "ok"
    assert created_line(srcs["sequential/head/kernel"]) == case_line(name, "head created")
    (problem,) = rep["problems"]
    assert problem["source"] == "sequential/frozen/kernel" and problem["steps"] == [1, 2, 3]
    assert any("Gradients do not exist" in w["message"] and w["line"] == fit_line for w in rep["warnings"])
    assert "before fit" in rep["stdout"] and "fit finished" not in rep["stdout"]  # stopped, not run to the end


def test_fit_run_eagerly_with_numpy_layer_loses_upstream_dense():
    name = "fit_numpy_eager.py"
    rep = probed(name)
    assert rep["status"] == "gradient-problems"
    srcs = sources_at(rep, case_line(name, "fit"))
    for var in ("sequential/upstream/kernel", "sequential/upstream/bias"):
        assert srcs[var]["status"] == "none"
        assert created_line(srcs[var]) == case_line(name, "upstream created")
    assert srcs["sequential/downstream/kernel"]["status"] == "ok"
    assert all(c["mode"] == "eager" for c in rep["gradient_calls"])
    assert rep["observed_device"].endswith("CPU:0")


def test_every_caught_error_is_reported_though_python_reuses_its_id():
    # Nine tape-reuse RuntimeErrors, each freed before the next: the probe keyed reported errors by id(), so
    # the next one (same memory) was taken for reported; this run reported 3 of the 9 that way.
    rep = probed("errors_caught_one_after_another.py", steps=20)
    reuse = [e for e in rep["errors"] if e["type"] == "RuntimeError" and "non-persistent" in e["message"]]
    assert len(reuse) == 9, [(e["line"], e.get("step")) for e in rep["errors"]]


def test_errors_on_the_way_are_reported_at_the_users_lines():
    name = "graph_errors.py"
    rep = probed(name, steps=10)
    assert rep["status"] == "gradient-problems"
    traced = sources_at(rep, case_line(name, "traced gradient"))  # inside @tf.function (AutoGraph)
    assert traced["w"]["status"] == "ok"
    assert len([c for c in rep["gradient_calls"] if c["line"] == case_line(name, "traced gradient")]) == 2
    kv = sources_at(rep, case_line(name, "argmax gradient"))["kv"]
    assert kv["status"] == "none" and created_line(kv) == case_line(name, "kv created")
    by_line = {e["line"]: e for e in rep["errors"]}
    reuse = by_line[case_line(name, "tape reuse")]
    assert reuse["type"] == "RuntimeError" and "non-persistent" in reuse["message"] and reuse["category"] == "gradient"
    no_grads = by_line[case_line(name, "no gradients provided")]
    assert "No gradients provided" in no_grads["message"] and no_grads["during"] == "optimizer.apply_gradients"
    in_function = by_line[case_line(name, "variable in tf.function")]
    assert "singleton tf.Variables" in in_function["message"] and in_function["category"] == "gradient"
    text = probe_report.format_text(rep)
    assert "tf.function only supports singleton" in text  # the headline, not "in user code:"


def test_tensor_as_bool_in_keras_call():
    name = "tensor_as_bool.py"
    rep = probed(name)
    assert rep["status"] == "gradient-problems"
    (err,) = rep["errors"]
    assert err["type"] == "OperatorNotAllowedInGraphError" and err["line"] == case_line(name, "tensor as bool")
    assert "as a Python `bool`" in probe_report.headline(err["message"])


def test_healthy_fit_is_all_ok_through_the_cli(capsys):
    name = "healthy_fit.py"
    code = probe_cli.main([program(name), "--output-format", "json", "--python", TF_PYTHON, "--steps", "4"])
    rep = json.loads(capsys.readouterr().out)
    assert code == 0, rep["message"]
    assert rep["status"] == "ok" and rep["problems"] == [] and rep["errors"] == []
    assert rep["steps_observed"] == 4
    srcs = sources_at(rep, case_line(name, "fit"))
    assert set(srcs) == {"hidden/kernel", "hidden/bias", "scale/alpha", "out/kernel", "out/bias"}
    assert all(s["status"] == "ok" and s["norm"] > 0 for s in srcs.values())
    assert created_line(srcs["scale/alpha"]) == case_line(name, "alpha created")
    assert created_line(srcs["hidden/kernel"]) == case_line(name, "hidden created")


def test_exit_code_and_text_for_problems():
    rep = probed("fit_lost_kernel.py")
    assert probe_cli.exit_code(rep) == 1
    out = probe_report.format_text(rep)
    assert out.startswith("# gradls probe: fit_lost_kernel.py — gradient-problems")
    assert (
        "fit_lost_kernel.py:%d `tape.gradient` sequential/frozen/kernel" % case_line("fit_lost_kernel.py", "fit") in out
    )
    assert "no gradient (None) in steps 1, 2, 3" in out and "## Program stdout" in out


# --------------------------------------------------------------------------------------------
# Programs that misbehave: the caller stays up, every process goes


def test_hang_is_stopped_by_the_timeout():
    started = time.monotonic()
    rep = run_probe(program("hang.py"), interpreter=TF_PYTHON, timeout=15, env={"CUDA_VISIBLE_DEVICES": "-1"})
    took = time.monotonic() - started
    assert rep["status"] == "timeout" and "15 s wall-clock timeout" in rep["message"]
    assert took >= 15  # never early; how soon after is the machine's business (the status says who stopped it)
    assert not processes_mentioning(program("hang.py"))
    # Where every thread of the program was when the timeout hit, the runner's frames left out.
    main, *others = rep["threads"]
    hang = os.path.realpath(program("hang.py"))
    assert main["main"] and (main["frames"][0]["file"], main["frames"][0]["line"]) == (
        hang,
        case_line("hang.py", "main waits"),
    )
    loader = [t for t in others if t["frames"] and t["frames"][0]["function"] == "load_batches"]
    assert loader and loader[0]["frames"][0]["line"] == case_line("hang.py", "loader waits")
    assert not any("runner" in f["file"] for t in rep["threads"] for f in t["frames"])
    text = probe_report.format_text(rep)
    assert (
        "## Threads when the timeout hit" in text
        and "hang.py:%d in <module>" % case_line("hang.py", "main waits") in text
    )


def test_cancel_kills_the_process_group(tmp_path):
    script = tmp_path / "hang_to_cancel.py"  # a unique path to find its processes by
    shutil.copy(program("hang.py"), script)

    async def go():
        task = asyncio.ensure_future(run_probe_async(str(script), interpreter=TF_PYTHON, timeout=60))
        await asyncio.sleep(3)
        assert processes_mentioning(str(script)), "the probe should be running by now"
        task.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    # Cancelling does not wait for the probe's own 60 s timeout (a bound far from any machine's speed).
    assert asyncio.run(go()) < 45
    assert not processes_mentioning(str(script))


def test_segfault_is_reported_with_the_users_line():
    name = "segfault.py"
    rep = probed(name)
    assert rep["status"] == "error"
    assert rep["exit"]["signal"] == "SIGSEGV" and rep["exit"]["reason"] == "crashed"
    crash = rep["errors"][-1]
    assert crash["type"] == "SIGSEGV" and crash["line"] == case_line(name, "segfault")
    assert len(rep["gradient_calls"]) == 1 and rep["gradient_calls"][0]["sources"][0]["status"] == "ok"
    assert "about to crash" in rep["stdout"] and "SIGSEGV" in rep["message"]


def test_output_flood_is_killed_and_capture_stays_bounded():
    rep = run_probe(
        program("flood.py"), interpreter=TF_PYTHON, timeout=60, max_output_mb=16, env={"CUDA_VISIBLE_DEVICES": "-1"}
    )
    assert rep["status"] == "killed" and rep["exit"]["reason"] == "output-flood"
    assert len(rep["stdout"]) < launcher.OUTPUT_HEAD_BYTES + launcher.OUTPUT_TAIL_BYTES + 200
    assert rep["stdout_omitted_bytes"] > 10 * 2**20


def test_memory_cap_kills_the_program():
    rep = run_probe(
        program("memory_hog.py"), interpreter=TF_PYTHON, timeout=90, memory_mb=1500, env={"CUDA_VISIBLE_DEVICES": "-1"}
    )
    assert rep["status"] == "killed" and rep["exit"]["reason"] == "memory", rep["message"]
    assert "1500 MB cap" in rep["message"]
    assert "allocated everything" not in rep["stdout"]


def test_children_stdin_fake_reports_and_os_exit(tmp_path):
    pid_file = tmp_path / "pids.txt"
    rep = run_probe(
        program("children_exit.py"),
        interpreter=TF_PYTHON,
        args=[str(pid_file)],
        timeout=60,
        env={"CUDA_VISIBLE_DEVICES": "-1"},
    )
    assert rep["exit"]["code"] == 3 and rep["exit"]["reason"] == "exited-abruptly"
    assert rep["status"] == "error"
    # user prints cannot forge results: only the real gradient computation is there
    assert [c["file"] for c in rep["gradient_calls"]] == [program("children_exit.py")]
    assert rep["gradient_calls"][0]["sources"][0]["name"] == "w"
    assert "stdin gave EOFError" in rep["stdout"]
    same_group, new_session = map(int, pid_file.read_text().split())
    deadline = time.monotonic() + 3
    while (alive(same_group) or alive(new_session)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(same_group), "child in the probe's process group outlived the probe"
    assert not alive(new_session), "child that left the process group (setsid) outlived the probe"
    assert any("outside its process group" in n for n in rep["notes"])


# --------------------------------------------------------------------------------------------
# Environment problems


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


def test_interpreter_without_tensorflow_gets_a_clear_message():
    python = _python_without_tensorflow()
    if python is None:
        pytest.skip("no Python without TensorFlow on this machine")
    rep = run_probe(program("healthy_fit.py"), interpreter=python, timeout=30)
    assert rep["status"] == "no-tensorflow"
    assert python in rep["message"] and "pip install tensorflow" in rep["message"]
    assert probe_cli.exit_code(rep) == 2


def test_missing_interpreter_and_missing_file():
    rep = run_probe(program("healthy_fit.py"), interpreter="/nonexistent/python3")
    assert rep["status"] == "error" and "/nonexistent/python3" in rep["message"]
    rep = run_probe("/nonexistent/script.py", interpreter=TF_PYTHON)
    assert rep["status"] == "error" and "no such file" in rep["message"]


def _gpu_visible() -> bool:
    return Path("/dev/nvidia0").exists() or bool(shutil.which("nvidia-smi"))


def test_device_gpu_without_a_gpu_is_a_clear_error(capsys):
    if _gpu_visible():
        pytest.skip("a GPU is visible here; test_gpu_is_used covers this machine")
    code = probe_cli.main([program("gpu_step.py"), "--device", "gpu", "--python", TF_PYTHON])
    out = capsys.readouterr().out
    assert code == 2
    assert "--device gpu was requested" in out and "sees no GPU" in out


@pytest.mark.skipif(
    not _gpu_visible(), reason="no NVIDIA GPU visible (/dev/nvidia0, nvidia-smi): GPU probe not testable here"
)
def test_gpu_is_used():
    auto = run_probe(program("gpu_step.py"), interpreter=TF_PYTHON, device="auto")
    assert auto["status"] == "ok", auto["message"]
    assert auto["device"] == "gpu" and "GPU" in auto["observed_device"]
    forced = run_probe(program("gpu_step.py"), interpreter=TF_PYTHON, device="gpu")
    assert forced["device"] == "gpu" and forced["status"] == "ok"
    cpu = run_probe(program("gpu_step.py"), interpreter=TF_PYTHON, device="cpu")
    assert cpu["device"] == "cpu" and cpu["observed_device"].endswith("CPU:0")


# --------------------------------------------------------------------------------------------
# No TensorFlow in the server; the runner needs nothing but the stdlib and TensorFlow


def test_server_side_modules_do_not_import_tensorflow():
    code = (
        "import sys, gradls.probe, gradls.probe.cli, gradls.probe.launcher, gradls.probe.report; "
        "sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_runner_is_self_contained():
    tree = ast.parse(launcher.RUNNER_PATH.read_text())
    top = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            top.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in runner.py"
            top.add(node.module.split(".")[0])
    # keras and numpy are TensorFlow's own dependencies: wherever tensorflow imports, they do.
    assert top - set(sys.stdlib_module_names) - {"__future__"} <= {"tensorflow", "keras", "numpy"}


def test_report_parsing_is_defensive():
    events, bad = probe_report.parse_events(
        [
            '{"event": "start", "protocol": 1, "python": "3.11", "tensorflow": "2.21.0", "device": "cpu"}',
            '{"event": "gradient", "kind": "tape.gradient", "file": "/x.py", "line": 3, "step": 1, "sources": ['
            '{"name": "w", "shape": [2], "status": "none", "norm": null, "created_at": {"file": "/x.py", "line": 1}},'
            '{"name": "bad", "status": "weird"}]}',
            '["not an event"]',
            '{"event": "gradient", "kind": "tape.grad',  # a killed runner's half line
        ]
    )
    assert bad == 2 and len(events) == 2
    rep = probe_report.apply_events(probe_report.new_report("/x.py", "python", 3, "auto"), events)
    assert [s["name"] for s in rep["gradient_calls"][0]["sources"]] == ["w"]
    assert rep["problems"][0]["source"] == "w" and rep["problems"][0]["created_at"] == {"file": "/x.py", "line": 1}
    assert probe_report.decide_status(rep) == "gradient-problems"
    assert "w" in probe_report.format_text(rep)
