"""Server side of the runtime gradient probe (`gradls/runProbe`, `gradls.server.runProbe`).

The probe runs the user's script under the user's interpreter in its own process group (the
launcher's job); this module only decides whether it may run, reports progress, turns the
report into diagnostics (source "gradls-probe") and cancels it when the client asks.
TensorFlow is never imported here.

When the chosen interpreter has no TensorFlow, the user is told with a window/showMessageRequest
(type Error, whatever gradls.showNotifications says) offering "Select Python Interpreter"; picking
it sends the client `gradls/selectInterpreter`, which VS Code maps to `python.setInterpreter`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcServerError
from pygls.uris import to_fs_path

from gradls.analysis.model import Finding
from gradls.lsp.diagnostics import ProbeFact, plain_data, probe_fact_to_diagnostic
from gradls.lsp.positions import LineIndex
from gradls.lsp.progress import ServerProgress

# At run time too: pygls reads the command handlers' type hints to convert their arguments.
from gradls.lsp.server import GradlsLanguageServer
from gradls.lsp.settings import with_probe_overrides

if TYPE_CHECKING:
    from gradls.lsp.notebooks import CellSnapshot, NotebookState
    from gradls.probe.warm import WarmWorkerPool

RUN_PROBE_COMMAND = "gradls.server.runProbe"
RUN_PROBE_REQUEST = "gradls/runProbe"
PROBE_STARTED = "gradls/probeStarted"
PROBE_FINISHED = "gradls/probeFinished"
# Client -> server: the last probe report as a self-contained HTML page (the editor's webview).
PROBE_REPORT_HTML = "gradls/probeReportHtml"
# Server -> client: the user asked to pick another interpreter (VS Code: python.setInterpreter).
SELECT_INTERPRETER = "gradls/selectInterpreter"
SELECT_INTERPRETER_ACTION = "Select Python Interpreter"
# How many static findings nearest to a probe fact are shown (and tracked) as related to it.
RELATED_FINDINGS = 5
# JSON-RPC server-error codes (-32099..-32000) for the probe's refusals.
PROBE_NOT_TRUSTED = -32010
PROBE_BUSY = -32011
PROBE_BAD_PARAMS = -32012
PROBE_FAILED = -32013
PROBE_NO_REPORT = -32014

_STATUS_WORDS = {
    "none": "gets no gradient (None)",
    "zero": "gets an all-zero gradient",
    "nan": "gets a NaN gradient",
    "inf": "gets an infinite gradient",
}
# Problem statuses that are never failures: a loss-scale optimizer's skipped update, gradient dynamics.
_WATCH_STATUSES = ("skipped", "vanishing", "exploding")


def register(server: GradlsLanguageServer) -> None:
    server.feature(RUN_PROBE_REQUEST)(on_run_probe_request)
    server.feature(PROBE_REPORT_HTML)(on_probe_report_html)
    server.command(RUN_PROBE_COMMAND)(cmd_run_probe)


async def on_run_probe_request(ls: GradlsLanguageServer, params: Any) -> dict:
    return await ls.probe.run(plain_data(params))


def on_probe_report_html(ls: GradlsLanguageServer, params: Any) -> dict:
    return ls.probe.report_html(plain_data(params))


async def cmd_run_probe(ls: GradlsLanguageServer, *args: Any) -> dict:
    params = plain_data(args[0]) if args else {}
    # executeCommand runs the handler as an inner task pygls does not cancel on $/cancelRequest;
    # tie it to the outer request so a cancel still kills the probe.
    return await ls.probe.run(params, outer_request_id=ls.protocol.msg_id)


class ProbeService:
    def __init__(self, server: GradlsLanguageServer):
        self.server = server
        self._running: asyncio.Task[Any] | None = None
        self._warm_pool: WarmWorkerPool | None = None  # while probe.warmWorker is on
        self._background: set[asyncio.Task[None]] = set()
        # The last report per probed URI, and the URI probed last (for gradls/probeReportHtml).
        self._reports: dict[str, dict] = {}
        self._last_uri: str | None = None

    def cancel_running(self) -> None:
        if self._running is not None and not self._running.done():
            self._running.cancel()

    def close_warm_worker(self) -> None:
        pool, self._warm_pool = self._warm_pool, None
        if pool is not None:
            pool.close()

    def _warm_pool_for(self, enabled: bool) -> WarmWorkerPool | None:
        if not enabled:
            self.close_warm_worker()
            return None
        if self._warm_pool is None:
            from gradls.probe.warm import WarmWorkerPool

            self._warm_pool = WarmWorkerPool(log=lambda msg: self.server.log(msg, "info"))
        return self._warm_pool

    async def run(self, params: Any, outer_request_id=None) -> dict:
        server = self.server
        if not server.trusted:
            raise JsonRpcServerError(
                "gradls: the gradient probe runs workspace code, so it is disabled until the workspace is trusted "
                "(initializationOptions.trusted is not true)",
                PROBE_NOT_TRUSTED,
            )
        if self._running is not None and not self._running.done():
            raise JsonRpcServerError(
                "gradls: a gradient probe is already running; wait for it or cancel it first", PROBE_BUSY
            )
        if not isinstance(params, dict) or not isinstance(params.get("uri"), str):
            raise JsonRpcServerError("gradls/runProbe: params must be an object with a 'uri' string", PROBE_BAD_PARAMS)
        uri = params["uri"]
        notebook = self._open_notebook(uri)
        path = notebook.path if notebook is not None else to_fs_path(uri)
        if notebook is not None and not path:
            raise JsonRpcServerError(
                "gradls/runProbe: save the notebook first (the probe runs it beside its files)", PROBE_BAD_PARAMS
            )
        if not path or not os.path.isfile(path):
            raise JsonRpcServerError(
                f"gradls/runProbe: {uri} is not a file on disk (the probe runs the saved file)", PROBE_BAD_PARAMS
            )
        settings, problems = with_probe_overrides(server.editor_settings.probe, params)
        if problems:
            raise JsonRpcServerError(f"gradls/runProbe: bad parameters: {'; '.join(problems)}", PROBE_BAD_PARAMS)
        interpreter = settings.interpreter
        if interpreter is None:
            interpreter = sys.executable
            server.log(
                f"probe: no gradls.probe.interpreter configured; using the server's own Python {interpreter}", "warning"
            )

        try:
            from gradls.probe.launcher import run_probe_async
            from gradls.probe.notebook_source import is_notebook, run_notebook_probe_async, text_view
            from gradls.probe.report import format_text
        except ImportError as e:
            raise JsonRpcServerError(
                f"gradls: the probe is not available in this installation ({e})", PROBE_FAILED
            ) from e

        # Scripts run where gradls.probe.cwd says; a notebook in its folder, as Jupyter runs it.
        script_cwd = None if notebook is not None or is_notebook(path) else self._cwd_for(path, settings.cwd)
        pool = self._warm_pool_for(settings.warm_worker)
        task = asyncio.current_task()
        self._running = task
        if outer_request_id is not None and task is not None:
            cancel_with_request(server, outer_request_id, task)
        state = server.documents.get(uri)
        # An open notebook runs its cells as the editor has them (as Run All does), saved or not.
        cells = self._cells_of(notebook, params.get("notebookCells")) if notebook is not None else None
        probe_notebook = cells is not None or is_notebook(path)
        if state is not None and self._buffer_differs_from_disk(uri, path):
            server.log(f"probe: {path} has unsaved changes; the probe runs the file as saved on disk", "warning")
        server.protocol.notify(
            PROBE_STARTED, {"uri": uri, "status": "running", "summary": f"probing {os.path.basename(path)}"}
        )
        server.log(
            f"probe: running {path} with {interpreter} in {script_cwd or os.path.dirname(path)} (steps={settings.steps}, timeout={settings.timeout_seconds:g}s, device={settings.device})",
            "info",
        )
        status, summary = "error", ""
        outcome: dict[str, Any] | None = None
        try:
            async with ServerProgress(server, "gradls: gradient probe", cancellable=True) as progress:
                if task is not None:
                    progress.on_cancel(task.cancel)
                progress.report(f"running {os.path.basename(path)}")
                options: dict[str, Any] = dict(
                    interpreter=interpreter,
                    steps=settings.steps,
                    timeout=settings.timeout_seconds,
                    device=settings.device,
                    warm=pool is not None,
                    pool=pool,
                )
                if probe_notebook:  # in the notebook's folder, as Jupyter runs it
                    report = await run_notebook_probe_async(
                        path, [(c.index, c.text) for c in cells] if cells is not None else None, **options
                    )
                else:
                    report = await run_probe_async(path, cwd=script_cwd, **options)
            text = format_text(text_view(report) if probe_notebook else report)
            status = str(report.get("status", "unknown"))
            summary = str(report.get("message") or "") or summarise(report)
            outcome = probe_outcome(report)
            if outcome["skippedSteps"] and outcome["detail"] not in summary:
                # clients that show only the summary still learn that loss scaling skipped steps (by design)
                summary = f"{summary}; {outcome['detail']}"
            self._reports[uri] = report
            self._last_uri = uri
            self._publish(report, path, notebook, cells)
            no_tensorflow = status == "no-tensorflow"
            # No TensorFlow: said below where the user looks, not once more as a notification.
            server.log(
                f"probe finished ({status}): {summary}\n{text}",
                "info" if status == "ok" else "warning",
                notify=not no_tensorflow,
            )
            if no_tensorflow:
                self._in_background(self._offer_interpreter_choice(summary))
            return {"report": report, "text": text, **outcome}
        except asyncio.CancelledError:
            status, summary = "cancelled", "cancelled; the probe process was stopped"
            server.log("probe: cancelled by the client; probe process group killed", "info")
            raise
        except JsonRpcServerError:
            raise
        except Exception as e:
            server.log_exception("probe", e)
            summary = f"{type(e).__name__}: {e}"
            raise JsonRpcServerError(f"gradls: the probe failed: {summary}", PROBE_FAILED) from e
        finally:
            self._running = None
            finished = {"uri": uri, "status": status, "summary": summary}
            if outcome is not None:
                finished.update(outcome)
            server.protocol.notify(PROBE_FINISHED, finished)

    def _in_background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._background.discard)

    async def _offer_interpreter_choice(self, summary: str) -> None:
        """An Error message with the one-click way out: pick an interpreter that has TensorFlow."""
        server = self.server
        params = lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Error,
            message=f"gradls: the gradient probe needs TensorFlow. {summary}",
            actions=[lsp.MessageActionItem(title=SELECT_INTERPRETER_ACTION)],
        )
        try:
            choice = await server.window_show_message_request_async(params)
        except Exception as e:  # the client refused or went away: the log has the message already
            server.log(f"probe: could not show the missing-TensorFlow message: {e}", "log")
            return
        if choice is not None and choice.title == SELECT_INTERPRETER_ACTION:
            server.protocol.notify(SELECT_INTERPRETER, {"reason": "probe: no TensorFlow in the interpreter"})

    def report_html(self, params: Any) -> dict:
        """{uri, status, html} of the last probe of `uri` (default: the last probe run)."""
        params = params if isinstance(params, dict) else {}
        uri = params.get("uri") if isinstance(params.get("uri"), str) else self._last_uri
        report = self._reports.get(uri) if uri is not None else None
        if report is None:
            raise JsonRpcServerError(
                "gradls: no probe report yet" + (f" for {uri}" if params.get("uri") else "") + "; run the probe first",
                PROBE_NO_REPORT,
            )
        from gradls.probe.html import render_html

        nonce = params.get("nonce")
        html = render_html(report, script_nonce=nonce if isinstance(nonce, str) and nonce.isalnum() else None)
        return {"uri": uri, "status": report.get("status"), "html": html}

    def _cwd_for(self, path: str, setting: str | None = None) -> str:
        """Where the program runs: gradls.probe.cwd when set, else the workspace folder holding it.

        The setting may use ${workspaceFolder} (the folder holding the file) and ${fileDirname};
        a relative path is taken from the workspace folder. A folder that does not exist is refused."""
        folder = os.path.dirname(os.path.abspath(path))
        for root in sorted(self.server.workspace_roots(), key=len, reverse=True):
            if os.path.abspath(path).startswith(os.path.abspath(root) + os.sep):
                folder = root
                break
        if not setting:
            return folder
        chosen = setting.replace("${workspaceFolder}", folder).replace("${fileDirname}", os.path.dirname(path))
        chosen = os.path.normpath(os.path.join(folder, os.path.expanduser(chosen)))
        if not os.path.isdir(chosen):
            raise JsonRpcServerError(f"gradls.probe.cwd: {chosen} (from {setting!r}) is not a folder", PROBE_BAD_PARAMS)
        return chosen

    def _buffer_differs_from_disk(self, uri: str, path: str) -> bool:
        try:
            return Path(path).read_text(encoding="utf-8") != self.server.workspace.get_text_document(uri).source
        except (OSError, UnicodeDecodeError):
            return True

    def _open_notebook(self, uri: str) -> NotebookState | None:
        """The open notebook `uri` names: the notebook itself or one of its cells."""
        from gradls.lsp.notebooks import notebook_of_cell

        return self.server.notebooks.get(uri) or notebook_of_cell(self.server, uri)

    def _cells_of(self, notebook: NotebookState, numbering: Any = None) -> list[CellSnapshot]:
        """The notebook's python code cells now, numbered as in the notebook file when the client says how.

        A client may sync only the cells its selector matches (VS Code leaves markdown cells out), so the
        server's own count can differ from the file's; `numbering` (`notebookCells` in gradls/runProbe:
        [{uri, index among all the notebook's cells}]) makes "cell 4" the cell users see as the 4th."""
        from gradls.lsp.notebooks import _code_cells

        cells = _code_cells(self.server, notebook.uri)
        if isinstance(numbering, list):
            known = {
                unquote(c["uri"]): c["index"]
                for c in numbering
                if isinstance(c, dict) and isinstance(c.get("uri"), str) and isinstance(c.get("index"), int)
            }
            if all(unquote(c.uri) in known for c in cells):
                cells = [replace(c, index=known[unquote(c.uri)]) for c in cells]
        return cells

    def _publish(
        self,
        report: dict,
        probed_path: str,
        notebook: NotebookState | None = None,
        cells: list[CellSnapshot] | None = None,
    ) -> None:
        """Probe facts become diagnostics in every file they point to; the probed file is always refreshed.

        An open notebook's facts go to its cells (those about a cell edited meanwhile are not shown)."""
        from gradls.lsp.documents import show

        located = located_facts(report, probed_path)
        facts_by_file = facts_from_report(report, probed_path)
        real_probed = os.path.realpath(probed_path)
        if notebook is not None and cells is not None:
            facts_by_file.pop(real_probed, None)
            self._publish_cells(notebook, cells, {c: f for (real, c), f in located.items() if real == real_probed})
        elif report.get("notebook"):
            facts_by_file.pop(real_probed, None)  # a notebook not open: its cells have no document to show them
        else:
            facts_by_file.setdefault(real_probed, [])
        server = self.server
        open_by_path = {os.path.realpath(s.path): s for s in server.documents.values() if s.path}
        for real, facts in facts_by_file.items():
            state = open_by_path.get(real)
            if state is not None:
                # Pinned now: the fact goes when the code of these findings changes or they are fixed.
                state.probe_facts = [replace(fact, related=_nearest(state.findings, fact.line)) for fact in facts]
                show(server, state)
                continue
            try:
                text = Path(real).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            index = LineIndex(text, server.encoding)
            uri = Path(real).as_uri()
            server.push(uri, [probe_fact_to_diagnostic(f, index, uri) for f in facts], None)
            server.pushed_uris.add(uri)

    def _publish_cells(
        self, notebook: NotebookState, cells: list[CellSnapshot], by_cell: dict[int | None, list[ProbeFact]]
    ) -> None:
        from gradls.lsp.notebooks import publish

        analysis = notebook.analysis
        notebook.probe_facts = {}
        for cell in cells:
            facts = by_cell.get(cell.index + 1)
            if not facts:
                continue
            result = analysis.of(cell.uri) if analysis is not None else None
            findings = [local for local, _ in result.findings] if result is not None else []
            notebook.probe_facts[unquote(cell.uri)] = (
                cell.text,
                [replace(fact, related=_nearest(findings, fact.line)) for fact in facts],
            )
        notebook.probe_generation += 1
        server = self.server
        if server.notebooks.get(notebook.uri) is not notebook:
            return  # closed meanwhile
        if server.pull_diagnostics:
            if server.client_supports("workspace.diagnostics.refresh_support"):
                server.workspace_diagnostic_refresh(None)
        else:
            publish(server, notebook)


def _nearest(findings: list[Finding], line: int) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: abs(f.span.line - line))[:RELATED_FINDINGS])


def facts_from_report(report: dict, probed_path: str) -> dict[str, list[ProbeFact]]:
    """{real file path: facts} from a probe report (versioned JSON, docs/probe-report.md).

    `problems` (one entry per call site, source and status, merged over steps) is preferred;
    `gradient_calls` (one entry per call per step) is the fallback.  A notebook's facts are in
    `located_facts`, by cell.
    """
    out: dict[str, list[ProbeFact]] = {}
    for (real, cell), facts in located_facts(report, probed_path).items():
        if cell is None:
            out.setdefault(real, []).extend(facts)
    return out


def located_facts(report: dict, probed_path: str) -> dict[tuple[str, int | None], list[ProbeFact]]:
    """{(real file path, notebook cell number or None): facts}: lines are in the cell when there is one.

    Severity follows the report's verdict: "broken" (the probe fails, exit 1) is an Error; "watch"
    (zero or NaN/Inf at some steps only, vanishing/exploding) a Warning; an update the loss-scale
    optimizer skipped (by design) Information. Each message says which, and at which steps."""
    out: dict[tuple[str, int | None], list[ProbeFact]] = {}
    seen: set[tuple[str, int | None, int, str]] = set()

    def cell_of(entry: Any) -> int | None:
        cell = entry.get("cell") if isinstance(entry, dict) else None
        return cell if isinstance(cell, int) else None

    def add(file: str | None, cell: int | None, line: Any, message: str, severity: str) -> None:
        if not isinstance(line, int) or line < 1:
            return
        real = os.path.realpath(file or probed_path)
        if (real, cell, line, message) in seen:
            return
        seen.add((real, cell, line, message))
        out.setdefault((real, cell), []).append(ProbeFact(line=line, message=message, severity=severity))

    def add_problem(entry: dict, name: str, status: str, verdict: str, steps: Any, observed: Any) -> None:
        kind = entry.get("kind") or "gradient"
        file, line, cell = entry.get("file"), entry.get("line"), cell_of(entry)
        at = f"cell {cell}, line {line}" if cell is not None else f"line {line}"
        when = _steps_text(steps, observed)
        if status == "skipped":  # not about a variable: one fact per call site
            add(
                file,
                cell,
                line,
                f"{kind} at {at}: the loss-scale optimizer skipped the update at {when} (the scaled gradients "
                "overflowed; skipped by design, not failing)",
                "information",
            )
            return
        if status in _STATUS_WORDS:
            what = f"{name} {_STATUS_WORDS[status]} in {kind} at {at}"
        else:  # vanishing / exploding: the report's own sentence
            what = f"{entry.get('detail') or status} ({name}, {kind} at {at})"
        if verdict == "broken":
            message, severity = f"{what}: broken at {when}", "error"
        else:
            message, severity = f"{what}: to watch, not failing ({when})", "warning"
        cause = entry.get("cause")
        if isinstance(cause, dict) and isinstance(cause.get("message"), str) and cause["message"]:
            message += f"; cause: {cause['message']}"
            if isinstance(cause.get("line"), int):
                message += f" (line {cause['line']})"
        add(file, cell, line, message, severity)
        created = entry.get("created_at")
        if isinstance(created, dict) and isinstance(created.get("line"), int):
            add(created.get("file") or file, cell_of(created), created["line"], f"{message} (created here)", severity)

    problems = report.get("problems")
    if problems:
        for p in problems:
            status = p.get("status")
            if status in _STATUS_WORDS or status in _WATCH_STATUSES:
                verdict = p.get("verdict") if p.get("verdict") in ("broken", "watch") else "broken"
                add_problem(p, p.get("source") or "a variable", status, verdict, p.get("steps"), p.get("observed"))
    else:  # a report without `problems` (older runner output): every bad gradient is broken
        for call in report.get("gradient_calls") or []:
            for src in call.get("sources") or []:
                if src.get("status") in _STATUS_WORDS:
                    entry = dict(call, created_at=src.get("created_at"))
                    step = call.get("step")
                    add_problem(entry, src.get("name") or "a variable", src["status"], "broken", [step], None)
    for err in report.get("errors") or []:
        message = f"probe: {err.get('type') or 'error'}: {err.get('message') or ''}".rstrip(": ")
        add(err.get("file") or probed_path, cell_of(err), err.get("line"), message, "error")
    return out


def _steps_text(steps: Any, observed: Any) -> str:
    """'steps 1, 2, 3 of 3' / 'step 1 only, of 3' / 'some steps'."""
    steps = [s for s in steps or [] if isinstance(s, int)]
    if not steps:
        return "some steps"
    listed = f"step{'s' if len(steps) > 1 else ''} {', '.join(map(str, steps))}"
    if isinstance(observed, int) and observed > len(steps):
        return f"{listed} only, of {observed}"
    if isinstance(observed, int) and observed > 1:
        return f"{listed}, every one observed"
    return listed


def probe_outcome(report: dict) -> dict[str, Any]:
    """What the editor shows of a finished probe beside its summary: counts by verdict, the steps the
    loss-scale optimizer skipped, the CLI's exit code and the severity to show it with (error: a
    broken gradient or a failed run; warning: only things to watch; information: all ok)."""
    problems = [p for p in report.get("problems") or [] if isinstance(p, dict)]
    broken = sorted({p.get("source") or "?" for p in problems if p.get("verdict", "broken") == "broken"})
    watch = sorted(
        {p.get("source") or "?" for p in problems if p.get("verdict") == "watch" and p.get("status") != "skipped"}
    )
    skipped = sorted(
        {s for p in problems if p.get("status") == "skipped" for s in p.get("steps") or [] if isinstance(s, int)}
    )
    from gradls.probe.report import has_gradient_problems

    # As `gradls probe` exits: 1 a broken gradient, 0 the run was ok, 2 it could not run or failed.
    exit_code = 1 if has_gradient_problems(report) else 0 if report.get("status") == "ok" else 2
    if exit_code:
        severity = "error"
    elif watch:
        severity = "warning"
    else:
        severity = "information"
    parts = []
    if broken:
        parts.append(f"{len(broken)} broken: {', '.join(broken[:5])}")
    if watch:
        parts.append(f"{len(watch)} to watch (not failing): {', '.join(watch[:5])}")
    if skipped:
        parts.append(
            f"loss scaling: step{'s' if len(skipped) > 1 else ''} {', '.join(map(str, skipped))} skipped by design"
        )
    return {
        "verdict": "broken" if broken else "watch" if watch else "ok",
        "severity": severity,
        "exitCode": exit_code,
        "broken": broken,
        "watch": watch,
        "skippedSteps": skipped,
        "detail": "; ".join(parts),
    }


def summarise(report: dict) -> str:
    """A one-line summary when the report has no message (the report's own is preferred)."""
    outcome = probe_outcome(report)
    parts = [outcome["detail"]] if outcome["detail"] else []
    if not parts and report.get("gradient_calls"):
        parts.append(f"all gradients ok in {len(report['gradient_calls'])} gradient computations")
    if report.get("errors"):
        parts.append(f"{len(report['errors'])} error(s)")
    return "; ".join(parts) or str(report.get("status", "no result"))


def cancel_with_request(server: GradlsLanguageServer, request_id: Any, task: asyncio.Task[Any]) -> None:
    """Cancel `task` when the client cancels request `request_id` ($/cancelRequest)."""
    # pygls keeps the client's request future in protocol._request_futures; $/cancelRequest cancels
    # that future only, not the inner task running an executeCommand handler, so link the two.
    outer = server.protocol._request_futures.get(request_id) if request_id is not None else None
    if outer is None:
        return

    def on_done(f: concurrent.futures.Future[Any]) -> None:
        if f.cancelled() and not task.done():
            task.get_loop().call_soon_threadsafe(task.cancel)

    outer.add_done_callback(on_done)
