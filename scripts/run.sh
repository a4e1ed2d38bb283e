#!/usr/bin/env bash
# The main job: set up (idempotent), then ComfyUI with this pack on http://127.0.0.1:${PORT:-8188}.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
COMFY="$(cat "$ROOT/.comfyui/path")"
cd "$COMFY"
exec "${INPAINT_BRIDGE_VENV:-$ROOT/.venv}/bin/python" main.py --cpu --listen "${HOST:-127.0.0.1}" --port "${PORT:-8188}" \
  --disable-auto-launch "$@"
