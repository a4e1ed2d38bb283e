#!/usr/bin/env bash
# Download, list and verify well-known weights (LaMa, SAM, rembg, GroundingDINO, inpainting checkpoints...)
# into ComfyUI's model folders, each checked by size and hash:
#   bash scripts/models.sh list | download NAME... | verify [NAME...]   (--help for options)
# Uses the set-up's venv (or $INPAINT_BRIDGE_VENV); without one, python3 (ComfyUI's environment).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${INPAINT_BRIDGE_VENV:-$ROOT/.venv}/bin/python"
[ -x "$PY" ] || PY="$(command -v python3)"
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -m scripts.models "$@"
