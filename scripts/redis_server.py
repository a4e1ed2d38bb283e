"""A real ``redis-server`` on a free loopback port with its data in a folder (AOF persistence on).

Used by the local deployment (``scripts/cluster.py``) and the tests. The binary is Debian's
``redis-server`` (``scripts/setup.sh`` installs it when run as root), or ``$IB_REDIS_SERVER``.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_binary() -> str:
    found = os.environ.get("IB_REDIS_SERVER") or shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "redis-server not found: run scripts/setup.sh as root (it installs Debian's redis-server), or "
            "`sudo apt-get install redis-server`, or set IB_REDIS_SERVER=/path/to/redis-server, "
            "or point IB_REDIS_URL at a running Redis"
        )
    return found


class RedisServer:
    """``start``/``stop`` (SIGTERM: Redis flushes its AOF and exits), ``kill`` (SIGKILL), ``restart`` on the same
    port and folder. ``appendfsync``: ``always`` loses nothing even to SIGKILL; ``everysec`` (Redis' default)
    at most the last second."""

    def __init__(self, data_dir: str | pathlib.Path, port: int | None = None, *, appendfsync: str = "always"):
        self.data_dir = pathlib.Path(data_dir)
        self.port = port or free_port()
        self.appendfsync = appendfsync
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20.0) -> RedisServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            redis_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}: {self.log_tail()}")
            if self.ping():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"redis-server did not answer within {timeout} s: {self.log_tail()}")

    def ping(self) -> bool:
        """True once Redis answers PONG (not while it is still loading its AOF)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _signal(self, sig: int, wait: float) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def stop(self) -> None:
        self._signal(signal.SIGTERM, 20)

    def kill(self) -> None:
        self._signal(signal.SIGKILL, 5)

    def restart(self, *, hard: bool = False) -> RedisServer:
        (self.kill if hard else self.stop)()
        return self.start()

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return (self.data_dir / "redis.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""
