"""The gradls language server (pygls 2.x): `python -m gradls` / `gradls server`.

Only `main` is imported at start-up; the server module and everything behind it load when the
server actually starts, so `gradls --help` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gradls server", description="Run the gradls language server (stdio by default)."
    )
    parser.add_argument(
        "--stdio",
        action="store_true",
        help="talk LSP over stdin/stdout (the default; accepted for editors that pass it)",
    )
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2087)
    parser.add_argument("--log-file", help="also write pygls' own debug log here")
    args = parser.parse_args(argv)

    # stdout carries the protocol: Python-level logging must never write there.
    destination = {"filename": args.log_file} if args.log_file else {"stream": sys.stderr}
    logging.basicConfig(
        level=logging.DEBUG if args.log_file else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        **destination,
    )
    from gradls.lsp.server import GradlsLanguageServer

    server = GradlsLanguageServer()
    if args.tcp:
        server.start_tcp(args.host, args.port)
    else:
        server.start_io()
    return 0


__all__ = ["main"]
