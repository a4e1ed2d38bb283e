#!/usr/bin/env bash
# The main job: set up (idempotent), then the REST bridge on http://127.0.0.1:${BRIDGE_PORT:-8000}
# with its embedded ComfyUI (this pack loaded, UI on http://127.0.0.1:${PORT:-8188}).
# Extra arguments go to ComfyUI's main.py; bridge settings come from IB_* variables (README "REST bridge").
# COMFY_ONLY=1 starts ComfyUI alone, as before.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
PY="${INPAINT_BRIDGE_VENV:-$ROOT/.venv}/bin/python"
if [[ "${COMFY_ONLY:-0}" == "1" ]]; then
  COMFY="$(cat "$ROOT/.comfyui/path")"
  cd "$COMFY"
  exec "$PY" main.py --cpu --listen "${HOST:-127.0.0.1}" --port "${PORT:-8188}" --disable-auto-launch "$@"
fi
cd "$ROOT"
exec "$PY" -m api_bridge --host "${BRIDGE_HOST:-127.0.0.1}" --port "${BRIDGE_PORT:-8000}" \
  --comfy-listen "${HOST:-127.0.0.1}" --comfy-port "${PORT:-8188}" -- "$@"
