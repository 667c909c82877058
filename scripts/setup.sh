#!/usr/bin/env bash
# Install everything gradls needs into .venv (the server, CPU TensorFlow for the probe and the tests,
# test tools), build the VS Code extension, then run the main job: `gradls check examples/`.
#   bash scripts/setup.sh            # install + build + check the bundled examples
#   GRADLS_SKIP_VSIX=1 bash ...      # Python side only
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
step() { echo "== [$(( $(date +%s) - T0 ))s] $*"; }

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "gradls needs Python >= 3.10 (found: $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.10+" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  step "creating .venv with $("$PY" --version 2>&1)"
  "$PY" -m venv .venv
fi
step "installing gradls (editable) with TensorFlow CPU and the test tools"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "server[probe,test,bench]"
# Keras 2 (tf_keras) beside Keras 3, for the rule cases that prove where the two differ. --no-deps: its
# `tensorflow` requirement would pull the full GPU build next to tensorflow-cpu.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps "tf-keras==2.21.0"
.venv/bin/gradls --version

if [ "${GRADLS_SKIP_VSIX:-0}" != "1" ]; then
  step "building the VS Code extension (.vsix)"
  bash scripts/build-vsix.sh
fi

step "main job: gradls check examples/"
set +e
.venv/bin/gradls check examples/
rc=$?
set -e
if [ "$rc" -eq 1 ]; then
  echo "(exit 1 = findings reported, as expected for the bundled buggy examples; see docs/ and 'gradls rule CODE')"
  exit 0
fi
exit "$rc"
