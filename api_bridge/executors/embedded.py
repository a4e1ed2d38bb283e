"""The embedded default: a local ComfyUI process started and supervised by the bridge.

The process is restarted when it dies; tasks that were running on it fail with
``unavailable`` (the task service decides whether to retry), never hang.
"""

import asyncio
import logging
import os
import pathlib
import socket
import subprocess
import sys

import aiohttp

log = logging.getLogger(__name__)


def find_comfyui(explicit: str | None, repo_root: pathlib.Path) -> pathlib.Path:
    """$COMFYUI_PATH / the setting, else the ComfyUI that scripts/setup.sh recorded."""
    candidates = [explicit, os.environ.get("COMFYUI_PATH")]
    recorded = repo_root / ".comfyui" / "path"
    if recorded.is_file():
        candidates.append(recorded.read_text().strip())
    for c in candidates:
        if c and (pathlib.Path(c) / "main.py").is_file():
            return pathlib.Path(c)
    raise RuntimeError("no ComfyUI found: set COMFYUI_PATH or run scripts/setup.sh")


def cuda_available(python: str) -> bool:
    probe = "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedComfy:
    def __init__(
        self,
        comfy_dir: pathlib.Path,
        port: int,
        base_dir: pathlib.Path | None = None,
        python: str = sys.executable,
        extra_args: list[str] | None = None,
        threads: int | None = None,
    ):
        self.comfy_dir, self.port, self.base_dir = comfy_dir, port, base_dir
        self.python, self.extra_args, self.threads = python, extra_args or [], threads
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._supervisor: asyncio.Task | None = None
        self._stopping = False
        self.log_path = (base_dir or comfy_dir) / "comfyui-bridge.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        cmd = [self.python, "main.py", "--listen", "127.0.0.1", "--port", str(self.port), "--disable-auto-launch"]
        if not cuda_available(self.python):
            cmd.append("--cpu")
        if self.base_dir:
            cmd += ["--base-directory", str(self.base_dir)]
        return cmd + self.extra_args

    def _spawn(self) -> None:
        env = dict(os.environ)
        if self.threads:
            env["OMP_NUM_THREADS"] = str(self.threads)
        log_file = open(self.log_path, "ab")  # noqa: SIM115  (owned by the child process)
        self.proc = subprocess.Popen(self._command(), cwd=self.comfy_dir, env=env, stdout=log_file, stderr=log_file)
        log.info("started ComfyUI pid %s on %s", self.proc.pid, self.url)

    async def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as s:
            while asyncio.get_running_loop().time() < deadline:
                if self.proc and self.proc.poll() is not None:
                    raise RuntimeError(f"ComfyUI exited with {self.proc.returncode}; see {self.log_path}")
                try:
                    async with s.get(self.url + "/object_info", timeout=aiohttp.ClientTimeout(total=5)) as r:
                        if r.status == 200:
                            return
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.25)
        raise RuntimeError(f"ComfyUI did not come up within {timeout}s; see {self.log_path}")

    async def start(self) -> None:
        self._spawn()
        await self.wait_ready()
        self._supervisor = asyncio.create_task(self._supervise())

    async def _supervise(self) -> None:
        while not self._stopping:
            await asyncio.sleep(0.5)
            if self.proc and self.proc.poll() is not None and not self._stopping:
                log.error("ComfyUI exited with %s: restarting", self.proc.returncode)
                self.restarts += 1
                self._spawn()
                try:
                    await self.wait_ready()
                except RuntimeError as exc:
                    log.error("%s", exc)

    def alive(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    async def stop(self) -> None:
        self._stopping = True
        if self._supervisor:
            self._supervisor.cancel()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                await asyncio.to_thread(self.proc.wait, 15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def prepare_base_dir(base: pathlib.Path, comfy_dir: pathlib.Path, repo_root: pathlib.Path) -> pathlib.Path:
    """A private ComfyUI base folder: the pack linked in, the models of ``comfy_dir`` shared."""
    (base / "custom_nodes").mkdir(parents=True, exist_ok=True)
    link = base / "custom_nodes" / "inpaint-bridge"
    if not link.exists():
        link.symlink_to(repo_root, target_is_directory=True)
    models = base / "models"
    if not models.exists():
        models.symlink_to(comfy_dir / "models", target_is_directory=True)
    for name in ("input", "output", "temp", "user"):
        (base / name).mkdir(exist_ok=True)
    return base
