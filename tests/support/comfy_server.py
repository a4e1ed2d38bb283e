"""Start a real ComfyUI (``main.py --cpu``) for tests, in its own temporary base folder.

The base folder gets ``custom_nodes/inpaint-bridge`` (a link to this checkout), empty
input/output/temp/user folders and a ``models/`` whose folders link to the models
set up by ``scripts/setup.sh``, so tests may add files (e.g. a built checkpoint)
without touching the user's ComfyUI.
"""

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from .comfy_client import ComfyClient
from .paths import REPO_ROOT, comfyui_path, default_models_dir

PACK_DIR_NAME = "inpaint-bridge"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_base_dir(base: pathlib.Path) -> pathlib.Path:
    (base / "custom_nodes").mkdir(parents=True, exist_ok=True)
    link = base / "custom_nodes" / PACK_DIR_NAME
    if not link.exists():
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    models = base / "models"
    models.mkdir(exist_ok=True)
    for folder in default_models_dir().iterdir():
        target = models / folder.name
        if folder.is_dir() and not target.exists():
            target.mkdir()
            for item in folder.iterdir():
                (target / item.name).symlink_to(item.resolve())
    for name in ("input", "output", "temp", "user"):
        (base / name).mkdir(exist_ok=True)
    return base


class ComfyServer:
    """A ComfyUI process; use as a context manager or call ``start``/``stop``."""

    def __init__(self, base_dir: pathlib.Path, port: int | None = None, extra_args: list[str] | None = None):
        self.base_dir = prepare_base_dir(pathlib.Path(base_dir))
        self.port = port or free_port()
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen | None = None
        self.log_path = self.base_dir / "comfyui.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def models_dir(self) -> pathlib.Path:
        return self.base_dir / "models"

    def start(self, timeout: float = 180.0) -> "ComfyServer":
        env = dict(os.environ)
        # Two cores: torch's default threading collapses when another process is busy.
        env.setdefault("OMP_NUM_THREADS", "1")
        cmd = [
            sys.executable,
            "main.py",
            "--cpu",
            "--listen",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--base-directory",
            str(self.base_dir),
            "--disable-auto-launch",
            *self.extra_args,
        ]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(cmd, cwd=comfyui_path(), env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ComfyUI exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/object_info", timeout=5):
                    return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"ComfyUI did not answer /object_info within {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def client(self, timeout: float = 120.0) -> ComfyClient:
        return ComfyClient(self.url, timeout)

    def __enter__(self) -> "ComfyServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)
