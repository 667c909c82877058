"""Notebook document sync (LSP 3.17) against the real server process: a notebook's code cells are one
program, diagnostics come per cell URI, an edit in one cell re-checks the others, quick fixes are
edits of the cell."""

from __future__ import annotations

import pytest
from lsp_helpers import (
    RecordingClient,
    apply_text_edits,
    edits_for,
    lsp_session,
    range_tuple,
    rng,
    wait_until,
)
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="module")

IMPORTS = "%matplotlib inline\nimport numpy as np\nimport tensorflow as tf"
IMPORTS_TNP = "%matplotlib inline\nimport tensorflow.experimental.numpy as np\nimport tensorflow as tf"
NOTES = "# A layer\nIt squashes its input."
LAYER = """\
class Squash(tf.keras.layers.Layer):
    def call(self, x):
        return np.tanh(x) * 2.0"""
TANH = (2, 15, 2, 25)  # 0-based range of `np.tanh(x)` in LAYER
TRAIN = """\
model = tf.keras.Sequential([tf.keras.Input((4,)), Squash(), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
!nvidia-smi
model.fit(tf.ones((8, 4)), tf.ones((8, 1)), epochs=1)"""
BROKEN = "def plot(:\n    pass"
IGNORED = "y = np.tanh(tf.ones(3))  # gradls: ignore\n"


def notebook_capabilities(pull: bool = False) -> lsp.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    caps.notebook_document = lsp.NotebookDocumentClientCapabilities(
        synchronization=lsp.NotebookDocumentSyncClientCapabilities(dynamic_registration=False)
    )
    caps.text_document.code_action.resolve_support = lsp.ClientCodeActionResolveOptions(properties=["edit"])
    if pull:
        caps.text_document.diagnostic = lsp.DiagnosticClientCapabilities(
            dynamic_registration=False, related_document_support=False
        )
        caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


class Notebook:
    """A notebook as the client holds it: cells (kind, uri, text, version); sends the LSP notifications."""

    def __init__(self, client: RecordingClient, name: str, cells: list[tuple[str, str]]):
        self.client = client
        self.path = client.root / name
        self.uri = self.path.as_uri()
        self.version = 1
        self.cells = [
            {"kind": kind, "uri": f"vscode-notebook-cell:{self.path}#C{i}", "text": text, "version": 1}
            for i, (kind, text) in enumerate(cells)
        ]

    def cell_uri(self, i: int) -> str:
        return self.cells[i]["uri"]

    def text(self, i: int) -> str:
        return self.cells[i]["text"]

    def open(self) -> None:
        self.client.notebook_document_did_open(
            lsp.DidOpenNotebookDocumentParams(
                notebook_document=lsp.NotebookDocument(
                    uri=self.uri,
                    notebook_type="jupyter-notebook",
                    version=self.version,
                    cells=[
                        lsp.NotebookCell(
                            kind=lsp.NotebookCellKind.Code if c["kind"] == "code" else lsp.NotebookCellKind.Markup,
                            document=c["uri"],
                        )
                        for c in self.cells
                    ],
                ),
                cell_text_documents=[
                    lsp.TextDocumentItem(
                        uri=c["uri"],
                        language_id="python" if c["kind"] == "code" else "markdown",
                        version=c["version"],
                        text=c["text"],
                    )
                    for c in self.cells
                ],
            )
        )

    def set_text(self, i: int, text: str) -> None:
        """Replace the whole text of cell i with one incremental change."""
        cell = self.cells[i]
        lines = cell["text"].split("\n")
        whole = rng(0, 0, len(lines) - 1, len(lines[-1]))
        self.apply(i, [lsp.TextEdit(range=whole, new_text=text)])

    def apply(self, i: int, edits: list[lsp.TextEdit]) -> None:
        cell = self.cells[i]
        new_text = apply_text_edits(cell["text"], edits)
        cell["version"] += 1
        self.version += 1
        changes = [lsp.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits]
        # Sent one at a time from the end, so each range refers to the text as it is then.
        changes.sort(key=lambda c: (c.range.start.line, c.range.start.character), reverse=True)
        cell["text"] = new_text
        self.client.notebook_document_did_change(
            lsp.DidChangeNotebookDocumentParams(
                notebook_document=lsp.VersionedNotebookDocumentIdentifier(uri=self.uri, version=self.version),
                change=lsp.NotebookDocumentChangeEvent(
                    cells=lsp.NotebookDocumentCellChanges(
                        text_content=[
                            lsp.NotebookDocumentCellContentChanges(
                                document=lsp.VersionedTextDocumentIdentifier(uri=cell["uri"], version=cell["version"]),
                                changes=changes,
                            )
                        ]
                    )
                ),
            )
        )

    def close(self) -> None:
        self.client.notebook_document_did_close(
            lsp.DidCloseNotebookDocumentParams(
                notebook_document=lsp.NotebookDocumentIdentifier(uri=self.uri),
                cell_text_documents=[lsp.TextDocumentIdentifier(uri=c["uri"]) for c in self.cells],
            )
        )


