"""Notebook documents (LSP 3.17 notebook sync): a notebook's python code cells analysed as one program.

The client opens a notebook with `notebookDocument/didOpen` and edits it with `notebookDocument/didChange`
(cell texts, cells added, removed or moved); pygls 2.1 keeps the notebook and its cells' texts in the
workspace.  On every change the notebook is analysed again as a whole, debounced like a text document:
the code cells in order become one program (`gradls.notebooks.build_program`: magics masked in place,
a cell that does not parse reported and left out), and each finding goes back to its cell.  So an edit
in one cell re-checks every cell after it, and every cell's diagnostics are updated (pushed per cell
URI, or answered to `textDocument/diagnostic` for a cell URI).

Quick fixes, "Disable for this line", "Rewrite as tf.cond" and fix-all are built on the joined program
(as `gradls check --fix` does) and mapped back to cell edits with `NotebookProgram.cell_edits`; a fix
that spans cells or touches a masked IPython line is not offered.  `code_actions.py`, `hover.py` and
`documents.py` (pull) hand a cell URI to this module.

Every analysis carries the notebook's generation (bumped on every change) and is dropped if the
notebook moved on meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.uris import to_fs_path

from gradls.analysis.model import Edit, Finding, Fix, ParseFailure, Span
from gradls.analysis.project import project_for
from gradls.config import Config
from gradls.lsp import edits
from gradls.lsp.diagnostics import (
    SOURCE,
    ProbeFact,
    failure_to_diagnostic,
    finding_from_diagnostic,
    plain_data,
    probe_fact_to_diagnostic,
)
from gradls.lsp.guard import guarded
from gradls.lsp.positions import LineIndex
from gradls.lsp.server import GradlsLanguageServer
from gradls.lsp.settings import is_excluded_by_editor
from gradls.notebooks import NotebookProgram, build_program

NOTEBOOK_TYPE = "jupyter-notebook"
CELL_LANGUAGE = "python"
# Notebooks whose code cells add up to more than this are skipped in the editor (as large files are).
MAX_NOTEBOOK_CHARS = 1_000_000

SYNC_OPTIONS = lsp.NotebookDocumentSyncOptions(
    notebook_selector=[
        lsp.NotebookDocumentFilterWithCells(
            notebook=NOTEBOOK_TYPE, cells=[lsp.NotebookCellLanguage(language=CELL_LANGUAGE)]
        )
    ],
    save=True,
)


def register(server: GradlsLanguageServer) -> None:
    # pygls advertises notebookDocumentSync (to clients that declare notebook support) from this.
    server._notebook_document_sync = SYNC_OPTIONS
    server.feature(lsp.NOTEBOOK_DOCUMENT_DID_OPEN)(on_did_open)
    server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CHANGE)(on_did_change)
    server.feature(lsp.NOTEBOOK_DOCUMENT_DID_SAVE)(on_did_save)
    server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CLOSE)(on_did_close)


# ---------------------------------------------------------------- state
@dataclass(frozen=True)
class CellSnapshot:
    index: int  # in the notebook's cells (markdown cells count), as gradls.notebooks numbers them
    uri: str
    text: str
    version: int | None


@dataclass
class CellResult:
    """One code cell's share of an analysis: findings in the cell's coordinates, beside the program's."""

    cell: CellSnapshot
    findings: list[tuple[Finding, Finding]] = field(default_factory=list)  # (in the cell, in the program)
    failure: ParseFailure | None = None  # the cell does not parse (left out of the program)


@dataclass
class NotebookAnalysis:
    program: NotebookProgram
    cells: dict[str, CellResult]  # by cell URI (unquoted, as pygls keys them): every code cell analysed

    def of(self, uri: str) -> CellResult | None:
        return self.cells.get(unquote(uri))


