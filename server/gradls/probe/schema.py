"""Typed probe options and probe report (docs/probe-report.md), shared by the CLI, the launcher,
the report builder and the language server. No TensorFlow here.

The report travels as JSON (version 1): `ProbeReport.from_json(d)` reads a report dict (unknown
keys are kept in each object's `extra` and written back by `to_json()`, so a newer report
survives a round trip through older code), `to_json()` gives the dict the launcher returns. The
launcher builds reports as dicts (report.py folds the runner's events into one) and passes every
report through this model before returning it, so what callers get always has this shape.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

DEFAULT_STEPS = 3
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 8192
DEFAULT_MAX_OUTPUT_MB = 64
DEVICES = ("auto", "cpu", "gpu")


@dataclass(frozen=True)
class ProbeOptions:
    """How to run one probe: `launcher.run_probe(options=...)` / `run_probe_async(options=...)`,
    or the same values as keyword arguments (`ProbeOptions.from_kwargs`)."""

    target: str  # the script, or a module name when `module`
    module: bool = False  # run `target` as `python -m target` would
    interpreter: str = sys.executable
    steps: int = DEFAULT_STEPS
    timeout: float = DEFAULT_TIMEOUT
    device: str = "auto"
    cwd: str | None = None
    memory_mb: int | None = DEFAULT_MEMORY_MB
    env: dict[str, str] | None = None
    args: tuple[str, ...] = ()
    max_output_mb: float = DEFAULT_MAX_OUTPUT_MB
    warm: bool = False

    @classmethod
    def from_kwargs(cls, target: str, **kwargs: Any) -> ProbeOptions:
        """From run_probe's keyword arguments (unknown ones raise TypeError, as a call would)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - names)
        if unknown:
            raise TypeError("unknown probe option(s): %s" % ", ".join(unknown))
        if "args" in kwargs:
            kwargs["args"] = tuple(kwargs["args"])
        if kwargs.get("env") is not None:
            kwargs["env"] = dict(kwargs["env"])
        return cls(target, **kwargs)

    def problems(self) -> list[str]:
        """What is wrong with these options (empty when they can run)."""
        out = []
        if self.device not in DEVICES:
            out.append("unknown device %r: use one of %s" % (self.device, ", ".join(DEVICES)))
        if self.steps < 1:
            out.append("steps must be at least 1 (got %d)" % self.steps)
        if self.timeout <= 0:
            out.append("timeout must be > 0 (got %g)" % self.timeout)
        if self.memory_mb is not None and self.memory_mb < 1:
            out.append("memory_mb must be >= 1 or None (got %d)" % self.memory_mb)
        return out

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["args"] = list(self.args)
        return d

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ProbeOptions:
        return cls.from_kwargs(obj["target"], **{k: v for k, v in obj.items() if k != "target"})


# ---------------------------------------------------------------------------------------------
# The report. Field metadata: "key" (the JSON key when it is not a Python name), "omit" (left out
# of the JSON when None: keys that only some reports have), "item"/"type" (nested objects).

T = TypeVar("T", bound="_JsonObject")


def _opt(default: Any = None, **meta: Any) -> Any:
    return field(default=default, metadata=meta)


def _many(item: type, **meta: Any) -> Any:
    return field(default_factory=list, metadata=dict(meta, item=item))


@dataclass
class _JsonObject:
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=True)

    @classmethod
    def from_json(cls: type[T], obj: dict[str, Any]) -> T:
        if not isinstance(obj, dict):
            raise TypeError("%s: expected a JSON object, got %s" % (cls.__name__, type(obj).__name__))
        values: dict[str, Any] = {}
        used = set()
        for f in dataclasses.fields(cls):
            if f.name == "extra":
                continue
            key = f.metadata.get("key", f.name)
            if key not in obj:
                continue
            used.add(key)
            value = obj[key]
            item, nested = f.metadata.get("item"), f.metadata.get("type")
            if item is not None and isinstance(value, list):
                value = [item.from_json(v) if isinstance(v, dict) else v for v in value]
            elif nested is not None and isinstance(value, dict):
                value = nested.from_json(value)
            values[f.name] = value
        out = cls(**values)
        out.extra = {k: v for k, v in obj.items() if k not in used}
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit"):
                continue
            out[f.metadata.get("key", f.name)] = _to_json(value)
        out.update(self.extra)
        return out


def _to_json(value: Any) -> Any:
    if isinstance(value, _JsonObject):
        return value.to_json()
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


@dataclass
class Location(_JsonObject):
    file: str | None = None
    line: int | None = None
    kind: str | None = _opt(omit=True)  # "variable" | "layer" | "assignment" (creation sites)
    cell: int | None = _opt(omit=True)  # a notebook's cell number


@dataclass
class Layer(_JsonObject):
    name: str | None = None
    class_name: str | None = _opt(key="class")
    activation: str | None = None


@dataclass
class Source(_JsonObject):
    name: str = ""
    kind: str | None = None  # "keras.Variable" | "tf.Variable" | "tensor"
    shape: list[int | None] | None = None
    dtype: str | None = None
    created_at: Location | None = _opt(type=Location)
    status: str = "ok"  # report.SOURCE_STATUSES
    norm: float | None = None
    update_ratio: float | None = None
    weight_norm: float | None = None
    zero_entries: int | None = None
    layer: Layer | None = _opt(type=Layer)


