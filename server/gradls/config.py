"""gradls configuration: `[tool.gradls]` in the nearest pyproject.toml, merged with overrides.

Bad configuration never raises out of here: each problem becomes a `ConfigProblem` naming
the file and key, and the default for that key is used.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

SEVERITIES = ("error", "warning", "information", "hint")


def default_severity(code: str) -> str:
    """A rule's severity when the configuration does not set one: the rule's own (`@rule(severity=...)`)."""
    from gradls.analysis.rules import get_rule  # the registry imports analysis modules that import this one

    r = get_rule(code)
    return r.severity if r is not None else "warning"


@dataclass(frozen=True)
class ConfigProblem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: [tool.gradls] {self.key}: {self.message}"


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # empty = every rule enabled by default
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (code or prefix, severity)
    exclude: tuple[str, ...] = ()
    extra_tensor_functions: tuple[str, ...] = ()
    extra_differentiable_decorators: tuple[str, ...] = ()
    # The project runs with Keras 2 as `tf.keras` (TF_USE_LEGACY_KERAS=1 set in its environment, not in code).
    # None: decided per file from the project's dependency pins (`tensorflow<2.16`, `keras<3`); false turns that off.
    legacy_keras: bool | None = None
    source: str | None = None  # the pyproject.toml it came from
    root: str | None = None  # that file's folder: per-file-ignores and exclude are relative to it
    problems: tuple[ConfigProblem, ...] = field(default=(), compare=False)

    def enabled(self, code: str, default_on: bool = True, path: str | None = None) -> bool:
        selected = _matches(code, self.select) if self.select else default_on
        if _matches(code, self.extend_select):
            selected = True
        if _matches(code, self.ignore):
            # An exact code in select beats a prefix in ignore, as in ruff.
            if not (code in self.select or code in self.extend_select) or len(_longest(code, self.ignore)) >= len(
                _longest(code, self.select + self.extend_select)
            ):
                selected = False
        if selected and path is not None and self.per_file_ignores:  # the path is resolved only to match one
            rel = self.relative(path)
            for pattern, codes in self.per_file_ignores:
                if _glob(rel, pattern) and _matches(code, codes):
                    return False
        return selected

    def severity_of(self, code: str) -> str:
        """The configured severity of `code`, else its default (`default_severity`)."""
        return self.severity_for(code, default_severity(code))

    def severity_for(self, code: str, default: str = "warning") -> str:
        best, best_len = default, -1
        for key, sev in self.severity:
            if code.startswith(key) and len(key) > best_len:
                best, best_len = sev, len(key)
        return best

    def relative(self, path: str) -> str:
        p = Path(path)
        if self.root:
            try:
                return p.resolve().relative_to(Path(self.root).resolve()).as_posix()
            except (ValueError, OSError):
                pass
        return p.as_posix()

    def is_excluded(self, path: str) -> bool:
        rel = self.relative(path)
        return any(_glob(rel, pat) for pat in self.exclude)

    def merged(self, **overrides) -> Config:
        """A copy with the given keys replaced (CLI flags and editor settings win over the file)."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **clean)


def _matches(code: str, patterns) -> bool:
    return any(code.startswith(p) for p in patterns if p)


def _longest(code: str, patterns) -> str:
    return max((p for p in patterns if p and code.startswith(p)), key=len, default="")


def _glob(rel: str, pattern: str) -> bool:
    if fnmatch.fnmatch(rel, pattern):
        return True
    # A bare name or directory pattern matches anywhere below, like ruff's exclude.
    parts = rel.split("/")
    return any(fnmatch.fnmatch(part, pattern) for part in parts) or any(
        fnmatch.fnmatch("/".join(parts[i:]), pattern) for i in range(len(parts))
    )


def _str_list(raw, file: str, key: str, problems: list) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(ConfigProblem(file, key, f"expected a list of strings, got {type(raw).__name__}; ignored"))
        return ()
    return tuple(x.strip() for x in raw)


KNOWN_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "severity",
    "exclude",
    "extra-tensor-functions",
    "extra-differentiable-decorators",
    "legacy-keras",
}