@dataclass
class NotebookState:
    uri: str
    path: str | None
    generation: int = 0  # bumped on every change of the notebook (cells, texts, structure)
    analysed_generation: int | None = None
    analysis: NotebookAnalysis | None = None
    skipped: str | None = None
    pending: asyncio.Task[None] | None = None
    in_flight: dict[int, asyncio.Future[NotebookAnalysis | None]] = field(default_factory=dict)
    # Cell URIs whose last pushed diagnostics were not empty (pushed again, empty, when they go).
    shown: set[str] = field(default_factory=set)
    action_cache_generation: int | None = None
    action_cache: dict[Finding, tuple[Fix | None, Fix | None]] = field(default_factory=dict)
    # The last probe's facts by cell URI (unquoted), with the cell's text they are about: shown while
    # that cell's text is unchanged (an edit of the cell, a quick fix included, makes the run out of date).
    probe_facts: dict[str, tuple[str, list[ProbeFact]]] = field(default_factory=dict)
    probe_generation: int = 0  # bumped when a probe's facts arrive (part of the pull resultId)

    @property
    def result_id(self) -> str:
        return f"nb.{self.generation}.{self.analysed_generation}.{self.probe_generation}"


def notebook_of_cell(ls: GradlsLanguageServer, cell_uri: str) -> NotebookState | None:
    doc = ls.workspace.get_notebook_document(cell_uri=cell_uri)
    return ls.notebooks.get(doc.uri) if doc is not None else None


def _code_cells(ls: GradlsLanguageServer, uri: str) -> list[CellSnapshot]:
    """The notebook's python code cells, in order, with their current texts (event loop: a snapshot)."""
    doc = ls.workspace.get_notebook_document(notebook_uri=uri)
    if doc is None:
        return []
    out = []
    for i, cell in enumerate(doc.cells):
        if cell.kind != lsp.NotebookCellKind.Code:
            continue
        text_doc = ls.workspace.get_text_document(cell.document)
        if text_doc.language_id not in (None, CELL_LANGUAGE):
            continue
        out.append(CellSnapshot(i, cell.document, text_doc.source, text_doc.version))
    return out


def _classify(ls: GradlsLanguageServer, nb: NotebookState, size: int) -> None:
    reason = None
    if size > MAX_NOTEBOOK_CHARS:
        reason = f"code cells larger than {MAX_NOTEBOOK_CHARS // 1_000_000} MB ({size} characters)"
    elif not ls.editor_settings.enable:
        reason = "gradls.enable is false"
    elif nb.path and is_excluded_by_editor(nb.path, ls.editor_settings, ls.workspace_roots()):
        reason = "matched gradls.exclude"
    elif nb.path and ls.config_for(nb.path).is_excluded(nb.path):
        reason = "matched exclude in [tool.gradls]"
    if reason and reason != nb.skipped:
        ls.log(f"skipping notebook {nb.uri}: {reason}", "info")
    nb.skipped = reason


# ---------------------------------------------------------------- notifications
@guarded()
def on_did_open(ls: GradlsLanguageServer, params: lsp.DidOpenNotebookDocumentParams) -> None:
    doc = params.notebook_document
    path = to_fs_path(doc.uri) if doc.uri.startswith("file:") else None
    nb = NotebookState(uri=doc.uri, path=path)
    ls.notebooks[doc.uri] = nb
    _classify(ls, nb, sum(len(c.text) for c in _code_cells(ls, doc.uri)))
    if nb.skipped:
        return
    schedule_analysis(ls, nb, delay=0)


@guarded()
def on_did_change(ls: GradlsLanguageServer, params: lsp.DidChangeNotebookDocumentParams) -> None:
    nb = ls.notebooks.get(params.notebook_document.uri)
    if nb is None:
        return
    nb.generation += 1
    was_skipped = nb.skipped
    size = sum(len(c.text) for c in _code_cells(ls, nb.uri))
    if was_skipped is None or (was_skipped or "").startswith("code cells larger"):
        _classify(ls, nb, size)
    if nb.skipped:
        if not was_skipped:
            _clear(ls, nb)
        return
    if ls.editor_settings.lint_run == "onType" or nb.analysed_generation is None:
        schedule_analysis(ls, nb, delay=ls.debounce_seconds)


@guarded()
def on_did_save(ls: GradlsLanguageServer, params: lsp.DidSaveNotebookDocumentParams) -> None:
    nb = ls.notebooks.get(params.notebook_document.uri)
    if nb is None or nb.skipped or nb.analysed_generation == nb.generation:
        return
    schedule_analysis(ls, nb, delay=0)


