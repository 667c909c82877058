"""Open documents: didOpen / didChange / didSave / didClose, their analysis, and their diagnostics
(pushed with textDocument/publishDiagnostics, or pulled with textDocument/diagnostic).

A file that does not parse gets one Error diagnostic at the syntax error ("gradls cannot analyse
this file: ..."), next to the last good findings, which are kept and moved with the edits.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from gradls.analysis.model import AnalysisResult
from gradls.config import Config
from gradls.lsp.diagnostics import (
    DocumentState,
    drop_stale_probe_facts,
    failure_to_diagnostic,
    probe_fact_to_diagnostic,
    shift_for_change,
)
from gradls.lsp.guard import guarded
from gradls.lsp.positions import LineIndex
from gradls.lsp.server import GradlsLanguageServer
from gradls.lsp.settings import is_excluded_by_editor

# Files above this are skipped in the editor (the CLI still checks them).
MAX_DOCUMENT_BYTES = 1_000_000
PYTHON_SUFFIXES = (".py", ".pyi")


def register(server: GradlsLanguageServer) -> None:
    server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)(on_did_open)
    server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)(on_did_change)
    server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))(on_did_save)
    server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)(on_did_close)
    server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(identifier="gradls", inter_file_dependencies=False, workspace_diagnostics=False),
    )(on_pull_diagnostics)


def analyse(source: str, path: str | None, config: Config) -> AnalysisResult:
    from gradls.analysis import analyze

    return analyze(source, path, config)


# ---------------------------------------------------------------- whether a document is analysed
def classify(
    ls: GradlsLanguageServer, state: DocumentState, language_id: str | None = None, size: int | None = None
) -> None:
    """Decide whether a document is analysed; the reason it is not goes to the log once."""
    reason = None
    if language_id is not None and language_id != "python" and not (state.path or "").endswith(PYTHON_SUFFIXES):
        reason = f"not a Python document (languageId {language_id!r})"
    elif size is not None and size > MAX_DOCUMENT_BYTES:
        reason = f"larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB ({size} characters)"
    elif not ls.editor_settings.enable:
        reason = "gradls.enable is false"
    elif state.path and is_excluded_by_editor(state.path, ls.editor_settings, ls.workspace_roots()):
        reason = "matched gradls.exclude"
    elif state.path and ls.config_for(state.path).is_excluded(state.path):
        reason = "matched exclude in [tool.gradls]"
    if language_id is None and state.skipped and state.skipped.startswith("not a Python"):
        reason = state.skipped  # the language does not change with settings
    if reason and reason != state.skipped:
        ls.log(f"skipping {state.uri}: {reason}", "info")
    state.skipped = reason
    if reason:
        state.findings, state.failure = [], None
        if reason.startswith("not a Python"):
            state.probe_facts = []


def rediagnose_all(ls: GradlsLanguageServer, reason: str) -> None:
    """Settings or a pyproject.toml changed: every open document is analysed again."""
    for state in list(ls.documents.values()):
        classify(ls, state, size=len(ls.text_of(state.uri)))
        state.fresh = False
        state.analysed_version = None
        state.generation += 1
        if not ls.pull_diagnostics:
            schedule_analysis(ls, state, delay=0)
    if ls.pull_diagnostics:
        _refresh_pulled(ls, reason)


def _refresh_pulled(ls: GradlsLanguageServer, reason: str) -> None:
    if ls.client_supports("workspace.diagnostics.refresh_support"):
        ls.workspace_diagnostic_refresh(None)
    else:
        ls.log(f"{reason}: client cannot refresh pulled diagnostics; they update on the next edit", "log")


# ---------------------------------------------------------------- notifications
@guarded()
def on_did_open(ls: GradlsLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    state = DocumentState(uri=doc.uri, path=to_fs_path(doc.uri), version=doc.version)
    ls.documents[doc.uri] = state
    classify(ls, state, language_id=doc.language_id, size=len(doc.text))
    if ls.pull_diagnostics and doc.uri in ls.pushed_uris:
        # A workspace check pushed diagnostics here; pulled ones take over now (never both).
        ls.push(doc.uri, [], doc.version)
        ls.pushed_uris.discard(doc.uri)
    if ls.pull_diagnostics:
        return
    if state.skipped:
        ls.push(doc.uri, [], doc.version)
    else:
        schedule_analysis(ls, state, delay=0)


def _forget_finished_requests(ls: GradlsLanguageServer) -> None:
    """Drop finished futures pygls keeps in protocol._request_futures.

    pygls 2.1 files the future of every notification handled by one of its generator-based
    built-ins (didOpen, didChange, didClose, ...) there and never removes it: one leaked Future
    per keystroke.  Finished futures have no further use (responses pop their own entries and
    tolerate a missing one), so they can go.
    """
    futures = ls.protocol._request_futures
    for key in [k for k, f in futures.items() if f.done()]:
        futures.pop(key, None)


@guarded()
def on_did_change(ls: GradlsLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.changes_seen += 1
    if ls.changes_seen % 64 == 0:
        _forget_finished_requests(ls)
    state = ls.documents.get(params.text_document.uri)
    if state is None:
        return
    state.version = params.text_document.version
    had_probe_facts = bool(state.probe_facts)
    for change in params.content_changes:
        if isinstance(change, lsp.TextDocumentContentChangePartial):
            r = change.range
            shift_for_change(state, r.start.line, r.end.line, change.text, r.start.character, r.end.character)
        else:  # full text: nothing to shift by, so nothing old can be trusted
            state.findings, state.probe_facts, state.failure, state.fresh = [], [], None, False
            state.generation += 1
    was_skipped = state.skipped
    # Only the size can change with an edit; the other reasons change with settings.
    size = len(ls.text_of(state.uri))
    too_big = size > MAX_DOCUMENT_BYTES
    if (was_skipped is None and too_big) or ((was_skipped or "").startswith("larger than") and not too_big):
        classify(ls, state, size=size)
    if state.skipped:
        if not was_skipped and not ls.pull_diagnostics:
            ls.push(state.uri, [], state.version)
        return
    if ls.pull_diagnostics:
        if had_probe_facts:
            publish_probe_only(ls, state)  # moved, or gone with the lines they pointed at
    elif ls.editor_settings.lint_run == "onType":
        schedule_analysis(ls, state, delay=ls.debounce_seconds)
    else:
        publish(ls, state)  # onSave: show the kept findings where they moved to


@guarded()
def on_did_save(ls: GradlsLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    state = ls.documents.get(params.text_document.uri)
    if state is None or state.skipped:
        return
    if ls.editor_settings.lint_run != "onSave" and state.fresh:
        return
    if not ls.pull_diagnostics:
        schedule_analysis(ls, state, delay=0)
        return

    def refresh(analysis: asyncio.Future) -> None:
        if not analysis.cancelled() and (error := analysis.exception()) is not None:
            ls.log_exception("analysis on save", error)
        elif ls.client_supports("workspace.diagnostics.refresh_support"):
            ls.workspace_diagnostic_refresh(None)

    asyncio.ensure_future(ensure_analysed(ls, state)).add_done_callback(refresh)


@guarded()
def on_did_close(ls: GradlsLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    _forget_finished_requests(ls)
    state = ls.documents.pop(uri, None)
    if state is not None and state.pending is not None:
        state.pending.cancel()
    if not ls.pull_diagnostics or uri in ls.pushed_uris or (state and state.probe_facts):
        ls.push(uri, [], None)
    ls.pushed_uris.discard(uri)


# ---------------------------------------------------------------- analysis
def schedule_analysis(ls: GradlsLanguageServer, state: DocumentState, delay: float) -> None:
    if state.pending is not None and not state.pending.done():
        state.pending.cancel()
    state.pending = asyncio.ensure_future(_debounced_analysis(ls, state, delay))


async def _debounced_analysis(ls: GradlsLanguageServer, state: DocumentState, delay: float) -> None:
    try:
        if delay > 0:
            await asyncio.sleep(delay)
        await ensure_analysed(ls, state)
    except asyncio.CancelledError:
        return  # a newer edit rescheduled it
    except Exception as e:
        ls.log_exception("analysis", e)
        return
    if ls.documents.get(state.uri) is state and not ls.pull_diagnostics:
        publish(ls, state)


async def ensure_analysed(ls: GradlsLanguageServer, state: DocumentState) -> None:
    """Analyse the document's current text unless that was already done; shares in-flight work."""
    version = state.version
    if state.analysed_version == version or state.skipped:
        return
    future = state.in_flight.get(version)
    if future is None:
        source = ls.text_of(state.uri)
        config = ls.config_for(state.path)
        future = asyncio.get_running_loop().run_in_executor(
            ls.analysis_executor, _analyse_if_current, ls, state, version, source, config
        )
        state.in_flight = {version: future}
    result = await asyncio.shield(future)
    state.in_flight.pop(version, None)
    if result is None or ls.documents.get(state.uri) is not state or state.version != version:
        return  # the document changed while we analysed: this result is for old text, drop it
    state.analysed_version = version
    state.failure = result.failure
    # A text that does not parse (mid-edit) keeps the last good findings, shifted.
    if result.failure is None:
        state.findings = result.findings
        state.fresh = True
        if drop_stale_probe_facts(state) and ls.pull_diagnostics:
            publish_probe_only(ls, state)
    state.generation += 1


