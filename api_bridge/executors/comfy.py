"""ComfyUI executor: submit with our own prompt id and client_id, follow the websocket, race /history.

One :class:`ComfyServer` per ComfyUI URL keeps one websocket open (its own client_id)
and routes messages to the running tasks by prompt id. A task ends when the websocket
says so *or* ``/history`` shows it finished (polled in the background, so a lost
websocket message never hangs a task). A server whose websocket drops is unhealthy
until it answers again; its running tasks fail with ``unavailable`` (retryable).
:class:`ComfyExecutor` sends each task to the least-loaded healthy server with room
(``registry.py``: capacity, draining, the load other replicas put on it).

After a run the server is left as it was: the task's uploaded inputs (once no other running
task reads them), the preview files it wrote and its history entry are removed (the pack's
``/inpaint-bridge/cleanup`` route; ComfyUI has no delete for input files).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .. import metrics
from ..errors import BridgeError, ErrorCode
from ..graph import BuiltGraph, ObjectInfo
from ..graph.builder import GraphBuildError
from .errors_map import from_execution_error, from_history_status, from_prompt_rejection
from .registry import WorkerRegistry

log = logging.getLogger(__name__)
CLEANUP_ROUTE = "/inpaint-bridge/cleanup"
FACT_PREFIX = "ib_"  # UI outputs of this pack's nodes meant for the bridge (engine ran, quality report)
# A graph that does not validate against a cached object_info older than this refetches it once.
OBJECT_INFO_REFRESH_S = 2.0

ProgressFn = Callable[[dict[str, Any]], Awaitable[None] | None]
BlobReader = Callable[[str], Awaitable[bytes]]


@dataclass
class RunResult:
    images: dict[str, list[bytes]]  # result name -> PNG bytes per batch item
    prompt_id: str
    server: str
    timings: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)  # node facts: "ib_engine" -> info["engine"]; "values"


def _is_file(item: Any) -> bool:
    return isinstance(item, dict) and "filename" in item and "type" in item


def node_facts(entry: dict[str, Any]) -> dict[str, list[Any]]:
    """The ``ib_*`` UI outputs of every node in a /history entry, lists joined in node order; files a node
    reports for ComfyUI's own frontend (e.g. ``ib_images``) are not facts."""
    facts: dict[str, list[Any]] = {}
    for _node, output in sorted((entry.get("outputs") or {}).items(), key=lambda kv: _node_order(kv[0])):
        for key, value in (output or {}).items():
            items = value if isinstance(value, list) else [value]
            if key.startswith(FACT_PREFIX) and not any(_is_file(item) for item in items):
                facts.setdefault(key[len(FACT_PREFIX) :], []).extend(items)
    return facts


