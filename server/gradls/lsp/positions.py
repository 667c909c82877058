"""Code-point columns (what `analysis` speaks) <-> LSP columns in the negotiated encoding.

LSP counts a column in UTF-16 code units unless client and server agreed on UTF-8 or UTF-32
(`positionEncoding`, LSP 3.17).  Lines are split on "\\r\\n", "\\r" and "\\n", which is what both
LSP and the Python tokenizer call a line break (unlike `str.splitlines`, which also splits on
form feeds and U+2028 and would shift every later line).
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from gradls.analysis.model import Span

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(source: str) -> list[str]:
    """The lines of `source` without their line breaks; a trailing break gives a last empty line."""
    if "\r" not in source:
        return source.split("\n")  # the common case, several times faster than the regex
    return _LINE_BREAK.split(source)


def normalise_encoding(encoding: str | None) -> str:
    if encoding in (UTF8, UTF32):
        return encoding
    return UTF16


def _units(ch: str, encoding: str) -> int:
    cp = ord(ch)
    if encoding == UTF16:
        return 2 if cp > 0xFFFF else 1
    # UTF-8
    if cp < 0x80:
        return 1
    if cp < 0x800:
        return 2
    if cp < 0x10000:
        return 3
    return 4


def to_client_column(line_text: str, col: int, encoding: str) -> int:
    """Code-point column -> column in `encoding` units (clamped to the line's end)."""
    col = max(0, min(col, len(line_text)))
    if encoding == UTF32:
        return col
    prefix = line_text[:col]
    if prefix.isascii():
        return col
    if encoding == UTF16:
        # Only astral characters take two UTF-16 units.
        return col + sum(1 for ch in prefix if ord(ch) > 0xFFFF)
    return len(prefix.encode("utf-8", errors="surrogatepass"))


def from_client_column(line_text: str, units: int, encoding: str) -> int:
    """Column in `encoding` units -> code-point column; a position inside a character snaps after it."""
    units = max(0, units)
    if encoding == UTF32 or line_text.isascii():
        return min(units, len(line_text))
    seen = 0
    for i, ch in enumerate(line_text):
        if seen >= units:
            return i
        seen += _units(ch, encoding)
    return len(line_text)


class LineIndex:
    """The lines of one text, for converting many positions of that text."""

    def __init__(self, source: str, encoding: str = UTF16):
        self.lines = split_lines(source)
        self.encoding = normalise_encoding(encoding)

    def line_text(self, line0: int) -> str:
        if 0 <= line0 < len(self.lines):
            return self.lines[line0]
        return ""

    def position(self, line1: int, col: int) -> lsp.Position:
        """1-based line, code-point column -> LSP Position (clamped into the document)."""
        line0 = max(0, line1 - 1)
        if line0 >= len(self.lines):
            last = len(self.lines) - 1
            return lsp.Position(
                line=last, character=to_client_column(self.lines[last], len(self.lines[last]), self.encoding)
            )
        return lsp.Position(line=line0, character=to_client_column(self.lines[line0], col, self.encoding))

    def range(self, span: Span) -> lsp.Range:
        return lsp.Range(start=self.position(span.line, span.col), end=self.position(span.end_line, span.end_col))

    def line_range(self, line1: int) -> lsp.Range:
        """The non-blank part of a 1-based line (for facts that only know a line number)."""
        text = self.line_text(line1 - 1)
        stripped = text.lstrip()
        start = len(text) - len(stripped)
        end = len(text.rstrip())
        if end <= start:
            start, end = 0, len(text)
        return self.range(Span(line1, start, line1, end))

    def code_point(self, position: lsp.Position) -> tuple[int, int]:
        """LSP Position -> (1-based line, code-point column)."""
        text = self.line_text(position.line)
        return position.line + 1, from_client_column(text, position.character, self.encoding)

    def span(self, rng: lsp.Range) -> Span:
        l1, c1 = self.code_point(rng.start)
        l2, c2 = self.code_point(rng.end)
        return Span(l1, c1, l2, c2)
