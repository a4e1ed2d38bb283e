"""Helpers for bridge tests: the captured object_info fixture, tiny PNGs, a bridge app on a real ComfyUI."""

import functools
import io
import pathlib

from PIL import Image

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


@functools.cache
def captured_object_info() -> dict:
    """tests/fixtures/object_info.json as captured by scripts/capture_object_info.py."""
    import json

    return json.loads((FIXTURES / "object_info.json").read_text())


def object_info():
    from api_bridge.graph import ObjectInfo

    return ObjectInfo(captured_object_info())


def png_bytes(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def square_mask(size=(64, 64), box=(16, 16, 48, 48), fg=(255, 255, 255), mode="RGB") -> Image.Image:
    im = Image.new(mode, size)
    im.paste(fg, box)
    return im


def task_events(client, task_id: str, timeout: float = 120):
    """The task's server-sent events as (event name, task view) pairs, up to and including ``finished``."""
    import json

    with client.stream("GET", f"/bridge/v1/tasks/{task_id}/events", timeout=timeout) as stream:
        name = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                yield name, json.loads(line[6:])
                if name == "finished":
                    return


class ThreadedBridge:
    """The real bridge app under uvicorn in a background thread (remote mode: given ComfyUI URLs)."""

    def __init__(self, data_dir, comfy_urls, env: dict[str, str] | None = None, **settings):
        """``env``: settings contracts read from the environment when the app is made (e.g. credentials)."""
        import os
        import socket

        from api_bridge.server.app import create_app
        from api_bridge.server.settings import BridgeSettings

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.data_dir = pathlib.Path(data_dir)
        self.settings = BridgeSettings(comfy_urls=list(comfy_urls), data_dir=self.data_dir, port=self.port, **settings)
        saved = {k: os.environ.get(k) for k in env or {}}
        os.environ.update(env or {})
        try:
            self.app = create_app(self.settings)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    @property
    def service(self):
        return self.app.state.ctx.service

    def start(self, timeout: float = 30.0) -> "ThreadedBridge":
        import threading
        import time

        import httpx
        import uvicorn

        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self.loop = None

        def serve():
            import asyncio

            self.loop = asyncio.new_event_loop()  # kept: tests may run a coroutine on the app's loop
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._server.serve())

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/ready", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("bridge did not become ready")

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
            self._thread.join(30)

    def client(self):
        import httpx

        return httpx.Client(base_url=self.url, timeout=120)

    def upload(self, client, image: Image.Image) -> dict:
        r = client.post("/bridge/v1/images", files={"file": ("x.png", png_bytes(image), "image/png")})
        r.raise_for_status()
        return r.json()

    def run_task(self, client, task: dict, wait: float = 120) -> dict:
        r = client.post("/bridge/v1/tasks", json={"task": task})
        assert r.status_code == 202, r.text
        return client.get(f"/bridge/v1/tasks/{r.json()['id']}", params={"wait": wait}).json()

    def fetch(self, client, output: dict) -> Image.Image:
        r = client.get(output["url"])
        r.raise_for_status()
        return Image.open(io.BytesIO(r.content))


class BridgeProcess:
    """``python -m api_bridge`` in embedded mode as a child process, its ComfyUI in a temp base folder."""

    def __init__(self, data_dir, comfy_base, **env):
        import socket

        from .comfy_server import prepare_base_dir

        def port():
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return s.getsockname()[1]

        self.data_dir = pathlib.Path(data_dir)
        self.comfy_base = prepare_base_dir(pathlib.Path(comfy_base))
        self.port, self.comfy_port = port(), port()
        self.env = {k: str(v) for k, v in env.items()}
        self.proc = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240.0) -> "BridgeProcess":
        import os
        import subprocess
        import sys
        import time

        import httpx

        from .paths import REPO_ROOT

        env = dict(os.environ, OMP_NUM_THREADS="1", IB_COMFY_CPU="true", IB_POLL_INTERVAL="0.5", **self.env)
        cmd = [
            sys.executable,
            "-m",
            "api_bridge",
            "--port",
            str(self.port),
            "--comfy-port",
            str(self.comfy_port),
            "--data-dir",
            str(self.data_dir),
            "--",
            "--base-directory",
            str(self.comfy_base),
        ]
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "bridge.log").open("ab")
        self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bridge exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/ready", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"bridge not ready in {timeout}s: {self.log_tail()}")

    def health(self) -> dict:
        import httpx

        return httpx.get(self.url + "/health", timeout=10).json()

    def kill(self, sig=None) -> None:
        import signal

        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
            try:
                self.proc.wait(60)
            except Exception:
                self.proc.kill()
                self.proc.wait(10)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return (self.data_dir / "bridge.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""
