"""The rule registry.

Each rule is one module `tfgNNN_<name>.py` in this package with its documentation in the
`.md` file of the same name beside it.  A module declares its rule with `@rule(...)` on a
function that takes the analysed module (`ModuleInfo`) and yields `Finding`s.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # one sentence: what TensorFlow does wrong; shown in hovers
    check: Callable[..., Iterable]
    default_on: bool = True
    module: str = ""

    @property
    def doc_path(self) -> Path:
        return _HERE / f"{self.module}.md"

    def documentation(self) -> str:
        try:
            return self.doc_path.read_text(encoding="utf-8")
        except OSError:
            return f"# {self.code} {self.name}\n\n{self.summary}\n"


_RULES: dict[str, Rule] = {}


def rule(code: str, name: str, summary: str, default_on: bool = True):
    def deco(fn):
        mod = fn.__module__.rsplit(".", 1)[-1]
        _RULES[code] = Rule(code, name, summary, fn, default_on, mod)
        return fn

    return deco


_LOADED = False
_LOCK = threading.Lock()


def all_rules() -> dict[str, Rule]:
    global _LOADED
    if not _LOADED:
        with _LOCK:  # the language server analyses on worker threads
            if not _LOADED:
                for info in pkgutil.iter_modules([str(_HERE)]):
                    if info.name.startswith("tfg"):
                        importlib.import_module(f"{__name__}.{info.name}")
                _LOADED = True
    return dict(sorted(_RULES.items()))


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code.upper())