def parse_table(table: dict, file: str = "<settings>") -> tuple[dict, list[ConfigProblem]]:
    """Validate a `[tool.gradls]`-shaped table into Config keyword arguments."""
    problems: list[ConfigProblem] = []
    out: dict = {}
    if not isinstance(table, dict):
        return out, [ConfigProblem(file, "tool.gradls", "expected a table; ignored")]
    for key, raw in table.items():
        norm = key.replace("_", "-")
        if norm not in KNOWN_KEYS:
            problems.append(ConfigProblem(file, key, "unknown key; ignored"))
            continue
        attr = norm.replace("-", "_")
        if norm == "per-file-ignores":
            if not isinstance(raw, dict):
                problems.append(ConfigProblem(file, key, "expected a table of glob -> list of codes; ignored"))
                continue
            out[attr] = tuple((pat, _str_list(codes, file, f"{key}.{pat}", problems)) for pat, codes in raw.items())
        elif norm == "legacy-keras":
            if not isinstance(raw, bool):
                problems.append(ConfigProblem(file, key, f"expected true or false, got {raw!r}; ignored"))
                continue
            out[attr] = raw
        elif norm == "severity":
            if not isinstance(raw, dict):
                problems.append(ConfigProblem(file, key, "expected a table of code or prefix -> severity; ignored"))
                continue
            pairs = []
            for code, sev in raw.items():
                if not isinstance(sev, str) or sev.lower() not in SEVERITIES:
                    problems.append(
                        ConfigProblem(
                            file, f"{key}.{code}", f"expected one of {', '.join(SEVERITIES)}, got {sev!r}; ignored"
                        )
                    )
                    continue
                pairs.append((code, sev.lower()))
            out[attr] = tuple(pairs)
        else:
            out[attr] = _str_list(raw, file, key, problems)
    return out, problems


def unknown_codes(patterns) -> list[str]:
    """Codes or prefixes that match no gradls rule (`TFG999`, `E501`), for a clear warning."""
    from gradls.analysis.rules import all_rules  # lazy: config is loaded before the rules

    known = list(all_rules())
    return [p for p in patterns if p and not any(code.startswith(p.upper()) for code in known)]


def _check_codes(kwargs: dict, file: str, problems: list) -> None:
    for key in ("select", "ignore", "extend_select"):
        for bad in unknown_codes(kwargs.get(key, ())):
            problems.append(ConfigProblem(file, key.replace("_", "-"), f"{bad!r} matches no gradls rule; ignored"))
    for pattern, codes in kwargs.get("per_file_ignores", ()):
        for bad in unknown_codes(codes):
            problems.append(
                ConfigProblem(file, f"per-file-ignores.{pattern}", f"{bad!r} matches no gradls rule; ignored")
            )
    for code, _sev in kwargs.get("severity", ()):
        for bad in unknown_codes([code]):
            problems.append(ConfigProblem(file, f"severity.{code}", f"{bad!r} matches no gradls rule; ignored"))


def find_pyproject(start: str | os.PathLike) -> Path | None:
    """The nearest pyproject.toml with a [tool.gradls] table, searching upwards from `start`."""
    p = Path(start).resolve()
    folder = p if p.is_dir() else p.parent
    for d in (folder, *folder.parents):
        found = _claims(d / "pyproject.toml")
        if found is not None:
            return found
    return None


def load_config(pyproject: Path | None) -> Config:
    if pyproject is None:
        return Config()
    file = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return Config(
            source=file, root=str(pyproject.parent), problems=(ConfigProblem(file, "-", f"cannot read: {e}"),)
        )
    except tomllib.TOMLDecodeError as e:
        return Config(
            source=file,
            root=str(pyproject.parent),
            problems=(ConfigProblem(file, "-", f"invalid TOML: {e}; defaults used"),),
        )
    table = data.get("tool", {}).get("gradls", {})
    kwargs, problems = parse_table(table, file)
    _check_codes(kwargs, file, problems)
    return Config(source=file, root=str(pyproject.parent), problems=tuple(problems), **kwargs)


def config_for_path(path: str | os.PathLike) -> Config:
    return load_config(find_pyproject(path))


class ConfigLookup:
    """`config_for_path` for the many files of one run: each folder's nearest `[tool.gradls]` pyproject.toml is
    searched for once (the answer of a parent folder serves its subfolders) and each one is read once.  Asked per
    file, every file of a 770-file tree had every pyproject.toml above it read and parsed again (~1 s)."""

    def __init__(self) -> None:
        self._nearest: dict[Path, Path | None] = {}  # folder -> find_pyproject(folder)
        self._configs: dict[Path | None, Config] = {}

    def __call__(self, path: str | os.PathLike) -> Config:
        p = Path(path).resolve()
        found = self._find(p if p.is_dir() else p.parent)
        cfg = self._configs.get(found)
        if cfg is None:
            cfg = self._configs[found] = load_config(found)
        return cfg

    def _find(self, folder: Path) -> Path | None:
        # find_pyproject(folder), one folder at a time: a folder without an answer of its own takes its parent's.
        if folder in self._nearest:
            return self._nearest[folder]
        found = _claims(folder / "pyproject.toml")
        if found is None and folder.parent != folder:
            found = self._find(folder.parent)
        self._nearest[folder] = found
        return found


def _claims(candidate: Path) -> Path | None:
    """`candidate` when it is the pyproject.toml `find_pyproject` stops at, else None."""
    if not candidate.is_file():
        return None
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken file still claims its folder if it mentions us: report it, don't skip past it.
        try:
            if "[tool.gradls" in candidate.read_text(encoding="utf-8", errors="replace"):
                return candidate
        except OSError:
            pass
        return None
    return candidate if isinstance(data.get("tool"), dict) and "gradls" in data["tool"] else None
