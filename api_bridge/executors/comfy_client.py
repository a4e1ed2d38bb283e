"""ComfyUI over HTTP + websocket: upload inputs, run a graph, follow progress, fetch outputs.

Progress comes from the websocket; ``/history`` is polled alongside, so a dropped
websocket never leaves a task hanging. ComfyUI's validation errors (``node_errors``)
and runtime errors (``execution_error``, interrupted) become ``BridgeError``s.
"""

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from ..errors import BridgeError

log = logging.getLogger(__name__)
ProgressFn = Callable[[float, str], None]


@dataclass
class OutputImage:
    filename: str
    data: bytes
    node_id: str


class ComfyClient:
    def __init__(self, base_url: str, timeout: float = 600.0, poll_interval: float = 0.5):
        self.base_url = base_url.rstrip("/")
        self.timeout, self.poll_interval = timeout, poll_interval
        self.client_id = uuid.uuid4().hex  # without one, a resubmitted graph is served from cache
        self._session: aiohttp.ClientSession | None = None
        self._object_info: dict | None = None
        self.running = 0

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        return self._session

    async def close(self) -> None:
        if self._session and not self._session.closed:
            await self._session.close()

    async def _get_json(self, path: str):
        s = await self.session()
        try:
            async with s.get(self.base_url + path) as resp:
                resp.raise_for_status()
                return await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise BridgeError("unavailable", f"ComfyUI at {self.base_url} is not answering: {exc}") from exc

    async def healthy(self) -> bool:
        try:
            await self._get_json("/system_stats")
            return True
        except BridgeError:
            return False

    async def queue_size(self) -> int:
        q = await self._get_json("/queue")
        return len(q.get("queue_running", [])) + len(q.get("queue_pending", []))

    async def object_info(self, refresh: bool = False) -> dict:
        if self._object_info is None or refresh:
            self._object_info = await self._get_json("/object_info")
        return self._object_info

    async def upload_image(self, png: bytes, name: str) -> str:
        s = await self.session()
        form = aiohttp.FormData()
        form.add_field("image", png, filename=name, content_type="image/png")
        form.add_field("overwrite", "true")
        try:
            async with s.post(self.base_url + "/upload/image", data=form) as resp:
                resp.raise_for_status()
                body = await resp.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise BridgeError("unavailable", f"upload to ComfyUI failed: {exc}") from exc
        return f"{body['subfolder']}/{body['name']}" if body.get("subfolder") else body["name"]

    async def submit(self, graph: dict, prompt_id: str) -> None:
        s = await self.session()
        payload = {"prompt": graph, "client_id": self.client_id, "prompt_id": prompt_id}
        try:
            async with s.post(self.base_url + "/prompt", json=payload) as resp:
                body = await resp.json(content_type=None)
                if resp.status != 200:
                    raise validation_error(body)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise BridgeError("unavailable", f"ComfyUI did not take the graph: {exc}") from exc

    async def interrupt(self, prompt_id: str) -> None:
        s = await self.session()
        try:
            async with s.post(self.base_url + "/queue", json={"delete": [prompt_id]}):
                pass
            async with s.post(self.base_url + "/interrupt", json={"prompt_id": prompt_id}):
                pass
        except aiohttp.ClientError as exc:
            log.warning("interrupt of %s failed: %s", prompt_id, exc)

    async def run(self, graph: dict, progress: ProgressFn | None = None, prompt_id: str | None = None) -> list:
        """Run ``graph``; return its saved images. Raises BridgeError on any failure."""
        prompt_id = prompt_id or uuid.uuid4().hex
        self.running += 1
        try:
            watcher = asyncio.create_task(self._watch_progress(prompt_id, progress, len(graph)))
            await asyncio.sleep(0)  # let the websocket connect before the graph starts
            await self.submit(graph, prompt_id)
            try:
                entry = await asyncio.wait_for(self._wait_history(prompt_id), self.timeout)
            except asyncio.TimeoutError:
                await self.interrupt(prompt_id)
                raise BridgeError("timeout", f"ComfyUI did not finish within {self.timeout:.0f}s") from None
            finally:
                watcher.cancel()
            return await self._fetch_outputs(entry)
        finally:
            self.running -= 1

    async def _wait_history(self, prompt_id: str) -> dict:
        while True:
            history = await self._get_json(f"/history/{prompt_id}")
            entry = history.get(prompt_id)
            status = (entry or {}).get("status") or {}
            if entry and status.get("completed") is not None:
                if status.get("status_str") == "error":
                    raise execution_error(status)
                return entry
            await asyncio.sleep(self.poll_interval)

    async def _watch_progress(self, prompt_id: str, progress: ProgressFn | None, node_count: int) -> None:
        if progress is None:
            return
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws?clientId={self.client_id}"
        done: set[str] = set()
        try:
            s = await self.session()
            async with s.ws_connect(ws_url, heartbeat=20) as ws:
                async for msg in ws:
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        continue
                    event = json.loads(msg.data)
                    data = event.get("data") or {}
                    if data.get("prompt_id") not in (None, prompt_id):
                        continue
                    if event["type"] == "executing" and data.get("node"):
                        done.add(data["node"])
                        progress(min(0.99, len(done) / max(node_count, 1)), f"node {data['node']}")
                    elif event["type"] == "progress" and data.get("max"):
                        step = data["value"] / data["max"]
                        progress(min(0.99, (len(done) - 1 + step) / max(node_count, 1)), f"node {data.get('node')}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.info("progress websocket closed: %s (history polling continues)", exc)

    async def _fetch_outputs(self, entry: dict) -> list[OutputImage]:
        s = await self.session()
        images = []
        for node_id, out in sorted(entry.get("outputs", {}).items(), key=lambda kv: int(kv[0])):
            for item in out.get("images", []):
                if item.get("type") != "output":
                    continue
                params = {k: item[k] for k in ("filename", "subfolder", "type")}
                async with s.get(self.base_url + "/view", params=params) as resp:
                    resp.raise_for_status()
                    images.append(OutputImage(item["filename"], await resp.read(), node_id))
        return images


def validation_error(body: dict) -> BridgeError:
    for node_id, info in (body.get("node_errors") or {}).items():
        text = "; ".join(f"{e.get('message')}: {e.get('details')}" for e in info.get("errors", []))
        return BridgeError(
            "comfy_validation",
            f"node {node_id} ({info.get('class_type')}): {text}",
            node_id,
            info.get("class_type"),
            body,
        )
    err = body.get("error") or {}
    return BridgeError("comfy_validation", f"ComfyUI refused the graph: {err.get('message')} {err.get('details')}")


def execution_error(status: dict) -> BridgeError:
    for kind, data in status.get("messages", []):
        if kind == "execution_error":
            message = data.get("exception_message", "").strip()
            # A node's ValueError is a problem with the input the user sent.
            error_kind = "invalid_input" if data.get("exception_type") == "ValueError" else "comfy_execution"
            return BridgeError(
                error_kind,
                f"{data.get('node_type')} failed: {message}",
                str(data.get("node_id")),
                data.get("node_type"),
                {"exception_type": data.get("exception_type")},
            )
        if kind == "execution_interrupted":
            return BridgeError("interrupted", "the task was interrupted", str(data.get("node_id")))
    return BridgeError("comfy_execution", f"ComfyUI reported a failure: {status.get('status_str')}")