def temp_files(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Every temp-folder file any node of the run reported (previews, the SAM editor's pictures): the run's
    leftovers on ComfyUI, removed by the clean-up."""
    return [
        item
        for output in (entry.get("outputs") or {}).values()
        for value in (output or {}).values()
        if isinstance(value, list)
        for item in value
        if _is_file(item) and item.get("type") == "temp"
    ]


def text_values(entry: dict[str, Any], texts: dict[str, str]) -> dict[str, list[Any]]:
    """What each text result node (PreviewAny) showed, per result name; JSON text is parsed."""
    values: dict[str, list[Any]] = {}
    for name, node_id in texts.items():
        shown = ((entry.get("outputs") or {}).get(node_id) or {}).get("text") or []
        values[name] = [_maybe_json(item) for item in (shown if isinstance(shown, list) else [shown])]
    return values


def _maybe_json(text: Any) -> Any:
    if isinstance(text, str):
        with contextlib.suppress(ValueError):
            return json.loads(text)
    return text


def _fresh_results(graph: BuiltGraph, prompt_id: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    """The prompt with each result node made unique to this run (an input ComfyUI ignores but caches by),
    and the uploaded inputs under ``names`` (the graph's file name -> this client's name on the server).

    ComfyUI serves an identical prompt's output nodes from its cache, pointing at the preview files of
    the earlier run, which the clean-up has deleted; a fresh result node writes this run's own files.
    Everything upstream stays cached.
    """
    names = names or {}
    prompt = {
        k: {**v, "inputs": {i: names.get(x, x) if isinstance(x, str) else x for i, x in v["inputs"].items()}}
        for k, v in graph.prompt.items()
    }
    for node_id in [*graph.outputs.values(), *graph.texts.values()]:
        prompt[node_id]["inputs"]["ib_run"] = prompt_id
    return prompt


def client_file_name(name: str, tag: str) -> str:
    """``inpaint-bridge/<key>.png`` as this client (replica) uploads it: ``inpaint-bridge/<key>_<tag>.png``.

    Replicas sharing a ComfyUI each count who still reads an upload and delete it after the last of their
    own runs; under one shared name one replica's clean-up would delete a file another replica's prompt is
    about to read. Still a blob name the pack's clean-up route accepts (letters, digits, - and _).
    """
    folder, _, file = name.rpartition("/")
    stem, dot, ext = file.rpartition(".")
    return f"{folder}/{stem}_{tag}{dot}{ext}" if folder else f"{stem}_{tag}{dot}{ext}"


def _node_order(node_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in str(node_id).replace(".", ":").split(":"))


class ComfyServer:
    """One ComfyUI: HTTP calls, a websocket listener, health, in-flight count, cached object_info."""

    def __init__(self, url: str, *, poll_interval: float = 1.0, capacity: int = 2, tag: str | None = None):
        self.url = url.rstrip("/")
        self.client_id = uuid.uuid4().hex
        self.tag = tag or self.client_id[:8]  # this replica's mark on its uploads (client_file_name)
        self.poll_interval = poll_interval
        self.capacity = max(1, capacity)  # prompts in flight on it at once, from every replica
        self.healthy = False
        self.draining = False
        self.inflight = 0  # this replica's tasks on it: reserved by a worker or running (the registry counts)
        self.posted = 0  # this replica's prompts in ComfyUI's queue now
        self.queue_remaining = 0  # ComfyUI's queue (every client's prompts), from its status messages
        self.on_change: Callable[[], None] = lambda: None  # health or load changed (set by the registry)
        self._object_info: ObjectInfo | None = None
        self._object_info_at = 0.0  # monotonic time of the last /object_info fetch
        self._session: aiohttp.ClientSession | None = None
        self._watchers: dict[str, asyncio.Queue] = {}
        self._uploads: dict[str, asyncio.Future] = {}  # input file name -> upload (done or running)
        self._readers: dict[str, int] = {}  # input file name -> running tasks that read it
        self._removals: dict[str, asyncio.Future] = {}  # input file name -> its removal, until done
        self._cleanup_missing = False  # the pack on this server has no cleanup route (logged once)
        self._ws_task: asyncio.Task | None = None
        self._connected = asyncio.Event()

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120, connect=5))
        self._ws_task = asyncio.create_task(self._ws_loop(), name=f"comfy-ws {self.url}")

    async def close(self) -> None:
        if self._ws_task:
            self._ws_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._ws_task
        if self._session:
            await self._session.close()

    async def wait_connected(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), timeout)
        return self.healthy

    @property
    def load(self) -> int:
        """This replica's tasks on it plus the prompts other clients (replicas) have queued there."""
        return self.inflight + max(0, self.queue_remaining - self.posted)

    async def refresh_load(self) -> None:
        """Re-read ComfyUI's queue length (a status message may have been missed)."""
        status, body = await self._json("GET", "/prompt")
        if status == 200 and isinstance(body, dict):
            self.queue_remaining = int((body.get("exec_info") or {}).get("queue_remaining", 0))
            self.on_change()

    def _mark_down(self, why: str) -> None:
        if self.healthy:
            log.warning("ComfyUI %s is down: %s", self.url, why)
        self.healthy = False
        metrics.COMFY_UP.labels(server=self.url).set(0)
        self._connected.clear()
        self._object_info = None
        self.on_change()

    async def _ws_loop(self) -> None:
        ws_url = self.url.replace("http", "ws", 1) + f"/ws?clientId={self.client_id}"
        backoff = 0.2
        while True:
            try:
                async with self._session.ws_connect(
                    ws_url, heartbeat=60, timeout=aiohttp.ClientWSTimeout(ws_close=10)
                ) as ws:
                    self._object_info = None
                    self._uploads = {}  # a restarted or replaced server may not have them
                    self.healthy = True
                    metrics.COMFY_UP.labels(server=self.url).set(1)
                    self._connected.set()
                    self.on_change()
                    backoff = 0.2
                    log.info("connected to ComfyUI %s", self.url)
                    async for msg in ws:
                        if msg.type == aiohttp.WSMsgType.TEXT:
                            self._dispatch(msg.json())
                        elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSED):
                            break
                self._mark_down("websocket closed")
            except asyncio.CancelledError:
                raise
            except TimeoutError:
                pass  # busy (CPU-bound node starving its loop), not dead: /history polling covers the gap
            except (aiohttp.ClientError, OSError) as exc:
                self._mark_down(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _dispatch(self, message: dict[str, Any]) -> None:
        data = message.get("data") or {}
        if message.get("type") == "status":
            self.queue_remaining = ((data.get("status") or {}).get("exec_info") or {}).get("queue_remaining", 0)
            self.on_change()
            return
        prompt_id = data.get("prompt_id")
        q = self._watchers.get(prompt_id) if prompt_id else None
        if q is not None:
            q.put_nowait(message)

    # --- HTTP ------------------------------------------------------------------------------
    async def _json(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        try:
            async with self._session.request(method, self.url + path, **kw) as r:
                body = await r.json(content_type=None) if r.content_length != 0 else None
                return r.status, body
        except (aiohttp.ClientError, OSError, TimeoutError, RuntimeError) as exc:  # RuntimeError: session closed
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} unreachable: {exc}") from exc

    async def get_json(self, path: str) -> Any:
        """A JSON route of this ComfyUI (e.g. the pack's ``/inpaint-bridge/models``); ``unavailable`` otherwise."""
        status, body = await self._json("GET", path)
        if status != 200:
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} {path} answered {status}")
        return body

    async def object_info(self) -> ObjectInfo:
        if self._object_info is None:
            status, body = await self._json("GET", "/object_info")
            if status != 200 or not isinstance(body, dict):
                raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} /object_info answered {status}")
            self._object_info, self._object_info_at = ObjectInfo(body), time.monotonic()
        return self._object_info

    def forget_object_info(self, older_than: float) -> bool:
        """Drop a cached object_info fetched more than ``older_than`` s ago; True if it was dropped.

        Model lists are part of it: a file added to models/ after the fetch is only seen after a refetch.
        """
        if self._object_info is None or time.monotonic() - self._object_info_at < older_than:
            return False
        self._object_info = None
        return True

    async def upload(self, name: str, data: bytes) -> None:
        subfolder, _, filename = name.rpartition("/")
        form = aiohttp.FormData()
        form.add_field("image", data, filename=filename, content_type="image/png")
        form.add_field("subfolder", subfolder)
        form.add_field("type", "input")
        form.add_field("overwrite", "true")
        status, body = await self._json("POST", "/upload/image", data=form)
        if status != 200:
            raise BridgeError(ErrorCode.unavailable, f"upload to ComfyUI failed ({status}): {body}")

    async def _ensure_uploaded(self, name: str, key: str, read_blob: BlobReader) -> None:
        """Upload a blob once while tasks read it. Blobs never change under a key, and re-uploading
        the same file while another prompt's LoadImage reads it would hand that prompt half a file."""
        removal = self._removals.get(name)
        if removal is not None:  # the last reader's clean-up must not delete this new upload
            await asyncio.shield(removal)
        pending = self._uploads.get(name)
        if pending is None:
            pending = asyncio.ensure_future(self._upload_blob(name, key, read_blob))
            self._uploads[name] = pending
        try:
            await asyncio.shield(pending)
        except BaseException:
            if pending.done():
                self._uploads.pop(name, None)  # failed: the next task tries again
            raise

    async def _upload_blob(self, name: str, key: str, read_blob: BlobReader) -> None:
        await self.upload(name, await read_blob(key))

    async def _release(self, names: list[str], previews: list[dict[str, Any]], prompt_id: str) -> None:
        """After a run: remove inputs no running task reads any more, this run's preview files, its history."""
        unread = []
        for name in names:
            self._readers[name] -= 1
            if self._readers[name] == 0:
                del self._readers[name]
                self._uploads.pop(name, None)
                unread.append(name)
        if not unread and not previews:
            return
        removal = asyncio.ensure_future(self._cleanup(unread, previews, prompt_id))
        for name in unread:
            self._removals[name] = removal
        try:
            await asyncio.shield(removal)
        finally:
            for name in unread:
                if self._removals.get(name) is removal:
                    del self._removals[name]

    async def _cleanup(self, inputs: list[str], previews: list[dict[str, Any]], prompt_id: str) -> None:
        with contextlib.suppress(BridgeError):
            await self._json("POST", "/history", json={"delete": [prompt_id]})
            if self._cleanup_missing:
                return
            temp = [{"filename": p.get("filename"), "subfolder": p.get("subfolder", "")} for p in previews]
            status, _ = await self._json("POST", CLEANUP_ROUTE, json={"inputs": inputs, "temp": temp})
            if status == 404:
                self._cleanup_missing = True
                log.warning(
                    "ComfyUI %s has no %s route (an older pack?): inputs stay in its input folder",
                    self.url,
                    CLEANUP_ROUTE,
                )
            elif status != 200:
                log.warning("clean-up on ComfyUI %s answered %s", self.url, status)

    async def history(self, prompt_id: str) -> dict[str, Any] | None:
        status, body = await self._json("GET", f"/history/{prompt_id}")
        return (body or {}).get(prompt_id) if status == 200 else None

    async def view(self, item: dict[str, Any]) -> bytes:
        params = {k: item.get(k, "") for k in ("filename", "subfolder", "type")}
        try:
            async with self._session.get(self.url + "/view", params=params) as r:
                if r.status != 200:
                    raise BridgeError(ErrorCode.execution_failed, f"ComfyUI /view answered {r.status} for {params}")
                return await r.read()
        except (aiohttp.ClientError, OSError) as exc:
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} unreachable: {exc}") from exc

    async def user_files(self, folder: str) -> list[dict[str, Any]]:
        """Files under this ComfyUI's user data ``folder`` (e.g. ``workflows``, where its UI saves): path, size,
        modified; empty when the folder does not exist yet."""
        query = {"dir": folder, "recurse": "true", "full_info": "true"}
        try:
            async with self._session.get(self.url + "/userdata", params=query) as r:
                if r.status == 404:
                    return []
                body = await r.json(content_type=None) if r.status == 200 else None
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} user data unreadable: {exc}") from exc
        if not isinstance(body, list):
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} /userdata answered {r.status}")
        return [item for item in body if isinstance(item, dict) and isinstance(item.get("path"), str)]

    async def user_file(self, path: str) -> bytes:
        """One file of this ComfyUI's user data (``path`` relative to the user folder, e.g. ``workflows/x.json``)."""
        try:
            async with self._session.get(self.url + "/userdata/" + urllib.parse.quote(path, safe="")) as r:
                if r.status != 200:
                    raise BridgeError(ErrorCode.not_found, f"ComfyUI {self.url} has no user file {path!r}")
                return await r.read()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} unreachable: {exc}") from exc

    async def interrupt(self, prompt_id: str) -> None:
        """Stop ``prompt_id`` whether queued (delete) or running (targeted interrupt)."""
        with contextlib.suppress(BridgeError):
            await self._json("POST", "/queue", json={"delete": [prompt_id]})
            await self._json("POST", "/interrupt", json={"prompt_id": prompt_id})

    async def reachable(self) -> bool:
        """False only when ComfyUI refuses connections (process gone); a slow answer counts as up.

        A node busy on the CPU can starve ComfyUI's event loop for seconds (and its websocket with
        it), so a timeout is not taken as death.
        """
        try:
            async with self._session.get(self.url + "/queue", timeout=aiohttp.ClientTimeout(total=10)) as r:
                return r.status < 500
        except (aiohttp.ClientConnectorError, ConnectionRefusedError):
            return False
        except (aiohttp.ClientError, OSError, TimeoutError):
            return True

    # --- one graph -------------------------------------------------------------------------
    async def run(self, graph: BuiltGraph, read_blob: BlobReader, on_progress: ProgressFn | None = None) -> RunResult:
        t0 = time.perf_counter()
        local = {name: client_file_name(name, self.tag) for name in graph.uploads}
        names = list(local.values())
        for name in names:
            self._readers[name] = self._readers.get(name, 0) + 1
        prompt_id = uuid.uuid4().hex
        previews: list[dict[str, Any]] = []
        queue: asyncio.Queue = asyncio.Queue()
        self._watchers[prompt_id] = queue
        posted = finished = False
        posting: asyncio.Future | None = None  # the POST /prompt in flight
        try:
            for name, key in graph.uploads.items():
                await self._ensure_uploaded(local[name], key, read_blob)
            t_upload = time.perf_counter()
            body = {
                "prompt": _fresh_results(graph, prompt_id, local),
                "client_id": self.client_id,
                "prompt_id": prompt_id,
            }
            posting = asyncio.ensure_future(self._json("POST", "/prompt", json=body))
            status, body = await asyncio.shield(posting)
            if status == 400 and isinstance(body, dict):
                raise from_prompt_rejection(body, graph.prompt)
            if status != 200:
                raise BridgeError(ErrorCode.unavailable, f"ComfyUI /prompt answered {status}: {body}")
            posted = True
            self.posted += 1
            entry = await self._follow(prompt_id, graph, queue, on_progress)
            finished = True
            t_run = time.perf_counter()
            images: dict[str, list[bytes]] = {}
            for name, node_id in graph.outputs.items():
                items = ((entry.get("outputs") or {}).get(node_id) or {}).get("images") or []
                images[name] = [await self.view(item) for item in items]
            previews = temp_files(entry)
            t_fetch = time.perf_counter()
            info: dict[str, Any] = node_facts(entry)
            if graph.texts:
                info["values"] = text_values(entry, graph.texts)
            return RunResult(
                images,
                prompt_id,
                self.url,
                {"upload": t_upload - t0, "run": t_run - t_upload, "fetch": t_fetch - t_run},
                info,
            )
        finally:
            if posted:
                self.posted -= 1
            self._watchers.pop(prompt_id, None)
            if not finished:  # cancelled, timed out or failed: never leave it on the server
                if posting is not None and not posting.done():
                    # Cancelled while ComfyUI takes the prompt: stopping it before it is queued would miss it.
                    with contextlib.suppress(Exception):
                        await asyncio.shield(posting)
                await asyncio.shield(self.interrupt(prompt_id))
            await asyncio.shield(self._release(names, previews, prompt_id))

    async def _follow(
        self, prompt_id: str, graph: BuiltGraph, queue: asyncio.Queue, on_progress: ProgressFn | None
    ) -> dict[str, Any]:
        """Until the prompt finishes: websocket messages, raced against polling /history."""
        total = len(graph.prompt)
        done_nodes: set[str] = set()
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), self.poll_interval)
            except TimeoutError:
                message = None
            kind = message.get("type") if message else None
            data = (message or {}).get("data") or {}
            if kind == "execution_error":
                raise from_execution_error(data)
            if kind == "execution_interrupted":
                raise BridgeError(ErrorCode.interrupted, "the task was interrupted on ComfyUI")
            if kind in ("executing", "progress", "executed", "execution_cached") and on_progress:
                if kind == "execution_cached":
                    done_nodes.update(str(n) for n in data.get("nodes") or [])
                elif kind == "executed":
                    done_nodes.add(str(data.get("node")))
                node = data.get("node")
                update = {
                    "node": str(node) if node is not None else None,
                    "node_type": graph.prompt.get(str(node), {}).get("class_type") if node is not None else None,
                    "value": int(data.get("value", 0)) if kind == "progress" else 0,
                    "max": int(data.get("max", 0)) if kind == "progress" else 0,
                    "nodes_done": len(done_nodes),
                    "nodes_total": total,
                }
                step = update["value"] / update["max"] if update["max"] else 0.0
                update["fraction"] = min(1.0, (len(done_nodes) + step) / max(total, 1))
                result = on_progress(update)
                if asyncio.iscoroutine(result):
                    await result
            # "executing" with node None comes after ComfyUI wrote /history; execution_success before it.
            ended = kind == "executing" and data.get("node") is None
            if ended or message is None or kind == "execution_success":
                entry = await self.history(prompt_id)
                status = (entry or {}).get("status") or {}
                if entry is not None and (ended or status.get("completed") or status.get("status_str")):
                    error = from_history_status(status)
                    if error:
                        raise error
                    return entry
                if message is None and not self.healthy and not await self.reachable():
                    raise BridgeError(ErrorCode.unavailable, f"ComfyUI {self.url} went away while running the task")


