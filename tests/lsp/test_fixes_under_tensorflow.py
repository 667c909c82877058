"""Quick fixes taken from the server and run under TensorFlow: the bug is real, the fix repairs it.

All programs run in ONE TensorFlow subprocess (tfharness), since importing TF costs seconds.
"""

from __future__ import annotations

import pytest
from lsp_helpers import (
    CUSTOM_GRADIENT,
    NUMPY_LAYER,
    apply_text_edits,
    edits_for,
    lsp_session,
    open_document,
    wait_for_publication,
)
from lsprotocol import types as lsp

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]


client = lsp_session("tf-ws")


async def preferred_fix(client, name: str, text: str, code: str) -> str:
    uri = (client.root / name).as_uri()
    open_document(client, uri, text)
    pub = await wait_for_publication(client, uri, version=1)
    diag = next(d for d in pub.diagnostics if d.code == code)
    acts = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag]),
        )
    )
    fix = next(a for a in acts if a.is_preferred and a.title.startswith(f"gradls ({code}):"))
    return apply_text_edits(text, edits_for(fix.edit, uri))


async def test_quick_fixes_repair_the_gradient_under_tensorflow(client):
    from tfharness import run_programs

    fixed_numpy = await preferred_fix(client, "layer.py", NUMPY_LAYER, "TFG001")
    fixed_custom = await preferred_fix(client, "custom.py", CUSTOM_GRADIENT, "TFG004")
    results = run_programs(
        {"numpy": NUMPY_LAYER, "numpy_fixed": fixed_numpy, "custom": CUSTOM_GRADIENT, "custom_fixed": fixed_custom}
    )
    # The fixtures are real bugs...
    assert not results["numpy"].ok or "none" in results["numpy"].result
    assert results["custom"].error_type == "TypeError"
    # ...and the server's fixes repair them: every source gets a real gradient.
    assert results["numpy_fixed"].ok, results["numpy_fixed"].error
    assert results["numpy_fixed"].result == ["ok"]
    assert results["custom_fixed"].ok, results["custom_fixed"].error
    assert results["custom_fixed"].result == ["ok", "ok"]
