"""What the engine knows at one position in a file: the answer behind `gradls explain` and the hover.

Three questions, picked by what lies under the cursor:
- on a `tape.gradient(target, sources)` call: for every source, does it get a gradient, and if not, why
  and at which line the path is cut (flow.py's sinks and cuts, tapes.py's tapes, dtypes.py's dtypes);
- on a variable: its dtype, whether it is trainable, where it was created and which tapes watch it;
- in a function: how it runs (eager, traced by `tf.function`, by Keras) and why gradls thinks so
  (regions.py's modes).
Where the engine knows nothing, there is no explanation: the hover shows nothing rather than noise.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from gradls.analysis.dtypes import dtype_name, int_dtype_of, literal_dtype
from gradls.analysis.flow import STOP_GRADIENT, Flow, FlowScope
from gradls.analysis.model import Finding, Span
from gradls.analysis.module import AUTOGRAPH, EAGER, GRAPH, VARIABLE_CTORS, FunctionNode, ModuleInfo
from gradls.analysis.names import dotted
from gradls.analysis.tapes import GRAD_METHODS, Tape, TapeCall, TapeScope, pos, source_elements, tape_scopes

GRADIENT = "gradient"
NONE = "none"
UNKNOWN = "unknown"

_WEIGHT_LISTS = {
    "trainable_variables": True,
    "trainable_weights": True,
    "variables": False,
    "weights": False,
}
# Keras layers that own non-trainable state which `.variables`/`.weights` include.
_STATEFUL_LAYERS = {
    "BatchNormalization": "moving_mean/moving_variance",
    "Normalization": "mean/variance/count",
}
_MODE_TEXT = {
    EAGER: "runs eagerly: each op executes as Python reaches it (a GradientTape records it)",
    AUTOGRAPH: "is traced by `tf.function` with AutoGraph: Python `if`/`for` on tensors become graph ops",
    GRAPH: "is traced without AutoGraph (Keras 3 `call`/`train_step`, or `autograph=False`): "
    "Python `if`/`while` on a tensor raises",
}


@dataclass(frozen=True)
class SourceFact:
    """One source of a gradient call and whether TensorFlow returns a gradient for it."""

    source: str
    verdict: str  # GRADIENT | NONE | UNKNOWN
    reason: str
    line: int | None = None  # the line the reason points at (the cut, the creation)

    def to_json(self) -> dict:
        return {"source": self.source, "verdict": self.verdict, "reason": self.reason, "line": self.line}


@dataclass(frozen=True)
class Explanation:
    kind: str  # "gradient-call" | "variable" | "function"
    span: Span
    title: str  # one line
    details: tuple[str, ...] = ()
    sources: tuple[SourceFact, ...] = ()
    facts: dict = field(default_factory=dict, compare=False)

    def text(self) -> str:
        lines = [self.title]
        for s in self.sources:
            mark = {GRADIENT: "ok  ", NONE: "None", UNKNOWN: "?   "}[s.verdict]
            lines.append(f"  {mark} {s.source}: {s.reason}")
        lines += [f"  {d}" for d in self.details]
        return "\n".join(lines)

    def markdown(self) -> str:
        parts = [f"**gradls** {self.title}"]
        if self.sources:
            rows = []
            for s in self.sources:
                mark = {GRADIENT: "gradient", NONE: "**None**", UNKNOWN: "unknown"}[s.verdict]
                rows.append(f"- `{s.source}`: {mark}. {s.reason}")
            parts.append("\n".join(rows))
        if self.details:
            parts.append("\n".join(f"- {d}" for d in self.details))
        return "\n\n".join(parts)

    def to_json(self) -> dict:
        s = self.span
        return {
            "kind": self.kind,
            "range": {"line": s.line, "col": s.col, "end_line": s.end_line, "end_col": s.end_col},
            "title": self.title,
            "details": list(self.details),
            "sources": [x.to_json() for x in self.sources],
            "facts": self.facts,
        }


def explain_at(
    info: ModuleInfo, line: int, col: int, findings: list[Finding] | None = None, anywhere: bool = True
) -> Explanation | None:
    """The explanation for the code at (1-based `line`, 0-based code-point `col`).

    `anywhere`: fall back to how the enclosing function runs when the cursor is on nothing more specific
    (the CLI); the hover passes False and then explains a function only on its name in the `def` line."""
    path = _nodes_at(info, line, col)
    if not path:
        return None
    ex = _Explainer(info, findings or [])
    for node in reversed(path):  # innermost first
        if isinstance(node, (ast.Name, ast.Attribute)):
            parent = path[path.index(node) - 1] if path.index(node) > 0 else None
            if isinstance(parent, ast.Call) and parent.func is node and _grad_method(node):
                found = ex.gradient_call(parent)
                if found is not None:
                    return found
                continue
            if isinstance(node, ast.Attribute) and not _on_attr_name(info, node, line, col):
                continue
            found = ex.variable(node)
            if found is not None:
                return found
        elif isinstance(node, ast.Call) and _grad_method(node.func):
            if anywhere:
                found = ex.gradient_call(node)
                if found is not None:
                    return found
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            on_name = info.name_span(node)
            if anywhere or (on_name.line == line and on_name.col <= col <= on_name.end_col):
                return ex.tape_block(path, line) or ex.function(node)
            return None
    return ex.tape_block(path, line) if anywhere else None


def module_for(source: str, path: str | None = None, config=None, project=None) -> ModuleInfo | None:
    """The analysed module for `source` (None when it does not parse or is too deep to analyse).

    `project` as `engine.analyze` takes it: None for the project holding `path`, False for this file alone."""
    from gradls.analysis.engine import _project_index, parse

    tree = parse(source)
    if not isinstance(tree, ast.Module):
        return None
    index = _project_index(path, project)
    try:
        return ModuleInfo(tree, source, config, project=index, path=path if index is not None else None)
    except RecursionError:
        return None


def explain_source(
    source: str, line: int, col: int, path: str | None = None, config=None, project=None, anywhere: bool = True
) -> Explanation | None:
    """`explain_at` on source text, with the file's findings (None when it does not parse); the module the
    rules ran on is the one explained (analysed once)."""
    from gradls.analysis.engine import analyze_module

    result, info = analyze_module(source, path, config, project)
    if info is None:
        return None
    return explain_at(info, line, col, result.findings, anywhere)


# ---------------------------------------------------------------------------------------------- positions
def _nodes_at(info: ModuleInfo, line: int, col: int) -> list[ast.AST]:
    """The chain of nodes from the module down to the innermost one containing the position."""
    out: list[ast.AST] = []
    node: ast.AST = info.tree
    while True:
        nxt = None
        for child in ast.iter_child_nodes(node):
            if not hasattr(child, "lineno") or isinstance(child, ast.expr_context):
                continue
            s = info.span(child)
            if (s.line, s.col) <= (line, col) <= (s.end_line, s.end_col):
                nxt = child
                break
        if nxt is None:
            return out
        out.append(nxt)
        node = nxt


def _on_attr_name(info: ModuleInfo, node: ast.Attribute, line: int, col: int) -> bool:
    s = info.span(node)
    return s.end_line == line and s.end_col - len(node.attr) <= col <= s.end_col


def _grad_method(func: ast.AST) -> bool:
    return isinstance(func, ast.Attribute) and func.attr in GRAD_METHODS


# ---------------------------------------------------------------------------------------------- explainer
class _Explainer:
    def __init__(self, info: ModuleInfo, findings: list[Finding]):
        self.info = info
        self.findings = findings
        self.flow = Flow(info)

    def t(self, node: ast.AST) -> str:
        text = self.info.text(node)
        return text if len(text) <= 60 else text[:57] + "..."

    # ------------------------------------------------------------------ function
    def function(self, fn: FunctionNode) -> Explanation | None:
        ff = self.info.facts(fn)
        if ff is None:
            return None
        span = self.info.name_span(fn)
        tapes = [w for w, owner in self.info.tape_withs if owner is fn]
        if not ff.modes and tapes:
            # Region modes cover the tape blocks only; the function itself is plain eager Python.
            return Explanation(
                "function",
                span,
                f"`{fn.name}` runs eagerly: its `with tf.GradientTape()` block (line {tapes[0].lineno}) records "
                "each op as Python reaches it",
                facts={"function": fn.name, "modes": [EAGER], "why": "a GradientTape block, no tf.function"},
            )
        if not ff.modes:
            return Explanation(
                "function",
                span,
                f"`{fn.name}` runs as plain Python: gradls sees no tape, `tf.function` or Keras step around it",
                facts={"function": fn.name, "modes": []},
            )
        modes = sorted(ff.modes)
        details = [f"{_MODE_TEXT[m]}" for m in modes if m in _MODE_TEXT]
        why = f", because of {ff.why}" if ff.why else ""
        title = f"`{fn.name}` {'runs in several ways' if len(modes) > 1 else _short_mode(modes[0])}{why}"
        return Explanation(
            "function", span, title, tuple(details), facts={"function": fn.name, "modes": modes, "why": ff.why}
        )

    def tape_block(self, path: list[ast.AST], line: int) -> Explanation | None:
        """Code inside a `with tf.GradientTape() as tape:` block: which tape records it."""
        withs = [n for n in path if isinstance(n, (ast.With, ast.AsyncWith))]
        for w in reversed(withs):
            for scope in tape_scopes(self.info):
                for tape in scope.tapes:
                    if any(b is w for b in tape.blocks):
                        fn = self.info.enclosing_function(w)
                        ff = self.info.facts(fn)
                        how = _short_mode(sorted(ff.modes)[0]) if ff is not None and len(ff.modes) == 1 else "runs"
                        persistent = {True: "persistent", False: "not persistent", None: "persistence unknown"}[
                            tape.persistent
                        ]
                        return Explanation(
                            "tape-block",
                            self.info.head_span(w),
                            f"line {line} is recorded by tape `{tape.name}` (line {tape.bind.lineno}, {persistent})",
                            (
                                f"the code here {how}" if fn is not None else "module-level code runs eagerly",
                                f"`{tape.name}` is read by {len(tape.calls)} gradient call(s)"
                                + (f", first at line {tape.calls[0].call.lineno}" if tape.calls else ""),
                            ),
                            facts={"tape": tape.name, "tape_line": tape.bind.lineno},
                        )
        return None

    # ------------------------------------------------------------------ variable
    def variable(self, node: ast.Name | ast.Attribute) -> Explanation | None:
        created = self._creation(node)
        if created is None:
            return None
        ctor, where = created
        info = self.info
        q = info.imports.qualname(ctor.func) or ""
        dtype = self._dtype(ctor)
        trainable = _trainable(ctor)
        name = dotted(node) or self.t(node)
        keras_weight = ", a Keras weight" if q not in VARIABLE_CTORS else ""
        details = [f"created by `{self.t(ctor)}` (line {ctor.lineno}){keras_weight}"]
        watchers = self._watching_tapes(name, where)
        details += watchers or ["no GradientTape in this file reads it"]
        if trainable is False:
            details.append("not trainable: a tape does not watch it on its own, and `tape.gradient` returns None")
        if dtype is not None and _is_int(dtype):
            details.append(f"{dtype}: integers carry no gradient, so `tape.gradient` returns None for it")
        title = (
            f"`{name}`: variable, dtype {dtype or 'float32'}"
            + ("" if dtype else " (default)")
            + (", trainable" if trainable is not False else ", not trainable")
        )
        return Explanation(
            "variable",
            info.span(node),
            title,
            tuple(details),
            facts={
                "name": name,
                "dtype": dtype or "float32",
                "trainable": trainable is not False,
                "created_line": ctor.lineno,
            },
        )

    def _creation(self, node: ast.Name | ast.Attribute) -> tuple[ast.Call, ast.AST] | None:
        """The variable constructor call the name was last bound to, and the scope root it lives in."""
        d = dotted(node)
        if d is None:
            return None
        sc = self.flow.scope_of(node)
        for scope in self._scope_chain(sc, d):
            defs = scope.defs.get(d)
            if not defs:
                continue
            before = [(s, v) for s, v in defs if scope is not sc or s.lineno <= node.lineno]
            if not before:
                before = defs
            v = before[-1][1]
            if isinstance(v, ast.Call) and self._is_variable_ctor(v):
                return v, scope.root
            return None
        return None

    def _scope_chain(self, sc: FlowScope, name: str) -> list[FlowScope]:
        chain = [sc]
        if name.startswith("self."):
            # self.w: bound in __init__/build of the enclosing class
            fn = sc.root if isinstance(sc.root, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            ff = self.info.facts(fn)
            cls = ff.cls if ff is not None else None
            if cls is not None:
                for m in ("__init__", "build"):
                    method = cls.methods.get(m)
                    if method is not None and method is not fn:
                        chain.append(self.flow.scope_for_root(method))
            return chain
        fn = sc.root if isinstance(sc.root, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        ff = self.info.facts(fn)
        while ff is not None and ff.parent is not None:
            chain.append(self.flow.scope_for_root(ff.parent))
            ff = self.info.facts(ff.parent)
        if sc.root is not self.info.tree:
            chain.append(self.flow.scope_for_root(self.info.tree))
        return chain

    def _is_variable_ctor(self, call: ast.Call) -> bool:
        q = self.info.imports.qualname(call.func) or ""
        return q in VARIABLE_CTORS or (
            isinstance(call.func, ast.Attribute) and call.func.attr in {"add_weight", "add_variable"}
        )

    def _dtype(self, ctor: ast.Call) -> str | None:
        given = next((k.value for k in ctor.keywords if k.arg == "dtype"), None)
        if given is not None:
            return dtype_name(self.info, given)
        q = self.info.imports.qualname(ctor.func) or ""
        if q not in VARIABLE_CTORS:
            return None
        init = ctor.args[0] if ctor.args else next((k.value for k in ctor.keywords if k.arg == "initial_value"), None)
        lit = literal_dtype(self.info, init)
        if lit == "float":
            return "float32"
        if lit is not None:
            return lit
        return int_dtype_of(self.info, init) if init is not None else None

    def _watching_tapes(self, name: str, root: ast.AST) -> list[str]:
        out: list[str] = []
        for scope in tape_scopes(self.info):
            for tape in scope.tapes:
                where = self._read_in_tape(scope, tape, name)
                if where is not None and tape.watches_accessed_variables is not False:
                    out.append(
                        f"watched by tape `{tape.name}` (line {tape.bind.lineno}): read inside it at line {where}"
                    )
                for w in tape.watches:
                    if w.args and dotted(w.args[0]) == name:
                        out.append(f"watched by tape `{tape.name}` through `{self.t(w)}` (line {w.lineno})")
        return out

    def _read_in_tape(self, scope: TapeScope, tape: Tape, name: str) -> int | None:
        for n in scope.nodes:
            if (
                isinstance(n, (ast.Name, ast.Attribute))
                and isinstance(n.ctx, ast.Load)
                and dotted(n) == name
                and tape.recording(n, scope)
            ):
                return n.lineno
        return None

    # ------------------------------------------------------------------ gradient call
    def gradient_call(self, call: ast.Call) -> Explanation | None:
        found = self._tape_call(call)
        if found is None:
            return None
        scope, tape, tc = found
        target = tc.target
        if target is None or tc.sources is None:
            return None
        span = self.info.span(call)
        title = f"`{self.t(call.func)}`: which sources get a gradient from `{self.t(target)}`"
        facts: list[SourceFact] = []
        details: list[str] = []
        outside = self._target_outside_tape(scope, tape, target, call)
        for el in source_elements(tc.sources):
            facts.extend(self._source_facts(scope, tape, call, target, el, outside))
        if tape.persistent is False and len(tape.calls) > 1 and tape.calls[0].call is not call:
            first = tape.calls[0].call
            details.append(
                f"tape `{tape.name}` is not persistent: its first `{self.t(first.func)}` (line {first.lineno}) "
                "releases it, so this call raises RuntimeError"
            )
        related = self._related_findings(call)
        details += [f"{f.code} (line {f.span.line}): {f.message}" for f in related]
        return Explanation(
            "gradient-call",
            span,
            title,
            tuple(details),
            tuple(facts),
            facts={"tape": tape.name, "tape_line": tape.bind.lineno, "target": self.t(target)},
        )

    def _tape_call(self, call: ast.Call) -> tuple[TapeScope, Tape, TapeCall] | None:
        for scope in tape_scopes(self.info):
            for tape in scope.tapes:
                for tc in tape.calls:
                    if tc.call is call:
                        return scope, tape, tc
        return None

    def _target_outside_tape(self, scope: TapeScope, tape: Tape, target: ast.AST, call: ast.Call) -> str | None:
        """Why the target was never recorded, when it was computed outside every block of the tape."""
        if not isinstance(target, ast.Name) or not tape.blocks:
            return None
        sc = self.flow.scope_of(call)
        defs = sc.reaching_defs(target.id, call)
        if not defs:
            return None
        if any(tape.recording(s, scope) for s, _ in defs):
            return None
        if any(v is None for _, v in defs):
            return None
        last = max(s.lineno for s, _ in defs)
        block = tape.blocks[0]
        return (
            f"`{target.id}` is computed at line {last}, outside the `with` block of tape `{tape.name}` "
            f"(line {block.lineno}): the tape recorded no op leading to it"
        )

    def _source_facts(
        self, scope: TapeScope, tape: Tape, call: ast.Call, target: ast.AST, el: ast.AST, outside: str | None
    ) -> list[SourceFact]:
        text = self.t(el)
        if outside is not None:
            return [SourceFact(text, NONE, outside, _def_line(self.flow, target, call))]
        # model.trainable_variables and friends: the weights of an object.
        if isinstance(el, ast.Attribute) and el.attr in _WEIGHT_LISTS:
            return self._weight_list_facts(scope, tape, call, target, el)
        if isinstance(el, ast.Name):
            sc = self.flow.scope_of(call)
            defs = sc.reaching_defs(el.id, call)
            if len(defs) == 1 and isinstance(defs[0][1], (ast.List, ast.Tuple)):
                out: list[SourceFact] = []
                for sub in source_elements(defs[0][1]):
                    out.extend(self._source_facts(scope, tape, call, target, sub, outside))
                return out
        name = dotted(el)
        if name is None:
            return [SourceFact(text, UNKNOWN, "gradls cannot follow this source expression")]
        created = self._creation(el) if isinstance(el, (ast.Name, ast.Attribute)) else None
        if created is not None:
            ctor, _ = created
            dtype = self._dtype(ctor)
            if dtype is not None and _is_int(dtype):
                return [
                    SourceFact(
                        text,
                        NONE,
                        f"`{name}` is {dtype}: created by `{self.t(ctor)}` (line {ctor.lineno}); "
                        "integer values carry no gradient",
                        ctor.lineno,
                    )
                ]
            watched = any(w.args and dotted(w.args[0]) == name for w in tape.watches)
            if _trainable(ctor) is False and not watched:
                return [
                    SourceFact(
                        text,
                        NONE,
                        f"`{name}` is not trainable (`trainable=False`, line {ctor.lineno}): "
                        f"tape `{tape.name}` does not watch it",
                        ctor.lineno,
                    )
                ]
            if tape.watches_accessed_variables is False and not watched:
                return [
                    SourceFact(
                        text,
                        NONE,
                        f"tape `{tape.name}` has `watch_accessed_variables=False` and never watches `{name}`",
                        tape.bind.lineno,
                    )
                ]
        else:
            tensor = self._unwatched_tensor(tape, call, el, name)
            if tensor is not None:
                return [tensor]
        return [self._path_fact(scope, tape, call, target, name, text)]

    def _unwatched_tensor(self, tape: Tape, call: ast.Call, el: ast.AST, name: str) -> SourceFact | None:
        """A source bound to a plain tensor (not a variable) that the tape never watches."""
        if any(w.args and dotted(w.args[0]) == name for w in tape.watches) or tape.escapes:
            return None
        sc = self.flow.scope_of(call)
        defs = sc.defs.get(name, [])
        if len(defs) != 1 or not isinstance(defs[0][1], ast.Call):
            return None
        v = defs[0][1]
        q = self.info.imports.qualname(v.func) or ""
        if q not in {"tensorflow.constant", "tensorflow.convert_to_tensor", "numpy.array"} and not (
            q.startswith("tensorflow.random.") or q in {"tensorflow.zeros", "tensorflow.ones"}
        ):
            return None
        return SourceFact(
            self.t(el),
            NONE,
            f"`{name}` is a tensor (`{self.t(v)}`, line {v.lineno}), not a variable: "
            f"tape `{tape.name}` records it only after `{tape.name}.watch({name})`",
            v.lineno,
        )

    def _weight_list_facts(
        self, scope: TapeScope, tape: Tape, call: ast.Call, target: ast.AST, el: ast.Attribute
    ) -> list[SourceFact]:
        owner = dotted(el.value)
        text = self.t(el)
        if owner is None:
            return [SourceFact(text, UNKNOWN, "gradls cannot tell whose weights these are")]
        out = [self._path_fact(scope, tape, call, target, owner, text)]
        if not _WEIGHT_LISTS[el.attr]:
            for layer, state, line in self._stateful_layers(el.value, call):
                out.append(
                    SourceFact(
                        f"{text} ({layer} {state})",
                        NONE,
                        f"`.{el.attr}` includes the non-trainable {layer} statistics {state} (layer built at "
                        f"line {line}): they get None; `.trainable_variables` leaves them out",
                        line,
                    )
                )
        return out

    def _stateful_layers(self, owner: ast.AST, at: ast.AST) -> list[tuple[str, str, int]]:
        """(layer, its non-trainable state, line) for BatchNormalization-like layers the object holds."""
        roots: list[ast.AST] = []
        if isinstance(owner, ast.Name):
            sc = self.flow.scope_of(at)
            for scope in self._scope_chain(sc, owner.id):
                defs = scope.defs.get(owner.id)
                if defs:
                    roots += [v for _, v in defs if v is not None]
                    break
        elif isinstance(owner, ast.Name) and owner.id == "self":
            fn = self.info.enclosing_function(at)
            ff = self.info.facts(fn)
            while ff is not None and ff.cls is None and ff.parent is not None:
                ff = self.info.facts(ff.parent)
            if ff is not None and ff.cls is not None:
                roots.append(ff.cls.node)
        found: list[tuple[str, str, int]] = []
        todo = list(roots)
        # A model class of this module: its layers are built in its methods.
        for r in roots:
            if isinstance(r, ast.Call) and isinstance(r.func, ast.Name) and r.func.id in self.info.classes:
                todo.append(self.info.classes[r.func.id].node)
            q = self.info.imports.qualname(r.func) if isinstance(r, ast.Call) else None
            if q in {"keras.Model", "keras.models.Model"}:
                todo.append(self.info.tree)  # a functional model: its layers are built in this module
        seen: set[str] = set()
        for r in todo:
            for n in ast.walk(r):
                if isinstance(n, ast.Call):
                    q = self.info.imports.qualname(n.func) or ""
                    last = q.rsplit(".", 1)[-1]
                    if last in _STATEFUL_LAYERS and q.startswith("keras.") and last not in seen:
                        seen.add(last)
                        found.append((last, _STATEFUL_LAYERS[last], n.lineno))
        return found

    # ------------------------------------------------------------------ paths
    def _path_fact(
        self, scope: TapeScope, tape: Tape, call: ast.Call, target: ast.AST, name: str, text: str
    ) -> SourceFact:
        """Does a differentiable path lead from `name` to the gradient call's target?"""
        sc = self.flow.scope_of(call)
        grad = ("grad", id(call))
        occurrences = [
            n
            for n in sc.loads.get(name, [])
            if not sc.contains(call, n) and pos(n) < pos(call) and not _is_watch(sc, n)
        ]
        if not occurrences:
            if name in sc.defs or name in self.info.module_objects:
                return SourceFact(
                    text,
                    UNKNOWN,
                    f"gradls sees no use of `{name}` before this call; if `{self.t(target)}` does not depend on it, "
                    "TensorFlow returns None",
                )
            return SourceFact(text, UNKNOWN, "gradls cannot see how the target depends on it")
        cut_found: tuple[ast.AST, str] | None = None
        for occ in occurrences:
            if grad in self.flow.sinks(occ, cut=True):
                if not tape.recording(occ, scope):
                    continue
                return SourceFact(text, GRADIENT, f"reaches `{self.t(target)}` through line {occ.lineno}", occ.lineno)
            if cut_found is None and grad in self.flow.sinks(occ, cut=False):
                cut = self._cut_on_path(sc, occ, grad, set())
                if cut is not None:
                    cut_found = cut
        if cut_found is not None:
            node, why = cut_found
            line = pos(node)[0]
            return SourceFact(
                text,
                NONE,
                f"`{name}` reaches `{self.t(target)}` only through `{self.t(node)}` (line {line}), {why}",
                line,
            )
        reads = ", ".join(str(o.lineno) for o in occurrences[:3])
        return SourceFact(
            text,
            UNKNOWN,
            f"`{name}` is read at line {reads}, but gradls cannot follow that value to `{self.t(target)}`",
        )

    def _cut_on_path(self, sc: FlowScope, node: ast.AST, grad: tuple, seen: set[int]) -> tuple[ast.AST, str] | None:
        """The first op between `node` and the gradient target that passes no gradient back, on a path that
        otherwise reaches the target."""
        if id(node) in seen:
            return None
        seen.add(id(node))
        cur = node
        p = sc.parent(cur)
        while p is not None and not isinstance(p, ast.stmt):
            if isinstance(p, ast.Call) and cur is not p.func:
                why = self.flow.is_cut(p, cur)
                if why is not None and grad in self.flow.sinks(p, cut=False):
                    return p, _cut_reason(self.info, p, why)
            elif (
                isinstance(p, ast.Attribute)
                and p.attr in {"numpy", "item", "tolist"}
                and isinstance(sc.parent(p), ast.Call)
            ):
                conv = sc.parent(p)
                if grad in self.flow.sinks(conv, cut=False):
                    return conv, "which leaves TensorFlow: the tape records nothing after a NumPy conversion"
            cur = p
            p = sc.parent(cur)
        if isinstance(p, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and cur is getattr(p, "value", None):
            targets = p.targets if isinstance(p, ast.Assign) else [p.target]
            for t in targets:
                for tn in ast.walk(t):
                    if isinstance(tn, ast.Name):
                        for use in sc.uses(tn.id, p):
                            found = self._cut_on_path(sc, use, grad, seen)
                            if found is not None:
                                return found
        return None

    def _related_findings(self, call: ast.Call) -> list[Finding]:
        s = self.info.span(call)
        fn = self.info.enclosing_function(call)
        lo, hi = (fn.lineno, fn.end_lineno or fn.lineno) if fn is not None else (s.line, s.end_line)
        return [f for f in self.findings if lo <= f.span.line <= hi and f.code != "TFG900"][:6]


def _cut_reason(info: ModuleInfo, call: ast.Call, why: str) -> str:
    q = info.imports.qualname(call.func) or ""
    if q in STOP_GRADIENT:
        return "and `stop_gradient` passes no gradient back"
    if why == "index":
        return "which uses it only as an index, mask or condition: that position has no gradient"
    if q.startswith("numpy."):
        return "a NumPy function: the tape records nothing after it"
    if isinstance(call.func, ast.Attribute) and call.func.attr in {"numpy", "item", "tolist"}:
        return "which leaves TensorFlow: the tape records nothing after it"
    if isinstance(call.func, ast.Name):
        return "a Python conversion: the value leaves TensorFlow there"
    if q.rsplit(".", 1)[-1] == "cast":
        return "an integer cast: integers carry no gradient"
    return "which has no gradient"


def _def_line(flow: Flow, target: ast.AST, call: ast.Call) -> int | None:
    if not isinstance(target, ast.Name):
        return None
    defs = flow.scope_of(call).reaching_defs(target.id, call)
    return max((s.lineno for s, _ in defs), default=None)


def _is_watch(sc: FlowScope, n: ast.AST) -> bool:
    p = sc.parent(n)
    return isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute) and p.func.attr == "watch"


def _trainable(ctor: ast.Call) -> bool | None:
    v = next((k.value for k in ctor.keywords if k.arg == "trainable"), None)
    if isinstance(v, ast.Constant) and isinstance(v.value, bool):
        return v.value
    return None if v is not None else True


def _is_int(dtype: str) -> bool:
    return dtype.startswith(("int", "uint")) or dtype == "bool"


def _short_mode(mode: str) -> str:
    return {
        EAGER: "runs eagerly",
        AUTOGRAPH: "is traced by `tf.function` with AutoGraph",
        GRAPH: "is traced without AutoGraph",
    }.get(mode, f"runs as {mode}")
