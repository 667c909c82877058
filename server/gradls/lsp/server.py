"""The gradls language server: `GradlsLanguageServer` holds all state; handlers are its methods.

Threading model: pygls runs handlers on one asyncio loop.  Analysis (pure, CPU-bound) runs on a
single dedicated worker thread so typing never waits behind it; every result carries the
document version it was computed for and is dropped if the document moved on meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from gradls import __version__
from gradls.analysis.model import Finding
from gradls.config import Config
from gradls.lsp import code_actions as actions
from gradls.lsp.diagnostics import (
    SOURCE,
    DocumentState,
    finding_from_diagnostic,
    finding_to_diagnostic,
    plain_data,
    probe_fact_to_diagnostic,
    shift_for_change,
)
from gradls.lsp.positions import LineIndex, normalise_encoding
from gradls.lsp.protocol import GradlsProtocol
from gradls.lsp.settings import (
    EditorSettings,
    FileConfigCache,
    is_excluded_by_editor,
    merge,
    parse_settings,
)

# Files above this are skipped in the editor (the CLI still checks them).
MAX_DOCUMENT_BYTES = 1_000_000
# Quiet time after a keystroke before analysing; short, so squiggles follow typing closely.
DEFAULT_DEBOUNCE_SECONDS = 0.02
PYTHON_SUFFIXES = (".py", ".pyi")
CHECK_WORKSPACE_COMMAND = "gradls.server.checkWorkspace"
RUN_PROBE_COMMAND = "gradls.server.runProbe"
RUN_PROBE_REQUEST = "gradls/runProbe"
SERVER_INFO_REQUEST = "gradls/serverInfo"
PYPROJECT_GLOB = "**/pyproject.toml"
# Folders never walked by the workspace check.
SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "site-packages",
    "build",
    "dist",
}

_LOG_LEVELS = {
    "error": lsp.MessageType.Error,
    "warning": lsp.MessageType.Warning,
    "info": lsp.MessageType.Info,
    "log": lsp.MessageType.Log,
}
# showNotifications setting -> the message levels that also pop up a window/showMessage.
_NOTIFY_LEVELS = {
    "off": set(),
    "onError": {"error"},
    "onWarning": {"error", "warning"},
    "always": {"error", "warning", "info"},
}


def guarded(fallback: Any = None):
    """Catch any exception in a handler, log its traceback to the client, and carry on.

    Protocol errors meant for the client (JsonRpcException) and cancellation pass through.
    """

    def deco(fn):
        if asyncio.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(self, *args, **kwargs):
                try:
                    return await fn(self, *args, **kwargs)
                except (JsonRpcException, asyncio.CancelledError):
                    raise
                except Exception as e:
                    self.log_exception(fn.__name__, e)
                    return fallback() if callable(fallback) else fallback

            return async_wrapper

        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            try:
                return fn(self, *args, **kwargs)
            except JsonRpcException:
                raise
            except Exception as e:
                self.log_exception(fn.__name__, e)
                return fallback() if callable(fallback) else fallback

        return wrapper

    return deco


class GradlsLanguageServer(LanguageServer):
    def __init__(self, debounce_seconds: float = DEFAULT_DEBOUNCE_SECONDS):
        super().__init__(
            "gradls",
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            max_workers=4,
            protocol_cls=GradlsProtocol,
        )
        self.debounce_seconds = debounce_seconds
        self.documents: dict[str, DocumentState] = {}
        self.editor_settings = EditorSettings()
        self.trusted = False
        self.file_configs = FileConfigCache()
        self.pull_diagnostics = False
        self.encoding = "utf-16"
        # URIs we pushed diagnostics for in pull mode (workspace check, probe): cleared on open/close.
        self.pushed_uris: set[str] = set()
        self._doc_links: dict[str, str | None] = {}
        self._analysis_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradls-analysis")
        # Fixes (libcst, whole-file parses) get their own thread so the lightbulb never delays squiggles.
        self._fix_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradls-fixes")
        self._started = time.monotonic()
        self._changes_seen = 0
        from gradls.lsp.probe import ProbeService

        self.probe = ProbeService(self)
        self._register()

    # ---------------------------------------------------------------- registration
    def _register(self) -> None:
        def f(name, options=None):
            return lambda method: self.feature(name, options)(_as_function(method))

        def command(name):
            return lambda method: self.command(name)(_as_function(method))

        f(lsp.INITIALIZE)(self.on_initialize)
        f(lsp.INITIALIZED)(self.on_initialized)
        f(lsp.SHUTDOWN)(self.on_shutdown)
        f(lsp.TEXT_DOCUMENT_DID_OPEN)(self.on_did_open)
        f(lsp.TEXT_DOCUMENT_DID_CHANGE)(self.on_did_change)
        f(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))(self.on_did_save)
        f(lsp.TEXT_DOCUMENT_DID_CLOSE)(self.on_did_close)
        f(
            lsp.TEXT_DOCUMENT_DIAGNOSTIC,
            lsp.DiagnosticOptions(identifier="gradls", inter_file_dependencies=False, workspace_diagnostics=False),
        )(self.on_pull_diagnostics)
        f(
            lsp.TEXT_DOCUMENT_CODE_ACTION,
            lsp.CodeActionOptions(
                code_action_kinds=[
                    lsp.CodeActionKind.QuickFix,
                    actions.FIX_ALL_KIND,
                    lsp.CodeActionKind.RefactorRewrite,
                ],
                resolve_provider=True,
            ),
        )(self.on_code_action)
        f(lsp.CODE_ACTION_RESOLVE)(self.on_code_action_resolve)
        f(lsp.TEXT_DOCUMENT_HOVER)(self.on_hover)
        f(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)(self.on_did_change_configuration)
        f(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)(self.on_did_change_watched_files)
        f(RUN_PROBE_REQUEST)(self.on_run_probe_request)
        f(SERVER_INFO_REQUEST)(self.on_server_info)
        command(CHECK_WORKSPACE_COMMAND)(self.cmd_check_workspace)
        command(RUN_PROBE_COMMAND)(self.cmd_run_probe)

    # ---------------------------------------------------------------- logging
    def log(self, message: str, level: str = "info") -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=_LOG_LEVELS[level], message=message))
            if level in _NOTIFY_LEVELS.get(self.editor_settings.show_notifications, set()):
                self.window_show_message(lsp.ShowMessageParams(type=_LOG_LEVELS[level], message=f"gradls: {message}"))
        except Exception:  # no writer yet (unit use) or the pipe is gone: nothing more to do
            print(f"gradls [{level}] {message}", file=sys.stderr)

    def log_exception(self, where: str, error: BaseException) -> None:
        tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.log(f"internal error in {where}: {type(error).__name__}: {error}\n{tb}", "error")

    def report_server_error(self, error: Exception, source) -> None:
        # pygls' default pops up a window/showMessage for every error; gradls logs instead and
        # lets showNotifications decide about pop-ups.
        if isinstance(error, JsonRpcException) and not isinstance(error, JsonRpcInternalError):
            # A deliberate error response (refused probe, bad params): the client has the message.
            self.log(f"request refused: {error}", "log")
            return
        self.log_exception(getattr(source, "__name__", str(source)), error)

    # ---------------------------------------------------------------- lifecycle
    @guarded()
    def on_initialize(self, params: lsp.InitializeParams) -> None:
        caps = params.capabilities
        self.pull_diagnostics = bool(caps.text_document and caps.text_document.diagnostic is not None)
        self.encoding = normalise_encoding(self.workspace.position_encoding)
        options = params.initialization_options
        self._init_settings_given = False
        if options is not None:
            options = plain_data(options)
            if isinstance(options, dict):
                self.trusted = options.get("trusted") is True
                if "settings" in options:
                    self._apply_settings(options.get("settings"), origin="initializationOptions")
                    self._init_settings_given = True
            else:
                self.log(
                    f"initializationOptions: expected an object, got {type(options).__name__}; defaults used", "warning"
                )

    @guarded()
    async def on_initialized(self, params: lsp.InitializedParams) -> None:
        caps = self.client_capabilities
        if not self._init_settings_given and self._client_supports("workspace.configuration"):
            await self._pull_configuration(reason="startup")
        if self._client_supports("workspace.did_change_watched_files.dynamic_registration"):
            try:
                await self.client_register_capability_async(
                    lsp.RegistrationParams(
                        registrations=[
                            lsp.Registration(
                                id=f"gradls-pyproject-{uuid.uuid4().hex[:8]}",
                                method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                                    watchers=[lsp.FileSystemWatcher(glob_pattern=PYPROJECT_GLOB)]
                                ),
                            )
                        ]
                    )
                )
            except Exception as e:  # a refusal only means we will not hear about pyproject edits
                self.log(f"could not register a watcher for {PYPROJECT_GLOB}: {e}", "warning")
        else:
            self.log(
                f"client cannot watch files for us; edits to {PYPROJECT_GLOB} apply when a document is reopened", "log"
            )
        del caps
        # Load the rule registry and analysis modules on the analysis thread now, so the first
        # didOpen does not pay for it, and so the registry is never filled from two threads at once.
        asyncio.get_running_loop().run_in_executor(self._analysis_executor, _warm_up)
        self.log(
            f"gradls {__version__} (pygls LSP server) on Python {sys.version.split()[0]} at {sys.executable}; "
            f"cwd {os.getcwd()}; diagnostics: {'pull' if self.pull_diagnostics else 'push'}; "
            f"position encoding: {self.encoding}; workspace trusted: {self.trusted}; "
            f"start-up {time.monotonic() - self._started:.3f}s",
            "info",
        )
        self.log(f"effective editor settings: {json.dumps(self.editor_settings.as_json(), sort_keys=True)}", "info")
        for root in self.workspace_roots():
            cfg, _ = self.file_configs.for_path(os.path.join(root, "__probe_config__.py"))
            self.log(f"workspace {root}: [tool.gradls] from {cfg.source or '(none: defaults)'}", "info")
            for problem in cfg.problems:
                self.log(str(problem), "warning")

    @guarded()
    def on_shutdown(self, params: None) -> None:
        for state in self.documents.values():
            if state.pending is not None:
                state.pending.cancel()
        self.probe.cancel_running()
        self.probe.close_warm_worker()
        self._analysis_executor.shutdown(wait=False, cancel_futures=True)
        self._fix_executor.shutdown(wait=False, cancel_futures=True)

    # ---------------------------------------------------------------- settings
    def _apply_settings(self, raw: Any, origin: str) -> None:
        settings, problems = parse_settings(plain_data(raw))
        self.editor_settings = settings  # first, so showNotifications already applies to its own problems
        for p in problems:
            self.log(f"{origin}: {p}", "warning")
        self.log(f"settings from {origin}: {json.dumps(settings.as_json(), sort_keys=True)}", "log")

    async def _pull_configuration(self, reason: str) -> bool:
        try:
            result = await self.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="gradls")])
            )
        except Exception as e:
            self.log(f"workspace/configuration failed ({reason}): {e}; keeping current settings", "warning")
            return False
        value = plain_data(result[0]) if result else None
        if value is None:
            return False
        self._apply_settings(value, origin=f"workspace/configuration ({reason})")
        return True

    @guarded()
    async def on_did_change_configuration(self, params: lsp.DidChangeConfigurationParams) -> None:
        settings = plain_data(params.settings)
        section = settings.get("gradls") if isinstance(settings, dict) else None
        if isinstance(settings, dict) and isinstance(settings.get("settings"), dict) and section is None:
            section = settings["settings"].get("gradls")  # payload wrapped once more by some clients
        if section is not None:
            self._apply_settings(section, origin="didChangeConfiguration")
        elif self._client_supports("workspace.configuration"):
            if not await self._pull_configuration(reason="didChangeConfiguration"):
                return
        else:
            self.log(
                "didChangeConfiguration without a 'gradls' section and no workspace/configuration support; ignored",
                "log",
            )
            return
        self.rediagnose_all("settings changed")

    @guarded()
    def on_did_change_watched_files(self, params: lsp.DidChangeWatchedFilesParams) -> None:
        changed = [c.uri for c in params.changes if c.uri.endswith("pyproject.toml")]
        if not changed:
            return
        self.file_configs.clear()
        self.log(f"pyproject.toml changed ({', '.join(changed)}); reloading [tool.gradls]", "info")
        self.rediagnose_all("pyproject.toml changed")

    def rediagnose_all(self, reason: str) -> None:
        for state in list(self.documents.values()):
            self._classify(state, size=len(self.workspace.get_text_document(state.uri).source))
            state.fresh = False
            state.analysed_version = None
            state.generation += 1
            if not self.pull_diagnostics:
                self.schedule_analysis(state, delay=0)
        if self.pull_diagnostics:
            if self._client_supports("workspace.diagnostics.refresh_support"):
                self.workspace_diagnostic_refresh(None)
            else:
                self.log(f"{reason}: client cannot refresh pulled diagnostics; they update on the next edit", "log")

    def config_for(self, path: str | None) -> Config:
        if path is None:
            return merge(Config(), self.editor_settings)
        file_config, newly_loaded = self.file_configs.for_path(path)
        if newly_loaded:
            self.log(f"{path}: using [tool.gradls] from {file_config.source}", "info")
            for problem in file_config.problems:
                self.log(str(problem), "warning")
        return merge(file_config, self.editor_settings)

    def workspace_roots(self) -> list[str]:
        roots = []
        for folder in self.workspace.folders.values():
            p = to_fs_path(folder.uri)
            if p:
                roots.append(p)
        if not roots and self.workspace.root_path:
            roots.append(self.workspace.root_path)
        return roots

    def _client_supports(self, dotted: str) -> bool:
        obj: Any = self.client_capabilities
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return False
        return bool(obj)

    # ---------------------------------------------------------------- documents
    def _classify(self, state: DocumentState, language_id: str | None = None, size: int | None = None) -> None:
        """Decide whether a document is analysed; the reason it is not goes to the log once."""
        reason = None
        if language_id is not None and language_id != "python" and not (state.path or "").endswith(PYTHON_SUFFIXES):
            reason = f"not a Python document (languageId {language_id!r})"
        elif size is not None and size > MAX_DOCUMENT_BYTES:
            reason = f"larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB ({size} characters)"
        elif not self.editor_settings.enable:
            reason = "gradls.enable is false"
        elif state.path and is_excluded_by_editor(state.path, self.editor_settings, self.workspace_roots()):
            reason = "matched gradls.exclude"
        elif state.path and self.config_for(state.path).is_excluded(state.path):
            reason = "matched exclude in [tool.gradls]"
        if language_id is None and state.skipped and state.skipped.startswith("not a Python"):
            reason = state.skipped  # the language does not change with settings
        if reason and reason != state.skipped:
            self.log(f"skipping {state.uri}: {reason}", "info")
        state.skipped = reason
        if reason:
            state.findings = []
            state.probe_facts = state.probe_facts if not reason.startswith("not a Python") else []

    @guarded()
    def on_did_open(self, params: lsp.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        state = DocumentState(uri=doc.uri, path=to_fs_path(doc.uri), version=doc.version)
        self.documents[doc.uri] = state
        self._classify(state, language_id=doc.language_id, size=len(doc.text))
        if self.pull_diagnostics and doc.uri in self.pushed_uris:
            # A workspace check pushed diagnostics here; pulled ones take over now (never both).
            self._push(doc.uri, [], doc.version)
            self.pushed_uris.discard(doc.uri)
        if state.skipped:
            if not self.pull_diagnostics:
                self._push(doc.uri, [], doc.version)
            return
        if not self.pull_diagnostics:
            self.schedule_analysis(state, delay=0)

    def _forget_finished_requests(self) -> None:
        """Drop finished futures pygls keeps in protocol._request_futures.

        pygls 2.1 files the future of every notification handled by one of its generator-based
        built-ins (didOpen, didChange, didClose, ...) there and never removes it: one leaked Future
        per keystroke.  Finished futures have no further use (responses pop their own entries and
        tolerate a missing one), so they can go.
        """
        futures = self.protocol._request_futures
        for key in [k for k, f in futures.items() if f.done()]:
            futures.pop(key, None)

    @guarded()
    def on_did_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        self._changes_seen += 1
        if self._changes_seen % 64 == 0:
            self._forget_finished_requests()
        state = self.documents.get(params.text_document.uri)
        if state is None:
            return
        state.version = params.text_document.version
        for change in params.content_changes:
            if isinstance(change, lsp.TextDocumentContentChangePartial):
                r = change.range
                shift_for_change(state, r.start.line, r.end.line, change.text, r.start.character, r.end.character)
            else:  # full text: nothing to shift by, so nothing old can be trusted
                state.findings, state.probe_facts, state.fresh = [], [], False
                state.generation += 1
        was_skipped = state.skipped
        # Only the size can change with an edit; the other reasons change with settings.
        size = len(self.workspace.get_text_document(state.uri).source)
        too_big = size > MAX_DOCUMENT_BYTES
        if (was_skipped is None and too_big) or ((was_skipped or "").startswith("larger than") and not too_big):
            self._classify(state, size=size)
        if state.skipped:
            if not was_skipped and not self.pull_diagnostics:
                self._push(state.uri, [], state.version)
            return
        if self.editor_settings.lint_run == "onType":
            if not self.pull_diagnostics:
                self.schedule_analysis(state, delay=self.debounce_seconds)
        elif not self.pull_diagnostics:
            self.publish(state)  # onSave: show the kept findings where they moved to
        if self.pull_diagnostics and state.probe_facts:
            self.publish_probe_only(state)

    @guarded()
    def on_did_save(self, params: lsp.DidSaveTextDocumentParams) -> None:
        state = self.documents.get(params.text_document.uri)
        if state is None or state.skipped:
            return
        if self.editor_settings.lint_run == "onSave" or not state.fresh:
            if self.pull_diagnostics:
                task = asyncio.ensure_future(self.ensure_analysed(state))
                task.add_done_callback(self._refresh_pull)
            else:
                self.schedule_analysis(state, delay=0)

    def _refresh_pull(self, analysis: asyncio.Future) -> None:
        if not analysis.cancelled() and analysis.exception() is not None:
            self.log_exception("analysis on save", analysis.exception())
            return
        if self._client_supports("workspace.diagnostics.refresh_support"):
            self.workspace_diagnostic_refresh(None)

    @guarded()
    def on_did_close(self, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        self._forget_finished_requests()
        state = self.documents.pop(uri, None)
        if state is not None and state.pending is not None:
            state.pending.cancel()
        if not self.pull_diagnostics or uri in self.pushed_uris or (state and state.probe_facts):
            self._push(uri, [], None)
        self.pushed_uris.discard(uri)

    # ---------------------------------------------------------------- analysis
    def schedule_analysis(self, state: DocumentState, delay: float) -> None:
        if state.pending is not None and not state.pending.done():
            state.pending.cancel()
        state.pending = asyncio.ensure_future(self._debounced_analysis(state, delay))

    async def _debounced_analysis(self, state: DocumentState, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            await self.ensure_analysed(state)
        except asyncio.CancelledError:
            return  # a newer edit rescheduled it
        except Exception as e:
            self.log_exception("analysis", e)
            return
        if self.documents.get(state.uri) is state and not self.pull_diagnostics:
            self.publish(state)

    async def ensure_analysed(self, state: DocumentState) -> None:
        """Analyse the document's current text unless that was already done; shares in-flight work."""
        version = state.version
        if state.analysed_version == version or state.skipped:
            return
        future = state.in_flight.get(version)
        if future is None:
            doc = self.workspace.get_text_document(state.uri)
            source = doc.source
            config = self.config_for(state.path)
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(
                self._analysis_executor, self._analyse_if_current, state, version, source, config
            )
            state.in_flight = {version: future}
        result = await asyncio.shield(future)
        state.in_flight.pop(version, None)
        if result is None or self.documents.get(state.uri) is not state or state.version != version:
            return  # the document changed while we analysed: this result is for old text, drop it
        state.analysed_version = version
        if result.failure is None:
            state.findings = result.findings
            state.fresh = True
        # else: the text does not parse (mid-edit); the kept, shifted findings stand.
        state.generation += 1

    def _analyse_if_current(self, state: DocumentState, version: int, source: str, config: Config):
        """Worker thread: analyse, unless the document moved on while this job waited in the queue.

        Jobs cannot be cancelled once queued (they are shielded for other awaiters), so without this
        check every keystroke that outlived the debounce queued a whole-file analysis, and under
        load the queue (and the lag behind typing) grew without bound.
        """
        if state.version != version or self.documents.get(state.uri) is not state:
            return None
        return _analyse(source, state.path, config)

    def diagnostics_for(self, state: DocumentState, index: LineIndex | None = None) -> list[lsp.Diagnostic]:
        if state.skipped or not state.findings:
            return []
        if index is None:
            index = LineIndex(self.workspace.get_text_document(state.uri).source, self.encoding)
        config = self.config_for(state.path)
        return [
            finding_to_diagnostic(
                f, index, config.severity_for(f.code, default_severity(f.code)), self.doc_link(f.code), state.version
            )
            for f in state.findings
        ]

    def probe_diagnostics_for(self, state: DocumentState, index: LineIndex) -> list[lsp.Diagnostic]:
        if not state.probe_facts:
            return []
        out = []
        for fact in state.probe_facts:
            related = sorted(state.findings, key=lambda f: abs(f.span.line - fact.line))[:5]
            related = [(f, index.range(f.span)) for f in related]
            out.append(probe_fact_to_diagnostic(fact, index, state.uri, related))
        return out

    def publish(self, state: DocumentState) -> None:
        """Push mode: static findings and probe facts for a document, tagged with its version."""
        if state.skipped or not (state.findings or state.probe_facts):
            self._push(state.uri, [], state.version)
            return
        index = LineIndex(self.workspace.get_text_document(state.uri).source, self.encoding)
        self._push(
            state.uri, self.diagnostics_for(state, index) + self.probe_diagnostics_for(state, index), state.version
        )

    def publish_probe_only(self, state: DocumentState) -> None:
        """Pull mode: the probe's facts are the one collection pushed."""
        index = LineIndex(self.workspace.get_text_document(state.uri).source, self.encoding)
        self._push(state.uri, self.probe_diagnostics_for(state, index), state.version)
        self.pushed_uris.add(state.uri)

    def _push(self, uri: str, diagnostics: list[lsp.Diagnostic], version: int | None) -> None:
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def doc_link(self, code: str) -> str | None:
        if code not in self._doc_links:
            from gradls.analysis.rules import get_rule

            rule = get_rule(code)
            path = rule.doc_path if rule is not None else None
            if path is None or not path.is_file():
                return None  # not cached: the page (or the rule registry) may still appear
            self._doc_links[code] = path.resolve().as_uri()
        return self._doc_links[code]

    @guarded(fallback=lambda: lsp.RelatedFullDocumentDiagnosticReport(items=[]))
    async def on_pull_diagnostics(self, params: lsp.DocumentDiagnosticParams):
        state = self.documents.get(params.text_document.uri)
        if state is None or state.skipped:
            return lsp.RelatedFullDocumentDiagnosticReport(items=[])
        if self.editor_settings.lint_run == "onType" or state.analysed_version is None:
            await self.ensure_analysed(state)
        if params.previous_result_id is not None and params.previous_result_id == state.result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=state.result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=self.diagnostics_for(state), result_id=state.result_id)

    # ---------------------------------------------------------------- hover
    @guarded()
    def on_hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        state = self.documents.get(params.text_document.uri)
        if state is None or state.skipped or not state.findings:
            return None
        index = LineIndex(self.workspace.get_text_document(state.uri).source, self.encoding)
        line, col = index.code_point(params.position)
        hits = [f for f in state.findings if _span_contains(f.span, line, col)]
        if not hits:
            return None
        from gradls.analysis.rules import get_rule

        parts = []
        for f in hits:
            rule = get_rule(f.code)
            if rule is None:
                parts.append(f"**{f.code}** {f.message}")
                continue
            link = self.doc_link(f.code)
            head = f"**{f.code}** `{rule.name}`: {rule.summary}"
            parts.append(
                "\n\n".join(
                    p
                    for p in (head, _prevented_error(rule.documentation()), f"[Documentation]({link})" if link else "")
                    if p
                )
            )
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=index.range(hits[0].span),
        )

    # ---------------------------------------------------------------- code actions
    @guarded(fallback=list)
    async def on_code_action(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        state = self.documents.get(params.text_document.uri)
        if state is None or state.skipped:
            return []
        only = list(params.context.only) if params.context.only else None
        await self.ensure_analysed(state)
        doc = self.workspace.get_text_document(state.uri)
        if not state.fresh or state.analysed_version != state.version:
            return []  # the text does not parse (or moved on): no edit could be checked
        source = doc.source
        version = state.version
        index = LineIndex(source, self.encoding)
        req = index.span(params.range)
        out: list[lsp.CodeAction] = []
        by_range = {(_range_key(d.range), d.code): d for d in params.context.diagnostics if d.source == SOURCE}
        versioned = self._client_supports("workspace.workspace_edit.document_changes")
        wants_quickfix = actions.kind_requested(lsp.CodeActionKind.QuickFix, only)

        targets = [f for f in state.findings if _spans_overlap(f.span, req)]
        for d in params.context.diagnostics:  # a diagnostic the client still shows for this version
            rebuilt = finding_from_diagnostic(d)
            if rebuilt and rebuilt[1] == state.version and rebuilt[0] not in targets and rebuilt[0] in state.findings:
                targets.append(rebuilt[0])
        config = self.config_for(state.path)
        if wants_quickfix and targets:
            computed = await self._finding_actions(state, version, source, targets)
            if state.version != version:
                return []  # edited while we computed: these edits are for text that is gone
            for f in targets:
                fix, suppression = computed.get(f, (None, None))
                rng = index.range(f.span)
                diag = by_range.get((_range_key(rng), f.code)) or finding_to_diagnostic(
                    f, index, config.severity_for(f.code, default_severity(f.code)), self.doc_link(f.code), version
                )
                if fix is not None:
                    out.append(
                        lsp.CodeAction(
                            title=f"gradls ({f.code}): {fix.title}",
                            kind=lsp.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            is_preferred=fix.safe,
                            edit=actions.workspace_edit(
                                state.uri, version, actions.to_text_edits(fix.edits, index), versioned
                            ),
                        )
                    )
                if suppression is not None:
                    out.append(
                        lsp.CodeAction(
                            title=f"gradls ({f.code}): Disable for this line",
                            kind=lsp.CodeActionKind.QuickFix,
                            diagnostics=[diag],
                            edit=actions.workspace_edit(
                                state.uri, version, actions.to_text_edits(suppression.edits, index), versioned
                            ),
                        )
                    )
        # Without codeAction/resolve the whole-file edit would be built on every lightbulb request:
        # then fix-all is only offered when asked for by kind (on save, "Source Action...").
        lazy_fix_all = self._client_supports_resolve_edit()
        if actions.kind_requested(actions.FIX_ALL_KIND, only) and (only is not None or (targets and lazy_fix_all)):
            # Offered when some finding has a fix; the edit (safe fixes only) is built on resolve,
            # so the lightbulb never pays for rewriting the whole file.
            if any(f.fixable for f in state.findings):
                action = lsp.CodeAction(
                    title="gradls: Fix all safely fixable problems",
                    kind=actions.FIX_ALL_KIND,
                    data={"uri": state.uri, "version": state.version, "action": "fixAll"},
                )
                if not lazy_fix_all:
                    action = await self.on_code_action_resolve(action)
                if action.edit is not None or action.data is not None:
                    out.append(action)
        if actions.kind_requested(lsp.CodeActionKind.RefactorRewrite, only):
            loop = asyncio.get_running_loop()
            fix = await loop.run_in_executor(self._fix_executor, _cond_rewrite, source, req.line, req.col, config)
            if fix is not None and state.version == version:  # else the edit is for text that is gone
                out.append(
                    lsp.CodeAction(
                        title=f"gradls: {fix.title}" if fix.title else "gradls: Rewrite as tf.cond",
                        kind=lsp.CodeActionKind.RefactorRewrite,
                        edit=actions.workspace_edit(
                            state.uri, state.version, actions.to_text_edits(fix.edits, index), versioned
                        ),
                    )
                )
        return out

    async def _finding_actions(self, state: DocumentState, version: int, source: str, findings: list[Finding]) -> dict:
        """Checked fixes per finding, computed once per document version on the fixes thread."""
        if state.action_cache_version != version:
            state.action_cache_version, state.action_cache = version, {}
        missing = [f for f in findings if f not in state.action_cache]
        if missing:
            loop = asyncio.get_running_loop()
            computed = await loop.run_in_executor(self._fix_executor, actions.actions_for_findings, source, missing)
            if state.action_cache_version == version:
                state.action_cache.update(computed)
            return {**state.action_cache, **computed}
        return state.action_cache

    def _client_supports_resolve_edit(self) -> bool:
        caps = self.client_capabilities
        support = (
            caps.text_document and caps.text_document.code_action and caps.text_document.code_action.resolve_support
        )
        return bool(support and "edit" in (support.properties or []))

    @guarded(fallback=None)
    async def on_code_action_resolve(self, action: lsp.CodeAction) -> lsp.CodeAction:
        data = plain_data(action.data)
        if not isinstance(data, dict) or data.get("action") != "fixAll":
            return action
        state = self.documents.get(data.get("uri", ""))
        if state is None:
            return action
        source = self.workspace.get_text_document(state.uri).source
        config = self.config_for(state.path)
        path = state.path
        version = state.version

        def analyse_findings(text: str):
            result = _analyse(text, path, config)
            return None if result.failure else result.findings

        loop = asyncio.get_running_loop()
        fixed = await loop.run_in_executor(self._fix_executor, actions.fix_all, source, analyse_findings)
        if state.version != version:
            return action  # edited meanwhile; an edit for old text must not be applied to new text
        index = LineIndex(source, self.encoding)
        edits = actions.to_text_edits(actions.minimal_edits(source, fixed), index)
        action.edit = actions.workspace_edit(
            state.uri, version, edits, self._client_supports("workspace.workspace_edit.document_changes")
        )
        return action

    # ---------------------------------------------------------------- workspace check
    @guarded()
    async def cmd_check_workspace(self, *args) -> dict:
        from gradls.lsp.probe import cancel_with_request
        from gradls.lsp.progress import ServerProgress

        task = asyncio.current_task()
        if task is not None:
            cancel_with_request(self, self.protocol.msg_id, task)
        roots = self.workspace_roots()
        files = [p for root in roots for p in _python_files(root)]
        async with ServerProgress(self, "gradls: checking workspace", cancellable=True) as progress:
            checked = findings = 0
            for i, path in enumerate(files):
                if progress.cancelled:
                    break
                uri = Path(path).as_uri()
                if uri in self.documents:
                    checked += 1
                    findings += len(self.documents[uri].findings)
                    continue  # open documents are diagnosed from their buffer
                config = self.config_for(path)
                if config.is_excluded(path) or is_excluded_by_editor(path, self.editor_settings, roots):
                    continue
                try:
                    text = Path(path).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as e:
                    self.log(f"workspace check: cannot read {path}: {e}", "warning")
                    continue
                if len(text) > MAX_DOCUMENT_BYTES:
                    self.log(f"workspace check: skipping {path}: larger than 1 MB", "info")
                    continue
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._analysis_executor, _analyse, text, path, config)
                checked += 1
                findings += len(result.findings)
                index = LineIndex(text, self.encoding)
                diags = [
                    finding_to_diagnostic(
                        f, index, config.severity_for(f.code, default_severity(f.code)), self.doc_link(f.code), None
                    )
                    for f in result.findings
                ]
                if diags or uri in self.pushed_uris:
                    self._push(uri, diags, None)
                    self.pushed_uris.add(uri)
                progress.report(
                    f"{i + 1}/{len(files)} {os.path.basename(path)}", int(100 * (i + 1) / max(1, len(files)))
                )
            summary = {"files": checked, "findings": findings, "cancelled": progress.cancelled}
        self.log(f"workspace check: {summary}", "info")
        return summary

    # ---------------------------------------------------------------- probe
    async def on_run_probe_request(self, params: Any) -> dict:
        return await self.probe.run(plain_data(params))

    async def cmd_run_probe(self, *args) -> dict:
        params = plain_data(args[0]) if args else {}
        # executeCommand runs the handler as an inner task pygls does not cancel on $/cancelRequest;
        # tie it to the outer request so a cancel still kills the probe.
        return await self.probe.run(params, outer_request_id=self.protocol.msg_id)

    @guarded()
    def on_server_info(self, params: Any) -> dict:
        """Debug request: what this process has loaded (tests assert TensorFlow never is)."""
        return {
            "pid": os.getpid(),
            "version": __version__,
            "python": sys.version.split()[0],
            "tensorflowImported": any(m == "tensorflow" or m.startswith("tensorflow.") for m in sys.modules),
            "libcstImported": "libcst" in sys.modules,
            "openDocuments": len(self.documents),
            "trackedRequestFutures": len(self.protocol._request_futures),
            "pullDiagnostics": self.pull_diagnostics,
            "positionEncoding": self.encoding,
            "settings": self.editor_settings.as_json(),
        }


