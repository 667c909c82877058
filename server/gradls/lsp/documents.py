"""Open documents: didOpen / didChange / didSave / didClose, their analysis, and their diagnostics
(pushed with textDocument/publishDiagnostics, or pulled with textDocument/diagnostic).

A file that does not parse gets one Error diagnostic at the syntax error ("gradls cannot analyse
this file: ..."), next to the last good findings, which are kept and moved with the edits.

Open files are analysed as one program with their project (`analysis/project.py`): a document's text
(when it parses) overrides its file on disk in the project's `ProjectIndex`, and goes back to the disk
when the document is closed.  When that changes the module's summary (a class's base, its weights, a
re-export), the other open documents importing it are checked again, so a squiggle in `train.py`
follows an unsaved edit of `model.py`; so are the open documents it imports, whose Keras layers' `call`
parameters hold what this module passes them.  Closed files are never checked for this.

Per keystroke the server does the analysis and little else: the edited top-level statement is re-parsed alone
and spliced into the last tree where that is exactly `ast.parse` of the text (`incremental.py`), and the module's
summary (as costly as an analysis) is computed only when an open document imports it, else before another
document's analysis reads the project index or once the document has been quiet for SUMMARY_IDLE_SECONDS.
"""

from __future__ import annotations

import ast
import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from gradls.analysis.model import AnalysisResult
from gradls.analysis.project import ProjectIndex, project_for
from gradls.config import Config
from gradls.lsp.diagnostics import (
    DocumentState,
    drop_stale_probe_facts,
    failure_to_diagnostic,
    probe_fact_to_diagnostic,
    shift_for_change,
)
from gradls.lsp.guard import guarded
from gradls.lsp.incremental import splice_parse
from gradls.lsp.positions import LineIndex
from gradls.lsp.server import GradlsLanguageServer
from gradls.lsp.settings import is_excluded_by_editor

if TYPE_CHECKING:
    from gradls.analysis.module import ModuleInfo

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


def analyse(
    source: str, path: str | None, config: Config, project: ProjectIndex | bool | None = None
) -> AnalysisResult:
    """`project`: the index of the file's project; None: the one holding `path` on disk; False: none."""
    from gradls.analysis import analyze

    return analyze(source, path, config, project)


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
    ls.bump_import_epoch()
    for state in list(ls.documents.values()):
        classify(ls, state, size=len(ls.text_of(state.uri)))
        state.fresh = False
        state.analysed_version = None
        state.module = state.module_version = None  # built under the old settings
        state.generation += 1
        if not ls.pull_diagnostics:
            schedule_analysis(ls, state, delay=0)
    from gradls.lsp import notebooks

    notebooks.rediagnose_all(ls)
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
    ls.bump_import_epoch()  # one more document that may import another
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
        # A keystroke after a quiet spell, with no analysis of this document queued or running, is analysed at
        # once; one within the debounce of the last (a burst sent together) waits for the burst to end.
        now = time.monotonic()
        quiet = now - state.last_change >= ls.debounce_seconds and not state.in_flight
        state.last_change = now
        schedule_analysis(ls, state, delay=0 if quiet else ls.debounce_seconds)
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
    ls.recheck_epochs.pop(uri, None)
    ls.bump_import_epoch()
    if state is not None and state.pending is not None:
        state.pending.cancel()
    if state is not None and state.path is not None:
        # After any analysis of this document still queued (it finds the document closed and skips).
        loop = asyncio.get_running_loop()
        ls.analysis_executor.submit(_back_to_disk, ls, loop, state.path, open_modules(ls))
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
        # Bumped when a module this document imports changed: a result computed before is dropped.
        epoch = ls.recheck_epochs.get(state.uri, 0)
        source = ls.text_of(state.uri)
        config = ls.config_for(state.path)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            ls.analysis_executor, _analyse_if_current, ls, state, version, epoch, source, config, loop
        )
        # Registered before any awaiter's: the outcome is taken (or retired) exactly once, whether or not anyone
        # still awaits it.  Awaiters are cancelled all the time (the next keystroke reschedules the debounced
        # analysis); an outcome that only an awaiter looked at was then never retired, and its ModuleInfo (tens
        # of thousands of objects in reference cycles) waited for a full pass of the cyclic collector.
        future.add_done_callback(lambda done: _take_outcome(ls, state, version, epoch, source, done))
        state.in_flight = {version: future}
    await asyncio.shield(future)  # raises what the analysis raised


