"""initialize, initialized, shutdown, and the `gradls/serverInfo` debug request."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from typing import Any

from lsprotocol import types as lsp

from gradls import __version__
from gradls.lsp.diagnostics import plain_data
from gradls.lsp.guard import guarded
from gradls.lsp.positions import normalise_encoding
from gradls.lsp.server import GradlsLanguageServer
from gradls.lsp.workspace import PYPROJECT_GLOB, apply_settings, pull_configuration

SERVER_INFO_REQUEST = "gradls/serverInfo"


def register(server: GradlsLanguageServer) -> None:
    server.feature(lsp.INITIALIZE)(on_initialize)
    server.feature(lsp.INITIALIZED)(on_initialized)
    server.feature(lsp.SHUTDOWN)(on_shutdown)
    server.feature(SERVER_INFO_REQUEST)(on_server_info)


@guarded()
def on_initialize(ls: GradlsLanguageServer, params: lsp.InitializeParams) -> None:
    caps = params.capabilities
    ls.pull_diagnostics = bool(caps.text_document and caps.text_document.diagnostic is not None)
    ls.encoding = normalise_encoding(ls.workspace.position_encoding)
    options = params.initialization_options
    ls.init_settings_given = False
    if options is None:
        return
    options = plain_data(options)
    if not isinstance(options, dict):
        ls.log(f"initializationOptions: expected an object, got {type(options).__name__}; defaults used", "warning")
        return
    ls.trusted = options.get("trusted") is True
    if "settings" in options:
        apply_settings(ls, options.get("settings"), origin="initializationOptions")
        ls.init_settings_given = True


@guarded()
async def on_initialized(ls: GradlsLanguageServer, params: lsp.InitializedParams) -> None:
    if not ls.init_settings_given and ls.client_supports("workspace.configuration"):
        await pull_configuration(ls, reason="startup")
    await _watch_pyproject_files(ls)
    # Load the rule registry and analysis modules on the analysis thread now, so the first
    # didOpen does not pay for it, and so the registry is never filled from two threads at once.
    asyncio.get_running_loop().run_in_executor(ls.analysis_executor, _warm_up)
    ls.log(
        f"gradls {__version__} (pygls LSP server) on Python {sys.version.split()[0]} at {sys.executable}; "
        f"cwd {os.getcwd()}; diagnostics: {'pull' if ls.pull_diagnostics else 'push'}; "
        f"position encoding: {ls.encoding}; workspace trusted: {ls.trusted}; "
        f"start-up {time.monotonic() - ls.started:.3f}s",
        "info",
    )
    ls.log(f"effective editor settings: {json.dumps(ls.editor_settings.as_json(), sort_keys=True)}", "info")
    for root in ls.workspace_roots():
        cfg, _ = ls.file_configs.for_path(os.path.join(root, "__probe_config__.py"))
        ls.log(f"workspace {root}: [tool.gradls] from {cfg.source or '(none: defaults)'}", "info")
        for problem in cfg.problems:
            ls.log(str(problem), "warning")


async def _watch_pyproject_files(ls: GradlsLanguageServer) -> None:
    if not ls.client_supports("workspace.did_change_watched_files.dynamic_registration"):
        ls.log(f"client cannot watch files for us; edits to {PYPROJECT_GLOB} apply when a document is reopened", "log")
        return
    registration = lsp.Registration(
        id=f"gradls-pyproject-{uuid.uuid4().hex[:8]}",
        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
            watchers=[lsp.FileSystemWatcher(glob_pattern=PYPROJECT_GLOB)]
        ),
    )
    try:
        await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[registration]))
    except Exception as e:  # a refusal only means we will not hear about pyproject edits
        ls.log(f"could not register a watcher for {PYPROJECT_GLOB}: {e}", "warning")


@guarded()
def on_shutdown(ls: GradlsLanguageServer, params: None) -> None:
    pending = [s.pending for s in ls.documents.values()] + [nb.pending for nb in ls.notebooks.values()]
    for task in pending:
        if task is not None:
            task.cancel()
    ls.probe.cancel_running()
    ls.probe.close_warm_worker()
    ls.analysis_executor.shutdown(wait=False, cancel_futures=True)
    ls.fix_executor.shutdown(wait=False, cancel_futures=True)


@guarded()
def on_server_info(ls: GradlsLanguageServer, params: Any) -> dict:
    """Debug request: what this process has loaded (tests assert TensorFlow never is)."""
    return {
        "pid": os.getpid(),
        "version": __version__,
        "python": sys.version.split()[0],
        "tensorflowImported": any(m == "tensorflow" or m.startswith("tensorflow.") for m in sys.modules),
        "libcstImported": "libcst" in sys.modules,
        "openDocuments": len(ls.documents),
        "openNotebooks": len(ls.notebooks),
        "trackedRequestFutures": len(ls.protocol._request_futures),
        "pullDiagnostics": ls.pull_diagnostics,
        "positionEncoding": ls.encoding,
        "settings": ls.editor_settings.as_json(),
    }


def _warm_up() -> None:
    from gradls.analysis import analyze
    from gradls.analysis.rules import all_rules

    all_rules()
    analyze("import tensorflow as tf\n")
