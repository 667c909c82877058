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