def _analyse_if_current(
    ls: GradlsLanguageServer, state: DocumentState, version: int, source: str, config: Config
) -> AnalysisResult | None:
    """Worker thread: analyse, unless the document moved on while this job waited in the queue.

    Jobs cannot be cancelled once queued (they are shielded for other awaiters), so without this
    check every keystroke that outlived the debounce queued a whole-file analysis, and under
    load the queue (and the lag behind typing) grew without bound.
    """
    if state.version != version or ls.documents.get(state.uri) is not state:
        return None
    return analyse(source, state.path, config)


# ---------------------------------------------------------------- diagnostics
def diagnostics_for(
    ls: GradlsLanguageServer, state: DocumentState, index: LineIndex | None = None
) -> list[lsp.Diagnostic]:
    """Static findings, and the parse failure when the text does not parse."""
    if state.skipped or not (state.findings or state.failure):
        return []
    if index is None:
        index = LineIndex(ls.text_of(state.uri), ls.encoding)
    config = ls.config_for(state.path)
    out = [ls.diagnostic(f, index, config, state.version) for f in state.findings]
    if state.failure is not None:
        out.append(failure_to_diagnostic(state.failure, index))
    return out


def probe_diagnostics_for(state: DocumentState, index: LineIndex) -> list[lsp.Diagnostic]:
    return [probe_fact_to_diagnostic(fact, index, state.uri) for fact in state.probe_facts]


