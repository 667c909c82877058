"""The probe through the server: results as diagnostics, cancellation kills the child, trust and busy refusals.

These run TensorFlow in the probe's child process (a few seconds each); the server itself never imports it.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import (
    EAGER_NUMPY,
    SERVER_COMMAND,
    RecordingClient,
    lsp_session,
    make_recording_client,
    open_document,
    wait_until,
)
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(240)]

SLEEPER = """\
import os
import sys
import time

with open(sys.argv[0] + ".pid", "w") as f:
    f.write(str(os.getpid()))
time.sleep(120)
"""


client = lsp_session(
    "probe-ws",
    options={
        "settings": {"probe": {"interpreter": sys.executable, "timeoutSeconds": 90, "steps": 2, "device": "cpu"}},
        "trusted": True,
    },
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"  # a zombie is gone for our purposes
    except FileNotFoundError:
        return False


async def test_probe_results_become_diagnostics_with_related_static_findings(client):
    path = client.root / "eager.py"
    path.write_text(EAGER_NUMPY)
    uri = path.as_uri()
    open_document(client, uri, EAGER_NUMPY)
    await wait_until(lambda: client.diagnostics.get(uri), what="static diagnostics")
    result = await client.protocol.send_request_async("gradls/runProbe", {"uri": uri})
    assert result.report.status == "gradient-problems"
    assert "w" in result.text
    probe_diags = [d for d in client.diagnostics[uri] if d.source == "gradls-probe"]
    assert {d.range.start.line for d in probe_diags} == {7, 3}  # the tape.gradient line and w's creation line
    at_call = next(d for d in probe_diags if d.range.start.line == 7)
    # None at every step: broken, an Error (the probe fails, as `gradls probe` exits 1).
    assert at_call.message.startswith(
        "w gets no gradient (None) in tape.gradient at line 8: broken at steps 1, 2, every one observed"
    )
    assert {d.severity for d in probe_diags} == {lsp.DiagnosticSeverity.Error}
    assert (result.verdict, result.severity, result.exitCode, result.broken) == ("broken", "error", 1, ["w"])
    assert at_call.related_information and at_call.related_information[0].message.startswith("gradls TFG001")
    assert at_call.related_information[0].location.range.start.line == 6
    # The static finding is still published beside the probe's (one push collection per document).
    assert [d.code for d in client.diagnostics[uri] if d.source == "gradls"] == ["TFG001"]
    methods = [m for m, _ in client.custom_notifications]
    assert methods[-2:] == ["gradls/probeStarted", "gradls/probeFinished"]
    started = client.custom_notifications[-2][1]
    assert started.uri == uri and started.status == "running"
    finished = client.custom_notifications[-1][1]
    assert finished.uri == uri and finished.status == "gradient-problems" and "w" in finished.summary
    assert (finished.verdict, finished.severity, finished.exitCode) == ("broken", "error", 1)
    titles = [r[0].title for r in client.progress_reports.values() if r and hasattr(r[0], "title")]
    assert "gradls: gradient probe" in titles


PROGRAMS = Path(__file__).parent.parent / "probe" / "programs"


def _case_line(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith("# CASE: " + marker))


async def _probe_file(client, name: str, text: str):
    path = client.root / name
    path.write_text(text)
    uri = path.as_uri()
    result = await client.protocol.send_request_async("gradls/runProbe", {"uri": uri})
    await wait_until(
        lambda: client.custom_notifications and client.custom_notifications[-1][0] == "gradls/probeFinished",
        what="probeFinished",
    )
    finished = client.custom_notifications[-1][1]
    assert finished.uri == uri
    probe_diags = [d for d in client.diagnostics.get(uri, []) if d.source == "gradls-probe"]
    return result, finished, probe_diags


async def test_probe_fact_messages_carry_verdict_steps_and_cause():
    """located_facts on a hand-made report (no TF): severity by verdict, steps, the cause when there is one."""
    from gradls.lsp.probe import located_facts

    def problem(**kw):
        base = {"kind": "tape.gradient", "file": "/w/t.py", "line": 9, "source": "b", "created_at": None}
        return dict(base, **kw)

    report = {
        "problems": [
            problem(
                status="none",
                verdict="broken",
                steps=[1, 2, 3],
                observed=3,
                cause={"message": "np.asarray(b)", "line": 8},
            ),
            problem(source="a", line=10, status="zero", verdict="watch", steps=[1], observed=3),
            problem(source="k", line=11, status="skipped", verdict="watch", steps=[1, 2], observed=3),
        ]
    }
    facts = {f.line: f for f in located_facts(report, "/w/t.py")[(os.path.realpath("/w/t.py"), None)]}
    assert facts[9].severity == "error"
    assert facts[9].message == (
        "b gets no gradient (None) in tape.gradient at line 9: broken at steps 1, 2, 3, every one observed; "
        "cause: np.asarray(b) (line 8)"
    )
    assert facts[10].severity == "warning"
    assert facts[10].message.endswith("to watch, not failing (step 1 only, of 3)")
    assert facts[11].severity == "information" and "skipped the update at steps 1, 2 only, of 3" in facts[11].message


async def test_a_zero_at_step_one_only_is_a_warning_to_watch_not_a_failure(client):
    """A LoRA factor's gradient is zero at step 1 only, by design: 'watch', exit 0, no Error."""
    text = (PROGRAMS / "lora.py").read_text()
    result, finished, probe_diags = await _probe_file(client, "lora_adapter.py", text)
    assert result.report.status == "ok"
    assert (result.verdict, result.severity, result.exitCode) == ("watch", "warning", 0)
    assert result.watch == ["sequential/lo_ra_dense/lora_a"] and result.broken == []
    assert (finished.verdict, finished.severity, finished.exitCode) == ("watch", "warning", 0)
    created = next(d for d in probe_diags if d.range.start.line == _case_line(text, "lora_a") - 1)
    assert created.severity == lsp.DiagnosticSeverity.Warning
    assert "gets an all-zero gradient" in created.message
    assert "to watch, not failing (step 1 only, of 2)" in created.message
    assert not [d for d in probe_diags if d.severity == lsp.DiagnosticSeverity.Error]


