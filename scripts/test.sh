#!/usr/bin/env bash
# The test job: set up (idempotent), lint, then every test tier. Extra args go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
PY="${INPAINT_BRIDGE_VENV:-$ROOT/.venv}/bin/python"
"$PY" -m ruff check .
"$PY" -m ruff format --check .
# JS: the frontend extension and the browser-test driver (eslint from .cache/npm, see setup.sh)
node .cache/npm/node_modules/eslint/bin/eslint.js --max-warnings 0 --config scripts/eslint.config.mjs web tests/support
exec "$PY" -m pytest "$@"