class ComfyExecutor:
    """A pool of ComfyUI servers; each run goes to the least-loaded healthy one with room."""

    def __init__(
        self,
        urls: list[str],
        *,
        poll_interval: float = 1.0,
        wait_available: float = 60.0,
        capacity: int = 2,
        capacities: dict[str, int] | None = None,
        replica: str | None = None,
    ):
        if not urls:
            raise ValueError("ComfyExecutor needs at least one ComfyUI URL")
        per_url = {u.rstrip("/"): n for u, n in (capacities or {}).items()}
        # Stable across the replica's restarts: its upload names stay the same (a file left by a crash is reused).
        tag = hashlib.sha1(replica.encode()).hexdigest()[:8] if replica else None
        self.servers = [
            ComfyServer(u, poll_interval=poll_interval, capacity=per_url.get(u.rstrip("/"), capacity), tag=tag)
            for u in urls
        ]
        self.registry = WorkerRegistry(self.servers)
        for s in self.servers:
            s.on_change = self.registry.changed
        self.wait_available = wait_available

    async def start(self) -> None:
        for s in self.servers:
            await s.start()

    async def close(self) -> None:
        for s in self.servers:
            await s.close()

    @property
    def healthy(self) -> bool:
        return any(s.healthy for s in self.servers)

    async def acquire(self, timeout: float | None = None) -> ComfyServer | None:
        """A slot on the least-loaded server with room (waits for one; None after ``timeout``); release it after."""
        return await self.registry.acquire(timeout)

    async def wait_eligible(self, timeout: float | None = None) -> bool:
        """Until some server could take a task now (healthy, not drained, below capacity)."""
        return await self.registry.wait_eligible(timeout)

    def release(self, server: ComfyServer) -> None:
        self.registry.release(server)

    def find(self, url: str) -> ComfyServer | None:
        return self.registry.find(url)

    def set_draining(self, url: str, draining: bool) -> bool:
        return self.registry.set_draining(url, draining)

    def apply_draining(self, urls: set[str]) -> None:
        self.registry.apply_draining(urls)

    def view(self) -> list[dict[str, Any]]:
        return self.registry.view()

    def pick(self) -> ComfyServer:
        """A healthy server to read from (object_info, the model listing): the least loaded, drained ones last."""
        up = [s for s in self.servers if s.healthy]
        if not up:
            raise BridgeError(ErrorCode.unavailable, "no ComfyUI server is available")
        return min(up, key=lambda s: (s.draining, s.load / s.capacity))

    async def object_info(self) -> ObjectInfo:
        return await self.pick().object_info()

    async def user_files(self, folder: str) -> list[dict[str, Any]]:
        return await self.pick().user_files(folder)

    async def user_file(self, path: str) -> bytes:
        return await self.pick().user_file(path)

    async def run(
        self,
        build: Callable[[ObjectInfo], BuiltGraph],
        read_blob: BlobReader,
        on_progress: ProgressFn | None = None,
        *,
        timeout: float | None = None,
        server: ComfyServer | None = None,
    ) -> RunResult:
        """Build the graph against the server's object_info and run it there: ``server`` (a slot the caller
        acquired), else a slot taken here, waiting up to ``wait_available`` s for a server with room."""
        if server is None:
            server = await self.acquire(self.wait_available)
            if server is None:
                raise BridgeError(ErrorCode.unavailable, "no ComfyUI server is available")
            try:
                return await self._run_on(server, build, read_blob, on_progress, timeout)
            finally:
                self.release(server)
        return await self._run_on(server, build, read_blob, on_progress, timeout)

    async def _run_on(
        self,
        server: ComfyServer,
        build: Callable[[ObjectInfo], BuiltGraph],
        read_blob: BlobReader,
        on_progress: ProgressFn | None,
        timeout: float | None,
    ) -> RunResult:
        if not server.healthy:  # went away since its slot was taken: retryable, on another (or restarted) one
            raise BridgeError(ErrorCode.unavailable, f"ComfyUI {server.url} is not available")
        try:
            graph = build(await server.object_info())
        except GraphBuildError:
            # Perhaps only our cached schema is stale (e.g. a model file added since): refetch once, at most
            # every few seconds so a stream of bad requests does not hammer /object_info.
            if not server.forget_object_info(older_than=OBJECT_INFO_REFRESH_S):
                raise
            graph = build(await server.object_info())
        try:
            async with asyncio.timeout(timeout):
                return await server.run(graph, read_blob, on_progress)
        except TimeoutError as exc:
            raise BridgeError(ErrorCode.timeout, f"the task did not finish within {timeout:g} s") from exc
