"""A local multi-process deployment: a real redis-server, N ComfyUI workers, M bridge replicas.

    bash scripts/cluster.sh                      # 2 replicas on :8000 and :8001, 2 ComfyUI workers, Redis
    bash scripts/cluster.sh --replicas 3 --workers 2 --port 9000 --data-dir .cache/cluster-demo
    IB_REDIS_URL=redis://127.0.0.1:6379/0 bash scripts/cluster.sh   # an existing Redis instead

Every replica talks to every worker and to the same Redis (tasks, queue, events); results go to one
folder all replicas share (``<data-dir>/blobs``), so any replica answers for any task and serves any
result. Each ComfyUI is pinned to its own core with ``taskset`` (when there are enough cores) and runs
with ``OMP_NUM_THREADS=1``, so workers do not fight over cores. It runs in the foreground until
Ctrl-C; logs are under the data folder (replicas log one JSON object per line). Tests and the
benchmarks start the same :class:`Cluster`.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from api_bridge.server.app import default_comfy_path  # IB_COMFY_PATH, COMFYUI_PATH or the set-up's
from api_bridge.server.settings import BridgeSettings
from scripts.redis_server import RedisServer, free_port

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _get(url: str, timeout: float = 3.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


@dataclass
class Proc:
    name: str
    cmd: list[str]
    env: dict[str, str]
    cwd: pathlib.Path
    log_path: pathlib.Path
    url: str
    ready_path: str  # answers 200 when up
    popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.log_tail()}")
            if _get(self.url + self.ready_path) == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready within {timeout:.0f} s:\n{self.log_tail()}")

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def signal(self, sig: int = signal.SIGTERM, wait: float = 30.0) -> None:
        if self.alive:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(wait)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class Cluster:
    """Redis + ``workers`` ComfyUI processes + ``replicas`` bridge processes on this machine."""

    data_dir: pathlib.Path
    replicas: int = 2
    workers: int = 2
    port: int | None = None  # first replica's port (the next ones follow); None: free ports
    redis_url: str | None = None  # an existing Redis; None: start one in data_dir/redis
    pin: bool = True  # taskset each ComfyUI to its own core
    comfy_path: pathlib.Path | None = None
    # main.py arguments for worker i: its own folders (default), or e.g. a prepared --base-directory in tests
    comfy_args: Callable[[int, pathlib.Path], list[str]] | None = None
    bridge_env: dict[str, str] = field(default_factory=dict)  # IB_* settings for every replica
    python: str = sys.executable
    redis: RedisServer | None = None
    comfy: list[Proc] = field(default_factory=list)
    bridges: list[Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data_dir = pathlib.Path(self.data_dir).resolve()

    # --- the parts -------------------------------------------------------------------------
    @property
    def blob_dir(self) -> pathlib.Path:
        return self.data_dir / "blobs"

    @property
    def replica_urls(self) -> list[str]:
        return [p.url for p in self.bridges]

    @property
    def worker_urls(self) -> list[str]:
        return [p.url for p in self.comfy]

    def _worker_folders(self, i: int, folder: pathlib.Path) -> list[str]:
        dirs = {name: folder / name for name in ("temp", "input", "output", "user")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        return [arg for name, d in dirs.items() for arg in (f"--{name}-directory", str(d))]

    def _comfy_proc(self, i: int) -> Proc:
        port = free_port()
        folder = self.data_dir / f"worker-{i}"
        extra = (self.comfy_args or self._worker_folders)(i, folder)
        cmd = [self.python, "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(port), "--disable-auto-launch"]
        cmd += extra
        cores = os.cpu_count() or 1
        if self.pin and shutil.which("taskset") and cores >= 2:
            cmd = ["taskset", "-c", str(i % cores), *cmd]
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        comfy = self.comfy_path or default_comfy_path(BridgeSettings())
        return Proc(f"comfyui-{i}", cmd, env, comfy, folder / "comfyui.log", f"http://127.0.0.1:{port}", "/object_info")

    def _bridge_proc(self, i: int, port: int) -> Proc:
        folder = self.data_dir / f"replica-{i}"
        env = {
            **os.environ,
            "IB_REDIS_URL": self.redis_url,
            "IB_REPLICA_ID": self.replica_id(i),
            "IB_DATA_DIR": str(folder),
            "IB_BLOB_DIR": str(self.blob_dir),
            "IB_COMFY_URLS": json.dumps(self.worker_urls),
            "IB_LOG_JSON": "1",
            **self.bridge_env,
        }
        cmd = [self.python, "-m", "api_bridge", "--host", "127.0.0.1", "--port", str(port)]
        return Proc(f"replica-{i}", cmd, env, ROOT, folder / "bridge.log", f"http://127.0.0.1:{port}", "/ready")

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 240.0) -> Cluster:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.blob_dir.mkdir(exist_ok=True)
        if not self.redis_url:
            self.redis = RedisServer(self.data_dir / "redis").start()
            self.redis_url = self.redis.url
        self.comfy = [self._comfy_proc(i).start() for i in range(self.workers)]
        for p in self.comfy:
            p.wait_ready(timeout)
        ports = [self.port + i if self.port else free_port() for i in range(self.replicas)]
        self.bridges = [self._bridge_proc(i, port).start() for i, port in enumerate(ports)]
        for p in self.bridges:
            p.wait_ready(timeout)
        return self

    def stop(self) -> None:
        for p in [*self.bridges, *self.comfy]:
            p.signal(signal.SIGTERM)
        if self.redis:
            self.redis.stop()

    @staticmethod
    def replica_id(i: int) -> str:
        """Replica i's ``IB_REPLICA_ID`` (records name their worker ``<replica id>/<n>``)."""
        return f"replica-{i}"

    def kill_replica(self, i: int, sig: int = signal.SIGKILL) -> None:
        self.bridges[i].signal(sig)

    def start_replica(self, i: int, timeout: float = 120.0) -> None:
        old = self.bridges[i]
        port = int(old.url.rsplit(":", 1)[1])
        self.bridges[i] = self._bridge_proc(i, port).start()
        self.bridges[i].wait_ready(timeout)

    def kill_worker(self, i: int, sig: int = signal.SIGKILL) -> None:
        self.comfy[i].signal(sig)

    def start_worker(self, i: int, timeout: float = 180.0) -> None:
        old = self.comfy[i]
        self.comfy[i] = Proc(old.name, old.cmd, old.env, old.cwd, old.log_path, old.url, old.ready_path).start()
        self.comfy[i].wait_ready(timeout)

    def describe(self) -> str:
        lines = [f"redis     {self.redis_url}" + (f" (data in {self.redis.data_dir})" if self.redis else "")]
        lines += [f"comfyui   {p.url}  pid {p.pid}  log {p.log_path}" for p in self.comfy]
        lines += [f"replica   {p.url}  pid {p.pid}  log {p.log_path}" for p in self.bridges]
        lines.append(f"results   {self.blob_dir} (shared by the replicas)")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="scripts/cluster.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("--replicas", type=int, default=2, help="bridge replicas (default 2)")
    p.add_argument("--workers", type=int, default=2, help="ComfyUI workers (default 2)")
    p.add_argument("--port", type=int, default=8000, help="first replica's port (default 8000; the next follow)")
    p.add_argument("--data-dir", default=".cluster", help="logs, Redis data, shared results (default .cluster)")
    p.add_argument("--no-pin", action="store_true", help="do not pin each ComfyUI to a core")
    args = p.parse_args(argv)
    cluster = Cluster(
        pathlib.Path(args.data_dir),
        replicas=args.replicas,
        workers=args.workers,
        port=args.port,
        redis_url=os.environ.get("IB_REDIS_URL"),
        pin=not args.no_pin,
    )
    stopping = False

    def on_signal(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        cluster.start()
        print(cluster.describe(), flush=True)
        print("up; Ctrl-C stops everything", flush=True)
        reported: set[str] = set()
        while not stopping:
            for proc in [*cluster.comfy, *cluster.bridges]:
                if not proc.alive and proc.name not in reported:
                    reported.add(proc.name)
                    print(f"{proc.name} exited ({proc.popen.returncode}); see {proc.log_path}", flush=True)
            time.sleep(1)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
