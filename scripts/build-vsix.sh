#!/usr/bin/env bash
# Builds the gradls VS Code extension: bundles the TypeScript client with esbuild, puts the gradls server and its
# pure-Python dependencies in bundled/libs, libcst builds for CPython 3.10-3.14 of this platform in bundled/native,
# and packages it all with @vscode/vsce.
#
#   bash scripts/build-vsix.sh            -> ./gradls.vsix (platform-specific: linux-x64 on x86_64 Linux)
#
# Env:
#   GRADLS_VSIX_OUT       output path (default: <repo>/gradls.vsix)
#   GRADLS_VSIX_TARGET    vsce --target (default: this machine, e.g. linux-x64); "universal" = no native libcst
#   GRADLS_BUILD_PYTHON   python with pip used to fetch wheels (default: .venv/bin/python, else python3)
#   GRADLS_E2E_CACHE      where Node 24 is cached (see scripts/vscode-e2e-setup.sh)
#   GRADLS_BUILD_CACHE    where the merged libcst builds are cached (default ${XDG_CACHE_HOME:-$HOME/.cache}/gradls-build)
# Needs the npm registry and PyPI (wheels are cached by pip; npm by npm).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
T0=$(date +%s)
step() { echo "== [build-vsix +$(($(date +%s) - T0))s] $*"; }

OUT=${GRADLS_VSIX_OUT:-$ROOT/gradls.vsix}
PY=${GRADLS_BUILD_PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PY=$ROOT/.venv/bin/python; else PY=python3; fi
fi
LIBCST_VERSION=1.9.0
BUILD_CACHE=${GRADLS_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gradls-build}
PY_MINORS="10 11 12 13 14"

host_target() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo universal; return ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo universal; return ;; esac
  if [ "$os" = linux ] && ldd --version 2>&1 | grep -qi musl; then os=alpine; fi
  echo "$os-$arch"
}
TARGET=${GRADLS_VSIX_TARGET:-$(host_target)}

step "node 24 (@vscode/vsce needs node >= 22)"
bash "$ROOT/scripts/vscode-e2e-setup.sh" --node-only >/dev/null
# shellcheck disable=SC1091
source "${GRADLS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gradls-e2e}/env.sh"
export PATH=$GRADLS_E2E_NODE_BIN:$PATH

step "npm ci (extension dev dependencies)"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

step "bundle the client with esbuild -> dist/extension.js"
node client/esbuild.mjs --production

step "bundled/libs: gradls + pure-Python dependencies (with $PY)"
rm -rf bundled
mkdir -p bundled/libs bundled/native
"$PY" -m pip install -q --disable-pip-version-check --no-deps --only-binary=:all: --implementation py \
  --python-version 3.10 --target bundled/libs -r client/bundled/requirements.txt
# the server package itself, from this checkout (sources + rule docs + probe runner; no caches, no egg-info)
(cd server && tar --exclude='__pycache__' --exclude='*.pyc' -cf - gradls) | (cd bundled/libs && tar -xf -)
rm -rf bundled/libs/bin