def publish(ls: GradlsLanguageServer, state: DocumentState) -> None:
    """Push mode: static findings and probe facts for a document, tagged with its version."""
    if state.skipped or not (state.findings or state.failure or state.probe_facts):
        ls.push(state.uri, [], state.version)
        return
    index = LineIndex(ls.text_of(state.uri), ls.encoding)
    ls.push(state.uri, diagnostics_for(ls, state, index) + probe_diagnostics_for(state, index), state.version)


def publish_probe_only(ls: GradlsLanguageServer, state: DocumentState) -> None:
    """Pull mode: the probe's facts are the one collection pushed."""
    index = LineIndex(ls.text_of(state.uri), ls.encoding)
    ls.push(state.uri, probe_diagnostics_for(state, index), state.version)
    ls.pushed_uris.add(state.uri)


def show(ls: GradlsLanguageServer, state: DocumentState) -> None:
    """New probe facts: pushed beside the pulled diagnostics, or with the pushed ones."""
    if ls.pull_diagnostics:
        publish_probe_only(ls, state)
    else:
        publish(ls, state)


@guarded(fallback=lambda: lsp.RelatedFullDocumentDiagnosticReport(items=[]))
async def on_pull_diagnostics(
    ls: GradlsLanguageServer, params: lsp.DocumentDiagnosticParams
) -> lsp.RelatedFullDocumentDiagnosticReport | lsp.RelatedUnchangedDocumentDiagnosticReport:
    state = ls.documents.get(params.text_document.uri)
    if state is None or state.skipped:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    if ls.editor_settings.lint_run == "onType" or state.analysed_version is None:
        await ensure_analysed(ls, state)
    if params.previous_result_id is not None and params.previous_result_id == state.result_id:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=state.result_id)
    return lsp.RelatedFullDocumentDiagnosticReport(items=diagnostics_for(ls, state), result_id=state.result_id)
