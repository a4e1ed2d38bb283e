"""Drive the official ``volcengine==1.0.229`` SDK (in its own venv) against a local server."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from .paths import REPO_ROOT

CLIENT_PYTHON = REPO_ROOT / ".cache" / "clients" / "volcengine" / "bin" / "python"
DRIVER = REPO_ROOT / "tests" / "support" / "volc_sdk_driver.py"


def ensure_client() -> None:
    """Create .cache/clients/volcengine if needed (scripts/setup.sh does it too)."""
    subprocess.run([sys.executable, "-m", "scripts.client_venvs", "volcengine"], cwd=REPO_ROOT, check=True)


def sdk_call(host: str, ak: str, sk: str, method: str, form: dict, **extra) -> dict:
    """One SDK call; returns ``{"result": body}`` on HTTP 200, else ``{"error": str, "body": parsed}``."""
    spec = {"host": host, "ak": ak, "sk": sk, "method": method, "form": form, **extra}
    proc = subprocess.run(
        [str(CLIENT_PYTHON), str(DRIVER)], input=json.dumps(spec), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if "error" in out:
        # The SDK raises Exception(<response bytes>): its text is the repr of the bytes, b'{...}'.
        text = out["error"]
        assert text.startswith("b'") or text.startswith('b"'), text
        out["body"] = json.loads(ast.literal_eval(text).decode("utf-8"))
    return out
