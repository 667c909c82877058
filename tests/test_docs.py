"""What the README and docs/vscode.md promise matches the repository: settings, files, commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_vscode_setting_is_documented():
    contributes = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["contributes"]["configuration"]
    sections = contributes if isinstance(contributes, list) else [contributes]
    settings = [key for section in sections for key in section["properties"]]
    assert "gradls.probe.warmWorker" in settings
    doc = (ROOT / "docs" / "vscode.md").read_text(encoding="utf-8")
    # A row names one setting, or several: "| `select` / `ignore` | ...".
    rows = [m.group(1) for m in re.finditer(r"^\| (`[\w.]+`(?: / `[\w.]+`)*) \|", doc, re.M)]
    table = {name for row in rows for name in re.findall(r"`([\w.]+)`", row)}
    missing = [s for s in settings if s.removeprefix("gradls.") not in table]
    assert not missing, f"settings without a row in docs/vscode.md: {missing}"


def test_readme_command_line_sample_names_real_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = readme.split("## Command line", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"^(examples/[\w/]+\.py):\d+:\d+: ", sample, re.M))
    assert named, sample
    for path in named:
        assert (ROOT / path).is_file(), path


def test_architecture_names_the_modules_that_exist():
    """docs/architecture.md's package layout: every module it names exists, and every module is named."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layout = doc.split("## Package layout", 1)[1].split("\n## ", 1)[0]
    package = ROOT / "server" / "gradls"
    named = set()
    for row in re.finditer(r"^\| ([^|]+) \|", layout, re.M):
        for path in re.findall(r"`([\w/]+(?:\.py|/))`", row.group(1)):
            assert (package / path).exists(), f"docs/architecture.md names {path}, which does not exist"
            named.add(path)
    assert len(named) > 40, named
    for module in package.rglob("*.py"):
        rel = module.relative_to(package).as_posix()
        if module.name in {"__init__.py", "__main__.py"} and rel not in {
            "analysis/rules/__init__.py",
            "fixes/__init__.py",
        }:
            continue
        if re.fullmatch(r"(analysis/rules|fixes)/tfg\d{3}_\w+\.py", rel):
            continue  # `tfgNNN_<name>.py`: one row for all of them
        shown = rel if not rel.startswith("probe/") else module.name  # the probe row names its modules
        assert f"`{shown}`" in layout, f"docs/architecture.md does not describe {rel}"
