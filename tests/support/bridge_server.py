"""Run the bridge as users do (``python -m api_bridge``) with its embedded ComfyUI, for tests."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from .comfy_server import free_port
from .paths import REPO_ROOT


class BridgeServer:
    def __init__(self, workdir: pathlib.Path, **settings):
        self.workdir = pathlib.Path(workdir)
        self.port = settings.pop("port", None) or free_port()
        self.comfy_port = settings.pop("comfy_port", None) or free_port()
        self.settings = {
            "comfy_base_dir": str(self.workdir / "comfy"),
            "data_dir": str(self.workdir / "data"),
            "comfy_threads": "1",
            **{k: str(v) for k, v in settings.items()},
        }
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "bridge.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> "BridgeServer":
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update({f"INPAINT_BRIDGE_{k.upper()}": v for k, v in self.settings.items()})
        env["INPAINT_BRIDGE_PORT"], env["INPAINT_BRIDGE_COMFY_PORT"] = str(self.port), str(self.comfy_port)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api_bridge"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bridge exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if self.get("/ready")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"bridge not ready within {timeout}s:\n{self.log_tail()}")

    def stop(self, hard: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if hard:  # SIGKILL the whole bridge; its ComfyUI child is found and killed too
                self.kill_comfy()
                self.proc.kill()
            else:
                self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def comfy_pid(self) -> int | None:
        import psutil

        for child in psutil.Process(self.proc.pid).children(recursive=True):
            if "main.py" in " ".join(child.cmdline()):
                return child.pid
        return None

    def kill_comfy(self) -> int | None:
        pid = self.comfy_pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
        return pid

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    # -- HTTP -------------------------------------------------------------------
    def request(self, method: str, path: str, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=300) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), dict(exc.headers)

    def get(self, path: str):
        status, body, _ = self.request("GET", path)
        return status, body

    def post_json(self, path: str, body: dict):
        status, raw, _ = self.request("POST", path, body)
        return status, json.loads(raw or b"null")

    def fetch(self, url: str) -> bytes:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.read()