def make_notebook(client: RecordingClient, name: str) -> Notebook:
    return Notebook(
        client,
        name,
        [("code", IMPORTS), ("markdown", NOTES), ("code", LAYER), ("code", TRAIN), ("code", BROKEN), ("code", IGNORED)],
    )


async def latest(client: RecordingClient, uri: str, version: int, start: int = 0) -> lsp.PublishDiagnosticsParams:
    """The publication for `uri` at `version` after index `start`, once one came."""

    def found():
        pubs = [p for p in client.publications[start:] if p.uri == uri and p.version == version]
        return pubs[-1] if pubs else None

    return await wait_until(found, 15.0, f"diagnostics for {uri} v{version}")


client = lsp_session(
    "notebook-ws",
    capabilities=notebook_capabilities,
    options={"settings": {"lint": {"run": "onType"}}, "trusted": True},
)


async def test_advertises_notebook_sync_for_python_cells(client):
    sync = client.init_result.capabilities.notebook_document_sync
    assert sync is not None
    (selector,) = sync.notebook_selector
    assert selector.notebook == "jupyter-notebook"
    assert [c.language for c in selector.cells] == ["python"]


async def test_diagnostics_per_cell_magics_broken_cell_ignore_and_hover(client):
    nb = make_notebook(client, "train.ipynb")
    nb.open()
    layer = await latest(client, nb.cell_uri(2), 1)
    assert [d.code for d in layer.diagnostics] == ["TFG001"]
    assert range_tuple(layer.diagnostics[0].range) == TANH
    assert "np.tanh" in layer.diagnostics[0].message
    # The broken cell: its syntax error, where it is; the cells after it are still analysed.
    broken = await latest(client, nb.cell_uri(4), 1)
    assert [d.severity for d in broken.diagnostics] == [lsp.DiagnosticSeverity.Error]
    assert "cannot analyse this cell" in broken.diagnostics[0].message
    assert broken.diagnostics[0].range.start.line == 0
    # No diagnostic on the magic line, on the markdown cell, or on a line with `# gradls: ignore`.
    others = [nb.cell_uri(i) for i in (0, 1, 3, 5)]
    assert not [d for p in client.publications if p.uri in others for d in p.diagnostics]

    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=nb.cell_uri(2)), position=lsp.Position(line=2, character=18)
        )
    )
    assert hover is not None and "TFG001" in hover.contents.value
    assert range_tuple(hover.range) == TANH
    nb.close()


async def test_edit_in_an_earlier_cell_rechecks_later_cells(client):
    nb = make_notebook(client, "recheck.ipynb")
    nb.open()
    await wait_until(
        lambda: any(p.uri == nb.cell_uri(2) and p.diagnostics for p in client.publications), 15.0, "first finding"
    )
    start = len(client.publications)
    nb.set_text(0, IMPORTS_TNP)  # `np` is TensorFlow's numpy now: np.tanh is fine on tensors
    gone = await latest(client, nb.cell_uri(2), 1, start)  # the layer cell itself did not change
    assert list(gone.diagnostics) == []
    start = len(client.publications)
    nb.set_text(0, IMPORTS)
    back = await latest(client, nb.cell_uri(2), 1, start)
    assert [d.code for d in back.diagnostics] == ["TFG001"]
    nb.close()