async def test_loss_scaling_skipped_step_is_information_and_named(client):
    """mixed_float16: the loss-scale optimizer skips the overflowing step 1 by design."""
    text = (PROGRAMS / "mixed_precision.py").read_text()
    result, finished, probe_diags = await _probe_file(client, "mixed.py", text)
    assert result.report.status == "ok" and result.exitCode == 0
    assert result.skippedSteps == [1] and finished.skippedSteps == [1]
    assert finished.summary.endswith("loss scaling: step 1 skipped by design")
    assert result.broken == [] and "step 1 skipped by design" in result.detail
    (skipped,) = probe_diags
    assert skipped.range.start.line == _case_line(text, "fit") - 1
    assert skipped.severity == lsp.DiagnosticSeverity.Information
    assert "the loss-scale optimizer skipped the update at step 1 only, of 2" in skipped.message
    assert result.severity == "information"


async def test_broken_and_vanishing_in_one_run_are_an_error_and_a_warning(client):
    """A 16-layer sigmoid net (vanishing towards the input: watch) beside a variable the loss never uses
    (None every step: broken). Each diagnostic says which; the run fails (exit 1)."""
    text = (PROGRAMS / "deep_sigmoid.py").read_text()
    result, finished, probe_diags = await _probe_file(client, "deep_sigmoid.py", text)
    assert (result.verdict, result.severity, result.exitCode) == ("broken", "error", 1)
    assert result.broken == ["unused_scale"] and finished.verdict == "broken"
    at_gradient = [d for d in probe_diags if d.range.start.line == _case_line(text, "gradient") - 1]
    errors = [d for d in at_gradient if d.severity == lsp.DiagnosticSeverity.Error]
    warnings = [d for d in at_gradient if d.severity == lsp.DiagnosticSeverity.Warning]
    assert len(errors) == 1 and errors[0].message.startswith("unused_scale gets no gradient (None)")
    assert ": broken at steps 1, 2" in errors[0].message
    assert len(warnings) == 1 and "vanishing" in warnings[0].message
    assert "to watch, not failing" in warnings[0].message
    created = [d for d in probe_diags if d.range.start.line == _case_line(text, "unused") - 1]
    assert [d.severity for d in created] == [lsp.DiagnosticSeverity.Error]


CWD_SCRIPT = """\
import os
import sys

with open(sys.argv[0] + ".cwd", "w") as f:
    f.write(os.getcwd())
"""