def _take_outcome(
    ls: GradlsLanguageServer,
    state: DocumentState,
    version: int,
    epoch: int,
    source: str,
    future: asyncio.Future[tuple[AnalysisResult, ModuleInfo | None] | None],
) -> None:
    """Event loop, when an analysis job ends: its result becomes the document's, unless the document (or a module
    it imports) changed meanwhile; a ModuleInfo not kept is retired (released on the analysis thread)."""
    if state.in_flight.get(version) is future:
        del state.in_flight[version]
    if future.cancelled() or future.exception() is not None:
        return  # the awaiters raise it
    outcome = future.result()
    if outcome is None:
        return
    result, info = outcome
    if (
        ls.documents.get(state.uri) is not state
        or state.version != version
        or ls.recheck_epochs.get(state.uri, 0) != epoch
        or state.analysed_version == version
    ):
        if info is not None and info is not state.module:
            ls.retired_modules.append(info)  # never kept: freed with the replaced ones (a burst drops many)
            release_soon(ls)
        return  # the document (or a module it imports) changed while we analysed: drop this result
    state.analysed_version = version
    state.failure = result.failure
    # A text that does not parse (mid-edit) keeps the last good findings, shifted.
    if result.failure is None:
        state.findings = result.findings
        state.fresh = True
        keep_module(ls, state, info, version)
        release_soon(ls)
        if drop_stale_probe_facts(state) and ls.pull_diagnostics:
            publish_probe_only(ls, state)
        if state.path is not None and info is not None:
            # After this result is published (the caller does that next): the text for the project index,
            # summarised now only when an open document imports the module (documents that may need it).
            loop = asyncio.get_running_loop()
            imports = tuple(info.imports.raw.values())
            ls.analysis_executor.submit(_note_text, ls, loop, state, source, info.tree, imports)
            loop.call_later(SUMMARY_IDLE_SECONDS, _flush_when_idle, ls, loop, state, version)
    state.generation += 1


# Open documents whose analysed module is kept for hover (the most recently analysed or hovered ones):
# a module of a 7k-line file holds tens of MB, so not one per open document.
MODULES_KEPT = 8


def keep_module(ls: GradlsLanguageServer, state: DocumentState, info: ModuleInfo | None, version: int) -> None:
    """Event loop: `info` becomes the document's module for hover and the next edit's partial parse; the one it
    replaces (and any evicted) is retired, to be released on the analysis thread."""
    if state.module is not None and state.module is not info:
        ls.retired_modules.append(state.module)
    state.module, state.module_version = info, version
    state.module_used = time.monotonic()
    holding = [s for s in ls.documents.values() if s.module is not None]
    if len(holding) > MODULES_KEPT:
        for old in sorted(holding, key=lambda s: s.module_used)[: len(holding) - MODULES_KEPT]:
            if old.module is not None:
                ls.retired_modules.append(old.module)
            old.module = old.module_version = None


def release_soon(ls: GradlsLanguageServer) -> None:
    """Event loop: the retired modules are released by a job of their own on the analysis thread, queued now, so
    while the diagnostics are published, not at the start of the next keystroke's analysis (0.6-1 ms of every
    array_ops.py edit's latency, more for a module with more findings)."""
    if ls.retired_modules:
        ls.analysis_executor.submit(release_retired_modules, ls)


