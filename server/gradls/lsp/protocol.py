"""gradls' JSON-RPC protocol: pygls' LanguageServerProtocol, answering every request.

pygls 2.1 drops two kinds of request without any response, so the client waits forever:
- a request whose params do not validate (a negative position, a missing field): the error is
  raised while the message is being decoded, before pygls knows it is a request;
- any request after `shutdown` (the spec wants an InvalidRequest error).
Both now get a JSON-RPC error response naming the method, and the problem goes to the log; a
notification with invalid params is ignored with a log line naming the method and the field.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol

EXIT = "exit"


class _Answered:
    """What decoding a refused request yields: the error response has already been sent."""

    jsonrpc = None


ANSWERED = _Answered()


class GradlsProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and isinstance(data.get("method"), str):
                detail = _describe(error.__cause__) or error.message
                method = data["method"]
                self._send_response(
                    data["id"], None, type(error)(f"{error.message} for {method}: {detail}"[:2000]).to_response_error()
                )
                self._log(f"refused {method} request {data['id']!r}: invalid params ({detail[:500]})")
                return ANSWERED
            if isinstance(data, dict) and isinstance(data.get("method"), str) and "id" not in data:
                detail = _describe(error.__cause__) or error.message
                self._log(f"ignored {data['method']} notification: invalid params ({detail[:500]})")
                return ANSWERED
            raise

    def handle_message(self, message):
        if message is ANSWERED:
            return
        if (
            self._shutdown
            and getattr(message, "id", None) is not None
            and getattr(message, "method", None) not in (None, EXIT)
        ):
            error = JsonRpcInvalidRequest(f"the server is shutting down: {message.method} refused")
            self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)

    def _log(self, text: str) -> None:
        log = getattr(self._server, "log", None)
        if callable(log):
            log(text, "warning")


def _describe(cause: BaseException | None) -> str:
    """Where the params went wrong ("... @ $.params.position.line"), from cattrs' validation error."""
    if cause is None:
        return ""
    try:
        from cattrs import transform_error

        return "; ".join(transform_error(cause))
    except Exception:
        return f"{type(cause).__name__}: {cause}"
