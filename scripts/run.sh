#!/usr/bin/env bash
# The main job: set up (idempotent), then the REST bridge on http://127.0.0.1:${PORT:-8000}
# with its embedded ComfyUI (UI and API on http://127.0.0.1:${COMFY_PORT:-8188}, this pack loaded).
# Extra args go to `python -m api_bridge` (e.g. --comfy-url http://gpu-host:8188 for a remote ComfyUI).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec "${INPAINT_BRIDGE_VENV:-$ROOT/.venv}/bin/python" -m api_bridge \
  --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --comfy-port "${COMFY_PORT:-8188}" "$@"