@guarded()
def on_did_close(ls: GradlsLanguageServer, params: lsp.DidCloseNotebookDocumentParams) -> None:
    nb = ls.notebooks.pop(params.notebook_document.uri, None)
    if nb is None:
        return
    if nb.pending is not None:
        nb.pending.cancel()
    uris = set(nb.shown) | {c.uri for c in params.cell_text_documents}
    if nb.analysis is not None:
        uris |= {r.cell.uri for r in nb.analysis.cells.values()}
    if not ls.pull_diagnostics:
        for uri in sorted(uris):
            ls.push(uri, [], None)
    elif ls.client_supports("workspace.diagnostics.refresh_support"):
        ls.workspace_diagnostic_refresh(None)


def _clear(ls: GradlsLanguageServer, nb: NotebookState) -> None:
    """Skipped now (settings, size): the cells' diagnostics go."""
    nb.analysis, nb.analysed_generation = None, None
    if ls.pull_diagnostics:
        if ls.client_supports("workspace.diagnostics.refresh_support"):
            ls.workspace_diagnostic_refresh(None)
        return
    for uri in sorted(nb.shown):
        ls.push(uri, [], None)
    nb.shown.clear()


def rediagnose_all(ls: GradlsLanguageServer) -> None:
    """Settings or a pyproject.toml changed: every open notebook is analysed again."""
    for nb in list(ls.notebooks.values()):
        was_skipped = nb.skipped
        nb.skipped = None
        _classify(ls, nb, sum(len(c.text) for c in _code_cells(ls, nb.uri)))
        nb.generation += 1
        if nb.skipped:
            if not was_skipped:
                _clear(ls, nb)
            continue
        schedule_analysis(ls, nb, delay=0)


# ---------------------------------------------------------------- analysis
def schedule_analysis(ls: GradlsLanguageServer, nb: NotebookState, delay: float) -> None:
    if nb.pending is not None and not nb.pending.done():
        nb.pending.cancel()
    nb.pending = asyncio.ensure_future(_debounced_analysis(ls, nb, delay))


async def _debounced_analysis(ls: GradlsLanguageServer, nb: NotebookState, delay: float) -> None:
    try:
        if delay > 0:
            await asyncio.sleep(delay)
        generation = nb.generation
        await ensure_analysed(ls, nb)
    except asyncio.CancelledError:
        return  # a newer change rescheduled it
    except Exception as e:
        ls.log_exception("notebook analysis", e)
        return
    if ls.notebooks.get(nb.uri) is not nb or nb.analysed_generation != generation:
        return
    if ls.pull_diagnostics:
        # Cells other than the edited one may have changed: the client pulls them again.
        if ls.client_supports("workspace.diagnostics.refresh_support"):
            ls.workspace_diagnostic_refresh(None)
    else:
        publish(ls, nb)


async def ensure_analysed(ls: GradlsLanguageServer, nb: NotebookState) -> None:
    """Analyse the notebook's current cells unless that was already done; shares in-flight work."""
    generation = nb.generation
    if nb.analysed_generation == generation or nb.skipped:
        return
    future = nb.in_flight.get(generation)
    if future is None:
        cells = _code_cells(ls, nb.uri)
        config = ls.config_for(nb.path)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(
            ls.analysis_executor, _analyse_if_current, ls, nb, generation, cells, config, loop
        )
        nb.in_flight = {generation: future}
    result = await asyncio.shield(future)
    if nb.in_flight.get(generation) is future:
        del nb.in_flight[generation]
    if result is None or ls.notebooks.get(nb.uri) is not nb or nb.generation != generation:
        return  # the notebook changed while we analysed: drop this result
    nb.analysis = result
    nb.analysed_generation = generation


def _analyse_if_current(
    ls: GradlsLanguageServer,
    nb: NotebookState,
    generation: int,
    cells: Sequence[CellSnapshot],
    config: Config,
    loop: asyncio.AbstractEventLoop,
) -> NotebookAnalysis | None:
    """Worker thread: the notebook's cells as one program, analysed, findings mapped to their cells."""
    if nb.generation != generation or ls.notebooks.get(nb.uri) is not nb:
        return None
    from gradls.lsp.documents import flush_pending

    flush_pending(ls, loop)  # open documents' latest texts into the project first, as for a document
    return analyse_cells(cells, nb.path, config, ls.workspace_roots())


