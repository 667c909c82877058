"""`gradls/runProbe` on an open notebook (LSP notebook sync): the cells as the editor has them run in order
under TensorFlow (CPU, in the probe's child process), and the probe's facts come back as diagnostics on
the cells where the gradient was lost and where the variable was created."""

from __future__ import annotations

import json
import sys

import pytest
from lsp_helpers import RecordingClient, lsp_session, wait_until
from lsprotocol import types as lsp
from test_notebook_sync import Notebook, notebook_capabilities

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(240)]

IMPORTS = "%matplotlib inline\n!nvidia-smi\nimport numpy as np\nimport tensorflow as tf"
NOTES = "# The model\nOne weight matrix."
VARIABLES = "w = tf.Variable([[1.0], [2.0]], name='w')\nx = tf.constant([[3.0, 4.0]])"
STEP = (
    "with tf.GradientTape() as tape:\n"
    "    loss = tf.reduce_sum(np.multiply(tf.matmul(x, w), 2.0))\n"
    "grads = tape.gradient(loss, [w])"
)
HEALTHY_STEP = STEP.replace("np.multiply(tf.matmul(x, w), 2.0)", "tf.matmul(x, w) * 2.0")


client = lsp_session(
    "probe-notebook-ws",
    capabilities=notebook_capabilities,
    options={
        "settings": {
            "lint": {"run": "onType"},
            "probe": {"interpreter": sys.executable, "timeoutSeconds": 120, "steps": 2, "device": "cpu"},
        },
        "trusted": True,
    },
)


def probe_diagnostics(client: RecordingClient, uri: str, start: int) -> list[lsp.Diagnostic] | None:
    pubs = [p for p in client.publications[start:] if p.uri == uri]
    return [d for d in pubs[-1].diagnostics if d.source == "gradls-probe"] if pubs else None


async def test_probe_of_an_open_notebook_lands_on_its_cells(client):
    cells = [("code", IMPORTS), ("markdown", NOTES), ("code", VARIABLES), ("code", STEP)]
    # As VS Code does, the client syncs only the python cells (its selector), and says where they are among all.
    nb = Notebook(client, "train.ipynb", [c for c in cells if c[0] == "code"])
    numbering = [{"uri": nb.cell_uri(i), "index": index} for i, index in enumerate((0, 2, 3))]
    # On disk the notebook is healthy: the probe runs the cells as the editor has them (the bug), as Run All does.
    disk = [{"cell_type": k, "metadata": {}, "source": t} for k, t in cells[:3]]
    disk.append({"cell_type": "code", "metadata": {}, "source": HEALTHY_STEP, "outputs": [], "execution_count": None})
    nb.path.write_text(json.dumps({"cells": disk, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    nb.open()
    await wait_until(
        lambda: any(p.uri == nb.cell_uri(2) and p.diagnostics for p in client.publications), 30.0, "static findings"
    )
    start = len(client.publications)
    # The active editor is a cell: its URI names the notebook.
    result = await client.protocol.send_request_async(
        "gradls/runProbe", {"uri": nb.cell_uri(2), "notebookCells": numbering}
    )
    report = result.report
    assert report.status == "gradient-problems" and report.notebook is True
    (problem,) = [p for p in report.problems if p.source == "w"]
    assert (problem.cell, problem.line) == (4, 3)
    assert (problem.created_at.cell, problem.created_at.line) == (3, 1)
    assert "train.ipynb:cell 4:3" in result.text
    assert "2 IPython lines (magics, shell commands, help) not run" in result.text

    step = await wait_until(lambda: probe_diagnostics(client, nb.cell_uri(2), start), 15.0, "probe facts on cell 4")
    (fact,) = step
    assert fact.range.start.line == 2 and "w gets no gradient (None) in tape.gradient at cell 4, line 3" in fact.message
    assert fact.severity == lsp.DiagnosticSeverity.Error
    # the static finding of the same cell is related to it
    assert fact.related_information and fact.related_information[0].location.uri == nb.cell_uri(2)
    created = await wait_until(lambda: probe_diagnostics(client, nb.cell_uri(1), start), 15.0, "created-here fact")
    assert [(d.range.start.line, d.message.endswith("(created here)")) for d in created] == [(0, True)]
    assert probe_diagnostics(client, nb.cell_uri(0), start) in (None, [])

    # Fixing the cell makes its run out of date: its fact goes, the other cell's stays.
    start = len(client.publications)
    nb.set_text(2, HEALTHY_STEP)

    def republished():
        pubs = [p for p in client.publications[start:] if p.uri == nb.cell_uri(2) and p.version == 2]
        return pubs[-1] if pubs else None

    after = await wait_until(republished, 15.0, "cell 4 after the fix")
    assert not [d for d in after.diagnostics if d.source == "gradls-probe"]
    kept = probe_diagnostics(client, nb.cell_uri(1), start)
    assert kept is None or len(kept) == 1  # not republished, or republished with its fact
    nb.close()
