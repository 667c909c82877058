#!/usr/bin/env bash
# The whole test suite: gates (ruff lint + format check, mypy on server/gradls), then Python (analysis,
# fixes proved under TensorFlow CPU, LSP end to end, probe), then the VS Code extension (type-check, lint, unit, grammar, and a real VS Code headless).
# Installs what is missing first, so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
step() { echo "== [$(( $(date +%s) - T0 ))s] $*"; }

if ! .venv/bin/python -c 'import gradls, tensorflow, tf_keras, pytest_lsp, mypy' >/dev/null 2>&1 || [ ! -x .venv/bin/ruff ]; then
  step "setting up .venv"
  GRADLS_SKIP_VSIX=1 bash scripts/setup.sh
fi

step "ruff (lint + format check)"
.venv/bin/ruff check server tests bench
.venv/bin/ruff format --check server tests bench

step "mypy server/gradls"
.venv/bin/mypy --config-file server/pyproject.toml server/gradls

step "Python tests"
.venv/bin/python -m pytest -q -ra --durations=10 "$@"

if [ "${GRADLS_SKIP_VSCODE:-0}" != "1" ]; then
  step "VS Code extension tests"
  GRADLS_TEST_PYTHON="$PWD/.venv/bin/python" bash scripts/test-vscode.sh
fi
step "all tests passed"
