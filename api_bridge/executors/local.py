"""Embedded mode: start, supervise and restart a local ComfyUI (``main.py``) next to the bridge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pathlib
import sys

log = logging.getLogger(__name__)


async def _has_cuda(python: str) -> bool:
    """Ask ComfyUI's Python (not ours: the bridge never imports torch) whether CUDA is usable."""
    try:
        proc = await asyncio.create_subprocess_exec(
            python,
            "-c",
            "import torch; print(torch.cuda.is_available())",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
        return out.strip() == b"True"
    except (OSError, TimeoutError):
        return False


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when the bridge dies, even by SIGKILL (no orphan holding the port)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalComfyProcess:
    """A ComfyUI child process; restarted with backoff when it dies unexpectedly."""

    def __init__(
        self,
        comfy_path: str | pathlib.Path,
        *,
        port: int = 8188,
        listen: str = "127.0.0.1",
        python: str | None = None,
        extra_args: list[str] | None = None,
        cpu: bool | None = None,
        log_path: str | pathlib.Path | None = None,
    ):
        self.comfy_path = pathlib.Path(comfy_path)
        self.port = port
        self.listen = listen
        self.python = python or sys.executable
        self.extra_args = list(extra_args or [])
        self.cpu = cpu
        self.log_path = pathlib.Path(log_path) if log_path else None
        self.proc: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._stopping = False
        self._supervisor: asyncio.Task | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.listen in ("0.0.0.0", "::") else self.listen
        return f"http://{host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def _spawn(self) -> None:
        if self.cpu is None:
            self.cpu = not await _has_cuda(self.python)
        cmd = [self.python, "main.py", "--listen", self.listen, "--port", str(self.port), "--disable-auto-launch"]
        if self.cpu:
            cmd.append("--cpu")
        cmd += self.extra_args
        env = dict(os.environ)
        env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 2) // 2)))
        out = self.log_path.open("ab") if self.log_path else asyncio.subprocess.DEVNULL
        log.info("starting ComfyUI: %s (in %s)", " ".join(cmd), self.comfy_path)
        self.proc = await asyncio.create_subprocess_exec(
            *cmd,
            cwd=self.comfy_path,
            env=env,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    async def start(self) -> None:
        if not (self.comfy_path / "main.py").is_file():
            raise RuntimeError(f"no ComfyUI main.py in {self.comfy_path}: set COMFYUI_PATH or run scripts/setup.sh")
        await self._spawn()
        self._supervisor = asyncio.create_task(self._supervise(), name="comfy-supervisor")

    async def _supervise(self) -> None:
        backoff = 1.0
        while not self._stopping:
            code = await self.proc.wait()
            if self._stopping:
                return
            log.error("ComfyUI exited with %s; restarting in %.0f s", code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            self.restarts += 1
            await self._spawn()

    async def stop(self) -> None:
        self._stopping = True
        if self._supervisor:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
