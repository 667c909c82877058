"""Rules are leaves, and every registered rule is complete.

Layout: a rule module (`analysis/rules/tfgNNN_*.py`) holds detection, message and fix data only.  It imports
shared machinery from `gradls.analysis.*` (flow, tapes, dtypes, custom_gradient, call_sites, ...), never from
another rule module, and it never stores state on the `ModuleInfo` (`info.memo` in the shared modules does
that).  The shared analysis modules never import a rule module either.

Consistency: every registered rule has its `.md` beside it, a `tests/rules/test_<module>.py` with a `CASES`
list, a row in the README's Rules table, and, when it defines fix data (one frozen `FixData` dataclass in its
module), a fix builder found by discovery: `gradls/fixes/<the rule module's name>.py` with
`build(source, finding, data)` reading that class; the data survives its JSON round trip (LSP Diagnostic.data).
Parametrized over the registry, so a rule added later is covered as soon as it exists.

Layering: the analysis (rules included) never imports the fixes layer or libcst.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import typing
from pathlib import Path

import pytest
from gradls import fixes
from gradls.analysis.engine import analyze
from gradls.analysis.model import FixData
from gradls.analysis.rules import all_rules, fix_data_types
from gradls.config import SEVERITIES, Config
from lsprotocol import types as lsp
from pygls.protocol import default_converter

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ROOT / "server" / "gradls" / "analysis"
FIXES = ROOT / "server" / "gradls" / "fixes"
RULES_DIR = ANALYSIS / "rules"
RULE_FILES = sorted(RULES_DIR.glob("tfg*.py"))
SHARED_FILES = sorted([*ANALYSIS.glob("*.py"), RULES_DIR / "_common.py"])
RULES = all_rules()

# Rules whose cases live outside tests/rules: (file, why).
CASES_ELSEWHERE = {
    "TFG900": ("tests/test_suppression.py", "a finding about suppression comments, not about a TensorFlow program"),
}


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
        "from gradls.analysis.rules import rule\nfrom gradls.analysis.rules._common import only_logged\n"
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
    assert r.severity in SEVERITIES, f"{code}: severity {r.severity!r} is none of {SEVERITIES}"
    assert Config().severity_of(code) == r.severity, f"{code}: the configuration's default is not the rule's"
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


def _findings_with_fix_data() -> list:
    """Findings on the rule cases that carry fix data (analysis only: no TensorFlow)."""
    from rules.casekit import all_cases

    results = [analyze(c.source) for c in all_cases().values()]
    # TFG900 (off by default) has its cases in tests/test_suppression.py.
    results.append(analyze("x = 1  # gradls: ignore[TFG001]\n", config=Config(extend_select=("TFG900",))))
    return [f for r in results for f in r.findings if f.fix_data is not None]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_defines_at_most_one_fix_data_class(path: Path):
    found = fix_data_types(f"gradls.analysis.rules.{path.stem}")
    assert len(found) <= 1, f"{path.name} defines several FixData classes {found}: one per rule (a `kind` field)"
    for cls in found:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, f"{cls.__name__} is not frozen"  # type: ignore[attr-defined]


def test_every_fix_module_is_named_after_a_rule():
    modules = {r.module for r in RULES.values()}
    stray = [m for m in fixes.builder_modules() if m not in modules]
    assert not stray, f"gradls/fixes/{stray} match no rule module: a builder is found by its rule's module name"
    helpers = sorted(p.stem for p in FIXES.glob("*.py") if not p.stem.startswith(("tfg", "_")))
    assert helpers == ["suppress"], f"fixes/{helpers}: name a rule's fix after the rule, a shared helper `_<what>`"


@pytest.mark.parametrize("code", sorted(RULES))
def test_fix_data_and_builder_agree(code: str):
    r = RULES[code]
    build = fixes.builders().get(code)
    if r.fix_data_type is None:
        assert build is None, f"{code}: fixes/{r.module}.py exists but the rule defines no FixData class"
        return
    assert build is not None, f"{code} defines {r.fix_data_type.__name__} but there is no fixes/{r.module}.py"
    hints = typing.get_type_hints(build)
    assert list(hints) == ["source", "finding", "data", "return"], f"{code}: build(source, finding, data) -> Fix"
    assert hints["data"] is r.fix_data_type, f"{code}: build reads {hints['data']}, not {r.fix_data_type.__name__}"


def test_fix_data_is_typed_and_survives_json():
    """Every fix data seen on the cases is its rule's class and comes back equal from JSON: from `to_json`
    (the cache) and from the Diagnostic.data the language server sends (pygls's converter), as a client
    echoes it in a code action request."""
    converter = default_converter()
    found = _findings_with_fix_data()
    codes = {f.code for f in found}
    with_type = {c for c, r in RULES.items() if r.fix_data_type is not None}
    assert codes == with_type, f"cases show no fix data for {sorted(with_type - codes)}"
    for f in found:
        cls = RULES[f.code].fix_data_type
        assert cls is not None and type(f.fix_data) is cls, (f.code, type(f.fix_data))
        assert cls.from_json(json.loads(json.dumps(f.fix_data.to_json()))) == f.fix_data, f
        sent = lsp.Diagnostic(range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 1)), message="m", data=f.fix_data)
        echoed = json.loads(json.dumps(converter.unstructure(sent)))["data"]
        assert cls.from_json(echoed) == f.fix_data, f
        assert fixes.fix_for("", dataclasses.replace(f, fix_data=echoed)) is None  # read back, checked on "" text


def test_fix_data_refuses_what_does_not_fit():
    cls = RULES["TFG001"].fix_data_type
    assert cls is not None
    good = {"call": [3, 4, 3, 20], "func": "numpy.mean", "tf_alias": "tf"}
    assert cls.from_json(good) is not None and cls.from_json({**good, "tf_alias": None}) is not None
    for bad in (
        {**good, "call": [3, 4, 2, 20]},  # ends before it starts
        {**good, "call": [3, 4, 3]},
        {**good, "func": 3},
        {k: v for k, v in good.items() if k != "func"},
        [1, 2],
        None,
    ):
        assert cls.from_json(bad) is None, bad
    assert isinstance(cls.from_json(good), FixData)


def test_analysis_never_imports_fixes_or_libcst():
    for path in sorted(ANALYSIS.rglob("*.py")):
        for n in ast.walk(_parse(path)):
            names = [a.name for a in n.names] if isinstance(n, ast.Import) else []
            if isinstance(n, ast.ImportFrom):
                names = [n.module or ""]
            bad = [m for m in names if m.startswith(("gradls.fixes", "libcst", "gradls.lsp", "tensorflow"))]
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}: the analysis stays pure"