async def test_probe_cwd_setting_decides_where_the_script_runs(client):
    app, data = client.root / "app", client.root / "data"
    app.mkdir()
    data.mkdir()
    script = app / "where.py"
    script.write_text(CWD_SCRIPT)
    seen = app / "where.py.cwd"

    async def probe_with(cwd_setting):
        probe = {"interpreter": sys.executable, "timeoutSeconds": 90, "steps": 2, "device": "cpu"}
        if cwd_setting is not None:
            probe["cwd"] = cwd_setting
        logged = len(client.log_messages)
        client.workspace_did_change_configuration(
            lsp.DidChangeConfigurationParams(settings={"gradls": {"probe": probe}})
        )
        await wait_until(
            lambda: any("settings from didChangeConfiguration" in m.message for m in client.log_messages[logged:]),
            what="settings applied",
        )
        seen.unlink(missing_ok=True)
        result = await client.protocol.send_request_async("gradls/runProbe", {"uri": script.as_uri()})
        assert result.report.status == "ok", result.text
        return seen.read_text()

    try:
        assert await probe_with(None) == str(client.root)  # default: the workspace folder
        assert await probe_with("data") == str(data)  # relative to the workspace folder
        assert await probe_with("${fileDirname}") == str(app)
        assert await probe_with("${workspaceFolder}/data") == str(data)
        assert await probe_with(str(data)) == str(data)
        # A folder that does not exist: refused before anything runs.
        started = len(client.custom_notifications)
        with pytest.raises(JsonRpcException, match="gradls.probe.cwd: .*missing.* is not a folder"):
            await client.protocol.send_request_async(
                "gradls/runProbe", {"uri": script.as_uri(), "cwd": str(client.root / "missing")}
            )
        assert client.custom_notifications[started:] == []
    finally:
        await probe_with(None)


async def test_probe_report_html_is_the_last_report_with_a_script_nonce(client):
    """gradls/probeReportHtml: the page of gradls.probe.html for a URI's last probe (default: the last probe)."""
    path = client.root / "html_target.py"
    path.write_text(EAGER_NUMPY)
    uri = path.as_uri()
    await client.protocol.send_request_async("gradls/runProbe", {"uri": uri})
    page = await client.protocol.send_request_async("gradls/probeReportHtml", {"uri": uri, "nonce": "abc123"})
    assert page.uri == uri and page.status == "gradient-problems"
    assert "script-src &#x27;nonce-abc123&#x27;" in page.html and '<script nonce="abc123">' in page.html
    # w's creation line, as a link the editor opens
    assert f'data-file="{path}" data-line="4"' in page.html
    last = await client.protocol.send_request_async("gradls/probeReportHtml", {})
    assert last.uri == uri
    # A nonce that could break out of the attribute is not used (the page falls back to its stand-alone policy).
    odd = await client.protocol.send_request_async("gradls/probeReportHtml", {"nonce": '"><script>'})
    assert '"><script>' not in odd.html.split("<body>", 1)[0]
    with pytest.raises(JsonRpcException, match="no probe report yet"):
        await client.protocol.send_request_async("gradls/probeReportHtml", {"uri": (client.root / "never.py").as_uri()})


async def _start_sleeper_and_cancel(client, name: str, send) -> None:
    path = client.root / name
    path.write_text(SLEEPER)
    pid_file = client.root / (name + ".pid")
    msg_id = f"probe-{uuid.uuid4().hex[:8]}"
    future = send(path.as_uri(), msg_id)
    await wait_until(pid_file.exists, timeout=90, what="the probed script to start")
    pid = int(pid_file.read_text())
    assert _alive(pid)
    # One probe at a time: a second one is refused while this runs.
    with pytest.raises(JsonRpcException, match="already running"):
        await client.protocol.send_request_async("gradls/runProbe", {"uri": path.as_uri()})
    client.protocol.notify("$/cancelRequest", lsp.CancelParams(id=msg_id))
    with pytest.raises((JsonRpcException, asyncio.CancelledError)):
        await asyncio.wait_for(asyncio.wrap_future(future), timeout=20)
    await wait_until(lambda: not _alive(pid), timeout=10, what=f"probe child {pid} to be killed")
    await wait_until(
        lambda: client.custom_notifications and client.custom_notifications[-1][0] == "gradls/probeFinished",
        what="probeFinished",
    )
    assert client.custom_notifications[-1][1].status == "cancelled"


async def test_cancel_request_kills_the_probe_process(client):
    await _start_sleeper_and_cancel(
        client,
        "sleeper.py",
        lambda uri, msg_id: client.protocol.send_request("gradls/runProbe", {"uri": uri}, msg_id=msg_id),
    )


