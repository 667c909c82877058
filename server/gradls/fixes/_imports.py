"""Shared helpers for fix builders: the module's TensorFlow alias, adding the import, spans.

Everything here works on the stdlib `ast` plus plain text; columns are code points.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from gradls.analysis.engine import parse
from gradls.analysis.model import Edit, Span
from gradls.analysis.names import ImportTable, bound_names
from gradls.fixes import line_starts_of

_NEWLINE = re.compile(r"\r\n|\r|\n")


def parse_module(source: str) -> ast.Module | None:
    """The module's tree as the analysis parses it (`engine.parse`), None when it does not parse."""
    tree = parse(source)
    return tree if isinstance(tree, ast.Module) else None


def span_from(data) -> Span | None:
    """A fix_data span ([line, col, end_line, end_col] or a Span) as a Span, None when malformed."""
    if isinstance(data, Span):
        return data
    try:
        line, col, end_line, end_col = (int(v) for v in data)
    except (TypeError, ValueError):
        return None
    if line < 1 or end_line < line or col < 0 or end_col < 0 or (end_line == line and end_col < col):
        return None
    return Span(line, col, end_line, end_col)


def offsets_of(source: str, span: Span, starts: list[int] | None = None) -> tuple[int, int] | None:
    """(start, end) string offsets of `span`, None when it lies outside `source`."""
    starts = starts or line_starts_of(source)
    if span.end_line > len(starts):
        return None

    def off(line: int, col: int) -> int | None:
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(source)
        if begin + col > end:
            return None
        return begin + col

    s, t = off(span.line, span.col), off(span.end_line, span.end_col)
    if s is None or t is None or t < s:
        return None
    return s, t


def text_at(source: str, span: Span) -> str | None:
    o = offsets_of(source, span)
    return None if o is None else source[o[0] : o[1]]


# ----------------------------------------------------------------------------- names
def walk_own(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of `scope` without descending into nested function / class bodies: unlike
    `analysis.module.walk_own`, the nested defs themselves come out (with their decorators and defaults, which run
    in `scope`) and lambda bodies are not entered (they are scopes too)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(n.decorator_list)
            if not isinstance(n, ast.ClassDef):
                stack.extend(d for d in [*n.args.defaults, *n.args.kw_defaults] if d is not None)
            continue
        if isinstance(n, ast.Lambda):
            stack.extend(d for d in [*n.args.defaults, *n.args.kw_defaults] if d is not None)
            continue
        stack.extend(ast.iter_child_nodes(n))


def _bound_names(tree: ast.Module) -> set[str]:
    """Every name the module binds anywhere (assignments, params, defs, imports)."""
    return bound_names(ast.walk(tree))


def used_names(tree: ast.AST) -> set[str]:
    """Every identifier that appears anywhere (for picking fresh helper names)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.add(a.asname or a.name.split(".", 1)[0])
    return names


def fresh_name(base: str, taken: set[str]) -> str:
    name, i = base, 1
    while name in taken:
        name = f"{base}_{i}"
        i += 1
    taken.add(name)
    return name


def tf_alias_of(tree: ast.Module) -> str | None:
    """The module-level name bound to `tensorflow` itself (`import tensorflow as tf` -> 'tf')."""
    found = None
    for stmt in tree.body:
        for node in ast.walk(stmt) if isinstance(stmt, (ast.If, ast.Try)) else [stmt]:
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "tensorflow":
                        found = found or (a.asname or "tensorflow")
                    elif a.name.startswith("tensorflow.") and a.asname is None:
                        found = found or "tensorflow"
    return found


def tf_binding(source: str, tree: ast.Module, hint: str | None = None) -> tuple[str, tuple[Edit, ...]] | None:
    """(alias to write TensorFlow calls with, edits that add the import if needed).

    Reuses the module's alias (`hint` from fix_data, checked against the module); otherwise adds
    `import tensorflow as tf`.  None when `tf` is already bound to something else."""
    if hint and ImportTable.of(tree).aliases.get(hint) == "tensorflow":
        return hint, ()
    alias = tf_alias_of(tree)
    if alias is not None:
        return alias, ()
    if "tf" in _bound_names(tree):
        return None  # `tf` means something else here; do not shadow it
    edit = import_edit(source, tree, "import tensorflow as tf")
    if edit is None:
        return None
    return "tf", (edit,)


def _line_ending(source: str) -> str:
    m = _NEWLINE.search(source)
    return m.group(0) if m else "\n"


def import_edit(source: str, tree: ast.Module, statement: str) -> Edit | None:
    """Insert `statement` on its own line after the module's last top-level import.

    With no top-level imports it goes after the docstring and `from __future__` imports,
    else at the top of the file."""
    nl = _line_ending(source)
    last: ast.stmt | None = None
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            last = stmt
    if last is None:
        for i, stmt in enumerate(tree.body):
            is_doc = (
                i == 0
                and isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            )
            is_future = isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
            if is_doc or is_future:
                last = stmt
            else:
                break
    lines = _NEWLINE.split(source)
    if last is None:
        # Top of file, after a shebang / encoding comment block if present.
        line = 1
        while line <= len(lines) and (
            lines[line - 1].startswith("#!") or re.match(r"^[ \t\f]*#.*coding[:=]", lines[line - 1])
        ):
            line += 1
        if line > len(lines) or (line == len(lines) and lines[-1] == "" and line > 1):
            return Edit(
                Span(len(lines), len(lines[-1]), len(lines), len(lines[-1])), (nl if lines[-1] else "") + statement + nl
            )
        return Edit(Span(line, 0, line, 0), statement + nl)
    end = last.end_lineno or last.lineno
    if end >= len(lines):  # the import is on the last line, without a newline after it
        return Edit(Span(end, len(lines[end - 1]), end, len(lines[end - 1])), nl + statement)
    # The statement may be followed on its line by `; other` — inserting on the next line is still right.
    return Edit(Span(end + 1, 0, end + 1, 0), statement + nl)


# ----------------------------------------------------------------------------- minimal edits
def replacement_edit(old: str, new: str, start: int, end: int) -> Edit | None:
    """The edit replacing old[start:end], given `new` = old with only that range rewritten.

    None when `new` differs from `old` outside the range (the rewrite touched other code)."""
    tail = len(old) - end
    if new[:start] != old[:start] or (tail and new[len(new) - tail :] != old[end:]) or len(new) < start + tail:
        return None
    from gradls.fixes import span_of_offsets

    return Edit(span_of_offsets(old, start, end), new[start : len(new) - tail])


class Refuse(Exception):
    """Raised inside a fix builder when the rewrite cannot be done safely; the builder returns None."""


class SourceContext:
    """A parsed source with parent links, its imports (the analysis' ImportTable) and code-point spans, shared by
    fix builders."""

    def __init__(self, source: str, tree: ast.Module):
        self.source = source
        self.tree = tree
        self.lines = source.splitlines(keepends=True) or [""]
        self.parents: dict[int, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
        self.imports = ImportTable.of(tree)

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def col(self, line: int, byte_col: int) -> int:
        return len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.expr | ast.stmt) -> Span:
        end_line = node.end_lineno or node.lineno
        end_col = node.col_offset if node.end_col_offset is None else node.end_col_offset
        return Span(node.lineno, self.col(node.lineno, node.col_offset), end_line, self.col(end_line, end_col))

    def qual(self, e: ast.AST) -> str | None:
        """Canonical dotted name of an imported name (`tf.function` -> `tensorflow.function`)."""
        return self.imports.qualname(e)
