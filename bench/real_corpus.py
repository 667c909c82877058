"""gradls on real public TF2 / Keras code: findings per 10k lines, for false-positive audits.

    .venv/bin/python bench/real_corpus.py [--cache-dir DIR] [--packages LIST] [--limit N] [--json out.json]

Downloads pinned wheels (`pip download --no-deps`, nothing installed) of public packages with custom
layers, losses and training loops into a cache outside the repository (default
`~/.cache/gradls-real-corpus`, or $GRADLS_CORPUS_CACHE), keeps only their `.py` files, runs gradls's
analysis in-process over every file and prints: packages, files, lines, findings per rule, findings per
10k lines, analysis time beside `ast.parse` time for the same files, and every finding.  Numbers are
printed, never asserted; the corpus is never committed and no test depends on it.

Keras-2 check: files that import `tf_keras` (Keras 2, which tracks raw `tf.Variable` attributes of a
layer and runs `fit` steps under AutoGraph) are counted per package and their findings marked `K2`;
`tf.keras` / `keras` in TF 2.21 is Keras 3.

--per-file: analyse each file alone instead of each package as one project (as `gradls check` on its folder).
--packages: a file of NAME==VERSION lines, or a comma-separated list of NAME==VERSION or bare names
(a bare name takes its pinned version from the default list).  Two more audited sets are pinned beside this
script: bench/real_corpus_packages_2.txt (27 packages) and bench/real_corpus_packages_3.txt (20 packages).  --limit N: at most N files per package.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

# Pinned: the eight of /work/shared/real-code-packages.txt (538k lines of .py), then three added on 2026-12-06
# (235k lines): Keras 3 multi-backend models (keras-hub), DP-SGD optimizers and Keras models with their own
# train_step (tensorflow-privacy), GPs trained with GradientTape/tf.function loops (gpflow).
DEFAULT_PACKAGES = (
    "tf-models-official==2.20.0",
    "keras-cv==0.9.0",
    "tf-agents==0.19.0",
    "tensorflow-gan==2.1.0",
    "tensorflow-recommenders==0.7.7",
    "tensorflow-similarity==0.17.1",
    "dm-sonnet==2.0.2",
    "larq==0.14.0",
    "keras-hub==0.32.0",
    "tensorflow-privacy==0.9.0",
    "gpflow==2.11.2",
)

MESSAGE_WIDTH = 110
_TF_KERAS = re.compile(r"^[ \t]*(?:import[ \t][^\n#]*\btf_keras\b|from[ \t]+tf_keras\b)", re.M)
_TF_KERAS_CLASS = re.compile(r"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*\btf_keras\.", re.M)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))


def default_cache() -> Path:
    env = os.environ.get("GRADLS_CORPUS_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gradls-real-corpus"


def parse_packages(raw: str | None) -> list[str]:
    if raw is None:
        return list(DEFAULT_PACKAGES)
    try:
        is_file = Path(raw).is_file()
    except OSError:  # a long comma-separated list is not a valid path ("File name too long")
        is_file = False
    items = Path(raw).read_text().splitlines() if is_file else raw.split(",")
    pinned = {s.split("==")[0].lower().replace("_", "-"): s for s in DEFAULT_PACKAGES}
    out = []
    for item in items:
        item = item.split("#")[0].strip()
        if not item:
            continue
        if "==" not in item:
            key = item.lower().replace("_", "-")
            if key not in pinned:
                sys.exit(f"real_corpus: {item!r} has no pinned version; give NAME==VERSION")
            item = pinned[key]
        out.append(item)
    return out


def fetch(spec: str, cache: Path) -> Path:
    """Download `spec` once (no dependencies) and extract its .py files; returns the package folder."""
    name, version = spec.split("==", 1)
    dest = cache / "src" / f"{name.replace('-', '_')}-{version}"
    if dest.is_dir():
        return dest
    wheels = cache / "wheels" / spec
    wheels.mkdir(parents=True, exist_ok=True)
    base = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels)]
    r = subprocess.run([*base, "--only-binary", ":all:", spec], capture_output=True, text=True)
    if r.returncode != 0:
        r = subprocess.run([*base, spec], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"pip download {spec} failed:\n{r.stderr.strip()[-2000:]}")
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for f in sorted(wheels.iterdir()):
        if f.suffix == ".whl" or f.suffix == ".zip":
            with zipfile.ZipFile(f) as z:
                for n in z.namelist():
                    if n.endswith(".py"):
                        z.extract(n, tmp)
        elif f.name.endswith(".tar.gz"):
            import tarfile

            with tarfile.open(f) as t:
                members = [m for m in t.getmembers() if m.isfile() and m.name.endswith(".py")]
                t.extractall(tmp, members=members, filter="data")
    tmp.rename(dest)
    return dest


def git_state() -> str:
    """`abc1234`, or `abc1234+dirty` when server/gradls has uncommitted changes (they are what ran)."""
    here = Path(__file__).resolve().parent.parent

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], capture_output=True, text=True, cwd=here).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "server/gradls") else "")


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, default=None, help="corpus cache (default ~/.cache/gradls-real-corpus)")
    ap.add_argument("--packages", default=None, help="file of NAME==VERSION lines, or comma-separated specs/names")
    ap.add_argument(
        "--per-file",
        action="store_true",
        help="analyse each file alone (default: each package as one project, as `gradls check` on its folder)",
    )
    ap.add_argument("--limit", type=int, default=None, help="at most N files per package")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers and findings here")
    args = ap.parse_args()

    from gradls.analysis import analyze
    from gradls.analysis.project import ProjectIndex
    from gradls.config import Config

    cache = (args.cache_dir or default_cache()).expanduser()
    specs = parse_packages(args.packages)
    cfg = Config()
    corpus_root = cache / "src"

    packages = []
    per_rule: Counter[str] = Counter()
    findings_out = []
    files_total = lines_total = 0
    t_parse = t_analyze = 0.0
    failed = []
    for spec in specs:
        try:
            folder = fetch(spec, cache)
        except RuntimeError as e:
            print(f"skip {spec}: {e}", file=sys.stderr)
            continue
        files = sorted(folder.rglob("*.py"))
        if args.limit is not None:
            files = files[: args.limit]
        pkg = {"spec": spec, "files": 0, "lines": 0, "findings": 0, "tf_keras_files": 0, "tf_keras_classes": 0}
        # As `gradls check` on the package's folder: one project, imports and package facts resolved across files.
        index = None if args.per_file else ProjectIndex(folder)
        for path in files:
            source = read(path)
            if source is None:
                failed.append(str(path.relative_to(corpus_root)))
                continue
            rel = str(path.relative_to(corpus_root))
            pkg["files"] += 1
            pkg["lines"] += source.count("\n") + (not source.endswith("\n"))
            k2 = bool(_TF_KERAS.search(source))
            pkg["tf_keras_files"] += k2
            pkg["tf_keras_classes"] += len(_TF_KERAS_CLASS.findall(source))
            t0 = time.perf_counter()
            try:
                ast.parse(source)
            except (SyntaxError, ValueError, RecursionError):
                pass
            t1 = time.perf_counter()
            result = analyze(source, str(path), cfg, project=index)
            t2 = time.perf_counter()
            t_parse += t1 - t0
            t_analyze += t2 - t1
            if result.failure is not None:
                failed.append(rel)
            for f in result.findings:
                per_rule[f.code] += 1
                pkg["findings"] += 1
                findings_out.append(
                    {"path": rel, "line": f.span.line, "code": f.code, "message": f.message, "tf_keras": k2}
                )
        files_total += pkg["files"]
        lines_total += pkg["lines"]
        packages.append(pkg)

    commit = git_state()
    per10k = 1e4 * len(findings_out) / lines_total if lines_total else 0.0

    mode = "each file alone" if args.per_file else "each package as one project"
    print(f"gradls real-code corpus  (commit {commit}, corpus {corpus_root}, {mode})")
    print(f"{'package':36} {'files':>6} {'lines':>8} {'findings':>9} {'tf_keras files':>15} {'classes':>8}")
    for p in packages:
        print(
            f"{p['spec']:36} {p['files']:6d} {p['lines']:8d} {p['findings']:9d} "
            f"{p['tf_keras_files']:15d} {p['tf_keras_classes']:8d}"
        )
    print(
        f"{'total: ' + str(len(packages)) + ' packages':36} {files_total:6d} {lines_total:8d} "
        f"{len(findings_out):9d} {sum(p['tf_keras_files'] for p in packages):15d} "
        f"{sum(p['tf_keras_classes'] for p in packages):8d}"
    )
    print("(tf_keras files: import Keras 2; classes: `class X(tf_keras.…)` subclass a Keras 2 class directly)")
    print(f"findings per 10k lines: {per10k:.2f}")
    print("findings per rule: " + (", ".join(f"{c} {n}" for c, n in sorted(per_rule.items())) or "none"))
    ratio = t_analyze / t_parse if t_parse else 0.0
    print(f"time: gradls analysis {t_analyze:.2f}s, ast.parse {t_parse:.2f}s (x{ratio:.1f}), one pass each")
    if failed:
        print(f"not analysed (undecodable or syntax error): {len(failed)}")
    print("findings (K2 = the file imports tf_keras, i.e. Keras 2):")
    for f in findings_out:
        msg = " ".join(f["message"].split())
        if len(msg) > MESSAGE_WIDTH:
            msg = msg[: MESSAGE_WIDTH - 3] + "..."
        print(f"  {f['path']}:{f['line']}: {f['code']}{' K2' if f['tf_keras'] else ''} {msg}")

    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "commit": commit,
                    "corpus": str(corpus_root),
                    "packages": packages,
                    "files": files_total,
                    "lines": lines_total,
                    "findings_per_rule": dict(sorted(per_rule.items())),
                    "findings_per_10k_lines": round(per10k, 3),
                    "analysis_s": round(t_analyze, 3),
                    "ast_parse_s": round(t_parse, 3),
                    "not_analysed": failed,
                    "findings": findings_out,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
