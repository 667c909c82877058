"""Across files: summaries of the project's own modules, looked up through a file's imports.

A model defined in `model.py` and trained in `train.py` is one program.  When `train.py` is analysed,
`from model import Net` (or `from .models import Encoder`, `import mypkg.layers as L`) is resolved to the
project file, and that file's *summary* answers what the name is: a Keras layer/model/loss class (Keras 2
or 3, which weights its instances hold), a function that builds a model, a module-level model or variable.

Summaries are small, plain data, computed from the file's statements only (no expression inference), cached
per file by content, and built on demand: analysing a file costs one summary per project module it imports
(transitively through base classes and re-exports, to a fixed depth).  Open editor buffers override the
files on disk (`ProjectIndex.set_text`).  Unknown stays unknown: a name that resolves to no project file,
or to a file that does not parse, gives None and the rules stay silent about it.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gradls.analysis.dependency_pins import is_dependency_file, keras2_pin

if TYPE_CHECKING:
    from gradls.analysis.call_sites import LayerCall
    from gradls.analysis.function_summaries import ParamCut

# Files that mark the top of a project (as ruff and pyright look for them).
_ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_MAX_DEPTH = 4  # re-exports and base classes followed through at most this many modules
_MAX_SUMMARIES = 4096
_MAX_FILE_BYTES = 2_000_000
_MAX_PROJECT_FILES = 3000
_FILE_LIST_TTL = 5.0  # seconds; a new file shows up in the next check after that
_WORD = re.compile(r"\w+")
_RELATIVE_IMPORT = re.compile(r"from\s+\.")
_SKIP_DIRS = {"node_modules", "__pycache__", "site-packages", "build", "dist", "venv", "env"}


@dataclass(frozen=True)
class ClassSummary:
    name: str
    keras_kind: str | None  # "layer" | "model" | "loss" | None
    keras2: bool
    layer_attrs: frozenset[str] = frozenset()
    variable_attrs: frozenset[str] = frozenset()
    frozen_attrs: frozenset[str] = frozenset()
    # Methods taking only `self` whose result has a fixed truth value whenever TensorFlow traces (a layer's
    # `_use_tf_workflow()` that returns True when traced): see eager_guards.
    traced_truths: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class ModuleSummary:
    path: str
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    # module functions that return a Keras layer/model (`def build_model(): return keras.Sequential(...)`)
    factories: dict[str, str] = field(default_factory=dict)
    # module-level names bound to layers/models/variables (`model = Net()`)
    objects: dict[str, str] = field(default_factory=dict)
    # names this module imports from elsewhere: local name -> (level, dotted target)
    imports: dict[str, tuple[int, str]] = field(default_factory=dict)
    # How this module runs Keras models: as graphs (fit/evaluate/predict, a functional or Sequential
    # model, a tf.function), or only eagerly under a GradientTape.
    runs_graph: bool = False
    runs_eager_tape: bool = False
    # Classes this module imports and applies after a trainable layer (`Quantize()(Dense(4)(x))`), by the name
    # they have in the module that defines them.
    after_weights: frozenset[str] = frozenset()
    # module function -> its parameters that reach its return only through an op with no gradient
    param_cuts: dict[str, tuple[ParamCut, ...]] = field(default_factory=dict)
    # Classes this module imports and calls instances of (`self.emb(t, dim=256)`), by the name they have in the
    # module that defines them: what each call passes, so that module knows what its `call` parameters hold.
    layer_calls: dict[str, tuple[LayerCall, ...]] = field(default_factory=dict)
    # The module names `TF_USE_LEGACY_KERAS` (a package `__init__` that sets it, or refuses to import under
    # Keras 3 without it, as tensorflow-gnn's does): its package runs `tf.keras` as Keras 2.
    mentions_legacy_keras: bool = False
    # Module functions taking no argument whose result has a fixed truth value whenever TensorFlow traces
    # (`in_tf_function()`): see eager_guards.
    traced_truths: dict[str, bool] = field(default_factory=dict)
    # Module-level names bound to the `tensorflow` module by a call (`tf = try_import_tensorflow()`) or
    # re-exported from a module that does so: see eager_guards.
    tf_modules: frozenset[str] = frozenset()


def _holds(entries: frozenset[str], name: str) -> bool:
    """A folder listing holds `name` or `name.py` (see ProjectIndex._has_entry)."""
    return name in entries or f"{name}.py" in entries


def find_root(path: str | os.PathLike, boundaries: Sequence[str | os.PathLike] = ()) -> Path:
    """The nearest folder above `path` holding a project marker, else the file's own folder.

    `boundaries` (an editor's workspace folders): the search never climbs above the one holding the file, and
    that folder is the project when nothing below it is marked (a workspace inside a big repository is its own
    project, not the whole repository)."""
    p = Path(path).resolve()
    start = p if p.is_dir() else p.parent
    limit = None
    for b in boundaries:
        bp = Path(b).resolve()
        if start == bp or bp in start.parents:
            if limit is None or len(bp.parts) > len(limit.parts):
                limit = bp
    for d in (start, *start.parents):
        if any((d / m).exists() for m in _ROOT_MARKERS):
            return d
        if limit is not None and d == limit:
            return d
    return start


class ProjectIndex:
    """Module summaries of one project folder, keyed by file and content; thread-safe."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self._lock = threading.RLock()
        self._texts: dict[Path, str] = {}  # editor buffers that override the disk
        self._summaries: dict[Path, tuple[str, ModuleSummary | None]] = {}  # path -> (content hash, summary)
        self._building: set[Path] = set()
        # path -> the modules whose summaries its summary was built through (a base class, a re-export)
        self._consulted: dict[Path, set[Path]] = {}
        self._local = threading.local()  # .stack: the summaries this thread is building, innermost last
        self._files: tuple[float, list[Path]] | None = None
        self._disk: dict[Path, tuple[tuple[int, int], str]] = {}  # path -> ((mtime, size), text)
        self._listings: dict[Path, tuple[int, frozenset[str]]] = {}  # see _has_entry
        self._resolved_paths: dict[str, Path] = {}  # see _resolve
        self._pins: dict[Path, tuple[str, str | None]] = {}  # dependency file -> (its text, keras2_pin), see _pin_in
        self._words: dict[Path, tuple[str, frozenset[str], bool]] = {}  # see _may_import
        self._users: dict[tuple[str, Path], tuple[tuple[float, int], list[ModuleSummary]]] = {}
        self._generation = 0  # bumped by every buffer change

    # ------------------------------------------------------------------ buffers
    def set_text(self, path: str | os.PathLike, text: str | None, tree: ast.Module | None = None) -> bool:
        """Use `text` for `path` instead of the file on disk (None: back to the disk).
        True when the module's summary changed, so files importing it need a new check.
        `tree`: `text` already parsed (the editor's analysis of it), so it is not parsed again."""
        p = Path(path).resolve()
        with self._lock:
            old = self._summaries.get(p)
            if text is None:
                self._texts.pop(p, None)
            else:
                self._texts[p] = text
            new = self.summary(p, tree if text is not None else None)
            changed = old is None or old[1] != new
            if changed:
                self._generation += 1  # who imports what may differ now: `users` answers again
                self._forget_built_through(p)
            return changed

    def _forget_built_through(self, changed: Path) -> None:
        """Drop the summaries built through `changed`'s summary, directly or through another one: they are
        cached by their own content only.  The rest stay (an edit re-summarises what it can affect only)."""
        gone = {changed}
        frontier = [changed]
        while frontier:
            q = frontier.pop()
            for x, consulted in self._consulted.items():
                if q in consulted and x not in gone:
                    gone.add(x)
                    frontier.append(x)
        gone.discard(changed)
        for x in gone:
            self._summaries.pop(x, None)
            self._consulted.pop(x, None)

    def _read(self, p: Path) -> str | None:
        text = self._texts.get(p)
        if text is not None:
            return text
        try:
            st = p.stat()
            if st.st_size > _MAX_FILE_BYTES:
                return None
            key = (st.st_mtime_ns, st.st_size)
            cached = self._disk.get(p)
            if cached is not None and cached[0] == key:
                return cached[1]
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        with self._lock:
            if len(self._disk) >= _MAX_SUMMARIES:
                self._disk.clear()
            self._disk[p] = (key, text)
        return text

    # ------------------------------------------------------------------ summaries
    def summary(self, path: str | os.PathLike, tree: ast.Module | None = None) -> ModuleSummary | None:
        """The module's summary; `tree`: its current text already parsed (never mutated here)."""
        # Resolved once per absolute path (_resolve): every file of a package asks for the same `__init__` summaries
        # (legacy_keras_package), and resolving lstat()s each component of the path (~60 us of a ~90 us hit).
        p = self._resolve(path) if os.path.isabs(path) else Path(path).resolve()
        stack: list[Path] = self._local.__dict__.setdefault("stack", [])
        if stack:
            with self._lock:
                self._consulted.setdefault(stack[-1], set()).add(p)
        text = self._read(p)
        if text is None:
            return None
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        with self._lock:
            cached = self._summaries.get(p)
            if cached is not None and cached[0] == digest:
                return cached[1]
            if p in self._building:
                return None  # an import cycle: the module is being summarised further up
            self._building.add(p)
            self._consulted[p] = set()
        stack.append(p)
        try:
            summary = _summarize(p, text, self, tree)
        finally:
            stack.pop()
            with self._lock:
                self._building.discard(p)
        with self._lock:
            if len(self._summaries) >= _MAX_SUMMARIES:
                self._summaries.clear()
                self._consulted = {p: self._consulted.get(p, set())}
            self._summaries[p] = (digest, summary)
        return summary

    # ------------------------------------------------------------------ users
    def python_files(self) -> list[Path]:
        """The project's .py files (virtual environments, caches and build output skipped), cached briefly."""
        now = time.monotonic()
        with self._lock:
            if self._files is not None and now - self._files[0] < _FILE_LIST_TTL:
                return self._files[1]
        out: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
            out.extend(Path(dirpath, f) for f in filenames if f.endswith(".py"))
            if len(out) > _MAX_PROJECT_FILES:
                out = []  # too big to scan for users on every question: stay with what one file shows
                break
        with self._lock:
            self._files = (now, out)
        return out

    def users(self, name: str, defining: str | os.PathLike) -> list[ModuleSummary]:
        """Summaries of the other project modules that import `name` from the module `defining`."""
        d = Path(defining).resolve()
        files = self.python_files()
        stamp = (self._files[0] if self._files else 0.0, self._generation)
        with self._lock:
            hit = self._users.get((name, d))
            if hit is not None and hit[0] == stamp:
                return hit[1]
        module_name = d.stem if d.name != "__init__.py" else d.parent.name
        out: list[ModuleSummary] = []
        for f in files:
            if f == d:
                continue
            text = self._read(f)
            # Only a file naming the class AND the defining module (or importing relatively) can import it from there.
            if text is None or not self._may_import(f, text, name, module_name):
                continue
            s = self.summary(f)
            if s is None:
                continue
            for level, target in s.imports.values():
                parts = target.split(".")
                # `from model import Net`, `from .model import Net`, `import pkg.model as m` (then m.Net)
                for cut in (len(parts) - 1, len(parts)):
                    mod = ".".join(parts[:cut])
                    if (mod or level) and (cut == len(parts) or parts[-1] == name):
                        if self.module_file(f, level, mod) == d:
                            out.append(s)
                            break
                else:
                    continue
                break
        with self._lock:
            self._users[(name, d)] = (stamp, out)
        return out

    def _may_import(self, f: Path, text: str, name: str, module_name: str) -> bool:
        """Whether `text` names `name` and `module_name` as words, or imports relatively.  The words of a text
        are collected once and kept while its text is the same object (`_read` hands out the same string while
        the buffer or file is unchanged): `users` asks this of every project file for every class."""
        with self._lock:
            cached = self._words.get(f)
        if cached is None or cached[0] is not text:
            cached = (text, frozenset(_WORD.findall(text)), _RELATIVE_IMPORT.search(text) is not None)
            with self._lock:
                if len(self._words) >= _MAX_SUMMARIES:
                    self._words.clear()
                self._words[f] = cached
        _, words, relative = cached
        if not (name in words if _WORD.fullmatch(name) else re.search(rf"\b{re.escape(name)}\b", text)):
            return False
        if relative:
            return True
        return (
            module_name in words
            if _WORD.fullmatch(module_name)
            else bool(re.search(rf"\b{re.escape(module_name)}\b", text))
        )

    # ------------------------------------------------------------------ resolution
    def module_file(self, importer: str | os.PathLike, level: int, dotted: str) -> Path | None:
        """The project file of module `dotted` imported from `importer` (relative when level > 0)."""
        parts = [x for x in dotted.split(".") if x]
        if level > 0:
            base = self._resolve(importer).parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            here = self._resolve(importer).parent
            # A script's own folder comes first (sys.path[0]), then the project root and its src/ layout.
            bases = list(dict.fromkeys([here, self.root, self.root / "src"]))
        for base in bases:
            if parts and not self._has_entry(base, parts[0]):
                continue  # `import tensorflow`: no `tensorflow` here, so no file below it either
            target = base.joinpath(*parts) if parts else base
            for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
                if candidate is not None and candidate.is_file() and self._inside(candidate):
                    return candidate
        return None

    def _has_entry(self, folder: Path, name: str) -> bool:
        """Whether `folder` holds `name` or `name.py`: its listing is read once and kept while the folder's mtime
        (which every added, removed or renamed entry changes) stays the same; one stat per question instead of
        up to four for every absolute import the module resolves (most name packages outside the project)."""
        return _holds(self._listing(folder), name)

    def _listing(self, folder: Path) -> frozenset[str]:
        """The names in `folder` (empty when it cannot be read), kept as `_has_entry` says: one stat per call."""
        try:
            stamp = os.stat(folder).st_mtime_ns
        except OSError:
            return frozenset()
        with self._lock:
            cached = self._listings.get(folder)
        if cached is None or cached[0] != stamp:
            try:
                cached = (stamp, frozenset(os.listdir(folder)))
            except OSError:
                return frozenset()
            with self._lock:
                if len(self._listings) >= _MAX_SUMMARIES:
                    self._listings.clear()
                self._listings[folder] = cached
        return cached[1]

    def contains(self, path: str | os.PathLike) -> bool:
        """Is this file part of this project (below its root)?"""
        return self._inside(Path(path))

    def _inside(self, p: Path) -> bool:
        try:
            self._resolve(p).relative_to(self.root)
        except ValueError:
            return False
        return True

    def _resolve(self, p: str | os.PathLike) -> Path:
        """`Path(p).resolve()`, kept: resolving lstat()s every component of the path, and one analysis asks it
        for the same importer and import candidates hundreds of times (a symlink changed later is not seen)."""
        key = os.fspath(p)
        hit = self._resolved_paths.get(key)
        if hit is None:
            hit = Path(key).resolve()
            with self._lock:
                if len(self._resolved_paths) >= _MAX_SUMMARIES:
                    self._resolved_paths.clear()
                self._resolved_paths[key] = hit
        return hit

    def param_cuts_of(self, importer: str | os.PathLike, level: int, dotted: str, depth: int = 0) -> tuple:
        """The cut parameters (function_summaries.ParamCut) of the project function `dotted` names, seen from
        `importer`; () when it is no such function or nothing is cut."""
        if depth > _MAX_DEPTH:
            return ()
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, -1, -1):
            mod = ".".join(parts[:cut])
            if (not mod and level == 0) or len(parts) - cut > 2:
                continue
            f = self.module_file(importer, level, mod)
            if f is None:
                continue
            s = self.summary(f)
            if s is None:
                return ()
            name = ".".join(parts[cut:])  # a function, or `Cls.method` for a static / class method
            if name in s.param_cuts:
                return s.param_cuts[name]
            if name in s.imports:
                lvl, target = s.imports[name]
                return self.param_cuts_of(f, lvl, target, depth + 1)
            return ()
        return ()

    def traced_truth_of(self, importer: str | os.PathLike, level: int, dotted: str, depth: int = 0) -> bool | None:
        """The fixed truth value the project function `dotted` (taking no argument) returns whenever TensorFlow
        traces, seen from `importer`; None when it is no such function or the value is not fixed."""
        if depth > _MAX_DEPTH:
            return None
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, -1, -1):
            mod = ".".join(parts[:cut])
            if (not mod and level == 0) or len(parts) - cut != 1:
                continue
            f = self.module_file(importer, level, mod)
            if f is None:
                continue
            s = self.summary(f)
            if s is None:
                return None
            name = parts[cut]
            if name in s.traced_truths:
                return s.traced_truths[name]
            if name in s.imports:
                lvl, target = s.imports[name]
                return self.traced_truth_of(f, lvl, target, depth + 1)
            return None
        return None

    def tf_module_of(self, importer: str | os.PathLike, level: int, dotted: str) -> bool:
        """Whether `from <module> import <name>` (`dotted`, seen from `importer`) names a module-level name of a
        project module bound to the `tensorflow` module (see ModuleSummary.tf_modules)."""
        mod, _, name = dotted.rpartition(".")
        if not mod and level == 0:
            return False
        f = self.module_file(importer, level, mod)
        if f is None:
            return False
        s = self.summary(f)
        return s is not None and name in s.tf_modules

    def legacy_keras_package(self, path: str | os.PathLike) -> bool:
        """Whether the `__init__.py` of a package holding `path` (its own, or one it is a subpackage of) names
        `TF_USE_LEGACY_KERAS`: the package is written for, and runs with, Keras 2 as `tf.keras`. Every folder up
        to the one holding a project marker is looked at: folders without an `__init__.py` may be namespace
        portions inside the package (tensorflow-gnn's `models/`)."""
        p = self._resolve(path)
        for folder, entries in self._folders_up_to_root(p):
            init = folder / "__init__.py"
            if init != p and _holds(entries, "__init__.py") and self.init_mentions_legacy_keras(init):
                return True
        return False

    def pinned_keras2(self, path: str | os.PathLike) -> str | None:
        """`requirements.txt: tensorflow==2.15.1` when a dependency file of the project holding `path` pins a
        TensorFlow before 2.16 (or Keras before 3), so that `tf.keras` is Keras 2 where the project runs; None
        otherwise (dependency_pins reads the files). The nearest folder with dependency files, from the file's up to
        the one holding a project marker, answers: the project's own declarations, not another's above."""
        for folder, entries in self._folders_up_to_root(self._resolve(path)):
            declared = [name for name in sorted(entries) if is_dependency_file(name)]
            for name in declared:
                pin = self._pin_in(folder / name)
                if pin is not None:
                    return f"{name}: {pin}"
            if declared:
                break
        return None

    def _folders_up_to_root(self, file: Path) -> Iterator[tuple[Path, frozenset[str]]]:
        """(folder, its listing) from `file`'s folder up to the one holding a project marker, at most 8 folders.
        One listing per folder serves every question asked of it (each `_has_entry` stats the folder; every
        checked file climbs its folders: ~40 stats per keras/src file)."""
        folder = file.parent
        for _ in range(8):
            entries = self._listing(folder)
            yield folder, entries
            if folder.parent == folder or any(_holds(entries, m) for m in _ROOT_MARKERS):
                return
            folder = folder.parent

    def _pin_in(self, file: Path) -> str | None:
        text = self._read(file)
        if text is None:
            return None
        with self._lock:
            hit = self._pins.get(file)
        if hit is not None and hit[0] == text:
            return hit[1]
        found = keras2_pin(file.name, text)
        with self._lock:
            if len(self._pins) >= _MAX_SUMMARIES:
                self._pins.clear()
            self._pins[file] = (text, found)
        return found

    def init_mentions_legacy_keras(self, init: Path) -> bool:
        """`summary(init).mentions_legacy_keras`, with the summary built only when the text names the variable:
        every file of a package asks this of each `__init__` above it, and most of those summaries are needed
        for nothing else (keras/src: 60 of them, ~5% of a check). The question counts as consulting `init`, as the
        summary did, for the summaries built through it (_forget_built_through)."""
        stack: list[Path] = self._local.__dict__.setdefault("stack", [])
        if stack:
            with self._lock:
                self._consulted.setdefault(stack[-1], set()).add(init)
        text = self._read(init)
        if text is None or "TF_USE_LEGACY_KERAS" not in text:
            return False
        s = self.summary(init)
        return s is not None and s.mentions_legacy_keras

    def lookup(self, importer: str | os.PathLike, level: int, dotted: str, depth: int = 0):
        """What `dotted` (module path + name, e.g. `models.Encoder`) names, seen from `importer`:
        a ClassSummary, ("factory", kind), ("object", kind), or None."""
        if depth > _MAX_DEPTH:
            return None
        parts = dotted.split(".")
        # Longest module prefix that is a project file; the next part is a name defined in it.
        for cut in range(len(parts) - 1, -1, -1):
            mod = ".".join(parts[:cut])
            if not mod and level == 0:
                continue
            f = self.module_file(importer, level, mod)
            if f is None:
                continue
            rest = parts[cut:]
            if len(rest) != 1:
                continue
            name = rest[0]
            s = self.summary(f)
            if s is None:
                return None
            if name in s.classes:
                return s.classes[name]
            if name in s.factories:
                return ("factory", s.factories[name])
            if name in s.objects:
                return ("object", s.objects[name])
            if name in s.imports:  # re-exported (`from .encoder import Encoder` in a package __init__)
                lvl, target = s.imports[name]
                return self.lookup(f, lvl, target, depth + 1)
            return None
        return None


