"""The `gradls check` cache: one JSON entry per checked file, as ruff's `.ruff_cache`.

Where: `.gradls_cache/` beside the nearest `pyproject.toml` above the working folder (else in it), or
`--cache-dir`; `--no-cache` neither reads nor writes it.  Inside, one folder per *fingerprint* (the gradls
version, the Python version and the gradls sources themselves, so a changed rule never serves old results),
then one file per (checked path, effective settings).

An entry holds the hash of the text it was computed from, the findings (with their fixes already built)
or the parse failure, and the *dependencies* the analysis actually consulted in the project index: the
summary of every project module it looked a name up in, every import it resolved to a file (or to none),
and the users of its classes in other modules.  A hit needs the same text and every dependency unchanged:
editing `model.py` so its `Base` is no longer a Keras layer changes its summary, so the cached result of
`layer.py` (which subclasses `Base`) is not reused; editing a function body in `model.py` does not.

Entries are written to a temporary file and renamed into place (`os.replace`), so concurrent runs and a
killed run leave either a whole entry or none; an entry that cannot be read or decoded is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradls import __version__
from gradls.analysis.project import ProjectIndex, find_root

if TYPE_CHECKING:
    from gradls.analysis.model import AnalysisResult, Finding, Fix
    from gradls.config import Config

CACHE_DIR_NAME = ".gradls_cache"
_FORMAT = 1


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# ---------------------------------------------------------------------------------------------- where


def default_cache_dir(cwd: str | os.PathLike | None = None) -> Path:
    """`.gradls_cache` beside the nearest pyproject.toml above `cwd` (default: the working folder)."""
    start = Path(cwd or os.getcwd()).resolve()
    for d in (start, *start.parents):
        if (d / "pyproject.toml").is_file():
            return d / CACHE_DIR_NAME
    return start / CACHE_DIR_NAME


_FINGERPRINT: str | None = None


def fingerprint() -> str:
    """gradls version + Python version + a hash of the gradls sources (name, size, mtime) they run."""
    global _FINGERPRINT
    pinned = os.environ.get("GRADLS_CACHE_FINGERPRINT")  # tests pin it while the sources are being edited
    if pinned:
        return pinned
    if _FINGERPRINT is None:
        pkg = Path(__file__).resolve().parent
        h = hashlib.blake2b(digest_size=8)
        for p in sorted(pkg.rglob("*.py")):
            try:
                st = p.stat()
            except OSError:
                continue
            h.update(f"{p.relative_to(pkg).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        py = "".join(map(str, sys.version_info[:2]))
        _FINGERPRINT = f"{__version__}-py{py}-{h.hexdigest()}"
    return _FINGERPRINT


# ---------------------------------------------------------------------------------------------- dependencies


def canonical(obj: Any) -> Any:
    """A form of `obj` whose repr is the same in every process (sets sorted, dataclasses spelled out)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__, tuple((f.name, canonical(getattr(obj, f.name))) for f in dataclasses.fields(obj)))
    if isinstance(obj, dict):
        return tuple(sorted(((repr(canonical(k)), canonical(v)) for k, v in obj.items()), key=lambda kv: kv[0]))
    if isinstance(obj, (set, frozenset)):
        return ("set", tuple(sorted(repr(canonical(x)) for x in obj)))
    if isinstance(obj, (list, tuple)):
        return tuple(canonical(x) for x in obj)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return obj


def _digest(obj: Any) -> str:
    return _hash(repr(canonical(obj)))


