"""LSP soak: thousands of incremental edits to a 5,000-line TensorFlow file, shared by
tests/hardening/test_lsp_soak.py (CI size) and bench/soak_lsp.py (long run).

The client keeps its own copy of the text (a list of lines), sends each edit as an incremental
didChange with UTF-16 positions (some lines carry astral characters), waits for the debounced
diagnostics only at checkpoints, asks for code actions and hovers there, and compares what the
server published with `gradls.analysis.analyze()` of the client's text, by code and range.
Every edit transaction (typing a statement character by character, toggling np./tf., pasting
and deleting a block, typing a comment with emoji) leaves the file parsing when it completes;
in between the file is broken most of the time, as it is while someone types.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from lsprotocol import types as lsp

BLOCK = '''
class Scale{i}(tf.keras.layers.Layer):
    """Scales its input by a learned vector."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return {ns}.multiply(x, self.w)


def step{i}(model, x):
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(model(x))
    return tape.gradient(y, model.trainable_variables)
'''
HEAD = "import numpy as np\nimport tensorflow as tf\n"
TF_CALL = "        return tf.multiply(x, self.w)"
NP_CALL = "        return np.multiply(x, self.w)"


def make_document(lines: int = 5000, numpy_every: int = 7) -> str:
    """A Keras module of about `lines` lines; every `numpy_every`-th layer calls NumPy (TFG001)."""
    per_block = BLOCK.count("\n")
    n = max(1, (lines - HEAD.count("\n")) // per_block)
    return HEAD + "".join(BLOCK.format(i=i, ns="np" if i % numpy_every == 0 else "tf") for i in range(n))


def utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@dataclass
class SoakStats:
    edits: int = 0
    did_change_notifications: int = 0
    transactions: int = 0
    checkpoints: int = 0
    full_comparisons: int = 0
    code_action_requests: int = 0
    code_actions_returned: int = 0
    hovers: int = 0
    publications: int = 0
    rss_kib: list[int] = field(default_factory=list)
    final_diagnostics: int = 0
    final_lines: int = 0
    seconds: float = 0.0
    max_checkpoint_wait_s: float = 0.0

    def as_dict(self) -> dict:
        return {
            "edits": self.edits,
            "didChange_notifications": self.did_change_notifications,
            "transactions": self.transactions,
            "checkpoints": self.checkpoints,
            "full_comparisons": self.full_comparisons,
            "code_action_requests": self.code_action_requests,
            "code_actions_returned": self.code_actions_returned,
            "hovers": self.hovers,
            "final_diagnostics": self.final_diagnostics,
            "final_lines": self.final_lines,
            "rss_start_mib": round(self.rss_kib[0] / 1024, 1) if self.rss_kib else None,
            "rss_end_mib": round(self.rss_kib[-1] / 1024, 1) if self.rss_kib else None,
            "rss_peak_mib": round(max(self.rss_kib) / 1024, 1) if self.rss_kib else None,
            "seconds": round(self.seconds, 1),
            "max_checkpoint_wait_s": round(self.max_checkpoint_wait_s, 2),
        }


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def expected_diagnostics(text: str) -> list[tuple]:
    """(code, start line, start UTF-16 char, end line, end UTF-16 char) of a fresh analysis."""
    from gradls.analysis import analyze

    result = analyze(text)
    assert result.failure is None, f"final text does not parse: {result.failure}"
    lines = text.split("\n")
    out = []
    for f in result.findings:
        s = f.span
        out.append(
            (
                f.code,
                s.line - 1,
                utf16(lines[s.line - 1][: s.col]),
                s.end_line - 1,
                utf16(lines[s.end_line - 1][: s.end_col]),
            )
        )
    return sorted(out)


def published_diagnostics(diags) -> list[tuple]:
    return sorted(
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diags
        if d.source == "gradls"
    )


class Editor:
    """The client's copy of the document and the edits it sends."""

    def __init__(self, client, uri: str, text: str, rng: random.Random):
        self.client, self.uri, self.rng = client, uri, rng
        self.lines = text.split("\n")
        self.version = 1
        self.edits = 0
        self.notifications = 0
        self.counter = 0
        self._pending: list[lsp.TextDocumentContentChangePartial] = []

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def pos(self, line: int, col: int) -> lsp.Position:
        return lsp.Position(line=line, character=utf16(self.lines[line][:col]) if line < len(self.lines) else 0)

    def replace(self, l1: int, c1: int, l2: int, c2: int, new: str) -> None:
        """Replace [l1:c1, l2:c2) (code-point columns) by `new`, locally and on the server."""
        change = lsp.TextDocumentContentChangePartial(
            range=lsp.Range(start=self.pos(l1, c1), end=self.pos(l2, c2)), text=new
        )
        before, after = self.lines[l1][:c1], self.lines[l2][c2:]
        self.lines[l1 : l2 + 1] = (before + new + after).split("\n")
        self.edits += 1
        self._pending.append(change)
        # Mostly one change per didChange (typing); sometimes several in one (multi-cursor, format).
        if len(self._pending) >= self.rng.choice((1, 1, 1, 1, 3)):
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        self.version += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=self._pending,
            )
        )
        self.notifications += 1
        self._pending = []

    def type_text(self, line: int, col: int, s: str) -> None:
        for ch in s:
            self.replace(line, col, line, col, ch)
            if ch == "\n":
                line, col = line + 1, 0
            else:
                col += 1

    def find(self, predicate, start: int, limit: int = 40) -> int | None:
        n = len(self.lines)
        for k in range(limit):
            i = (start + k) % n
            if predicate(self.lines[i]):
                return i
        return None

    # ---------------------------------------------------------------- transactions
    def transaction(self) -> None:
        op = self.rng.choices(
            ["toggle", "statement", "delete_statement", "comment", "paste_block", "delete_block", "retype_word"],
            weights=[4, 4, 2, 2, 1, 1, 2],
        )[0]
        getattr(self, "_" + op)(self.rng.randrange(len(self.lines)))

    def _toggle(self, start: int) -> None:
        i = self.find(lambda s: s in (TF_CALL, NP_CALL), start)
        if i is None:
            return
        col = self.lines[i].index("multiply") - 3
        new = "tf" if self.lines[i] == NP_CALL else "np"
        self.replace(i, col, i, col + 2, "")  # `return .multiply(...)`: does not parse
        self.type_text(i, col, new)

    def _statement(self, start: int) -> None:
        i = self.find(lambda s: s.startswith(("class ", "def ")), start)
        if i is None:
            return
        self.counter += 1
        self.replace(i, 0, i, 0, "\n")  # a new empty line above a top-level definition
        self.type_text(i, 0, f"z_{self.counter} = tf.constant({self.counter}.0)  # typed")

    def _delete_statement(self, start: int) -> None:
        i = self.find(lambda s: s.startswith("z_") or s.startswith("# note"), start, limit=len(self.lines))
        if i is None or i + 1 >= len(self.lines):
            return
        self.replace(i, 0, i + 1, 0, "")

    def _comment(self, start: int) -> None:
        i = self.find(lambda s: s.startswith(("class ", "def ")), start)
        if i is None:
            return
        self.replace(i, 0, i, 0, "\n")
        self.type_text(i, 0, "# note 😀 é 𝔤rad ✓")  # astral characters: 2 UTF-16 units each

    def _paste_block(self, start: int) -> None:
        i = self.find(lambda s: s.startswith("class "), start)
        if i is None:
            return
        self.counter += 1
        block = BLOCK.format(i=f"P{self.counter}", ns="np").lstrip("\n") + "\n\n"
        self.replace(i, 0, i, 0, block)

    def _delete_block(self, start: int) -> None:
        i = self.find(lambda s: s.startswith("class ScaleP"), start, limit=len(self.lines))
        if i is None:
            return
        j = self.find(
            lambda s: s.startswith("class ") and not s.startswith(self.lines[i]), i + 1, limit=len(self.lines)
        )
        if j is None or j <= i:
            return
        self.replace(i, 0, j, 0, "")

    def _retype_word(self, start: int) -> None:
        i = self.find(lambda s: "tf.reduce_sum(" in s, start)
        if i is None:
            return
        col = self.lines[i].index("reduce_sum")
        for k in range(len("reduce_sum"), 0, -1):  # backspace the word...
            self.replace(i, col + k - 1, i, col + k, "")
        self.type_text(i, col, "reduce_sum")  # ...and type it again


async def wait_for_version(client, uri: str, version: int, start: int, timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while True:
        for p in reversed(client.publications[start:]):
            if p.uri == uri and p.version == version:
                return p
        if time.monotonic() > deadline:
            seen = [p.version for p in client.publications[start:] if p.uri == uri][-5:]
            raise AssertionError(f"no diagnostics for version {version} within {timeout}s (last versions seen: {seen})")
        await asyncio.sleep(0.02)


async def run_soak(
    client,
    uri: str,
    *,
    edits: int = 10_000,
    lines: int = 5000,
    burst: int = 500,
    compare_every: int = 5,
    seed: int = 20240611,
    checkpoint_timeout: float = 60.0,
    progress=None,
) -> SoakStats:
    """Drive one open document through `edits` edits. Raises AssertionError on stale or wrong diagnostics."""
    rng = random.Random(seed)
    stats = SoakStats()
    t0 = time.monotonic()
    info = await client.protocol.send_request_async("gradls/serverInfo", {})
    pid = info["pid"] if isinstance(info, dict) else info.pid
    editor = Editor(client, uri, make_document(lines), rng)
    start = len(client.publications)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=editor.text)
        )
    )
    await wait_for_version(client, uri, 1, start, checkpoint_timeout)
    next_checkpoint = burst
    checkpoint = 0
    while True:
        done = editor.edits >= edits
        if not done and editor.edits < next_checkpoint:
            editor.transaction()
            stats.transactions += 1
            if stats.transactions % 50 == 0:
                await asyncio.sleep(0)  # let the client's writer breathe
            continue
        editor.flush()
        checkpoint += 1
        next_checkpoint = editor.edits + burst
        waited = time.monotonic()
        pub = await wait_for_version(client, uri, editor.version, start, checkpoint_timeout)
        stats.max_checkpoint_wait_s = max(stats.max_checkpoint_wait_s, time.monotonic() - waited)
        got = published_diagnostics(pub.diagnostics)
        if done or checkpoint % compare_every == 1:
            want = expected_diagnostics(editor.text)
            assert got == want, _diff(got, want, editor.version)
            stats.full_comparisons += 1
        # Code action and hover on a published diagnostic (or at the top when there is none).
        target = next((d for d in pub.diagnostics if d.source == "gradls"), None)
        rng_ = (
            target.range
            if target
            else lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))
        )
        acts = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                range=rng_,
                context=lsp.CodeActionContext(diagnostics=[target] if target else []),
            )
        )
        stats.code_action_requests += 1
        stats.code_actions_returned += len(acts or [])
        for a in acts or []:
            if isinstance(a, lsp.CodeAction) and a.edit and a.edit.document_changes:
                for dc in a.edit.document_changes:
                    assert dc.text_document.version == editor.version, "code action for a stale version"
        if target is not None:
            hover = await client.text_document_hover_async(
                lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=rng_.start)
            )
            assert hover is not None and str(target.code) in hover.contents.value
            stats.hovers += 1
        stats.rss_kib.append(rss_kib(pid))
        stats.checkpoints = checkpoint
        if progress:
            progress(editor.edits, stats)
        if done:
            break
    stats.edits = editor.edits
    stats.did_change_notifications = editor.notifications
    stats.final_diagnostics = len(got)
    stats.final_lines = len(editor.lines)
    stats.publications = sum(1 for p in client.publications[start:] if p.uri == uri)
    stats.seconds = time.monotonic() - t0
    return stats


def _diff(got: list, want: list, version: int) -> str:
    g, w = set(got), set(want)
    return (
        f"stale or wrong diagnostics at version {version}: {len(got)} published, {len(want)} expected; "
        f"extra {sorted(g - w)[:5]}, missing {sorted(w - g)[:5]}"
    )