def analyse_cells(
    cells: Sequence[CellSnapshot], path: str | None, config: Config, workspace_roots: Sequence[str] = ()
) -> NotebookAnalysis:
    from gradls.analysis import analyze

    program = build_program([(c.index, c.text) for c in cells])
    by_index = {c.index: CellResult(c) for c in cells}
    for error in program.errors:
        by_index[error.cell].failure = ParseFailure(error.message, error.line, error.col)
    if program.text:
        # A notebook file resolves its imports in its project on disk, as the CLI does; untitled: none.
        result = analyze(program.text, path, config, project_for(path, workspace_roots) if path else False)
        if result.failure is not None:  # every cell parses alone: rare (e.g. a late `from __future__`)
            found = program.locate(result.failure.line)
            if found is not None:
                by_index[found[0].index].failure = ParseFailure(result.failure.message, found[1], result.failure.col)
        for finding in result.findings:
            mapped = program.to_cell(finding)
            if mapped is not None and mapped[0] in by_index:
                by_index[mapped[0]].findings.append((mapped[1], finding))
    return NotebookAnalysis(program, {unquote(c.uri): by_index[c.index] for c in cells})


# ---------------------------------------------------------------- diagnostics
def cell_diagnostics(ls: GradlsLanguageServer, nb: NotebookState, result: CellResult) -> list[lsp.Diagnostic]:
    facts = nb.probe_facts.get(unquote(result.cell.uri))
    probe = facts[1] if facts is not None and facts[0] == result.cell.text else []
    if not (result.findings or result.failure or probe):
        return []
    index = LineIndex(result.cell.text, ls.encoding)
    config = ls.config_for(nb.path)
    out = [ls.diagnostic(local, index, config, result.cell.version) for local, _ in result.findings]
    if result.failure is not None:
        d = failure_to_diagnostic(result.failure, index)
        d.message = (
            f"gradls cannot analyse this cell: {result.failure.message} (the other cells are analysed without it)"
        )
        out.append(d)
    out += [probe_fact_to_diagnostic(fact, index, result.cell.uri) for fact in probe]
    return out


def publish(ls: GradlsLanguageServer, nb: NotebookState) -> None:
    """Push mode: every code cell's diagnostics (an empty list where some were shown before)."""
    analysis = nb.analysis
    if analysis is None:
        return
    shown: set[str] = set()
    for result in analysis.cells.values():
        uri = result.cell.uri
        diagnostics = cell_diagnostics(ls, nb, result)
        if diagnostics or uri in nb.shown:
            ls.push(uri, diagnostics, result.cell.version)
        if diagnostics:
            shown.add(uri)
    for uri in sorted(nb.shown - {r.cell.uri for r in analysis.cells.values()}):  # a cell removed, or no longer python
        ls.push(uri, [], None)
    nb.shown = shown


async def pull(
    ls: GradlsLanguageServer, params: lsp.DocumentDiagnosticParams
) -> lsp.RelatedFullDocumentDiagnosticReport | lsp.RelatedUnchangedDocumentDiagnosticReport:
    """textDocument/diagnostic for a cell URI: the cell's share of its notebook's analysis."""
    uri = params.text_document.uri
    nb = notebook_of_cell(ls, uri)
    if nb is None or nb.skipped:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    if ls.editor_settings.lint_run == "onType" or nb.analysed_generation is None:
        await ensure_analysed(ls, nb)
    result = nb.analysis.of(uri) if nb.analysis is not None else None
    if result is None:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    result_id = f"{nb.result_id}.{result.cell.version}"
    if params.previous_result_id is not None and params.previous_result_id == result_id:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return lsp.RelatedFullDocumentDiagnosticReport(items=cell_diagnostics(ls, nb, result), result_id=result_id)


# ---------------------------------------------------------------- hover
def cell_findings(ls: GradlsLanguageServer, uri: str) -> tuple[list[Finding], str] | None:
    """The cell's findings (in its coordinates) and the text they are for, from the last analysis."""
    nb = notebook_of_cell(ls, uri)
    if nb is None or nb.skipped or nb.analysis is None:
        return None
    result = nb.analysis.of(uri)
    if result is None or not result.findings:
        return None
    return [local for local, _ in result.findings], result.cell.text