class RecordingIndex(ProjectIndex):
    """A project index that writes down what an analysis asked it (see the module docstring).

    Only the outermost questions are recorded: what a summary was built from is in the summary."""

    def __init__(self, root: str | os.PathLike):
        super().__init__(root)
        self.log: list[list[Any]] | None = None
        self._depth = 0
        self._resolved: dict[tuple[str, int, str], str | None] = {}  # still(): imports checked this run
        self._real: dict[str, str] = {}  # path as given -> resolved, once per run (a resolve is a stat per component)
        self._real_relative: dict[tuple[str, str], str] = {}  # (working folder, relative path as given) -> resolved
        # (importer's folder, level, dotted) -> module_file's answer, once per run: the files of a folder import the
        # same modules, and each resolution is path arithmetic and stats (keras/src: 5,245 questions, ~4% of a check).
        self._module_files: dict[tuple[Path, int, str], Path | None] = {}
        self._folders: dict[str, Path] = {}  # importer as given -> its resolved folder (as ProjectIndex._resolve)
        # id(summary) -> (summary, its digest): the index hands out one object per module content, and every file
        # below a package asks for the same `__init__` summaries (legacy_keras_package): its canonical form was
        # spelled out for each question (keras/src: 2,864 digests of ~60 summaries, ~10% of a check). The object is
        # kept with its digest, so its id is not reused while the entry lives.
        self._digests: dict[int, tuple[Any, str]] = {}

    def _real_path(self, path: str | os.PathLike) -> str:
        key = os.fspath(path)
        if not os.path.isabs(key):
            # A relative one follows the working folder: kept under it (`gradls check src/` asks it ~5 times per
            # file, each resolve an lstat per component of the path: ~4% of a check of keras/src/layers).
            at = (os.getcwd(), key)
            real = self._real_relative.get(at)
            if real is None:
                real = self._real_relative[at] = str(Path(path).resolve())
            return real
        real = self._real.get(key)
        if real is None:
            real = self._real[key] = str(self._resolve(key))  # shared with the index's (the importer's)
        return real

    def _record(self, entry: list[Any]) -> None:
        if self.log is not None and self._depth == 0 and entry not in self.log:
            self.log.append(entry)

    def _summary_digest(self, s: Any) -> str:
        hit = self._digests.get(id(s))
        if hit is None or hit[0] is not s:
            if len(self._digests) >= _MAX_DIGESTS:
                self._digests.clear()
            hit = self._digests[id(s)] = (s, _digest(s))
        return hit[1]

    def summary(self, path, tree=None):
        self._depth += 1
        try:
            s = super().summary(path, tree)
        finally:
            self._depth -= 1
        self._record(["s", self._real_path(path), self._summary_digest(s)])
        return s

    def init_mentions_legacy_keras(self, init):
        self._depth += 1
        try:
            found = super().init_mentions_legacy_keras(init)
        finally:
            self._depth -= 1
        self._record(["k", self._real_path(init), found])
        return found

    def pinned_keras2(self, path):
        self._depth += 1
        try:
            found = super().pinned_keras2(path)
        finally:
            self._depth -= 1
        self._record(["p", self._real_path(path), found])
        return found

    def users(self, name, defining):
        self._depth += 1
        try:
            found = super().users(name, defining)
        finally:
            self._depth -= 1
        self._record(["u", name, self._real_path(defining), _digest(found)])
        return found

    def module_file(self, importer, level, dotted):
        self._depth += 1
        try:
            # The answer depends on the importer's folder only (module_file starts from it): asked once per run.
            where = os.fspath(importer)
            folder = self._folders.get(where)
            if folder is None:
                folder = self._folders[where] = self._resolve(where).parent
            key = (folder, level, dotted)
            found = self._module_files.get(key, _MISSING)
            if found is _MISSING:
                found = self._module_files[key] = super().module_file(importer, level, dotted)
        finally:
            self._depth -= 1
        self._record(["m", self._real_path(importer), level, dotted, None if found is None else str(found)])
        return found

    def still(self, dep: list[Any]) -> bool:
        """Whether a recorded dependency still holds."""
        kind = dep[0]
        if kind == "s":
            return self._summary_digest(self.summary(dep[1])) == dep[2]
        if kind == "u":
            return _digest(self.users(dep[1], dep[2])) == dep[3]
        if kind == "k":
            return self.init_mentions_legacy_keras(Path(dep[1])) == dep[2]
        if kind == "p":
            return self.pinned_keras2(dep[1]) == dep[2]
        if kind == "m":
            # Where an import leads depends on the importer's folder only; one run asks once per folder.
            key = (os.path.dirname(dep[1]), dep[2], dep[3])
            if key not in self._resolved:
                found = self.module_file(dep[1], dep[2], dep[3])
                self._resolved[key] = None if found is None else str(found)
            return self._resolved[key] == dep[4]
        return False


_MISSING: Any = object()
_MAX_DIGESTS = 4096  # summaries whose digest RecordingIndex keeps (a project's modules, as the index's own cache)
_FOLDERS: dict[str, Path] = {}  # an absolute folder as given -> resolved, once per process