def release_retired_modules(ls: GradlsLanguageServer) -> None:
    """Analysis thread, in a job of its own (`release_soon`) and before every analysis job: free the modules
    `keep_module` replaced and the outcomes no document kept.  A module holds reference cycles
    of tens of thousands of objects that only a full pass of the cyclic collector would free, so the server's
    memory grew by tens of MB over a few thousand edits.  Safe here: only an earlier job on this (single)
    thread could still have been reading a retired module, and hover reads the current one on the event loop
    without yielding in between."""
    while ls.retired_modules:  # only this thread pops: the event loop only appends
        ls.retired_modules.pop().release()


def _analyse_if_current(
    ls: GradlsLanguageServer,
    state: DocumentState,
    version: int,
    epoch: int,
    source: str,
    config: Config,
    loop: asyncio.AbstractEventLoop,
) -> tuple[AnalysisResult, ModuleInfo | None] | None:
    """Worker thread: analyse, unless the document moved on while this job waited in the queue.

    Jobs cannot be cancelled once queued (they are shielded for other awaiters), so without this
    check every keystroke that outlived the debounce queued a whole-file analysis, and under
    load the queue (and the lag behind typing) grew without bound.
    """
    from gradls.analysis.engine import analyze_module

    release_retired_modules(ls)
    if (
        state.version != version
        or ls.documents.get(state.uri) is not state
        or ls.recheck_epochs.get(state.uri, 0) != epoch
    ):
        return None  # edited, closed, or an imported module changed again: a newer job is on its way
    # The last analysed tree (the diagnostics run's, or a hover's) is the base the edited statement is spliced
    # into; None: parse the whole text.
    base = state.module
    parsed = splice_parse(base.source, base.tree, source) if base is not None else None
    if state.path is None:  # untitled: a file of its own
        return analyze_module(source, None, config, False, parsed)
    # Other documents' texts go to the project first: this analysis sees what a fresh one would.
    flush_pending(ls, loop, but=state)
    project = project_for(state.path, ls.workspace_roots())
    return analyze_module(source, state.path, config, project, parsed)


# Quiet time after which a document's text is handed to its project even when no open document imports it
# (a hover or a workspace check of another file then sees it).
SUMMARY_IDLE_SECONDS = 0.5


def _note_text(
    ls: GradlsLanguageServer,
    loop: asyncio.AbstractEventLoop,
    state: DocumentState,
    source: str,
    tree: ast.Module,
    imports: Sequence[tuple[int, str]] = (),
) -> None:
    """Worker thread: a text that parsed is to become the module's text in its project; a half-typed one does
    not (the importers keep seeing the last good text instead of flickering with every keystroke).

    Summarising a module costs about as much as analysing it (a whole `ModuleInfo`), so it is done at once only
    when an open document imports this module (its squiggles may depend on the summary: re-checked when the
    summary changed).  Otherwise the text waits in `summary_pending` until another document is analysed
    (`flush_pending` first), or the document has been quiet for SUMMARY_IDLE_SECONDS."""
    if ls.documents.get(state.uri) is not state or state.path is None:
        return  # closed meanwhile: its module is the file on disk again
    if source is state.handed_text or source == state.handed_text:
        state.summary_pending = None  # the project has this text already (a re-check of an importer)
        return
    state.summary_pending = (source, tree)
    try:
        if _imported_by_an_open_document(ls, state) or _imports_an_open_document(ls, state, imports):
            _hand_to_project(ls, loop, state)
    except Exception as e:
        loop.call_soon_threadsafe(ls.log_exception, "summarising a document", e)


def _imported_by_an_open_document(ls: GradlsLanguageServer, state: DocumentState) -> bool:
    """Worker thread: whether an open document imports this one's module.  Kept per document while
    `ls.import_epoch` stays the same (no document opened or closed, no summary changed): asking resolves every
    other open document's imports, which the next keystroke should not wait for."""
    epoch = ls.import_epoch
    if state.imported_at is not None and state.imported_at[0] == epoch:
        return state.imported_at[1]
    assert state.path is not None
    project = project_for(state.path, ls.workspace_roots())
    found = bool(importers(project, state.path, open_modules(ls, but=state)))
    state.imported_at = (epoch, found)
    return found


