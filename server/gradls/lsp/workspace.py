"""Editor settings (initializationOptions, workspace/configuration, didChangeConfiguration),
watched pyproject.toml files, and the "check workspace" command.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from gradls.analysis.project import project_for
from gradls.files import iter_python_files
from gradls.lsp.diagnostics import failure_to_diagnostic, plain_data
from gradls.lsp.documents import MAX_DOCUMENT_BYTES, PYTHON_SUFFIXES, analyse, rediagnose_all
from gradls.lsp.guard import guarded
from gradls.lsp.positions import LineIndex
from gradls.lsp.progress import ServerProgress
from gradls.lsp.server import GradlsLanguageServer
from gradls.lsp.settings import is_excluded_by_editor, parse_settings

CHECK_WORKSPACE_COMMAND = "gradls.server.checkWorkspace"
PYPROJECT_GLOB = "**/pyproject.toml"


def register(server: GradlsLanguageServer) -> None:
    server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)(on_did_change_configuration)
    server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)(on_did_change_watched_files)
    server.command(CHECK_WORKSPACE_COMMAND)(cmd_check_workspace)


# ---------------------------------------------------------------- settings
def apply_settings(ls: GradlsLanguageServer, raw: Any, origin: str) -> None:
    settings, problems = parse_settings(plain_data(raw))
    ls.editor_settings = settings  # first, so showNotifications already applies to its own problems
    for p in problems:
        ls.log(f"{origin}: {p}", "warning")
    ls.log(f"settings from {origin}: {json.dumps(settings.as_json(), sort_keys=True)}", "log")


async def pull_configuration(ls: GradlsLanguageServer, reason: str) -> bool:
    """Ask the client for the "gradls" section; False when it could not or had none."""
    try:
        result = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="gradls")])
        )
    except Exception as e:
        ls.log(f"workspace/configuration failed ({reason}): {e}; keeping current settings", "warning")
        return False
    value = plain_data(result[0]) if result else None
    if value is None:
        return False
    apply_settings(ls, value, origin=f"workspace/configuration ({reason})")
    return True


@guarded()
async def on_did_change_configuration(ls: GradlsLanguageServer, params: lsp.DidChangeConfigurationParams) -> None:
    settings = plain_data(params.settings)
    section = settings.get("gradls") if isinstance(settings, dict) else None
    if isinstance(settings, dict) and isinstance(settings.get("settings"), dict) and section is None:
        section = settings["settings"].get("gradls")  # payload wrapped once more by some clients
    if section is not None:
        apply_settings(ls, section, origin="didChangeConfiguration")
    elif ls.client_supports("workspace.configuration"):
        if not await pull_configuration(ls, reason="didChangeConfiguration"):
            return
    else:
        ls.log(
            "didChangeConfiguration without a 'gradls' section and no workspace/configuration support; ignored", "log"
        )
        return
    rediagnose_all(ls, "settings changed")


@guarded()
def on_did_change_watched_files(ls: GradlsLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    changed = [c.uri for c in params.changes if c.uri.endswith("pyproject.toml")]
    if not changed:
        return
    ls.file_configs.clear()
    ls.log(f"pyproject.toml changed ({', '.join(changed)}); reloading [tool.gradls]", "info")
    rediagnose_all(ls, "pyproject.toml changed")


# ---------------------------------------------------------------- workspace check
@guarded()
async def cmd_check_workspace(ls: GradlsLanguageServer, *args: Any) -> dict:
    from gradls.lsp.probe import cancel_with_request

    task = asyncio.current_task()
    if task is not None:
        cancel_with_request(ls, ls.protocol.msg_id, task)
    roots = ls.workspace_roots()
    files = [p for root in roots for p in python_files(root)]
    checked = findings = 0
    async with ServerProgress(ls, "gradls: checking workspace", cancellable=True) as progress:
        for i, path in enumerate(files):
            if progress.cancelled:
                break
            found = await _check_file(ls, path, roots)
            if found is not None:
                checked += 1
                findings += found
            progress.report(f"{i + 1}/{len(files)} {os.path.basename(path)}", int(100 * (i + 1) / max(1, len(files))))
        summary = {"files": checked, "findings": findings, "cancelled": progress.cancelled}
    ls.log(f"workspace check: {summary}", "info")
    return summary


async def _check_file(ls: GradlsLanguageServer, path: str, roots: list[str]) -> int | None:
    """Findings in one file, pushed as its diagnostics; None when the file is not checked."""
    uri = Path(path).as_uri()
    if uri in ls.documents:
        return len(ls.documents[uri].findings)  # open documents are diagnosed from their buffer
    config = ls.config_for(path)
    if config.is_excluded(path) or is_excluded_by_editor(path, ls.editor_settings, roots):
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        ls.log(f"workspace check: cannot read {path}: {e}", "warning")
        return None
    if len(text) > MAX_DOCUMENT_BYTES:
        ls.log(f"workspace check: skipping {path}: larger than 1 MB", "info")
        return None
    project = project_for(path, ls.workspace_roots())
    result = await ls.on_analysis_thread(analyse, text, path, config, project)
    index = LineIndex(text, ls.encoding)
    diags = [ls.diagnostic(f, index, config, None) for f in result.findings]
    if result.failure is not None:
        diags.append(failure_to_diagnostic(result.failure, index))
    if diags or uri in ls.pushed_uris:
        ls.push(uri, diags, None)
        ls.pushed_uris.add(uri)
    return len(result.findings)


def python_files(root: str) -> Iterator[str]:
    """The Python files of a workspace folder as `gradls check` walks it (`gradls.files`: one skip list,
    `.gitignore` respected); a notebook is checked when it is opened."""
    for path, _ in iter_python_files([root]):
        if path.name.endswith(PYTHON_SUFFIXES):
            yield str(path)