# ---------------------------------------------------------------- code actions
@dataclass
class _CellMenu:
    ls: GradlsLanguageServer
    nb: NotebookState
    generation: int
    analysis: NotebookAnalysis
    result: CellResult
    config: Config
    only: list[str] | None

    def wants(self, kind: str) -> bool:
        return edits.kind_requested(kind, self.only)

    def still_current(self) -> bool:
        return self.nb.generation == self.generation and self.ls.notebooks.get(self.nb.uri) is self.nb

    def edit(self, program_edits: Sequence[Edit]) -> lsp.WorkspaceEdit | None:
        """Program edits as a workspace edit of the cells; None when one spans cells (or a magic line)."""
        per_cell = self.analysis.program.cell_edits(program_edits)
        if not per_cell:
            return None
        cells = {r.cell.index: r.cell for r in self.analysis.cells.values()}
        if any(i not in cells for i in per_cell):
            return None
        return _cells_edit(self.ls, [(cells[i], es) for i, es in sorted(per_cell.items())])


def _cells_edit(ls: GradlsLanguageServer, changes: Iterable[tuple[CellSnapshot, Sequence[Edit]]]) -> lsp.WorkspaceEdit:
    per_uri = [(cell, edits.to_text_edits(es, LineIndex(cell.text, ls.encoding))) for cell, es in changes if es]
    if ls.client_supports("workspace.workspace_edit.document_changes"):
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=cell.uri, version=cell.version),
                    edits=list(text_edits),
                )
                for cell, text_edits in per_uri
            ]
        )
    return lsp.WorkspaceEdit(changes={cell.uri: list(text_edits) for cell, text_edits in per_uri})


