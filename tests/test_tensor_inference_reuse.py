"""TensorInference reuses a loop body's first pass and a function's last analysis when nothing they read has changed
(issue 14, speed).  That reuse must change nothing: every level, kind, return, seed and final environment is the
same as when every loop body is walked twice and every function analysed again in each round."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from gradls.analysis.module import ModuleInfo
from gradls.analysis.tensors import TensorInference
from gradls.config import Config

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    [*ROOT.glob("examples/*.py"), *ROOT.glob("tests/corpus/buggy/*.py"), *ROOT.glob("tests/corpus/correct/*.py")]
)


class _NoReuse(TensorInference):
    REUSE = False


def _state(t: TensorInference, index: dict[int, int]) -> dict:
    def by_node(d: dict) -> list:
        out = []
        for k, v in d.items():
            if hasattr(v, "levels"):
                v = (sorted(v.levels.items()), sorted(v.kinds.items()))
            elif isinstance(v, dict):
                v = sorted(v.items(), key=str)
            out.append((index.get(k, -1), v))
        return sorted(out, key=str)

    return {
        "levels": by_node(t.memo),
        "kinds": by_node(t.kind_memo),
        "returns": by_node(t.returns),
        "return_kinds": by_node(t.return_kinds),
        "return_tuples": by_node(t.return_tuples),
        "final_env": by_node(t.final_env),
        "closures": by_node(t.closures),
        "seeds": by_node(t.seeds),
        "kind_seeds": by_node(t.kind_seeds),
        "module_env": (sorted(t.module_env.levels.items()), sorted(t.module_env.kinds.items())),
    }


def _examples_repeated() -> str:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("examples/*.py")))
    return "\n\n".join([text] * 4)


@pytest.mark.parametrize("name", ["examples x4", *(str(p.relative_to(ROOT)) for p in FILES)])
def test_reuse_changes_nothing(name: str) -> None:
    source = _examples_repeated() if name == "examples x4" else (ROOT / name).read_text(encoding="utf-8")
    tree = ast.parse(source)
    info = ModuleInfo(tree, source, Config())
    index = {id(n): i for i, n in enumerate(ast.walk(tree))}
    assert _state(info.tensors, index) == _state(_NoReuse(info), index)