def _as_function(method):
    """pygls tags handlers with attributes, which bound methods refuse: hand it a plain function.

    functools.wraps keeps the method's signature, so pygls still sees `params` (not `ls`) first.
    """
    if asyncio.iscoroutinefunction(method):

        @functools.wraps(method)
        async def handler(*args, **kwargs):
            return await method(*args, **kwargs)

    else:

        @functools.wraps(method)
        def handler(*args, **kwargs):
            return method(*args, **kwargs)

    return handler


def _cond_rewrite(source: str, line: int, col: int, config: Config):
    """The checked "Rewrite as tf.cond" fix for the `if` at (line, col), when its condition is a tensor."""
    if not actions.tensor_condition_at(source, line, col, config):
        return None
    fix = actions.rewrite_if_as_cond(source, line, col)
    if fix is None or actions.apply_fix(source, fix) is None:
        return None
    return fix


def _warm_up() -> None:
    from gradls.analysis import analyze
    from gradls.analysis.rules import all_rules

    all_rules()
    analyze("import tensorflow as tf\n")


def _analyse(source: str, path: str | None, config: Config):
    from gradls.analysis import analyze

    return analyze(source, path, config)


def default_severity(code: str) -> str:
    # Every TFG0xx rule is a bug TensorFlow raises on or a gradient silently lost: Warning.
    # TFG9xx are about gradls itself (e.g. unused suppressions): Information.
    return "information" if code.startswith("TFG9") else "warning"


