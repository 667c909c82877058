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
    dest=bundled/native/$KEYSUFFIX
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
  fi
fi
find bundled -name '__pycache__' -prune -exec rm -rf {} +

step "vsce package ($TARGET) -> $OUT"
target_args=()
[ "$TARGET" != universal ] && target_args=(--target "$TARGET")
# relative links in README.md / docs are rewritten against the repository (package.json "repository")
BASE=${GRADLS_VSIX_BASE_URL:-https://example.invalid/gradls}
node_modules/.bin/vsce package --no-dependencies --allow-star-activation \
  --baseContentUrl "$BASE/blob/main" --baseImagesUrl "$BASE/raw/main" \
  "${target_args[@]}" --out "$OUT" > bundled/vsce.log 2>&1 || { cat bundled/vsce.log; exit 1; }
grep -E 'DONE|WARNING' bundled/vsce.log || true
rm -f bundled/vsce.log
step "done: $OUT ($(du -h "$OUT" | cut -f1))"