def _imports_an_open_document(
    ls: GradlsLanguageServer, state: DocumentState, imports: Sequence[tuple[int, str]]
) -> bool:
    """Worker thread: whether this document imports an open one, whose findings may rest on what this module
    passes it (a Keras layer's `call` parameters hold what its callers pass: `ProjectIndex.users`).  Kept per
    document with its import set while `ls.import_epoch` stays the same, as `_imported_by_an_open_document`:
    resolving the imports against every open document's file cost every keystroke a pass over the workspace,
    and a keystroke almost never changes what a module imports."""
    if not imports or state.path is None:
        return False
    epoch, wanted = ls.import_epoch, frozenset(imports)
    kept = state.imports_open_at
    if kept is not None and kept[0] == epoch and kept[1] == wanted:
        return kept[2]
    project = project_for(state.path, ls.workspace_roots())
    found = bool(imported(project, state.path, imports, open_modules(ls, but=state)))
    state.imports_open_at = (epoch, wanted, found)
    return found


def _hand_to_project(ls: GradlsLanguageServer, loop: asyncio.AbstractEventLoop, state: DocumentState) -> None:
    """Worker thread: the pending text becomes the module's text in its project; the open documents importing it
    are checked again when that changed the module's summary."""
    pending, state.summary_pending = state.summary_pending, None
    if pending is None or state.path is None or ls.documents.get(state.uri) is not state:
        return
    project = project_for(state.path, ls.workspace_roots())
    state.handed_text = pending[0]
    if project.set_text(state.path, pending[0], pending[1]):
        ls.bump_import_epoch()  # what this module exports (or imports) may differ now
        _recheck_later(ls, loop, project, state.path, open_modules(ls, but=state))


def flush_pending(ls: GradlsLanguageServer, loop: asyncio.AbstractEventLoop, but: DocumentState | None = None) -> None:
    """Worker thread, before an analysis that reads the project index: every open document's pending text into
    its project (`but` left out)."""
    for other in list(ls.documents.values()):
        if other is not but and other.summary_pending is not None:
            _hand_to_project_logged(ls, loop, other)


def _hand_to_project_logged(ls: GradlsLanguageServer, loop: asyncio.AbstractEventLoop, state: DocumentState) -> None:
    """Worker thread: `_hand_to_project`, a failure logged on the event loop instead of ending the job."""
    try:
        _hand_to_project(ls, loop, state)
    except Exception as e:
        loop.call_soon_threadsafe(ls.log_exception, "summarising a document", e)


def _flush_when_idle(
    ls: GradlsLanguageServer, loop: asyncio.AbstractEventLoop, state: DocumentState, version: int
) -> None:
    """Event loop: the document has not changed since `version` was analysed: its text goes to the project."""
    if state.version == version and ls.documents.get(state.uri) is state:
        ls.analysis_executor.submit(_hand_to_project_logged, ls, loop, state)


def _back_to_disk(
    ls: GradlsLanguageServer, loop: asyncio.AbstractEventLoop, path: str, others: Sequence[tuple[str, str]]
) -> None:
    """Worker thread: a closed document's module is its file on disk again."""
    try:
        project = project_for(path, ls.workspace_roots())
        if project.set_text(path, None):
            ls.bump_import_epoch()
            _recheck_later(ls, loop, project, path, others)
    except Exception as e:
        loop.call_soon_threadsafe(ls.log_exception, "closing a document", e)


# ---------------------------------------------------------------- importers of an edited module
def open_modules(ls: GradlsLanguageServer, but: DocumentState | None = None) -> list[tuple[str, str]]:
    """(uri, path) of the open, analysed documents that are files, `but` left out."""
    return [(s.uri, s.path) for s in ls.documents.values() if s is not but and s.path and not s.skipped]