def _span_contains(span, line: int, col: int) -> bool:
    if line < span.line or line > span.end_line:
        return False
    if line == span.line and col < span.col:
        return False
    if line == span.end_line and col > span.end_col:
        return False
    return True


def _spans_overlap(a, b) -> bool:
    return (a.line, a.col) <= (b.end_line, b.end_col) and (b.line, b.col) <= (a.end_line, a.end_col)


def _range_key(r: lsp.Range) -> tuple:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def _prevented_error(markdown: str, limit: int = 1500) -> str:
    """The rule page's "Why" section: what TensorFlow does wrong, in its own error messages.

    Rule pages have "## What it flags / ## Why / ## Example / ## Fix" sections; a page
    without a "Why" falls back to its first paragraphs.
    """
    sections: dict[str, list[str]] = {}
    current = ""
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            continue
        if not line.startswith("# "):
            sections.setdefault(current, []).append(line)
    body = "\n".join(sections.get("why") or sections.get("") or []).strip()
    if len(body) <= limit:
        return body
    cut = body.rfind("\n\n", 0, limit)
    return (body[:cut] if cut > 0 else body[:limit]).rstrip() + "\n\n…"


def _python_files(root: str):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(PYTHON_SUFFIXES):
                yield os.path.join(dirpath, name)


__all__ = ["GradlsLanguageServer", "Finding"]
