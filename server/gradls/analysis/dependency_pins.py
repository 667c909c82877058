"""Which Keras a project runs, from the versions its dependency files pin.

TensorFlow 2.16 made Keras 3 what `tf.keras` is; a project that pins `tensorflow<2.16` (or `keras<3`) runs Keras 2
there, whatever is installed where gradls runs, and Keras 2 behaves differently around gradients (a raw
`tf.Variable` on a layer is tracked, a KerasTensor in a `tf.*` op gives `None` instead of raising). Pure text in,
answer out: the files are read by the project index (`ProjectIndex.pinned_keras2`).

Read: `requirements*.txt` / `constraints*.txt` lines, `pyproject.toml` (`[project]` dependencies and optional
dependencies, Poetry's dependency tables), `setup.cfg` (`install_requires`), string literals of `setup.py`, conda
`environment.yml`. A requirement with an environment marker (`; python_version < "3.9"`) holds only somewhere,
and a dynamic version is unknown: neither decides anything.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Keras 3 is tf.keras from TensorFlow 2.16 on; standalone Keras 3 from 3.0.
_KERAS3_FROM = {"tensorflow": (2, 16), "keras": (3, 0)}
_TF_DISTRIBUTIONS = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel"}

_NAME = r"(?P<name>tensorflow(?:[-_](?:cpu|gpu|macos|intel))?|keras)"
_CLAUSE = r"(?:===|==|~=|!=|<=|>=|<|>|=)\s*[0-9][0-9A-Za-z.*+!-]*"
# A requirement as it appears in a string or a line: the name, extras, then comma-separated clauses (PEP 508 or a
# conda `=2.12` pin). `(?<![\w.-])` keeps `tensorflow` out of `tensorflow-probability`, `tf-keras` and `keras-nlp`.
_REQUIREMENT = re.compile(
    r"(?<![\w.\-/])"
    + _NAME
    + r"(?![\w-])\s*(?:\[[^\]]*\])?\s*\(?\s*(?P<spec>"
    + _CLAUSE
    + r"(?:\s*,\s*"
    + _CLAUSE
    + r")*)"
)
_ONE_CLAUSE = re.compile(r"(===|==|~=|!=|<=|>=|<|>|=)\s*([0-9][0-9A-Za-z.*+!-]*)")


def _parts(text: str) -> tuple[int, ...] | None:
    """The numeric components as written: `2.15.0rc1` -> (2, 15, 0); None for what does not start with a number."""
    parts: list[int] = []
    for piece in text.split("."):
        m = re.match(r"\d+", piece)
        if m is None:
            break
        parts.append(int(m.group(0)))
        if m.end() != len(piece):
            break  # `0rc1`, `0+local`: the numeric prefix only
    return tuple(parts) or None


def _norm(v: tuple[int, ...]) -> tuple[int, ...]:
    """Trailing zeros dropped, so that tuples compare as versions do (`2.16.0` == `2.16`)."""
    out = list(v)
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return tuple(out)


def _bump(v: tuple[int, ...]) -> tuple[int, ...]:
    """The first version past every `v.*` (2.15 -> 2.16)."""
    return (*v[:-1], v[-1] + 1)


def below(spec: str, limit: tuple[int, ...], poetry: bool = False) -> bool:
    """Does the specifier allow only versions below `limit` (an upper bound under it)? `poetry`: `^` and `~`
    ranges and a bare version, as Poetry reads them."""
    spec = spec.strip()
    limit = _norm(limit)
    if poetry:
        if spec.startswith("^"):
            v = _parts(spec[1:])
            if v is None:
                return False
            first = next((i for i, x in enumerate(v) if x != 0), len(v) - 1)
            return _norm(_bump(v[: first + 1])) <= limit
        if spec.startswith("~") and not spec.startswith("~="):
            v = _parts(spec[1:])
            if v is None:
                return False
            return _norm(_bump(v[:2])) <= limit
        if spec[:1].isdigit():
            spec = "==" + spec
    for op, text in _ONE_CLAUSE.findall(spec):
        v = _parts(text)
        if v is None:
            continue
        if op == "<" and _norm(v) <= limit:
            return True
        if op == "<=" and _norm(v) < limit:
            return True
        if op in {"==", "===", "="}:
            if "*" in text:
                if _norm(_bump(v)) <= limit:
                    return True
            elif _norm(v) < limit:
                return True
        if op == "~=" and len(v) >= 2 and _norm(_bump(v[:-1])) <= limit:
            return True
    return False


def _pin_of(name: str, spec: str, poetry: bool = False) -> str | None:
    key = "tensorflow" if name.lower().replace("_", "-") in _TF_DISTRIBUTIONS else "keras"
    limit = _KERAS3_FROM[key]
    if not below(spec, limit, poetry):
        return None
    return f'{name} = "{spec.strip()}"' if poetry else f"{name}{spec.strip()}"


def _requirement_pins(text: str) -> Iterator[str]:
    """Pins to Keras 2 among requirement strings in `text` (one per line, or quoted in code)."""
    for line in text.splitlines():
        code = line.split("#", 1)[0]
        for m in _REQUIREMENT.finditer(code):
            rest = code[m.end() :]
            if re.match(r"\s*\)?\s*;", rest):
                continue  # an environment marker: the pin holds only somewhere
            pin = _pin_of(m.group("name"), m.group("spec"))
            if pin is not None:
                yield pin


def _pyproject_pins(text: str) -> Iterator[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    project = data.get("project")
    strings: list[str] = []
    if isinstance(project, dict):
        deps = project.get("dependencies")
        if isinstance(deps, list):
            strings += [d for d in deps if isinstance(d, str)]
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for group in extras.values():
                if isinstance(group, list):
                    strings += [d for d in group if isinstance(d, str)]
    for s in strings:
        yield from _requirement_pins(s)
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies")]
        groups = poetry.get("group")
        if isinstance(groups, dict):
            tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
        for table in tables:
            if not isinstance(table, dict):
                continue
            for name, value in table.items():
                if not re.fullmatch(_NAME, str(name), re.IGNORECASE):
                    continue
                spec = value.get("version") if isinstance(value, dict) and "markers" not in value else value
                if isinstance(spec, str):
                    pin = _pin_of(str(name), spec, poetry=True)
                    if pin is not None:
                        yield pin


def keras2_pin(filename: str, text: str) -> str | None:
    """The first requirement in a dependency file that holds the project to Keras 2 (`tensorflow<2.16`,
    `tensorflow==2.15.1`, `keras<3`), as written; None when the file pins no such thing."""
    name = filename.lower()
    if name == "pyproject.toml":
        pins = _pyproject_pins(text)
    else:
        pins = _requirement_pins(text)
    return next(pins, None)


def is_dependency_file(name: str) -> bool:
    """A file `keras2_pin` reads: requirements/constraints lists, pyproject.toml, setup.cfg, setup.py, conda envs."""
    low = name.lower()
    if low in {"pyproject.toml", "setup.cfg", "setup.py", "environment.yml", "environment.yaml"}:
        return True
    return low.endswith(".txt") and low.startswith(("requirements", "constraints"))
