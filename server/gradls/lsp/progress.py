"""Server-initiated $/progress (window/workDoneProgress/create), guarded for clients that refuse it.

VS Code never hands the server a workDoneToken for commands, so the server creates one.  Per
the spec no $/progress may be sent for a token whose creation failed; then the work just runs
without a progress bar.  String tokens, because some clients reject numeric ones.
"""

from __future__ import annotations

import asyncio
import uuid

from lsprotocol import types as lsp


class ServerProgress:
    def __init__(self, server, title: str, cancellable: bool = False):
        self.server = server
        self.title = title
        self.cancellable = cancellable
        self.token: str | None = None
        self._cancel_future = None

    @property
    def cancelled(self) -> bool:
        """True once the user pressed cancel on the progress (window/workDoneProgress/cancel)."""
        return self._cancel_future is not None and self._cancel_future.cancelled()

    def on_cancel(self, callback) -> None:
        if self._cancel_future is not None:
            self._cancel_future.add_done_callback(lambda f: callback() if f.cancelled() else None)

    async def __aenter__(self) -> ServerProgress:
        caps = self.server.client_capabilities
        if not (caps.window and caps.window.work_done_progress):
            return self
        token = f"gradls-{uuid.uuid4().hex[:12]}"
        try:
            await asyncio.wait_for(self.server.work_done_progress.create_async(token), timeout=5)
        except Exception as e:  # refused or no answer: work on without a progress bar
            self.server.log(f"progress '{self.title}' not shown: {e}", "log")
            return self
        self.token = token
        self._cancel_future = self.server.work_done_progress.tokens.get(token)
        self.server.work_done_progress.begin(
            token, lsp.WorkDoneProgressBegin(title=self.title, cancellable=self.cancellable, percentage=0)
        )
        return self

    def report(self, message: str, percentage: int | None = None) -> None:
        if self.token is not None:
            self.server.work_done_progress.report(
                self.token,
                lsp.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=self.cancellable),
            )

    async def __aexit__(self, exc_type, exc, tb) -> None:
        if self.token is None:
            return
        if exc_type is asyncio.CancelledError or self.cancelled:
            message = "cancelled"
        elif exc is not None:
            message = f"failed: {exc}"
        else:
            message = "done"
        self.server.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))
        # pygls never forgets a token; drop ours so a long session does not accumulate them.
        self.server.work_done_progress.tokens.pop(self.token, None)