if [ "$TARGET" != universal ]; then
  case "$TARGET" in
    linux-x64) PLATFORMS=(manylinux_2_28_x86_64 manylinux2014_x86_64 manylinux_2_17_x86_64); KEYSUFFIX=linux-x86_64 ;;
    linux-arm64) PLATFORMS=(manylinux_2_28_aarch64 manylinux2014_aarch64 manylinux_2_17_aarch64); KEYSUFFIX=linux-aarch64 ;;
    darwin-arm64) PLATFORMS=(macosx_11_0_arm64); KEYSUFFIX=darwin-arm64 ;;
    darwin-x64) PLATFORMS=(macosx_10_13_x86_64 macosx_10_9_x86_64); KEYSUFFIX=darwin-x86_64 ;;
    *) PLATFORMS=(); KEYSUFFIX= ;;
  esac
  if [ ${#PLATFORMS[@]} -gt 0 ]; then
    step "bundled/native: libcst $LIBCST_VERSION for CPython 3.${PY_MINORS// /, 3.} ($TARGET)"
    plat_args=()
    for p in "${PLATFORMS[@]}"; do plat_args+=(--platform "$p"); done
    # One libcst package per platform holding every CPython's native module side by side
    # (native.cpython-3XY-*.so): the Python sources of the wheels are identical, only the extension differs.
    # Cached outside the repository, keyed by libcst version, target and Python minors.
    NATIVE_CACHE=$BUILD_CACHE/libcst-$LIBCST_VERSION-$TARGET-py${PY_MINORS// /-}
    dest=bundled/native/$KEYSUFFIX
    if [ -d "$NATIVE_CACHE/libcst" ]; then
      mkdir -p "$dest" && cp -r "$NATIVE_CACHE/libcst" "$dest/"
      echo "   (from $NATIVE_CACHE)"
      PY_MINORS=""
    fi
    for minor in $PY_MINORS; do
      tmp=bundled/tmp-cp3$minor
      if ! "$PY" -m pip install -q --disable-pip-version-check --no-deps --only-binary=:all: --implementation cp \
        --python-version "3.$minor" "${plat_args[@]}" --target "$tmp" "libcst==$LIBCST_VERSION" 2>"bundled/pip.log"; then
        echo "   (no libcst $LIBCST_VERSION wheel for CPython 3.$minor on $TARGET: that Python gets no libcst fixes unless its environment has libcst)"
        rm -rf "$tmp"
        continue
      fi
      if [ ! -d "$dest" ]; then
        mkdir -p "$dest" && cp -r "$tmp/libcst" "$dest/"
      else
        diff -rq -x '*.so' -x '__pycache__' "$tmp/libcst" "$dest/libcst" >/dev/null ||
          { echo "libcst sources differ between CPython wheels; cannot merge" >&2; exit 1; }
        cp "$tmp"/libcst/native.*.so "$dest/libcst/"
      fi
      rm -rf "$tmp"
    done
    rm -f bundled/pip.log
    rm -rf "$dest/libcst/tests" "$dest/libcst/codemod/tests" "$dest/libcst/"*/tests
    if [ -n "$PY_MINORS" ] && [ -d "$dest/libcst" ] && [ "$(ls "$dest"/libcst/native.*.so | wc -l)" -eq "$(wc -w <<<"$PY_MINORS")" ]; then
      rm -rf "$NATIVE_CACHE.tmp" && mkdir -p "$NATIVE_CACHE.tmp" && cp -r "$dest/libcst" "$NATIVE_CACHE.tmp/" &&
        rm -rf "$NATIVE_CACHE" && mv "$NATIVE_CACHE.tmp" "$NATIVE_CACHE"
    fi
  fi
fi
find bundled -name '__pycache__' -prune -exec rm -rf {} +

step "vsce package ($TARGET) -> $OUT"
target_args=()
[ "$TARGET" != universal ] && target_args=(--target "$TARGET")
# Package from a staging folder holding only what ships: vsce walks every file under its working directory before
# applying .vscodeignore, and a checkout with .venv (TensorFlow) and node_modules makes that take a minute.
STAGE=$ROOT/out/vsix-stage
rm -rf "$STAGE" && mkdir -p "$STAGE/dist" "$STAGE/syntaxes" "$STAGE/docs/img"
cp LICENSE .vscodeignore "$STAGE/"
# the client is bundled already (above): drop vscode:prepublish, which would run esbuild again inside the stage
node -e 'const p=require("./package.json"); delete p.scripts["vscode:prepublish"]; process.stdout.write(JSON.stringify(p, null, 2))' > "$STAGE/package.json"
[ -f README.md ] && cp README.md "$STAGE/"
cp dist/extension.js "$STAGE/dist/"
cp syntaxes/*.json "$STAGE/syntaxes/"
cp docs/vscode.md "$STAGE/docs/"
cp docs/img/vscode-*.png "$STAGE/docs/img/" 2>/dev/null || true
cp -r bundled "$STAGE/bundled"
case "$OUT" in /*) ;; *) OUT=$ROOT/$OUT ;; esac
cd "$STAGE"
# relative links in README.md / docs are rewritten against the repository (package.json "repository")
BASE=${GRADLS_VSIX_BASE_URL:-https://example.invalid/gradls}
"$ROOT/node_modules/.bin/vsce" package --no-dependencies --allow-star-activation \
  --baseContentUrl "$BASE/blob/main" --baseImagesUrl "$BASE/raw/main" \
  "${target_args[@]}" --out "$OUT" > "$ROOT/out/vsce.log" 2>&1 || { cat "$ROOT/out/vsce.log"; exit 1; }
grep -E 'DONE|WARNING' "$ROOT/out/vsce.log" || true
cd "$ROOT" && rm -rf "$STAGE"
step "done: $OUT ($(du -h "$OUT" | cut -f1))"
