"""Drive the official ``novita-client==0.7.1`` SDK (in its own venv) and the npm ``novita-sdk`` against a server."""

from __future__ import annotations

import json
import subprocess
import sys

from .paths import REPO_ROOT

CLIENT_PYTHON = REPO_ROOT / ".cache" / "clients" / "novita" / "bin" / "python"
DRIVER = REPO_ROOT / "tests" / "support" / "novita_sdk_driver.py"
JS_CLIENT = REPO_ROOT / ".cache" / "clients" / "novita-js"
JS_DRIVER = REPO_ROOT / "tests" / "support" / "novita_js_driver.cjs"


def ensure_clients() -> None:
    """Create .cache/clients/novita and novita-js if needed (scripts/setup.sh does it too)."""
    subprocess.run([sys.executable, "-m", "scripts.client_venvs", "novita", "novita-js"], cwd=REPO_ROOT, check=True)


def _run(cmd: list[str], spec: dict, env: dict | None = None) -> dict:
    proc = subprocess.run(cmd, input=json.dumps(spec), capture_output=True, text=True, timeout=400, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def sdk_call(base_url: str, key: str, op: str, **args) -> dict:
    """One Python SDK call: ``{"result": ...}`` or ``{"error": str, "type": exception class}``."""
    return _run([str(CLIENT_PYTHON), str(DRIVER)], {"base_url": base_url, "key": key, "op": op, "args": args})


def js_call(base_url: str, key: str, op: str, params: dict) -> dict:
    """One JS SDK call (``inpainting`` / ``progress`` / ``getModels``): ``{"result"}`` or ``{"error": {...}}``."""
    import os

    env = {**os.environ, "NODE_PATH": str(JS_CLIENT / "node_modules")}
    return _run(["node", str(JS_DRIVER)], {"base_url": base_url, "key": key, "op": op, "params": params}, env)
