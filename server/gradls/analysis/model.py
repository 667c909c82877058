"""Plain data passed between the layers: findings, fixes and text edits.

Positions are 1-based lines and 0-based columns counted in Unicode code points
(Python ``str`` indices), end exclusive.  The LSP layer converts columns to the
client's position encoding (UTF-16 by default); the CLI prints them 1-based.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, TypeVar


@dataclass(frozen=True, order=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Edit:
    """Replace the text in ``span`` with ``new_text`` (an insertion when the span is empty)."""

    span: Span
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    # Safe fixes keep the program's meaning apart from the bug they repair; only they are
    # applied by `gradls check --fix` and `source.fixAll.gradls`.
    safe: bool = True


_D = TypeVar("_D", bound="FixData")


@dataclass(frozen=True)
class FixData:
    """Base of a rule's fix data: the facts its fix builder needs to rebuild the fix without re-running the
    analysis.  A rule module that offers a fix defines one frozen dataclass deriving from this, beside its
    detection; its builder (`gradls.fixes.<rule module>`) reads the fields.

    The data travels as JSON (LSP `Diagnostic.data` for code actions, the analysis cache): `to_json` writes it,
    `from_json` reads it back, checking every field against its annotation, so a payload that a client
    mangled or an older gradls wrote is refused (None) rather than handed to a builder."""

    def to_json(self) -> dict[str, Any]:
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls: type[_D], obj: object) -> _D | None:
        if isinstance(obj, cls):
            return obj
        value = _from_json(cls, obj)
        return value if isinstance(value, cls) else None


@dataclass(frozen=True)
class PlannedEdit:
    """An edit a rule computed from the tree that produced its finding.  `old_text` is what the span must
    still hold when the fix is built (None: an insertion, or a dtype/bool token checked loosely)."""

    span: Span
    new_text: str
    old_text: str | None = None


@dataclass(frozen=True)
class PlannedEdits(FixData):
    """Fix data that is the fix itself: the rule computed its edits and title (`gradls.fixes._planned`
    checks the edits against the source when the fix is built)."""

    title: str
    edits: tuple[PlannedEdit, ...]
    safe: bool = True


def fix_data_json(data: FixData | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The JSON form of a finding's fix data (already JSON when the finding was itself read from JSON)."""
    if data is None:
        return None
    return data.to_json() if isinstance(data, FixData) else dict(data)


def _to_json(value: object) -> object:
    if isinstance(value, Span):
        return [value.line, value.col, value.end_line, value.end_col]
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
    return value


class _Refused(Exception):
    pass


def _from_json(tp: Any, obj: object) -> object:
    """`obj` (JSON, or the dict a client echoes back) as a value of type `tp`; raises _Refused when it is not one."""
    try:
        return _read(tp, obj)
    except _Refused:
        return None


def _read(tp: Any, obj: object) -> object:
    origin = typing.get_origin(tp)
    if tp is Any:
        return obj
    if origin in (typing.Union, types.UnionType):
        for arm in typing.get_args(tp):
            try:
                return _read(arm, obj)
            except _Refused:
                continue
        raise _Refused
    if tp is type(None):
        if obj is None:
            return None
        raise _Refused
    if tp is Span:
        return _read_span(obj)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(obj, (list, tuple)):
            raise _Refused
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], v) for v in obj)
        if len(args) != len(obj):
            raise _Refused
        return tuple(_read(a, v) for a, v in zip(args, obj, strict=True))
    if isinstance(tp, type) and is_dataclass(tp):
        if isinstance(obj, tp):
            return obj
        if not isinstance(obj, Mapping):
            raise _Refused
        hints = typing.get_type_hints(tp)
        kwargs = {}
        for f in fields(tp):
            if f.name in obj:
                kwargs[f.name] = _read(hints[f.name], obj[f.name])
            elif f.default is MISSING and f.default_factory is MISSING:
                raise _Refused
        return tp(**kwargs)
    if tp is bool:
        if isinstance(obj, bool):
            return obj
        raise _Refused
    if tp in (int, str, float):
        if isinstance(obj, tp) and not isinstance(obj, bool):
            return obj
        raise _Refused
    raise TypeError(f"fix data field of type {tp!r} has no JSON form")  # a FixData written with a new type


def _read_span(obj: object) -> Span:
    if isinstance(obj, Mapping):
        obj = [obj.get(k) for k in ("line", "col", "end_line", "end_col")]
    if not isinstance(obj, (list, tuple)) or len(obj) != 4 or not all(type(v) is int for v in obj):
        raise _Refused
    line, col, end_line, end_col = obj
    if line < 1 or end_line < line or col < 0 or end_col < 0 or (end_line == line and end_col < col):
        raise _Refused
    return Span(line, col, end_line, end_col)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: Span
    # The rule's FixData when it can offer a fix.  A finding rebuilt from JSON (a code action's
    # Diagnostic.data, the cache) holds the JSON form instead; `gradls.fixes.fix_for` reads it back
    # with the rule's FixData class.
    fix_data: FixData | Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        return self.fix_data is not None


@dataclass(frozen=True)
class ParseFailure:
    """Why a source could not be analysed (syntax error, undecodable bytes, too large)."""

    message: str
    line: int = 1
    col: int = 0


@dataclass
class AnalysisResult:
    findings: list[Finding]
    failure: ParseFailure | None = None
    # Findings removed by suppression comments, kept so TFG900 can report unused ones.
    suppressed: list[Finding] = field(default_factory=list)
