#!/usr/bin/env bash
# A local deployment for tests and demos: set up (idempotent), then a real redis-server, 2 ComfyUI
# workers (each pinned to a core) and 2 bridge replicas on http://127.0.0.1:8000 and :8001 sharing it.
# Arguments go to scripts/cluster.py (--replicas N --workers N --port P --data-dir D); IB_* settings
# apply to every replica; IB_REDIS_URL uses an existing Redis instead of starting one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
exec "${INPAINT_BRIDGE_VENV:-$ROOT/.venv}/bin/python" -m scripts.cluster "$@"
