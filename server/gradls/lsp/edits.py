"""The edits behind the code actions: checked fixes, "Disable for this line", fix-all, "Rewrite as tf.cond",
and their conversion to LSP text edits.  No server state here (code_actions.py holds the handlers).

Every edit offered is checked first: the edited text must still parse (`ast.parse`), so
applying an action can never break the file.  The fixes layer (and libcst behind it) is
imported on the first request, not at server start.
"""

from __future__ import annotations

import ast
import difflib
import re
import warnings
from collections.abc import Callable, Iterable

from lsprotocol import types as lsp

from gradls.analysis.model import Edit, Finding, Fix, ParseFailure, Span
from gradls.config import Config
from gradls.lsp.positions import LineIndex

FIX_ALL_KIND = "source.fixAll.gradls"
# Rounds of fix-all in the editor (each applies every compatible safe fix at once): a fix may uncover
# another, but the editor waits for the answer.
MAX_FIX_ALL_ROUNDS = 8


def kind_requested(kind: str, only: list[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for "source" or "source.fixAll" includes ours."""
    if not only:
        return True
    return any(kind == o or kind.startswith(o + ".") for o in only)


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _fixes():
    import gradls.fixes

    return gradls.fixes


def apply_fix(source: str, fix: Fix) -> str | None:
    """The text after `fix`, or None when its edits overlap or the result would not parse."""
    try:
        new = _fixes().apply_edits(source, fix.edits)
    except (ValueError, IndexError):
        return None
    if new == source or not parses(new):
        return None
    return new


def fix_for_finding(source: str, finding: Finding) -> Fix | None:
    try:
        return _fixes().fix_for(source, finding)
    except RecursionError:
        return None


def suppression_for_finding(source: str, finding: Finding) -> tuple[Fix, str] | None:
    from gradls.fixes.suppress import suppresses, suppression_fix

    fix = suppression_fix(source, finding)
    if fix is None:
        return None
    new = apply_fix(source, fix)
    if new is None or not suppresses(new, fix.edits[0].span.line, finding.code):
        return None
    return fix, new


_IF_HINT = re.compile(r"^\s*(?:el)?if\b|\bif\b.*\belse\b")


def tensor_condition_at(source: str, line: int, col: int, config: Config | None = None) -> bool:
    """Whether the innermost `if` / conditional expression at (line, col) tests a tensor.

    Uses the analysis layer's tensor inference, so "tensor" means what gradls's rules mean by it.
    A cheap text check first: the lightbulb asks on every cursor move.
    """
    lines = source.split("\n")
    if not 1 <= line <= len(lines) or not _IF_HINT.search(lines[line - 1]):
        return False
    from gradls.analysis.engine import parse
    from gradls.analysis.module import ModuleInfo
    from gradls.analysis.tensors import TENSOR

    tree = parse(source)
    if not isinstance(tree, ast.Module):
        return False
    try:
        info = ModuleInfo(tree, source, config)
    except RecursionError:
        return False
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.IfExp)) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if isinstance(node, ast.If) and node.lineno != line and not _in_test(node, line):
                continue  # inside the body of an if: not this statement's condition
            if best is None or (node.lineno, node.col_offset) >= (best.lineno, best.col_offset):
                best = node
    found = best is not None and info.tensors.level_of(best.test) >= TENSOR
    info.release()  # asked on every cursor move: freed now by reference counting, not by a later gc pass
    return found


def _in_test(node: ast.If, line: int) -> bool:
    return node.test.lineno <= line <= (node.test.end_lineno or node.test.lineno)


def actions_for_findings(source: str, findings: list[Finding]) -> dict[Finding, tuple[Fix | None, Fix | None]]:
    """(checked quick fix, checked "Disable for this line") per finding; runs off the event loop."""
    out = {}
    for f in findings:
        fix = fix_for_finding(source, f)
        if fix is not None and apply_fix(source, fix) is None:
            fix = None  # it would not parse: never offered
        suppression = suppression_for_finding(source, f)
        out[f] = (fix, suppression[0] if suppression else None)
    return out


def rewrite_if_as_cond(source: str, line: int, col: int, config: Config | None = None) -> Fix | None:
    """The checked "Rewrite as tf.cond" for the `if` at (line, col), when its condition is a tensor."""
    if not tensor_condition_at(source, line, col, config):
        return None
    try:
        from gradls.fixes.tfg003_python_control_flow_on_tensor import rewrite_if_as_cond as rewrite
    except ImportError:  # the refactoring module is optional (lazy-loaded, may be absent in a slim install)
        return None
    fix = rewrite(source, line, col)
    if fix is None or apply_fix(source, fix) is None:
        return None
    return fix


def fix_all(source: str, analyse: Callable[[str], list[Finding] | None]) -> str:
    """The text after `source.fixAll.gradls`: `gradls.fixes.fix_all` (the CLI's `--fix`), batched for latency
    and bounded to MAX_FIX_ALL_ROUNDS rounds; every intermediate text parses.

    `analyse(text)` gives the findings (None when the text cannot be analysed).
    """

    def findings_and_failure(text: str) -> tuple[list[Finding], ParseFailure | None]:
        found = analyse(text)
        return (found, None) if found is not None else ([], ParseFailure("cannot be analysed"))

    return _fixes().fix_all(source, findings_and_failure, max_rounds=MAX_FIX_ALL_ROUNDS, batch=True).text


def minimal_edits(old: str, new: str) -> list[Edit]:
    """Line-level diff of two texts as edits in code-point spans of `old`."""
    if old == new:
        return []
    a = _lines_keepends(old)
    b = _lines_keepends(new)
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # Whole-line replacements: lines i1..i2 of old (0-based) become b[j1:j2].
        start = Span(i1 + 1, 0, i1 + 1, 0)
        end_line, end_col = (i2 + 1, 0)
        if i2 == len(a) and a and not a[-1].endswith(("\n", "\r")):
            end_line, end_col = len(a), len(a[-1])
        edits.append(Edit(Span(start.line, 0, end_line, end_col), "".join(b[j1:j2])))
    return edits


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines_keepends(text: str) -> list[str]:
    # Not str.splitlines: it also breaks at form feeds and U+2028, which LSP and Python do not.
    return _LINE.findall(text)


def to_text_edits(edits: Iterable[Edit], index: LineIndex) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(range=index.range(e.span), new_text=e.new_text) for e in edits]


def workspace_edit(uri: str, version: int | None, edits: list[lsp.TextEdit], versioned: bool) -> lsp.WorkspaceEdit:
    if versioned:
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits
                )
            ]
        )
    return lsp.WorkspaceEdit(changes={uri: edits})
