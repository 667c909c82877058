"""The gradls language server: `GradlsLanguageServer` holds the state; handlers live in modules by concern.

| module | handlers |
| --- | --- |
| `lifecycle.py` | initialize, initialized, shutdown, `gradls/serverInfo` |
| `workspace.py` | configuration, watched pyproject.toml files, the workspace check command |
| `documents.py` | didOpen / didChange / didSave / didClose, analysis, pushed and pulled diagnostics |
| `code_actions.py` | quick fixes, "Disable for this line", fix-all, "Rewrite as tf.cond" (edits from `edits.py`) |
| `hover.py` | hover |
| `notebooks.py` | notebookDocument/didOpen / didChange / didSave / didClose: a notebook's code cells as one program |
| `probe.py` | `gradls/runProbe`, the runProbe command |

Each module's `register(server)` registers plain functions taking the server first (`ls`), the
pygls convention.

Threading model: pygls runs handlers on one asyncio loop.  Analysis (pure, CPU-bound) runs on a
single dedicated worker thread so typing never waits behind it; every result carries the
document version it was computed for and is dropped if the document moved on meanwhile.  A thread,
not a process: hover and code actions read the `ModuleInfo` the diagnostics run built (kept on the
document), which a process would have to send back (pickling a module's AST costs more than parsing
it).  Under the GIL the loop gets the interpreter back within the switch interval (5 ms), so a hover
during a long check is answered in about the time of a quiet one (bench/bench_lsp.py measures both).

Open files are one program with their project: each document's text is its module's text in the
project's `ProjectIndex` while it is open, and an edit that changes a module's summary re-checks
the open documents importing it (`documents.recheck`).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from gradls import __version__
from gradls.analysis.model import Finding
from gradls.config import Config
from gradls.lsp.diagnostics import DocumentState, finding_to_diagnostic
from gradls.lsp.positions import LineIndex
from gradls.lsp.protocol import GradlsProtocol
from gradls.lsp.settings import EditorSettings, FileConfigCache, merge

if TYPE_CHECKING:
    from gradls.analysis.module import ModuleInfo
    from gradls.lsp.notebooks import NotebookState

# Changes closer together than this are one burst, analysed once it ends; a change after a quiet spell is
# analysed at once (documents.on_did_change).  A result made stale by a later change is dropped either way.
DEFAULT_DEBOUNCE_SECONDS = 0.02

_LOG_LEVELS = {
    "error": lsp.MessageType.Error,
    "warning": lsp.MessageType.Warning,
    "info": lsp.MessageType.Info,
    "log": lsp.MessageType.Log,
}
# showNotifications setting -> the message levels that also pop up a window/showMessage.
_NOTIFY_LEVELS: dict[str, set[str]] = {
    "off": set(),
    "onError": {"error"},
    "onWarning": {"error", "warning"},
    "always": {"error", "warning", "info"},
}

T = TypeVar("T")


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
        # Open notebooks by notebook URI (their cells' texts are in self.workspace).
        self.notebooks: dict[str, NotebookState] = {}
        self.editor_settings = EditorSettings()
        self.trusted = False
        # initializationOptions carried settings: no workspace/configuration pull at start-up.
        self.init_settings_given = False
        self.file_configs = FileConfigCache()
        self.pull_diagnostics = False
        self.encoding = "utf-16"
        # URIs we pushed diagnostics for in pull mode (workspace check, probe): cleared on open/close.
        self.pushed_uris: set[str] = set()
        self._doc_links: dict[str, str | None] = {}
        # Per open document, bumped when a module it imports changed: analyses started before are dropped.
        self.recheck_epochs: dict[str, int] = {}
        # Modules replaced as a document's kept module (event loop appends; the analysis thread releases them).
        self.retired_modules: list[ModuleInfo] = []
        # Bumped when which open document imports which may have changed (a document opened or closed, a module's
        # summary changed, settings): documents.py keeps "is this module imported by an open one" until then.
        self._import_epochs = itertools.count(1)
        self.import_epoch = 0
        self.analysis_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradls-analysis")
        # Fixes (libcst, whole-file parses) get their own thread so the lightbulb never delays squiggles.
        self.fix_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradls-fixes")
        self.started = time.monotonic()
        self.changes_seen = 0
        from gradls.lsp.probe import ProbeService

        self.probe = ProbeService(self)
        self._register()

    def _register(self) -> None:
        from gradls.lsp import code_actions, documents, hover, lifecycle, notebooks, probe, workspace

        for module in (lifecycle, workspace, documents, notebooks, code_actions, hover, probe):
            module.register(self)

    # ---------------------------------------------------------------- logging
    def log(self, message: str, level: str = "info", notify: bool = True) -> None:
        """window/logMessage, and a window/showMessage too when gradls.showNotifications asks for `level`."""
        try:
            self.window_log_message(lsp.LogMessageParams(type=_LOG_LEVELS[level], message=message))
            if notify and level in _NOTIFY_LEVELS.get(self.editor_settings.show_notifications, set()):
                self.window_show_message(lsp.ShowMessageParams(type=_LOG_LEVELS[level], message=f"gradls: {message}"))
        except Exception:  # no writer yet (unit use) or the pipe is gone: nothing more to do
            print(f"gradls [{level}] {message}", file=sys.stderr)

    def log_exception(self, where: str, error: BaseException) -> None:
        tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.log(f"internal error in {where}: {type(error).__name__}: {error}\n{tb}", "error")

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls' default pops up a window/showMessage for every error; gradls logs instead and
        # lets showNotifications decide about pop-ups.
        if isinstance(error, JsonRpcException) and not isinstance(error, JsonRpcInternalError):
            # A deliberate error response (refused probe, bad params): the client has the message.
            self.log(f"request refused: {error}", "log")
            return
        self.log_exception(getattr(source, "__name__", str(source)), error)

    # ---------------------------------------------------------------- shared services
    def client_supports(self, dotted: str) -> bool:
        """Whether the client declared the capability at `dotted` (e.g. "workspace.configuration")."""
        obj: Any = self.client_capabilities
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return False
        return bool(obj)

    def config_for(self, path: str | None) -> Config:
        """[tool.gradls] of the file's project, with the editor settings over it."""
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

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def diagnostic(self, finding: Finding, index: LineIndex, config: Config, version: int | None) -> lsp.Diagnostic:
        """The one way a finding becomes a diagnostic: its configured severity and documentation link."""
        severity = config.severity_of(finding.code)
        return finding_to_diagnostic(finding, index, severity, self.doc_link(finding.code), version)

    def push(self, uri: str, diagnostics: list[lsp.Diagnostic], version: int | None) -> None:
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

    def bump_import_epoch(self) -> None:
        self.import_epoch = next(self._import_epochs)  # next() on a count is atomic: both threads call this

    async def on_analysis_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the analysis thread, once the open documents' latest texts are in their projects."""
        loop = asyncio.get_running_loop()

        def run() -> T:
            from gradls.lsp.documents import flush_pending

            flush_pending(self, loop)
            return fn(*args)

        return await loop.run_in_executor(self.analysis_executor, run)

    async def on_fix_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.fix_executor, fn, *args)


__all__ = ["GradlsLanguageServer"]