def _summarize(path: Path, text: str, project: ProjectIndex, tree: ast.Module | None = None) -> ModuleSummary | None:
    from gradls.analysis.module import ModuleInfo

    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    try:
        info = ModuleInfo(tree, text, project=project, path=str(path), summary_only=True)
    except RecursionError:
        return None
    from gradls.analysis.eager_guards import summary_truths, tf_module_names

    function_truths, class_truths = summary_truths(info)
    classes = {
        name: ClassSummary(
            name,
            c.keras_kind,
            c.keras2,
            frozenset(c.layer_attrs),
            frozenset(c.variable_attrs),
            frozenset(c.frozen_attrs),
            class_truths.get(name, ()),
        )
        for name, c in info.classes.items()
        if info.parent(c.node) is info.tree
    }
    factories = {name: "layer" for name, fn in info.module_functions.items() if info.returns_layer(fn)}
    objects = dict(info.module_objects)
    imports = {local: (level, target) for local, (level, target) in info.imports.raw.items()}
    from gradls.analysis.regions import graph_evidence, uses_tf_function

    graph, _ = graph_evidence(info)
    runs_graph = graph or uses_tf_function(info)
    runs_eager_tape = bool(info.tape_withs) and not runs_graph
    from gradls.analysis.keras_graph import layers_applied_after_weights

    after_weights = frozenset(
        imports[local][1].rsplit(".", 1)[-1] for local in layers_applied_after_weights(info) if local in imports
    )
    from gradls.analysis.call_sites import layer_calls, resolved_layer_calls
    from gradls.analysis.function_summaries import module_param_cuts

    calls_made: dict[str, tuple[LayerCall, ...]] = {}
    for local, calls in layer_calls(info).items():
        if local in imports:
            name = imports[local][1].rsplit(".", 1)[-1]
            calls_made[name] = calls_made.get(name, ()) + resolved_layer_calls(info, calls)
    summary = ModuleSummary(
        str(path),
        classes,
        factories,
        objects,
        imports,
        runs_graph,
        runs_eager_tape,
        after_weights,
        module_param_cuts(info),
        calls_made,
        "TF_USE_LEGACY_KERAS" in text,
        function_truths,
        tf_module_names(info),
    )
    info.release()  # the summary holds plain data only: the module's analysis is freed now, not by a later gc pass
    return summary


_INDEXES: dict[Path, ProjectIndex] = {}
_INDEXES_LOCK = threading.Lock()


def project_for(path: str | os.PathLike, boundaries: Sequence[str | os.PathLike] = ()) -> ProjectIndex:
    """The shared index of the project holding `path` (one per root, for the life of the process)."""
    root = find_root(path, boundaries)
    with _INDEXES_LOCK:
        idx = _INDEXES.get(root)
        if idx is None:
            idx = _INDEXES[root] = ProjectIndex(root)
        return idx
