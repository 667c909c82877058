"""Hover: what the engine knows at the cursor (`analysis/explain.py`: which sources of a `tape.gradient`
get a gradient and why not, a variable's dtype and tapes, how a function runs), and over a finding the
rule, what TensorFlow does wrong (the rule page's "Why") and its page.  Nothing where neither applies."""

from __future__ import annotations

from lsprotocol import types as lsp

from gradls.analysis.explain import Explanation, explain_at, module_for
from gradls.analysis.model import Finding, Span
from gradls.analysis.module import ModuleInfo
from gradls.analysis.project import ProjectIndex
from gradls.lsp.diagnostics import DocumentState
from gradls.lsp.guard import guarded
from gradls.lsp.positions import LineIndex
from gradls.lsp.server import GradlsLanguageServer


def register(server: GradlsLanguageServer) -> None:
    server.feature(lsp.TEXT_DOCUMENT_HOVER)(on_hover)


@guarded()
async def on_hover(ls: GradlsLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    state = ls.documents.get(params.text_document.uri)
    facts: Explanation | None = None
    if state is None:  # a notebook cell: its findings from the notebook's analysis
        from gradls.lsp.notebooks import cell_findings

        found = cell_findings(ls, params.text_document.uri)
        if found is None:
            return None
        findings, text = found
        index = LineIndex(text, ls.encoding)
        line, col = index.code_point(params.position)
    elif state.skipped:
        return None
    else:
        findings, text = state.findings, ls.text_of(state.uri)
        index = LineIndex(text, ls.encoding)
        line, col = index.code_point(params.position)
        info = await _module(ls, state, text)
        if info is not None:
            facts = explain_at(info, line, col, findings, anywhere=False)
        if info is not None and info is not state.module:
            # Built for this hover and not kept (the document moved on meanwhile): released with the replaced
            # modules instead of waiting for a full pass of the cyclic collector.  `facts` is plain data.
            ls.retired_modules.append(info)
    hits = [f for f in findings if _contains(f.span, line, col)]
    if not hits and facts is None:
        return None
    parts = ([facts.markdown()] if facts is not None else []) + [_explain(ls, f) for f in hits]
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
        range=index.range(hits[0].span if hits else facts.span if facts is not None else Span(line, col, line, col)),
    )


async def _module(ls: GradlsLanguageServer, state: DocumentState, text: str) -> ModuleInfo | None:
    """The analysed module of the document's current text: the one its diagnostics run built, else built
    now on the fix thread (the analysis thread may be busy with a long check this hover must not wait for)
    and kept for the next hover."""
    import time

    from gradls.lsp.documents import keep_module

    version = state.version
    if state.module is not None and state.module_version == version:
        state.module_used = time.monotonic()
        return state.module
    project: ProjectIndex | bool = False
    if state.path:
        from gradls.analysis.project import project_for

        project = project_for(state.path, ls.workspace_roots())
    info = await ls.on_fix_thread(module_for, text, state.path, ls.config_for(state.path), project)
    if state.version == version and ls.documents.get(state.uri) is state:
        keep_module(ls, state, info, version)
    return info


def _explain(ls: GradlsLanguageServer, finding: Finding) -> str:
    from gradls.analysis.rules import get_rule

    rule = get_rule(finding.code)
    if rule is None:
        return f"**{finding.code}** {finding.message}"
    link = ls.doc_link(finding.code)
    parts = (
        f"**{finding.code}** `{rule.name}`: {rule.summary}",
        rule.why(),
        f"[Documentation]({link})" if link else "",
    )
    return "\n\n".join(p for p in parts if p)


def _contains(span: Span, line: int, col: int) -> bool:
    return (span.line, span.col) <= (line, col) <= (span.end_line, span.end_col)