async def test_quick_fix_edits_the_cell_and_close_clears(client):
    nb = make_notebook(client, "fix.ipynb")
    nb.open()
    pub = await latest(client, nb.cell_uri(2), 1)
    (diag,) = pub.diagnostics
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=nb.cell_uri(2)),
            range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag]),
        )
    )
    titles = [a.title for a in actions]
    assert any("Disable for this line" in t for t in titles), titles
    fix = next(a for a in actions if a.kind == lsp.CodeActionKind.QuickFix and a.is_preferred)
    assert "tf.tanh" in fix.title
    cell_edits = edits_for(fix.edit, nb.cell_uri(2))
    assert cell_edits and all(
        dc.text_document.uri == nb.cell_uri(2) for dc in fix.edit.document_changes or []
    )  # only this cell
    expected = LAYER.replace("np.tanh(x)", "tf.tanh(x)")
    assert apply_text_edits(nb.text(2), cell_edits) == expected

    start = len(client.publications)
    nb.apply(2, cell_edits)
    assert nb.text(2) == expected
    fixed = await latest(client, nb.cell_uri(2), 2, start)
    assert list(fixed.diagnostics) == []

    start = len(client.publications)
    nb.close()
    await wait_until(
        lambda: any(p.uri == nb.cell_uri(4) and not p.diagnostics for p in client.publications[start:]),
        15.0,
        "the broken cell's diagnostics cleared",
    )


async def test_fix_all_on_a_cell(client):
    nb = make_notebook(client, "fixall.ipynb")
    nb.open()
    await latest(client, nb.cell_uri(2), 1)
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=nb.cell_uri(3)),
            range=rng(0, 0, 0, 0),
            context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll.gradls"]),
        )
    )
    (action,) = actions
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None
    assert apply_text_edits(nb.text(2), edits_for(resolved.edit, nb.cell_uri(2))) == LAYER.replace(
        "np.tanh(x)", "tf.tanh(x)"
    )
    assert not edits_for(resolved.edit, nb.cell_uri(0))  # the magic line and the imports stay
    nb.close()


pull_client = lsp_session(
    "notebook-pull-ws",
    capabilities=lambda: notebook_capabilities(pull=True),
    options={"settings": {"lint": {"run": "onType"}}, "trusted": True},
)


async def pull_cell(client: RecordingClient, uri: str) -> list[lsp.Diagnostic]:
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    return list(report.items)


async def test_pulled_diagnostics_of_a_cell_follow_an_earlier_cell(pull_client):
    client = pull_client
    nb = make_notebook(client, "pulled.ipynb")
    nb.open()
    layer = await pull_cell(client, nb.cell_uri(2))
    assert [(d.code, range_tuple(d.range)) for d in layer] == [("TFG001", TANH)]
    assert [d.severity for d in await pull_cell(client, nb.cell_uri(4))] == [lsp.DiagnosticSeverity.Error]
    assert await pull_cell(client, nb.cell_uri(3)) == []
    nb.set_text(0, IMPORTS_TNP)
    assert await pull_cell(client, nb.cell_uri(2)) == []
    assert not client.publications  # pull mode: nothing pushed
    nb.close()


async def test_replacing_the_broken_cell_clears_it_and_the_rest_is_still_checked(client):
    nb = make_notebook(client, "structure.ipynb")
    nb.open()
    await latest(client, nb.cell_uri(4), 1)
    start = len(client.publications)
    removed = nb.cells.pop(4)
    added = {
        "kind": "code",
        "uri": f"vscode-notebook-cell:{nb.path}#new",
        "text": "z = np.tanh(tf.ones(2))",
        "version": 1,
    }
    nb.cells.insert(4, added)
    nb.version += 1
    client.notebook_document_did_change(
        lsp.DidChangeNotebookDocumentParams(
            notebook_document=lsp.VersionedNotebookDocumentIdentifier(uri=nb.uri, version=nb.version),
            change=lsp.NotebookDocumentChangeEvent(
                cells=lsp.NotebookDocumentCellChanges(
                    structure=lsp.NotebookDocumentCellChangeStructure(
                        array=lsp.NotebookCellArrayChange(
                            start=4,
                            delete_count=1,
                            cells=[lsp.NotebookCell(kind=lsp.NotebookCellKind.Code, document=added["uri"])],
                        ),
                        did_open=[
                            lsp.TextDocumentItem(uri=added["uri"], language_id="python", version=1, text=added["text"])
                        ],
                        did_close=[lsp.TextDocumentIdentifier(uri=removed["uri"])],
                    )
                )
            ),
        )
    )
    await wait_until(
        lambda: any(p.uri == removed["uri"] and not p.diagnostics for p in client.publications[start:]),
        15.0,
        "the removed cell's diagnostics cleared",
    )
    # The layer cell is still reported after the structure change.
    layer = await latest(client, nb.cell_uri(2), 1, start)
    assert [d.code for d in layer.diagnostics] == ["TFG001"]
    nb.close()
