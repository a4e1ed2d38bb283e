"""Drive the official ``fooocus-api-python-client==1.0.0`` (in its own venv) against a local server."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys

from .paths import REPO_ROOT

CLIENT_PYTHON = REPO_ROOT / ".cache" / "clients" / "fooocus" / "bin" / "python"
DRIVER = REPO_ROOT / "tests" / "support" / "fooocus_client_driver.py"


def ensure_client() -> None:
    """Create .cache/clients/fooocus if needed (scripts/setup.sh does it too)."""
    subprocess.run([sys.executable, "-m", "scripts.client_venvs", "fooocus"], cwd=REPO_ROOT, check=True)


def client_calls(host: str, *calls: tuple[str, dict]) -> list[dict]:
    """The calls in order, in one client process; each answer is ``{"type", "result"}`` or ``{"error"}``."""
    spec = {"host": host, "calls": [{"op": op, "args": args} for op, args in calls]}
    proc = subprocess.run(
        [str(CLIENT_PYTHON), str(DRIVER)], input=json.dumps(spec), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    answers = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    assert len(answers) == len(calls), proc.stdout + proc.stderr
    for answer in answers:
        if "error" in answer and isinstance(answer["error"]["body"], str):
            with contextlib.suppress(json.JSONDecodeError):
                answer["error"]["body"] = json.loads(answer["error"]["body"])
    return answers
