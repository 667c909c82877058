"""Code actions: quick fixes and "Disable for this line" per finding, source.fixAll.gradls (its whole-file
edit built on codeAction/resolve), and the "Rewrite as tf.cond" refactoring.  The edits come from
edits.py; this module decides what the menu holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lsprotocol import types as lsp

from gradls.analysis.model import Edit, Finding, Fix, Span
from gradls.config import Config
from gradls.lsp import edits, notebooks
from gradls.lsp.diagnostics import SOURCE, DocumentState, finding_from_diagnostic, plain_data
from gradls.lsp.documents import analyse, ensure_analysed
from gradls.lsp.guard import guarded
from gradls.lsp.positions import LineIndex
from gradls.lsp.server import GradlsLanguageServer

FIX_ALL_TITLE = "gradls: Fix all safely fixable problems"


def register(server: GradlsLanguageServer) -> None:
    server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.QuickFix, edits.FIX_ALL_KIND, lsp.CodeActionKind.RefactorRewrite],
            resolve_provider=True,
        ),
    )(on_code_action)
    server.feature(lsp.CODE_ACTION_RESOLVE)(on_code_action_resolve)


@dataclass
class _Menu:
    """One code-action request against one version of one document."""

    ls: GradlsLanguageServer
    state: DocumentState
    version: int
    source: str
    index: LineIndex
    config: Config
    only: list[str] | None

    def wants(self, kind: str) -> bool:
        return edits.kind_requested(kind, self.only)

    def still_current(self) -> bool:
        return self.state.version == self.version

    def edit(self, changes: Iterable[Edit]) -> lsp.WorkspaceEdit:
        return _workspace_edit(self.ls, self.state.uri, self.version, changes, self.index)


@guarded(fallback=list)
async def on_code_action(ls: GradlsLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    state = ls.documents.get(params.text_document.uri)
    if state is None and notebooks.notebook_of_cell(ls, params.text_document.uri) is not None:
        return await notebooks.code_actions(ls, params)  # a notebook cell
    if state is None or state.skipped:
        return []
    await ensure_analysed(ls, state)
    if not state.fresh or state.analysed_version != state.version:
        return []  # the text does not parse (or moved on): no edit could be checked
    source = ls.text_of(state.uri)
    index = LineIndex(source, ls.encoding)
    only = list(params.context.only) if params.context.only else None
    menu = _Menu(ls, state, state.version, source, index, ls.config_for(state.path), only)
    requested = index.span(params.range)
    targets = _targets(state, requested, params.context.diagnostics)
    quick, offered = await _quick_fixes(menu, targets, params.context.diagnostics)
    if not menu.still_current():
        return []  # edited while we computed: these edits are for text that is gone
    return quick + await _fix_all(menu, bool(targets)) + await _rewrite(menu, requested, offered)


def _targets(state: DocumentState, requested: Span, shown: Sequence[lsp.Diagnostic]) -> list[Finding]:
    """Findings in the requested range, and those of diagnostics the client still shows for this version."""
    targets = [f for f in state.findings if _spans_touch(f.span, requested)]
    for d in shown:
        rebuilt = finding_from_diagnostic(d)
        if rebuilt and rebuilt[1] == state.version and rebuilt[0] not in targets and rebuilt[0] in state.findings:
            targets.append(rebuilt[0])
    return targets


async def _quick_fixes(
    menu: _Menu, targets: list[Finding], shown: Sequence[lsp.Diagnostic]
) -> tuple[list[lsp.CodeAction], set[tuple[Edit, ...]]]:
    """Per finding: its checked fix and "Disable for this line"; also the edits offered, to offer each once."""
    if not menu.wants(lsp.CodeActionKind.QuickFix) or not targets:
        return [], set()
    computed = await _checked_fixes(menu, targets)
    by_range = {(_range_key(d.range), d.code): d for d in shown if d.source == SOURCE}
    out: list[lsp.CodeAction] = []
    offered: set[tuple[Edit, ...]] = set()
    for f in targets:
        fix, suppression = computed.get(f, (None, None))
        diag = by_range.get((_range_key(menu.index.range(f.span)), f.code)) or menu.ls.diagnostic(
            f, menu.index, menu.config, menu.version
        )
        for action_fix, title in ((fix, None), (suppression, "Disable for this line")):
            if action_fix is None or action_fix.edits in offered:
                continue
            offered.add(action_fix.edits)
            out.append(
                lsp.CodeAction(
                    title=f"gradls ({f.code}): {title or action_fix.title}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=action_fix.safe if title is None else None,
                    edit=menu.edit(action_fix.edits),
                )
            )
    return out, offered


async def _checked_fixes(menu: _Menu, findings: list[Finding]) -> dict[Finding, tuple[Fix | None, Fix | None]]:
    """Checked fixes per finding, computed once per document version on the fixes thread."""
    state, version = menu.state, menu.version
    if state.action_cache_version != version:
        state.action_cache_version, state.action_cache = version, {}
    missing = [f for f in findings if f not in state.action_cache]
    if not missing:
        return state.action_cache
    computed = await menu.ls.on_fix_thread(edits.actions_for_findings, menu.source, missing)
    if state.action_cache_version == version:
        state.action_cache.update(computed)
    return {**state.action_cache, **computed}


async def _fix_all(menu: _Menu, has_targets: bool) -> list[lsp.CodeAction]:
    """Offered when some finding has a fix; the edit (safe fixes only) is built on resolve, so the
    lightbulb never pays for rewriting the whole file.  Without codeAction/resolve the edit would be
    built on every lightbulb request: then fix-all is only offered when asked for by kind (on save,
    "Source Action...")."""
    lazy = _client_resolves_edits(menu.ls)
    if not menu.wants(edits.FIX_ALL_KIND) or not (menu.only is not None or (has_targets and lazy)):
        return []
    if not any(f.fixable for f in menu.state.findings):
        return []
    action = lsp.CodeAction(
        title=FIX_ALL_TITLE,
        kind=edits.FIX_ALL_KIND,
        data={"uri": menu.state.uri, "version": menu.version, "action": "fixAll"},
    )
    return [action if lazy else await _resolve_fix_all(menu.ls, action)]


async def _rewrite(menu: _Menu, requested: Span, offered: set[tuple[Edit, ...]]) -> list[lsp.CodeAction]:
    if not menu.wants(lsp.CodeActionKind.RefactorRewrite):
        return []
    fix = await menu.ls.on_fix_thread(edits.rewrite_if_as_cond, menu.source, requested.line, requested.col, menu.config)
    if fix is None or not menu.still_current():
        return []  # none here, or the edit is for text that is gone
    if fix.edits in offered:
        return []  # a finding's quick fix is this very rewrite: the menu holds it once
    return [
        lsp.CodeAction(
            title=f"gradls: {fix.title or 'Rewrite as tf.cond'}",
            kind=lsp.CodeActionKind.RefactorRewrite,
            edit=menu.edit(fix.edits),
        )
    ]


def _client_resolves_edits(ls: GradlsLanguageServer) -> bool:
    caps = ls.client_capabilities
    support = caps.text_document and caps.text_document.code_action and caps.text_document.code_action.resolve_support
    return bool(support and "edit" in (support.properties or []))


@guarded(fallback=None)
async def on_code_action_resolve(ls: GradlsLanguageServer, action: lsp.CodeAction) -> lsp.CodeAction:
    return await _resolve_fix_all(ls, action)


async def _resolve_fix_all(ls: GradlsLanguageServer, action: lsp.CodeAction) -> lsp.CodeAction:
    """The fix-all action with its edit: `gradls.fixes.fix_all` (as `gradls check --fix`), as minimal line edits."""
    data = plain_data(action.data)
    if not isinstance(data, dict) or data.get("action") != "fixAll":
        return action
    if data.get("notebook"):
        return await notebooks.resolve_fix_all(ls, action)
    state = ls.documents.get(data.get("uri", ""))
    if state is None:
        return action
    source = ls.text_of(state.uri)
    config = ls.config_for(state.path)
    path, version = state.path, state.version

    def findings_or_none(text: str) -> list[Finding] | None:
        result = analyse(text, path, config)
        return None if result.failure else result.findings

    fixed = await ls.on_fix_thread(edits.fix_all, source, findings_or_none)
    if state.version != version:
        return action  # edited meanwhile; an edit for old text must not be applied to new text
    action.edit = _workspace_edit(
        ls, state.uri, version, edits.minimal_edits(source, fixed), LineIndex(source, ls.encoding)
    )
    return action


def _workspace_edit(
    ls: GradlsLanguageServer, uri: str, version: int, changes: Iterable[Edit], index: LineIndex
) -> lsp.WorkspaceEdit:
    versioned = ls.client_supports("workspace.workspace_edit.document_changes")
    return edits.workspace_edit(uri, version, edits.to_text_edits(changes, index), versioned)


def _spans_touch(a: Span, b: Span) -> bool:
    return (a.line, a.col) <= (b.end_line, b.end_col) and (b.line, b.col) <= (a.end_line, a.end_col)


def _range_key(r: lsp.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)
