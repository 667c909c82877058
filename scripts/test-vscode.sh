#!/usr/bin/env bash
# Everything that tests the VS Code extension, on a fresh Debian machine as root or on a warm one:
#   1. tools (chromium, Node 24, code-server, playwright-core): scripts/vscode-e2e-setup.sh, cached outside the repo
#   2. TypeScript type-check, eslint, unit tests (node --test), grammar tests (vscode-tmgrammar-test, against a stub
#      source.python grammar and against the real one shipped in code-server)
#   3. the .vsix (scripts/build-vsix.sh) when it is missing or older than its sources
#   4. a real VS Code: extension-host suites (trusted + Restricted Mode) and a browser test (tests/vscode/run-e2e.js)
#
# Env:
#   GRADLS_TEST_PYTHON     Python that runs the gradls server and the probe in the e2e tests (needs TensorFlow for the
#                          probe test). Default: <repo>/.venv/bin/python, else /tmp/gvenv/bin/python, else python3.
#   GRADLS_E2E_CACHE       tool cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/gradls-e2e)
#   GRADLS_E2E_SHOTS       where the browser test writes its screenshots (default .e2e-run/vscode/shots;
#                          GRADLS_E2E_SHOTS=docs/img refreshes the documentation's screenshots)
#   GRADLS_E2E_TRACKS      subset of "trusted untrusted ui" (default: all)
#   GRADLS_SKIP_E2E=1      static checks + unit + grammar tests only
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
T0=$(date +%s)
LAST=$T0
TIMES=()
step() {
  local now
  now=$(date +%s)
  [ -n "${STEP:-}" ] && TIMES+=("$(printf '%-34s %4ss' "$STEP" $((now - LAST)))")
  STEP=$1
  LAST=$now
  echo "== [test-vscode +$((now - T0))s] $1"
}
PASSED=0
FAILED=0
FAILURES=()
check() { # check NAME CMD...: run a check, keep going, count it
  local name=$1
  shift
  if "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); FAILURES+=("$name"); echo "!! FAILED: $name"; fi
}

step "tools (cached in ${GRADLS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gradls-e2e})"
if [ "${GRADLS_SKIP_E2E:-0}" = 1 ]; then
  bash scripts/vscode-e2e-setup.sh --node-only
else
  bash scripts/vscode-e2e-setup.sh
fi
# shellcheck disable=SC1091
source "${GRADLS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gradls-e2e}/env.sh"
export PATH=$GRADLS_E2E_NODE_BIN:$PATH
echo "node $(node --version), npm $(npm --version)"

step "npm ci"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

step "type-check + unit tests"
rm -rf out
check "tsc" node_modules/.bin/tsc -p .
check "unit tests" node --test 'out/client/test/*.test.js'

step "eslint"
check "eslint" node_modules/.bin/eslint client/src client/test tests/vscode client/esbuild.mjs

step "grammar tests"
check "grammar (stub source.python)" node_modules/.bin/vscode-tmgrammar-test \
  -g syntaxes/test/python-stub.tmLanguage.json -g syntaxes/gradls-comment.injection.json 'syntaxes/test/*.test.py'
REAL_GRAMMAR=${GRADLS_E2E_CODE_SERVER:-}/lib/vscode/extensions/python/syntaxes/MagicPython.tmLanguage.json
if [ -f "$REAL_GRAMMAR" ]; then
  check "grammar (VS Code's source.python)" node_modules/.bin/vscode-tmgrammar-test \
    -g "$REAL_GRAMMAR" -g syntaxes/gradls-comment.injection.json 'syntaxes/test/*.test.py'
fi

if [ "${GRADLS_SKIP_E2E:-0}" != 1 ]; then
  step "vsix"
  VSIX=${GRADLS_E2E_VSIX:-$ROOT/gradls.vsix}
  if [ ! -f "$VSIX" ] || [ ! -f dist/extension.js ] || [ ! -d bundled/libs/gradls ] ||
    [ -n "$(find client/src client/bundled server/gradls syntaxes package.json package-lock.json scripts/build-vsix.sh \
      -newer "$VSIX" -not -name '*.pyc' -not -path '*/__pycache__*' -print -quit)" ]; then
    GRADLS_VSIX_OUT=$VSIX bash scripts/build-vsix.sh
  else
    echo "up to date: $VSIX"
  fi

  step "real VS Code (code-server) e2e"
  PY=${GRADLS_TEST_PYTHON:-}
  if [ -z "$PY" ]; then
    for c in "$ROOT/.venv/bin/python" /tmp/gvenv/bin/python; do
      if [ -x "$c" ]; then PY=$c; break; fi
    done
  fi
  PY=${PY:-$(command -v python3)}
  if ! "$PY" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("tensorflow") is None)' 2>/dev/null; then
    echo "note: $PY has no TensorFlow: the probe tests will fail (set GRADLS_TEST_PYTHON to a Python with tensorflow-cpu)"
  fi
  export GRADLS_E2E_PYTHON=$PY GRADLS_E2E_VSIX=$VSIX
  # shellcheck disable=SC2086
  check "real VS Code e2e" node tests/vscode/run-e2e.js ${GRADLS_E2E_TRACKS:-}
fi

step "done"
echo "-- timings"
printf '   %s\n' "${TIMES[@]}"
echo "   total                              $(($(date +%s) - T0))s"
[ $FAILED -eq 0 ] || printf '!! failed: %s\n' "${FAILURES[@]}"
echo "test-vscode: $PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
