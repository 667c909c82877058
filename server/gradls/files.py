"""Which Python files a folder holds, as `gradls check` sees them, and how their text is read.

Folders are walked in sorted order, skipping virtual environments, caches and build output
(`SKIP_DIRS`) and, inside a git work tree, what git ignores (`.gitignore`, `.git/info/exclude`,
the global excludes file), as ruff does. A path named explicitly is always checked.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "site-packages",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
        ".eggs",
    }
)

PYTHON_SUFFIXES = (".py", ".pyi")
# Jupyter notebooks are checked as one program of their code cells (gradls.notebooks).
CHECKED_SUFFIXES = (*PYTHON_SUFFIXES, ".ipynb")


def git_ignored(folder: Path) -> set[str] | None:
    """Paths under `folder` (relative, '/'-separated; folders end in '/') that git ignores, or None
    when `folder` is not in a git work tree or git is not available.

    One `git ls-files --others --ignored --exclude-standard --directory` per folder: an ignored
    folder comes back as one entry, so a gitignored `data/` with a million files costs nothing.
    Tracked files are never "ignored", whatever the patterns say (git's own rule).
    """
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            capture_output=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    entries = {os.fsdecode(e) for e in proc.stdout.split(b"\0") if e}
    entries.discard("./")  # the folder itself is ignored, but it was named explicitly: check it
    return entries


def iter_python_files(paths: Iterable[str], respect_gitignore: bool = True) -> Iterator[tuple[Path, bool]]:
    """(path, named explicitly) for every Python file and notebook in `paths`, folders walked in sorted order."""
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            yield path, True
            continue
        ignored = git_ignored(path) if respect_gitignore else None
        for root, dirs, files in os.walk(path):
            rel_root = Path(root).relative_to(path).as_posix()
            prefix = "" if rel_root == "." else rel_root + "/"
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIP_DIRS and not d.endswith(".egg-info") and not (ignored and f"{prefix}{d}/" in ignored)
            )
            for f in sorted(files):
                if f.endswith(CHECKED_SUFFIXES) and not (ignored and f"{prefix}{f}" in ignored):
                    yield Path(root, f), False


def read_source(path: Path) -> tuple[str | None, str | None]:
    """(text, error).  Non-UTF-8 or unreadable files are reported, never guessed at."""
    try:
        data = path.read_bytes()
    except OSError as e:
        return None, f"cannot read: {e.strerror or e}"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, f"not valid UTF-8 (byte {e.start})"
    return text, None