@dataclass
class GradientCall(_JsonObject):
    kind: str = ""
    file: str | None = None
    line: int | None = None
    caller: str | None = None
    step: int | None = None
    mode: str | None = None  # "eager" | "graph" | "xla"
    replica: int | None = None
    role: str = "bare"  # "update" | "bare" | "attached"
    optimizer: str | None = None
    scaled: bool = False
    sources: list[Source] = _many(Source)
    cell: int | None = _opt(omit=True)


@dataclass
class Cause(_JsonObject):
    kind: str = ""  # "none" | "zero" | "nan"
    origin: str = "runtime"  # "static" | "runtime"
    message: str = ""
    file: str | None = None
    line: int | None = None
    op: str | None = None
    rule: str | None = None
    source: str | None = _opt(omit=True)  # in the report's `causes` list
    site: dict[str, Any] | None = _opt(omit=True)
    cell: int | None = _opt(omit=True)


@dataclass
class Problem(_JsonObject):
    kind: str = ""
    file: str | None = None
    line: int | None = None
    source: str = ""
    shape: list[int | None] | None = None
    created_at: Location | None = _opt(type=Location)
    status: str = ""  # PROBLEM_STATUSES, "skipped", "vanishing", "exploding"
    steps: list[int] = field(default_factory=list)
    count: int = 0
    verdict: str = "broken"  # "broken" | "watch"
    observed: int = 0
    detail: str | None = _opt(omit=True)  # gradient dynamics, in words
    orders: float | None = _opt(omit=True)
    cause: Cause | None = _opt(omit=True, type=Cause)
    runtime_cause: Cause | None = _opt(omit=True, type=Cause)
    cell: int | None = _opt(omit=True)


@dataclass
class ErrorEntry(_JsonObject):
    type: str | None = None
    message: str | None = None
    file: str | None = None
    line: int | None = None
    category: str | None = None  # "gradient" | "program"
    during: str | None = None
    step: int | None = None
    cell: int | None = _opt(omit=True)


@dataclass
class WarningEntry(_JsonObject):
    category: str | None = None
    message: str | None = None
    file: str | None = None
    line: int | None = None
    step: int | None = None
    cell: int | None = _opt(omit=True)


@dataclass
class ExitInfo(_JsonObject):
    code: int | None = None
    signal: str | None = None
    reason: str | None = None


@dataclass
class Frame(_JsonObject):
    file: str = ""
    line: int = 0
    function: str = ""


@dataclass
class ThreadStack(_JsonObject):
    thread: str = ""
    main: bool = False
    frames: list[Frame] = _many(Frame)


@dataclass
class Sampling(_JsonObject):
    """A long probe inside tf.function: which training steps were reported (the others were counted
    and checked for NaN/Inf only)."""

    every_step_until: int | None = None
    every: int | None = None
    from_step: int | None = None
    reported_steps: list[int] = field(default_factory=list)
    unreported_runs: int = 0


@dataclass
class ProbeReport(_JsonObject):
    version: int = 1
    status: str = "error"
    message: str = ""
    file: str | None = None
    argv: list[str] = field(default_factory=list)
    module: str | None = _opt(omit=True)
    interpreter: str | None = None
    python: str | None = None
    tensorflow: str | None = None
    keras: str | None = None
    device: str | None = None
    device_name: str | None = None
    device_requested: str | None = None
    observed_device: str | None = None
    steps_requested: int = 0
    steps_observed: int = 0
    stopped_after_steps: bool = False
    duration_s: float | None = None
    gradient_calls: list[GradientCall] = _many(GradientCall)
    problems: list[Problem] = _many(Problem)
    causes: list[Cause] | None = _opt(omit=True, item=Cause)
    errors: list[ErrorEntry] = _many(ErrorEntry)
    warnings: list[WarningEntry] = _many(WarningEntry)
    exit: ExitInfo = field(default_factory=ExitInfo, metadata={"type": ExitInfo})
    threads: list[ThreadStack] | None = _opt(omit=True, item=ThreadStack)
    sampling: Sampling | None = _opt(omit=True, type=Sampling)
    stdout: str = ""
    stderr: str = ""
    stdout_omitted_bytes: int = 0
    stderr_omitted_bytes: int = 0
    notes: list[str] = field(default_factory=list)
    notebook: bool | None = _opt(omit=True)

    def broken(self) -> list[Problem]:
        return [p for p in self.problems if p.verdict == "broken"]

    def watch(self) -> list[Problem]:
        return [p for p in self.problems if p.verdict == "watch"]


def normalised(report: dict[str, Any]) -> dict[str, Any]:
    """`report` as the typed model writes it: every documented key present, nested objects in shape."""
    return ProbeReport.from_json(report).to_json()


__all__: Sequence[str] = (
    "ProbeOptions",
    "ProbeReport",
    "GradientCall",
    "Source",
    "Problem",
    "Cause",
    "Location",
    "Layer",
    "ErrorEntry",
    "WarningEntry",
    "ExitInfo",
    "ThreadStack",
    "Frame",
    "Sampling",
    "normalised",
)
