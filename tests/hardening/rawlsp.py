"""A raw JSON-RPC client for `python -m gradls`: sends whatever bytes a hostile client would.

pytest-lsp's client validates what it sends; abuse needs malformed params, invalid UTF-8, and a
client that stops reading its pipe. The reader thread can be paused to let the server's stdout
pipe fill up.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Any

SERVER_COMMAND = [sys.executable, "-m", "gradls"]


def rss_kib(pid: int) -> int:
    """VmRSS of a live process, in KiB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class RawServer:
    def __init__(self, cwd: str | None = None, env: dict | None = None):
        self.proc = subprocess.Popen(
            SERVER_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self.pid = self.proc.pid
        self._ids = itertools.count(1)
        self.responses: dict[Any, dict] = {}
        self.notifications: list[dict] = []
        self.server_requests: list[dict] = []
        self.bytes_read = 0
        self._cond = threading.Condition()
        self._reading = threading.Event()
        self._reading.set()
        self._closed = False
        self._wlock = threading.Lock()
        self.stderr_chunks: queue.Queue = queue.Queue()
        threading.Thread(target=self._read_loop, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # ------------------------------------------------------------------ reading
    def _drain_stderr(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.stderr_chunks.put(chunk)

    def stderr_text(self) -> str:
        out = []
        while not self.stderr_chunks.empty():
            out.append(self.stderr_chunks.get_nowait())
        return b"".join(out).decode("utf-8", "replace")

    def _read_loop(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                self._reading.wait()
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        raise EOFError
                    self.bytes_read += len(line)
                    if line in (b"\r\n", b"\n"):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = out.read(length)
                self.bytes_read += len(body)
                msg = json.loads(body)
                with self._cond:
                    if "method" in msg and "id" in msg:
                        self.server_requests.append(msg)
                        self._answer_server_request(msg)
                    elif "method" in msg:
                        self.notifications.append(msg)
                    else:
                        self.responses[msg.get("id")] = msg
                    self._cond.notify_all()
        except (EOFError, ValueError, OSError):
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _answer_server_request(self, msg: dict) -> None:
        # workspace/configuration -> no settings; registrations and progress -> ok.
        result: Any = None
        if msg["method"] == "workspace/configuration":
            result = [None for _ in msg.get("params", {}).get("items", [])]
        try:
            self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
        except OSError:
            pass

    def pause_reading(self) -> None:
        self._reading.clear()

    def resume_reading(self) -> None:
        self._reading.set()

    # ------------------------------------------------------------------ writing
    def send_bytes(self, data: bytes) -> None:
        with self._wlock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def send(self, obj: Any) -> None:
        body = json.dumps(obj).encode("utf-8")
        self.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_nowait(self, method: str, params: Any = None) -> int:
        msg_id = next(self._ids)
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id

    def wait_response(self, msg_id: int, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise TimeoutError(f"no response to request {msg_id} within {timeout}s (closed={self._closed})")
                self._cond.wait(left)
            return self.responses[msg_id]

    def request(self, method: str, params: Any = None, timeout: float = 20.0) -> dict:
        return self.wait_response(self.request_nowait(method, params), timeout)

    def wait_notification(self, predicate, timeout: float = 20.0, start: int = 0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for n in self.notifications[start:]:
                    if predicate(n):
                        return n
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise TimeoutError(f"notification not seen within {timeout}s (closed={self._closed})")
                self._cond.wait(left)

    def log_messages(self, start: int = 0) -> list[str]:
        with self._cond:
            return [n["params"]["message"] for n in self.notifications[start:] if n["method"] == "window/logMessage"]

    def publications(self, uri: str) -> list[dict]:
        with self._cond:
            return [
                n["params"]
                for n in self.notifications
                if n["method"] == "textDocument/publishDiagnostics" and n["params"]["uri"] == uri
            ]

    # ------------------------------------------------------------------ session
    def initialize(
        self, root_uri: str | None = None, initialization_options: Any = None, capabilities: dict | None = None
    ) -> dict:
        params = {
            "processId": os.getpid(),
            "rootUri": root_uri,
            "capabilities": capabilities if capabilities is not None else {},
            "initializationOptions": initialization_options,
        }
        if root_uri:
            params["workspaceFolders"] = [{"uri": root_uri, "name": "ws"}]
        result = self.request("initialize", params, timeout=60)
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1, language_id: str = "python") -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}},
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, timeout: float = 10.0) -> int | None:
        """shutdown + exit if still possible, then make sure the process is gone."""
        if self.alive():
            try:
                self.resume_reading()
                self.request("shutdown", None, timeout=timeout)
                self.notify("exit")
            except (OSError, TimeoutError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        return self.proc.returncode

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