def _resolved_folder(path: str) -> Path:
    """`Path(path).resolve().parent`: a file that is no symbolic link sits in its folder's real path, resolved once
    per folder (a resolve lstat()s every component of the path: one per checked file cost ~1% of a check)."""
    if os.path.islink(path):
        return Path(path).resolve().parent
    folder = os.path.dirname(path)
    if not os.path.isabs(folder):  # a relative one follows the working folder
        return Path(os.path.realpath(folder))
    found = _FOLDERS.get(folder)
    if found is None:
        found = _FOLDERS[folder] = Path(os.path.realpath(folder))
    return found


_INDEXES: dict[Path, RecordingIndex] = {}
_ROOTS: dict[Path, Path] = {}


def index_for(path: str | os.PathLike) -> RecordingIndex:
    """This process's recording index of the project holding `path` (one per project root)."""
    folder = _resolved_folder(os.fspath(path))
    root = _ROOTS.get(folder)
    if root is None:
        root = _ROOTS[folder] = find_root(folder / "x.py")
    idx = _INDEXES.get(root)
    if idx is None:
        idx = _INDEXES[root] = RecordingIndex(root)
    return idx


# ---------------------------------------------------------------------------------------------- entries


def _span(s) -> list[int]:
    return [s.line, s.col, s.end_line, s.end_col]


def encode(result: AnalysisResult, source: str, deps: list[list[Any]]) -> dict[str, Any]:
    """The JSON form of an analysis result, its fixes built (a fix depends on the text and finding only)."""
    from gradls.analysis.model import fix_data_json
    from gradls.fixes import fix_for

    failure = None
    if result.failure is not None:
        failure = [result.failure.message, result.failure.line, result.failure.col]
    findings = []
    for f in result.findings:
        fix = fix_for(source, f) if f.fixable else None
        findings.append(
            [
                f.code,
                f.message,
                _span(f.span),
                fix_data_json(f.fix_data),
                None if fix is None else [fix.title, fix.safe, [[*_span(e.span), e.new_text] for e in fix.edits]],
            ]
        )
    return {"format": _FORMAT, "content": _hash(source), "deps": deps, "failure": failure, "findings": findings}


def decode(entry: dict[str, Any]) -> tuple[list[Finding], list[Fix | None], tuple[str, int, int] | None]:
    from gradls.analysis.model import Edit, Finding, Fix, Span

    findings: list[Finding] = []
    fixes: list[Fix | None] = []
    for code, message, span, fix_data, fix in entry["findings"]:
        findings.append(Finding(code, message, Span(*span), fix_data))
        fixes.append(
            None if fix is None else Fix(fix[0], tuple(Edit(Span(*e[:4]), e[4]) for e in fix[2]), bool(fix[1]))
        )
    failure = entry["failure"]
    return findings, fixes, None if failure is None else (failure[0], failure[1], failure[2])


class Cache:
    """The entries of one fingerprint under `root` (None: no cache, nothing read or written)."""

    def __init__(self, root: str | os.PathLike | None, fingerprint_: str | None = None):
        self.root = None if root is None else Path(root)
        self.folder = None if self.root is None else self.root / (fingerprint_ or fingerprint())

    def entry_path(self, path: str, config: Config) -> Path | None:
        if self.folder is None:
            return None
        settings = repr(dataclasses.replace(config, problems=()))
        key = _hash(f"{os.path.abspath(path)}\0{settings}")
        return self.folder / key[:2] / f"{key}.json"

    def load(self, path: str, source: str, config: Config) -> dict[str, Any] | None:
        """The entry for this text and settings whose dependencies all still hold, else None."""
        where = self.entry_path(path, config)
        if where is None:
            return None
        try:
            entry = json.loads(where.read_bytes())
            if not isinstance(entry, dict) or entry.get("format") != _FORMAT or entry.get("content") != _hash(source):
                return None
            deps = entry["deps"]
            if deps:
                index = index_for(path)
                if not all(index.still(d) for d in deps):
                    return None
            decode(entry)  # a damaged entry is a miss, not an error later
        except Exception:  # unreadable, not JSON, wrong shape: a miss
            return None
        return entry

    def store(self, path: str, config: Config, data: str) -> None:
        """Write one entry atomically; a cache that cannot be written is no cache (never an error)."""
        where = self.entry_path(path, config)
        if where is None or self.root is None:
            return
        try:
            if not self.root.is_dir():
                self.root.mkdir(parents=True, exist_ok=True)
                # As ruff marks its cache: backup tools skip it, git ignores it without being told.
                (self.root / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n")
                (self.root / ".gitignore").write_text("# Automatically created by gradls.\n*\n")
            where.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=where.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(data)
                os.replace(tmp, where)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass
