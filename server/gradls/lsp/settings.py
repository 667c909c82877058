"""Editor settings (initializationOptions / didChangeConfiguration) and their merge with [tool.gradls].

A bad value never stops the server: it becomes a problem message naming the key, and the
default for that key is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gradls.config import SEVERITIES, Config, find_pyproject, load_config

LINT_RUN_VALUES = ("onType", "onSave")
NOTIFICATION_LEVELS = ("off", "onError", "onWarning", "always")
PROBE_DEVICES = ("auto", "cpu", "gpu")


@dataclass(frozen=True)
class ProbeSettings:
    interpreter: str | None = None  # None: the probe needs one from the request or is refused
    timeout_seconds: float = 120.0
    steps: int = 3
    device: str = "auto"
    warm_worker: bool = False  # keep a worker with TensorFlow imported for fast re-probes (opt-in)
    # Where the program runs: None = the workspace folder holding the file. A path may use
    # ${workspaceFolder} and ${fileDirname}; a relative one is taken from the workspace folder.
    cwd: str | None = None


@dataclass(frozen=True)
class EditorSettings:
    enable: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    lint_run: str = "onType"
    exclude: tuple[str, ...] = ()
    show_notifications: str = "off"
    probe: ProbeSettings = field(default_factory=ProbeSettings)

    def as_json(self) -> dict:
        return {
            "enable": self.enable,
            "select": list(self.select),
            "ignore": list(self.ignore),
            "severity": dict(self.severity),
            "lint": {"run": self.lint_run},
            "exclude": list(self.exclude),
            "showNotifications": self.show_notifications,
            "probe": {
                "interpreter": self.probe.interpreter,
                "timeoutSeconds": self.probe.timeout_seconds,
                "steps": self.probe.steps,
                "device": self.probe.device,
                "warmWorker": self.probe.warm_worker,
                "cwd": self.probe.cwd,
            },
        }


def _codes(raw: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(f"setting gradls.{key}: expected a list of rule codes, got {raw!r}; using []")
        return ()
    codes = tuple(x.strip().upper() for x in raw if x.strip())
    unknown = [c for c in codes if not _known_code_or_prefix(c)]
    if unknown:
        problems.append(
            f"setting gradls.{key}: unknown rule code {', '.join(map(repr, unknown))} (no gradls rule has that code or prefix); it matches nothing"
        )
    return codes


def _known_code_or_prefix(code: str) -> bool:
    try:
        from gradls.analysis.rules import all_rules

        return any(known.startswith(code) for known in all_rules())
    except Exception:  # the registry failing to load is reported elsewhere
        return True


def _globs(raw: Any, key: str, problems: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(f"setting gradls.{key}: expected a list of glob patterns, got {raw!r}; using []")
        return ()
    return tuple(raw)


def _optional_path(raw: Any, key: str, problems: list[str]) -> str | None:
    """A path setting where "" (or absent) means the default."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        problems.append(f"{key}: expected a path, got {raw!r}; using the default")
        return None
    return raw.strip()


def _choice(raw: Any, key: str, allowed: tuple[str, ...], default: str, problems: list[str]) -> str:
    if raw is None:
        return default
    if isinstance(raw, str):
        for value in allowed:
            if raw.lower() == value.lower():
                return value
    problems.append(f"setting gradls.{key}: expected one of {', '.join(allowed)}, got {raw!r}; using {default!r}")
    return default


def _number(raw: Any, key: str, default, problems: list[str], *, integer: bool, minimum: float):
    if raw is None:
        return default
    ok = isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= minimum
    if ok and integer and raw != int(raw):
        ok = False
    if not ok:
        kind = "an integer" if integer else "a number"
        problems.append(f"setting gradls.{key}: expected {kind} >= {minimum:g}, got {raw!r}; using {default!r}")
        return default
    return int(raw) if integer else float(raw)


def parse_settings(raw: Any) -> tuple[EditorSettings, list[str]]:
    """Validate the `gradls` settings object the client sends; unknown keys are reported, not fatal."""
    problems: list[str] = []
    if raw is None:
        return EditorSettings(), problems
    if not isinstance(raw, dict):
        return EditorSettings(), [f"settings: expected an object, got {type(raw).__name__}; defaults used"]
    known = {"enable", "select", "ignore", "severity", "lint", "exclude", "showNotifications", "probe"}
    for key in raw:
        if key not in known:
            problems.append(f"setting gradls.{key}: unknown key; ignored")

    enable = raw.get("enable", True)
    if not isinstance(enable, bool):
        problems.append(f"setting gradls.enable: expected true or false, got {enable!r}; using true")
        enable = True

    severity: list[tuple[str, str]] = []
    raw_severity = raw.get("severity")
    if raw_severity is not None and not isinstance(raw_severity, dict):
        problems.append(
            f"setting gradls.severity: expected a map of code or prefix -> severity, got {raw_severity!r}; ignored"
        )
    elif raw_severity:
        for code, sev in raw_severity.items():
            if not isinstance(sev, str) or sev.lower() not in SEVERITIES:
                problems.append(
                    f"setting gradls.severity.{code}: expected one of {', '.join(SEVERITIES)}, got {sev!r}; ignored"
                )
                continue
            severity.append((str(code).strip().upper(), sev.lower()))

    lint = raw.get("lint")
    lint = {} if lint is None else lint
    if not isinstance(lint, dict):
        problems.append(f"setting gradls.lint: expected an object, got {lint!r}; defaults used")
        lint = {}
    lint_run = _choice(lint.get("run"), "lint.run", LINT_RUN_VALUES, "onType", problems)

    show = _choice(raw.get("showNotifications"), "showNotifications", NOTIFICATION_LEVELS, "off", problems)

    probe_raw = raw.get("probe")
    probe_raw = {} if probe_raw is None else probe_raw
    if not isinstance(probe_raw, dict):
        problems.append(f"setting gradls.probe: expected an object, got {probe_raw!r}; defaults used")
        probe_raw = {}
    interpreter = probe_raw.get("interpreter")
    if interpreter is not None and (not isinstance(interpreter, str) or not interpreter.strip()):
        problems.append(f"setting gradls.probe.interpreter: expected a path, got {interpreter!r}; ignored")
        interpreter = None
    warm_worker = probe_raw.get("warmWorker", False)
    if not isinstance(warm_worker, bool):
        problems.append(f"setting gradls.probe.warmWorker: expected true or false, got {warm_worker!r}; using false")
        warm_worker = False
    cwd = _optional_path(probe_raw.get("cwd"), "setting gradls.probe.cwd", problems)
    probe = ProbeSettings(
        interpreter=interpreter or None,
        timeout_seconds=_number(
            probe_raw.get("timeoutSeconds"), "probe.timeoutSeconds", 120.0, problems, integer=False, minimum=1
        ),
        steps=_number(probe_raw.get("steps"), "probe.steps", 3, problems, integer=True, minimum=1),
        device=_choice(probe_raw.get("device"), "probe.device", PROBE_DEVICES, "auto", problems),
        warm_worker=warm_worker,
        cwd=cwd,
    )
    settings = EditorSettings(
        enable=enable,
        select=_codes(raw.get("select"), "select", problems),
        ignore=_codes(raw.get("ignore"), "ignore", problems),
        severity=tuple(severity),
        lint_run=lint_run,
        exclude=_globs(raw.get("exclude"), "exclude", problems),
        show_notifications=show,
        probe=probe,
    )
    return settings, problems


def merge(file_config: Config, editor: EditorSettings) -> Config:
    """The configuration one document is analysed with.

    Editor `select`, when given, replaces the file's; `ignore` adds to it; editor severities win
    over the file's for the same code or prefix (Config.severity_for takes the first of equally
    long keys, so the editor's come first).
    """
    overrides: dict[str, Any] = {}
    if editor.select:
        overrides["select"] = editor.select
    if editor.ignore:
        overrides["ignore"] = tuple(dict.fromkeys(file_config.ignore + editor.ignore))
    if editor.severity:
        overrides["severity"] = editor.severity + file_config.severity
    return file_config.merged(**overrides) if overrides else file_config


class FileConfigCache:
    """[tool.gradls] per folder, read once until a pyproject.toml changes."""

    def __init__(self) -> None:
        self._by_folder: dict[str, Config] = {}
        self._by_pyproject: dict[str | None, Config] = {}

    def clear(self) -> None:
        self._by_folder.clear()
        self._by_pyproject.clear()

    def for_path(self, path: str) -> tuple[Config, bool]:
        """(config, newly_loaded): newly_loaded is True the first time a pyproject is read."""
        folder = os.path.dirname(os.path.abspath(path))
        cached = self._by_folder.get(folder)
        if cached is not None:
            return cached, False
        pyproject = find_pyproject(folder) if os.path.isdir(folder) else None
        key = str(pyproject) if pyproject else None
        fresh = key not in self._by_pyproject
        if fresh:
            self._by_pyproject[key] = load_config(pyproject)
        config = self._by_pyproject[key]
        self._by_folder[folder] = config
        return config, fresh and pyproject is not None


def is_excluded_by_editor(path: str, editor: EditorSettings, workspace_roots: list[str]) -> bool:
    """Editor `exclude` globs are relative to the workspace folder that holds the file."""
    if not editor.exclude:
        return False
    root = None
    for r in workspace_roots:
        try:
            Path(path).resolve().relative_to(Path(r).resolve())
        except (ValueError, OSError):
            continue
        if root is None or len(r) > len(root):
            root = r
    return Config(exclude=editor.exclude, root=root).is_excluded(path)


def with_probe_overrides(probe: ProbeSettings, params: dict) -> tuple[ProbeSettings, list[str]]:
    """Per-request probe parameters over the configured ones; bad values are reported, not used."""
    problems: list[str] = []
    interpreter = params.get("interpreter")
    if interpreter is not None and (not isinstance(interpreter, str) or not interpreter.strip()):
        problems.append(f"interpreter: expected a path, got {interpreter!r}")
        interpreter = None
    timeout = _number(
        params.get("timeoutSeconds"), "timeoutSeconds", probe.timeout_seconds, problems, integer=False, minimum=1
    )
    steps = _number(params.get("steps"), "steps", probe.steps, problems, integer=True, minimum=1)
    device = _choice(params.get("device"), "device", PROBE_DEVICES, probe.device, problems)
    cwd = _optional_path(params.get("cwd"), "cwd", problems) if "cwd" in params else probe.cwd
    return replace(
        probe,
        interpreter=interpreter or probe.interpreter,
        timeout_seconds=timeout,
        steps=steps,
        device=device,
        cwd=cwd,
    ), problems