async def code_actions(ls: GradlsLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    """textDocument/codeAction for a cell URI."""
    uri = params.text_document.uri
    nb = notebook_of_cell(ls, uri)
    if nb is None or nb.skipped:
        return []
    await ensure_analysed(ls, nb)
    analysis = nb.analysis
    if analysis is None or nb.analysed_generation != nb.generation:
        return []  # changed meanwhile: no edit could be checked
    result = analysis.of(uri)
    if result is None or result.failure is not None:
        return []  # not a python code cell, or one that does not parse: nothing to edit safely
    only = list(params.context.only) if params.context.only else None
    menu = _CellMenu(ls, nb, nb.generation, analysis, result, ls.config_for(nb.path), only)
    index = LineIndex(result.cell.text, ls.encoding)
    requested = index.span(params.range)
    targets = _targets(result, requested, params.context.diagnostics)
    quick, offered = await _quick_fixes(menu, index, targets, params.context.diagnostics)
    actions = quick + await _fix_all(menu, bool(targets)) + await _rewrite(menu, requested, offered)
    return actions if menu.still_current() else []


def _targets(result: CellResult, requested: Span, shown: Sequence[lsp.Diagnostic]) -> list[tuple[Finding, Finding]]:
    targets = [pair for pair in result.findings if _spans_touch(pair[0].span, requested)]
    for d in shown:
        rebuilt = finding_from_diagnostic(d)
        if rebuilt is None or rebuilt[1] != result.cell.version:
            continue
        for pair in result.findings:
            if pair[0] == rebuilt[0] and pair not in targets:
                targets.append(pair)
    return targets


async def _quick_fixes(
    menu: _CellMenu, index: LineIndex, targets: list[tuple[Finding, Finding]], shown: Sequence[lsp.Diagnostic]
) -> tuple[list[lsp.CodeAction], set[tuple[Edit, ...]]]:
    if not menu.wants(lsp.CodeActionKind.QuickFix) or not targets:
        return [], set()
    nb = menu.nb
    if nb.action_cache_generation != menu.generation:
        nb.action_cache_generation, nb.action_cache = menu.generation, {}
    missing = [program for _, program in targets if program not in nb.action_cache]
    if missing:
        computed = await menu.ls.on_fix_thread(edits.actions_for_findings, menu.analysis.program.text, missing)
        if nb.action_cache_generation == menu.generation:
            nb.action_cache.update(computed)
    else:
        computed = {}
    cache = {**nb.action_cache, **computed}
    by_range = {(_range_key(d.range), d.code): d for d in shown if d.source == SOURCE}
    out: list[lsp.CodeAction] = []
    offered: set[tuple[Edit, ...]] = set()
    for local, program in targets:
        fix, suppression = cache.get(program, (None, None))
        diag = by_range.get((_range_key(index.range(local.span)), local.code)) or menu.ls.diagnostic(
            local, index, menu.config, menu.result.cell.version
        )
        for action_fix, title in ((fix, None), (suppression, "Disable for this line")):
            if action_fix is None or action_fix.edits in offered:
                continue
            edit = menu.edit(action_fix.edits)
            if edit is None:
                continue  # spans cells or touches IPython syntax: not offered
            offered.add(action_fix.edits)
            out.append(
                lsp.CodeAction(
                    title=f"gradls ({local.code}): {title or action_fix.title}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=action_fix.safe if title is None else None,
                    edit=edit,
                )
            )
    return out, offered


async def _fix_all(menu: _CellMenu, has_targets: bool) -> list[lsp.CodeAction]:
    """Offered like in a file (its edit built on resolve, or only when asked for by kind without resolve)."""
    from gradls.lsp.code_actions import FIX_ALL_TITLE, _client_resolves_edits

    lazy = _client_resolves_edits(menu.ls)
    if not menu.wants(edits.FIX_ALL_KIND) or not (menu.only is not None or (has_targets and lazy)):
        return []
    if not any(program.fixable for r in menu.analysis.cells.values() for _, program in r.findings):
        return []
    action = lsp.CodeAction(
        title=FIX_ALL_TITLE,
        kind=edits.FIX_ALL_KIND,
        data={
            "uri": menu.result.cell.uri,
            "notebook": menu.nb.uri,
            "generation": menu.generation,
            "action": "fixAll",
        },
    )
    return [action if lazy else await resolve_fix_all(menu.ls, action)]


async def resolve_fix_all(ls: GradlsLanguageServer, action: lsp.CodeAction) -> lsp.CodeAction:
    """The notebook's fix-all (as `gradls check --fix` on the .ipynb): every changed cell's minimal edits."""
    data = plain_data(action.data)
    if not isinstance(data, dict):
        return action
    nb = ls.notebooks.get(data.get("notebook", ""))
    if nb is None or nb.skipped:
        return action
    await ensure_analysed(ls, nb)
    analysis, generation = nb.analysis, nb.generation
    if analysis is None or nb.analysed_generation != generation:
        return action
    config = ls.config_for(nb.path)
    path = nb.path

    def findings_or_none(text: str) -> list[Finding] | None:
        from gradls.analysis import analyze

        result = analyze(text, path, config, project_for(path, ls.workspace_roots()) if path else False)
        return None if result.failure else result.findings

    program = analysis.program
    fixed = await ls.on_fix_thread(edits.fix_all, program.text, findings_or_none)
    if nb.generation != generation or ls.notebooks.get(nb.uri) is not nb:
        return action  # edited meanwhile; an edit for old text must not be applied to new text
    sources = program.cell_sources(fixed) if fixed != program.text else {}
    if not sources:
        return action
    cells = {r.cell.index: r.cell for r in analysis.cells.values()}
    changes = [(cells[i], edits.minimal_edits(cells[i].text, new)) for i, new in sorted(sources.items()) if i in cells]
    action.edit = _cells_edit(ls, changes)
    return action


async def _rewrite(menu: _CellMenu, requested: Span, offered: set[tuple[Edit, ...]]) -> list[lsp.CodeAction]:
    if not menu.wants(lsp.CodeActionKind.RefactorRewrite):
        return []
    cell = menu.analysis.program.cell(menu.result.cell.index)
    if cell is None or not cell.start or not 1 <= requested.line <= cell.lines:
        return []
    line = cell.start + requested.line - 1
    fix = await menu.ls.on_fix_thread(
        edits.rewrite_if_as_cond, menu.analysis.program.text, line, requested.col, menu.config
    )
    if fix is None or not menu.still_current() or fix.edits in offered:
        return []
    edit = menu.edit(fix.edits)
    if edit is None:
        return []
    return [
        lsp.CodeAction(
            title=f"gradls: {fix.title or 'Rewrite as tf.cond'}", kind=lsp.CodeActionKind.RefactorRewrite, edit=edit
        )
    ]


def _spans_touch(a: Span, b: Span) -> bool:
    return (a.line, a.col) <= (b.end_line, b.end_col) and (b.line, b.col) <= (a.end_line, a.end_col)


def _range_key(r: lsp.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)
