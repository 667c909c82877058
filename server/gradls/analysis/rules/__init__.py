"""The rule registry.

Each rule is one module `tfgNNN_<name>.py` in this package with its documentation in the
`.md` file of the same name beside it.  A module declares its rule with `@rule(...)` on a
function that takes the analysed module (`ModuleInfo`) and yields `Finding`s.  A rule that offers a
fix defines its fix data beside it: one frozen dataclass deriving from `FixData` (found here, as the
rule is); its builder is `gradls.fixes.<the same module name>`.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from gradls.analysis.model import FixData

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str  # one sentence: what TensorFlow does wrong; shown in hovers
    check: Callable[..., Iterable]
    default_on: bool = True
    module: str = ""
    # Its severity when the configuration sets none: `warning` for a TFG0xx rule (a bug TensorFlow raises on,
    # or a gradient silently lost), `information` for what is about gradls itself (TFG900).
    severity: str = "warning"
    # The FixData class defined in the rule's module, when its findings can carry a fix.
    fix_data_type: type[FixData] | None = None

    @property
    def doc_path(self) -> Path:
        return _HERE / f"{self.module}.md"

    def documentation(self) -> str:
        try:
            return self.doc_path.read_text(encoding="utf-8")
        except OSError:
            return f"# {self.code} {self.name}\n\n{self.summary}\n"

    def why(self, limit: int = 1500) -> str:
        """The page's "Why" section (what TensorFlow does wrong, in its own error messages), for the hover.

        Rule pages have "## What it flags / ## Why / ## Example / ## Fix" sections; a page without a "Why"
        gives its first paragraphs."""
        sections: dict[str, list[str]] = {}
        current = ""
        for line in self.documentation().splitlines():
            if line.startswith("## "):
                current = line[3:].strip().lower()
                continue
            if not line.startswith("# "):
                sections.setdefault(current, []).append(line)
        body = "\n".join(sections.get("why") or sections.get("") or []).strip()
        if len(body) <= limit:
            return body
        cut = body.rfind("\n\n", 0, limit)
        return (body[:cut] if cut > 0 else body[:limit]).rstrip() + "\n\n…"


_RULES: dict[str, Rule] = {}


def rule(code: str, name: str, summary: str, default_on: bool = True, severity: str = "warning"):
    def deco(fn):
        mod = fn.__module__.rsplit(".", 1)[-1]
        _RULES[code] = Rule(code, name, summary, fn, default_on, mod, severity=severity)
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
                for code, r in list(_RULES.items()):
                    _RULES[code] = replace(r, fix_data_type=_fix_data_type(f"{__name__}.{r.module}"))
                _LOADED = True
    return dict(sorted(_RULES.items()))


def fix_data_types(module_name: str) -> list[type[FixData]]:
    """The FixData classes a rule module defines (the layout test wants at most one)."""
    module = importlib.import_module(module_name)
    return [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, FixData) and v.__module__ == module.__name__
    ]


def _fix_data_type(module_name: str) -> type[FixData] | None:
    found = fix_data_types(module_name)
    return found[0] if len(found) == 1 else None


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code.upper())
