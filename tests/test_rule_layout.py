"""Rules are leaves, and every registered rule is complete.

Layout: a rule module (`analysis/rules/tfgNNN_*.py`) holds detection, message and fix data only.  It imports
shared machinery from `gradls.analysis.*` (flow, tapes, dtypes, custom_gradient, call_sites, ...), never from
another rule module, and it never stores state on the `ModuleInfo` (`info.memo` in the shared modules does
that).  The shared analysis modules never import a rule module either.

Consistency: every registered rule has its `.md` beside it, a `tests/rules/test_<module>.py` with a `CASES`
list, a row in the README's Rules table, and, when its findings carry `fix_data`, a fix builder registered in
`gradls.fixes`.  Parametrized over the registry, so a rule added later is covered as soon as it exists.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from gradls.analysis.engine import analyze
from gradls.analysis.rules import all_rules

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ROOT / "server" / "gradls" / "analysis"
RULES_DIR = ANALYSIS / "rules"
RULE_FILES = sorted(RULES_DIR.glob("tfg*.py"))
SHARED_FILES = sorted([*ANALYSIS.glob("*.py"), RULES_DIR / "_common.py"])
RULES = all_rules()

# Rules whose cases live outside tests/rules: (file, why).
CASES_ELSEWHERE = {
    "TFG900": ("tests/test_suppression.py", "a finding about suppression comments, not about a TensorFlow program"),
}
# Rules whose findings carry fix_data that no fix builder reads (descriptive data only).  Keep this exact:
# register a builder, or stop attaching the data, and the entry has to go.
FIX_DATA_WITHOUT_BUILDER = {"TFG005", "TFG006", "TFG018"}


def _rule_module_imports(tree: ast.Module) -> list[str]:
    """Rule modules this module imports, as written."""
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            out += [a.name for a in n.names if ".rules.tfg" in a.name or a.name.startswith("tfg")]
        elif isinstance(n, ast.ImportFrom):
            mod = n.module or ""
            if n.level:  # relative: `from .tfg010_tape_reused import x`, `from . import tfg010_tape_reused`
                mod = "." * n.level + mod
            if re.search(r"(^|\.)tfg\d", mod):
                out.append(mod)
            elif mod.endswith("rules") or (n.level and not n.module):
                out += [f"{mod}.{a.name}" for a in n.names if a.name.startswith("tfg")]
    return out


def _info_names(fn: ast.AST) -> set[str]:
    """Parameters of a function that hold the ModuleInfo: named `info` or annotated `ModuleInfo`."""
    names = {"info"}
    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = fn.args
        for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]:
            if p.annotation is not None and "ModuleInfo" in ast.unparse(p.annotation):
                names.add(p.arg)
    return names


def _writes_to_info(tree: ast.Module) -> list[str]:
    """`info.x = ...`, `info.x += ...`, `setattr(info, ...)`, `vars(info)[...] = ...`, `info.__dict__...`."""
    names = {"info"}
    for fn in ast.walk(tree):
        names |= _info_names(fn)
    out = []
    for n in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(n, ast.Assign):
            targets = list(n.targets)
        elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
            targets = [n.target]
        elif isinstance(n, ast.Delete):
            targets = list(n.targets)
        for t in targets:
            for sub in ast.walk(t):
                if isinstance(sub, ast.Attribute) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    if isinstance(sub.value, ast.Name) and sub.value.id in names:
                        out.append(f"line {sub.lineno}: {ast.unparse(sub)}")
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in {"setattr", "delattr", "vars"}:
            if n.args and isinstance(n.args[0], ast.Name) and n.args[0].id in names:
                out.append(f"line {n.lineno}: {ast.unparse(n)}")
        if isinstance(n, ast.Attribute) and n.attr == "__dict__" and isinstance(n.value, ast.Name):
            if n.value.id in names:
                out.append(f"line {n.lineno}: {ast.unparse(n)}")
    return out


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_module_is_a_leaf(path: Path):
    tree = _parse(path)
    imports = _rule_module_imports(tree)
    assert not imports, f"{path.name} imports rule modules {imports}: move what they share into gradls.analysis.*"
    writes = _writes_to_info(tree)
    assert not writes, f"{path.name} stores state on the ModuleInfo {writes}: use info.memo in a shared module"


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.stem)
def test_shared_analysis_module_does_not_import_rules(path: Path):
    imports = _rule_module_imports(_parse(path))
    assert not imports, f"{path.name} imports rule modules {imports}"


def test_the_layout_checks_catch_what_they_are_for():
    bad = ast.parse(
        "from gradls.analysis.rules.tfg010_tape_reused import pos\n"
        "from gradls.analysis.rules import rule, tfg013_integer_source\n"
        "from .tfg006_stop_gradient_on_trainable_path import Flow\n"
        "import gradls.analysis.rules.tfg004_custom_gradient_missing_variables\n"
        "def f(info, m: ModuleInfo):\n"
        "    info._cache = 1\n"
        "    m.x += 1\n"
        "    setattr(info, 'y', 2)\n"
    )
    assert len(_rule_module_imports(bad)) == 4
    assert len(_writes_to_info(bad)) == 3
    ok = ast.parse(
        "from gradls.analysis.rules import rule\nfrom gradls.analysis.rules._common import span_list\n"
        "def f(info):\n    x = info.memo('k', list)\n    x.y = 1\n"
    )
    assert not _rule_module_imports(ok) and not _writes_to_info(ok)


def test_every_rule_module_registers_one_rule():
    registered = sorted(r.module for r in RULES.values())
    assert registered == sorted(p.stem for p in RULE_FILES)
    for r in RULES.values():
        assert r.module.startswith(r.code.lower() + "_"), (r.code, r.module)


# ------------------------------------------------------------------------------------------ consistency

README_ROWS = {
    m.group(1): m.group(2)
    for m in re.finditer(
        r"^\| (TFG\d{3}) \| ([\w-]+) \|",
        (ROOT / "README.md").read_text(encoding="utf-8").split("## Rules", 1)[1].split("\n## ", 1)[0],
        re.M,
    )
}


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_doc_cases_and_readme_row(code: str):
    r = RULES[code]
    assert r.doc_path.is_file(), f"{code}: no documentation {r.doc_path.name} beside the rule"
    assert r.doc_path.read_text(encoding="utf-8").strip(), f"{code}: {r.doc_path.name} is empty"
    assert README_ROWS.get(code) == r.name, f"{code}: README's Rules table has no `| {code} | {r.name} |` row"
    if code in CASES_ELSEWHERE:
        where, _why = CASES_ELSEWHERE[code]
        assert code in (ROOT / where).read_text(encoding="utf-8"), f"{code}: not tested in {where}"
        return
    test_file = ROOT / "tests" / "rules" / f"test_{r.module}.py"
    assert test_file.is_file(), f"{code}: no tests/rules/{test_file.name}"
    tree = _parse(test_file)
    cases = [
        n
        for n in tree.body
        if isinstance(n, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == "CASES"
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        )
    ]
    assert cases, f"{code}: tests/rules/{test_file.name} has no module-level CASES list"


def _rules_with_fix_data() -> set[str]:
    """Codes whose findings on the rule cases carry fix_data (analysis only: no TensorFlow)."""
    from rules.casekit import all_cases

    return {f.code for c in all_cases().values() for f in analyze(c.source).findings if f.fix_data is not None}


def test_fix_data_has_a_fix_builder():
    from gradls import fixes

    builders = set(fixes._BUILDERS)
    with_data = _rules_with_fix_data()
    missing = sorted(with_data - builders - FIX_DATA_WITHOUT_BUILDER)
    assert not missing, f"findings carry fix_data but no fix builder is registered in gradls.fixes: {missing}"
    stale = sorted(FIX_DATA_WITHOUT_BUILDER & builders)
    assert not stale, f"FIX_DATA_WITHOUT_BUILDER lists rules that now have a builder: {stale}"
    unused = sorted(FIX_DATA_WITHOUT_BUILDER - with_data)
    assert not unused, f"FIX_DATA_WITHOUT_BUILDER lists rules whose findings carry no fix_data: {unused}"
    unknown = sorted(builders - set(RULES))
    assert not unknown, f"fix builders registered for unknown rules: {unknown}"