def importers(project: ProjectIndex, path: str, others: Sequence[tuple[str, str]]) -> list[str]:
    """URIs among `others` whose module imports the module at `path` (worker thread: may summarise).

    An import of a package counts when `path` lies in that package (its `__init__.py` may re-export
    from it).  Modules importing it only through another closed module are not found; an imported
    module that is open is re-checked in its turn when its own summary changes."""
    target = Path(path).resolve()
    # The last part of a module path that can lead to `target`: its own name, or a package above it.
    names = {target.stem, *(p.name for p in target.parents)}
    out = []
    for uri, other in others:
        if Path(other).resolve() == target or not project.contains(other):
            continue
        summary = project.summary(other)
        if summary is not None and any(
            _imports_file(project, other, level, dotted, target, names) for level, dotted in summary.imports.values()
        ):
            out.append(uri)
    return out


def imported(
    project: ProjectIndex, path: str, imports: Sequence[tuple[int, str]], others: Sequence[tuple[str, str]]
) -> list[str]:
    """URIs among `others` whose module the module at `path` imports (`imports`: its (level, dotted) pairs).

    The imported module's analysis reads what its importers pass it (`ProjectIndex.users`), so it is re-checked
    when an importer's summary changes, as an importer is when the module it imports changes."""
    here = Path(path).resolve()
    out = []
    for uri, other in others:
        target = Path(other).resolve()
        if target == here or not project.contains(other):
            continue
        names = {target.stem, *(p.name for p in target.parents)}
        if any(_imports_file(project, path, level, dotted, target, names) for level, dotted in imports):
            out.append(uri)
    return out


def _imports_file(project: ProjectIndex, importer: str, level: int, dotted: str, target: Path, names: set[str]) -> bool:
    parts = dotted.split(".")
    # `import pkg.layers` / `from . import layers` name the module; `from layers import Base` names
    # something in it.
    for cut in (len(parts), len(parts) - 1):
        module = ".".join(parts[:cut])
        if not module and not level:
            continue
        if module and parts[cut - 1] not in names:
            continue  # `import tensorflow`: no file resolution needed to see it is not `target`
        found = project.module_file(importer, level, module)
        if found is None:
            continue
        if found == target or (found.name == "__init__.py" and found.parent in target.parents):
            return True
    return False


def _recheck_later(
    ls: GradlsLanguageServer,
    loop: asyncio.AbstractEventLoop,
    project: ProjectIndex,
    path: str,
    others: Sequence[tuple[str, str]],
) -> None:
    uris = importers(project, path, others)
    summary = project.summary(path)
    if summary is not None:
        uris += [u for u in imported(project, path, tuple(summary.imports.values()), others) if u not in uris]
    if uris:
        loop.call_soon_threadsafe(recheck, ls, uris)


def recheck(ls: GradlsLanguageServer, uris: Sequence[str]) -> None:
    """A module these open documents import, or one importing them, changed: analyse them again (their text did
    not change)."""
    refresh = False
    for uri in uris:
        state = ls.documents.get(uri)
        if state is None or state.skipped:
            continue  # closed meanwhile: closed files are not checked
        ls.recheck_epochs[uri] = ls.recheck_epochs.get(uri, 0) + 1
        state.analysed_version = None
        state.in_flight = {}
        state.module = state.module_version = None  # its facts may rest on the old summary
        state.fresh = False
        state.generation += 1
        if ls.pull_diagnostics:
            refresh = True
        else:
            # No debounce: the edit that changed the summary was debounced already.  A job made stale by
            # a later change of the summary finds its epoch moved on and skips (_analyse_if_current).
            schedule_analysis(ls, state, delay=0)
    if refresh:
        _refresh_pulled(ls, "an imported module changed")


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
    if state is None:
        from gradls.lsp import notebooks

        if notebooks.notebook_of_cell(ls, params.text_document.uri) is not None:
            return await notebooks.pull(ls, params)  # a notebook cell
    if state is None or state.skipped:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    if ls.editor_settings.lint_run == "onType" or state.analysed_version is None:
        await ensure_analysed(ls, state)
    if params.previous_result_id is not None and params.previous_result_id == state.result_id:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=state.result_id)
    return lsp.RelatedFullDocumentDiagnosticReport(items=diagnostics_for(ls, state), result_id=state.result_id)
