"""An analysis job's outcome is taken or retired exactly once, whoever still awaits it (in-process server,
no connection: the awaiting task is cancelled by hand, as the next keystroke cancels the debounced one).

A ModuleInfo no document keeps must be retired (released on the analysis thread by reference counting):
one never retired holds reference cycles of tens of thousands of objects until a full pass of the cyclic
collector, which grew the server's memory by tens of MB over 1,000 edits.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from gradls.lsp import documents
from gradls.lsp.diagnostics import DocumentState
from gradls.lsp.server import GradlsLanguageServer
from lsprotocol import types as lsp
from pygls.workspace import Workspace

pytestmark = pytest.mark.asyncio

TEXT = """\
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def call(self, x):
        return np.multiply(x, 2.0)
"""
URI = "untitled:outcomes"


def server_with_document() -> tuple[GradlsLanguageServer, DocumentState]:
    ls = GradlsLanguageServer()
    ls.protocol._workspace = Workspace(None, sync_kind=lsp.TextDocumentSyncKind.Incremental)  # as initialize does
    ls.workspace.put_text_document(lsp.TextDocumentItem(uri=URI, language_id="python", version=1, text=TEXT))
    state = DocumentState(uri=URI, path=None, version=1)
    ls.documents[URI] = state
    return ls, state


def retired(ls: GradlsLanguageServer, info) -> bool:
    """Waiting to be released, or released already (on the analysis thread: its attributes are gone)."""
    return any(m is info for m in ls.retired_modules) or not vars(info)


async def started_then_cancelled(
    ls: GradlsLanguageServer, state: DocumentState, monkeypatch: pytest.MonkeyPatch
) -> tuple[asyncio.Future, threading.Event]:
    """ensure_analysed started (its job queued), then its awaiting task cancelled; the job's future and a gate
    the job waits on after analysing, before it returns.

    Held by the gate, the job cannot end (and its outcome be taken) before the test has played what happens
    while the analysis runs: without it the outcome raced the test's next keystroke, a race CI lost once.
    """
    gate = threading.Event()
    analyse = documents._analyse_if_current

    def analyse_then_wait(*args):
        outcome = analyse(*args)
        gate.wait(30)
        return outcome

    monkeypatch.setattr(documents, "_analyse_if_current", analyse_then_wait)
    task = asyncio.ensure_future(documents.ensure_analysed(ls, state))
    await asyncio.sleep(0)
    (future,) = state.in_flight.values()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return future, gate


async def test_a_stale_outcome_whose_awaiter_was_cancelled_is_retired(monkeypatch):
    ls, state = server_with_document()
    try:
        future, gate = await started_then_cancelled(ls, state, monkeypatch)
        state.version = 2  # the next keystroke (same text: only the version matters here)
        gate.set()
        await asyncio.wait([future])
        await asyncio.sleep(0)
        result, info = future.result()
        assert info is not None and [f.code for f in result.findings] == ["TFG001"]
        assert state.module is None and state.analysed_version is None
        assert retired(ls, info)
        assert not state.in_flight
    finally:
        ls.analysis_executor.shutdown(wait=True)
        ls.fix_executor.shutdown(wait=True)


async def test_a_current_outcome_whose_awaiter_was_cancelled_is_kept(monkeypatch):
    # didSave of the same version reschedules the analysis: the job's result is still the document's.
    ls, state = server_with_document()
    try:
        future, gate = await started_then_cancelled(ls, state, monkeypatch)
        gate.set()
        await asyncio.wait([future])
        await asyncio.sleep(0)
        _, info = future.result()
        assert state.analysed_version == 1 and state.module is info
        assert [f.code for f in state.findings] == ["TFG001"]
        assert not retired(ls, info)
        await documents.ensure_analysed(ls, state)  # nothing left to do: no second job
        assert not state.in_flight and state.module is info and not retired(ls, info)
    finally:
        ls.analysis_executor.shutdown(wait=True)
        ls.fix_executor.shutdown(wait=True)