async def test_cancel_execute_command_kills_the_probe_process(client):
    def send(uri, msg_id):
        params = lsp.ExecuteCommandParams(
            command="gradls.server.runProbe", arguments=[{"uri": uri, "timeoutSeconds": 60}]
        )
        return client.protocol.send_request(lsp.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id)

    await _start_sleeper_and_cancel(client, "sleeper_cmd.py", send)


async def test_no_tensorflow_in_the_interpreter_is_shown_as_an_error_with_a_way_out(client, tmp_path):
    """Whatever gradls.showNotifications says (off here): an Error message offering to pick an interpreter."""
    path = client.root / "needs_tf.py"
    path.write_text(EAGER_NUMPY)
    # This Python without site-packages: the standard library (all the runner needs) but no TensorFlow.
    bare = tmp_path / "python-without-tf"
    bare.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    bare.chmod(0o755)
    client.message_request_answer = "Select Python Interpreter"
    shown_before = len(client.messages)
    asked_before = len(client.message_requests)
    result = await client.protocol.send_request_async(
        "gradls/runProbe", {"uri": path.as_uri(), "interpreter": str(bare)}
    )
    assert result.report.status == "no-tensorflow"
    asked = await wait_until(lambda: client.message_requests[asked_before:], what="window/showMessageRequest")
    assert len(asked) == 1
    assert asked[0].type == lsp.MessageType.Error
    assert "TensorFlow" in asked[0].message
    assert [a.title for a in asked[0].actions] == ["Select Python Interpreter"]
    # Picking the action asks the client to run its interpreter picker (VS Code: python.setInterpreter).
    await wait_until(
        lambda: any(m == "gradls/selectInterpreter" for m, _ in client.custom_notifications),
        what="gradls/selectInterpreter",
    )
    assert client.messages[shown_before:] == []  # not shown twice
    client.message_request_answer = None


async def test_server_still_has_no_tensorflow_after_probing(client):
    info = await client.protocol.send_request_async("gradls/serverInfo", {})
    assert info.tensorflowImported is False
    assert "libtensorflow" not in open(f"/proc/{info.pid}/maps").read()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_recording_client))
async def untrusted(lsp_client: RecordingClient, tmp_path):
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
            initialization_options={
                "settings": {"showNotifications": "onWarning", "lint": {"run": "onSave"}, "probe": {"steps": 0}},
                "trusted": False,
            },
        )
    )
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()
    assert lsp_client._server.returncode == 0  # shutdown + exit: a clean stop


@pytest.mark.asyncio(loop_scope="function")
async def test_probe_is_refused_in_an_untrusted_workspace(untrusted):
    path = untrusted.root / "x.py"
    path.write_text("print(1)\n")
    with pytest.raises(JsonRpcException, match="until the workspace is trusted"):
        await untrusted.protocol.send_request_async("gradls/runProbe", {"uri": path.as_uri()})
    assert not os.path.exists(str(path) + ".pid")
    # A bad setting is named in the log and, with showNotifications=onWarning, shown to the user.
    assert any("gradls.probe.steps" in m.message for m in untrusted.log_messages)
    assert any("gradls.probe.steps" in m.message for m in untrusted.messages)


@pytest.mark.asyncio(loop_scope="function")
async def test_on_save_mode_analyses_on_save_only(untrusted):
    from lsp_helpers import NUMPY_CALL, NUMPY_LAYER, change_document, range_tuple, rng, wait_for_publication

    path = untrusted.root / "saved.py"
    path.write_text(NUMPY_LAYER)
    uri = path.as_uri()
    open_document(untrusted, uri, NUMPY_LAYER)
    assert [d.code for d in (await wait_for_publication(untrusted, uri, version=1)).diagnostics] == ["TFG001"]
    # Typing a second buggy line: nothing new until save, the old finding just moves down.
    start = len(untrusted.publications)
    change_document(untrusted, uri, 2, rng(9, 0, 9, 0), "        x = np.multiply(x, x)\n")
    pub = await wait_for_publication(untrusted, uri, version=2, start=start)
    l1, c1, l2, c2 = NUMPY_CALL
    assert [range_tuple(d.range) for d in pub.diagnostics] == [(l1 + 1, c1, l2 + 1, c2)]
    start = len(untrusted.publications)
    untrusted.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    pub = await wait_for_publication(untrusted, uri, version=2, start=start)
    assert len(pub.diagnostics) == 2
