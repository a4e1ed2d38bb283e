"""The task service: the one entry point every contract router calls.

``submit`` stores the inputs and the typed task durably, then a worker uploads the
inputs to a ComfyUI, builds the graph with the task's recipe, runs it, and stores
the outputs. Tasks left queued or running by a previous process are re-queued at
start, so nothing a user sent is lost. A ComfyUI that dies under a task makes it
re-run (up to ``max_retries``) once ComfyUI answers again, then fail clearly.
"""

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable

from pydantic import TypeAdapter, ValidationError

from .errors import BridgeError
from .executors.pool import ComfyPool
from .images import to_png
from .metrics import Metrics
from .recipes import build_graph
from .settings import Settings
from .store.files import FileStore
from .store.tasks import TaskRecord, TaskStore
from .tasks import Task

log = logging.getLogger(__name__)
_TASK = TypeAdapter(Task)
Listener = Callable[[TaskRecord], None]


def input_name(task_id: str, key: str) -> str:
    """The file name an input gets in ComfyUI's input folder (unique per task)."""
    return f"ib_{task_id}_{key}.png"


class TaskService:
    def __init__(self, settings: Settings, store: TaskStore, files: FileStore, pool: ComfyPool, metrics: Metrics):
        self.settings, self.store, self.files, self.pool, self.metrics = settings, store, files, pool, metrics
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._workers: list[asyncio.Task] = []
        self._listeners: dict[str, list[asyncio.Queue]] = {}
        self._running: dict[str, tuple] = {}  # task id -> (client, prompt id)
        self._janitor: asyncio.Task | None = None

    # -- life cycle ------------------------------------------------------------
    async def start(self) -> None:
        for record in self.store.unfinished():
            self.store.requeue(record.id)
            self._queue.put_nowait(record.id)
            log.info("re-queued task %s left %s by a previous run", record.id, record.status)
        count = max(1, self.settings.workers_per_comfy * len(self.pool.clients))
        self._workers = [asyncio.create_task(self._worker()) for _ in range(count)]
        self._janitor = asyncio.create_task(self._expire_loop())
        self._update_depth()

    async def stop(self) -> None:
        for w in [*self._workers, self._janitor]:
            if w:
                w.cancel()
        await asyncio.gather(*[w for w in self._workers if w], return_exceptions=True)

    # -- submission --------------------------------------------------------------
    def new_task_id(self) -> str:
        return uuid.uuid4().hex

    def pending(self) -> int:
        return self.store.count("queued") + self.store.count("running")

    def check_capacity(self) -> None:
        if self.pending() >= self.settings.queue_cap:
            raise BridgeError("queue_full", f"the queue is full ({self.settings.queue_cap} tasks); retry later")

    def submit(self, task_id: str, task, images: dict, contract: str, meta: dict | None = None) -> str:
        """Persist ``images`` (key -> PIL image) and the typed ``task``, then queue it."""
        self.check_capacity()
        for key, image in images.items():
            self.files.put(task_id, f"in_{key}.png", to_png(image))
        self.store.create(task.kind, contract, task.model_dump(), {**(meta or {}), "inputs": list(images)}, task_id)
        self._queue.put_nowait(task_id)
        self._update_depth()
        return task_id

    def cancel(self, task_id: str) -> bool:
        record = self.store.get(task_id)
        if record is None or record.done:
            return False
        self.store.fail(task_id, BridgeError("interrupted", "canceled by the client").as_dict(), status="canceled")
        running = self._running.get(task_id)
        if running:
            client, prompt_id = running
            asyncio.create_task(client.interrupt(prompt_id))
        self._notify(task_id)
        return True

    # -- waiting -------------------------------------------------------------------
    def subscribe(self, task_id: str) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue()
        self._listeners.setdefault(task_id, []).append(q)
        return q

    def unsubscribe(self, task_id: str, q: asyncio.Queue) -> None:
        if q in self._listeners.get(task_id, []):
            self._listeners[task_id].remove(q)

    async def wait(self, task_id: str, timeout: float | None = None) -> TaskRecord:
        q = self.subscribe(task_id)
        try:
            deadline = time.monotonic() + (timeout or self.settings.task_timeout_s)
            while True:
                record = self.store.get(task_id)
                if record is None or record.done:
                    return record
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BridgeError("timeout", f"task {task_id} did not finish in time")
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(q.get(), min(remaining, 1.0))
        finally:
            self.unsubscribe(task_id, q)

    def _notify(self, task_id: str) -> None:
        record = self.store.get(task_id)
        for q in self._listeners.get(task_id, []):
            q.put_nowait(record)

    # -- execution ---------------------------------------------------------------
    async def _worker(self) -> None:
        while True:
            task_id = await self._queue.get()
            try:
                await self._run(task_id)
            except Exception:  # a bug must not kill the worker; the task records it
                log.exception("task %s crashed the worker", task_id)
                self.store.fail(task_id, BridgeError("comfy_execution", "internal error in the bridge").as_dict())
                self._notify(task_id)
            finally:
                self._update_depth()

    async def _run(self, task_id: str) -> None:
        record = self.store.get(task_id)
        if record is None or record.status != "queued":
            return
        start = time.monotonic()
        self.store.start(task_id)
        self._notify(task_id)
        try:
            task = _TASK.validate_python(record.task)
            client = await self.pool.pick()
            for key in record.meta.get("inputs", []):
                data = self.files.get(task_id, f"in_{key}.png")
                await client.upload_image(data, input_name(task_id, key))
            graph = build_graph(task, await client.object_info())
            prompt_id = uuid.uuid4().hex
            self._running[task_id] = (client, prompt_id)

            def progress(value: float, stage: str) -> None:
                self.store.progress(task_id, value, stage)
                self._notify(task_id)

            outputs = await client.run(graph, progress, prompt_id)
            if self.store.get(task_id).status == "canceled":
                return
            results = [self.files.put(task_id, f"out_{i}.png", o.data) for i, o in enumerate(outputs)]
            self.store.succeed(task_id, results)
            self.metrics.completed.labels(record.kind, "succeeded").inc()
        except (BridgeError, ValidationError) as exc:
            error = exc if isinstance(exc, BridgeError) else BridgeError("invalid_input", str(exc))
            current = self.store.get(task_id)
            if current.status == "canceled":
                return
            if error.kind == "unavailable" and current.attempts <= self.settings.max_retries:
                log.warning("task %s: %s; retrying when ComfyUI is back", task_id, error.message)
                await self._wait_for_comfy()
                self.store.requeue(task_id)
                self._queue.put_nowait(task_id)
                return
            self.store.fail(task_id, error.as_dict())
            self.metrics.failures.labels(record.kind, error.kind).inc()
            self.metrics.completed.labels(record.kind, "failed").inc()
        finally:
            self._running.pop(task_id, None)
            self.metrics.latency.labels(record.kind, "total").observe(time.monotonic() - start)
            self._notify(task_id)

    async def _wait_for_comfy(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not await self.pool.healthy():
            await asyncio.sleep(0.5)

    async def _expire_loop(self) -> None:
        while True:
            for record in self.store.expire(self.settings.task_ttl_s):
                self.files.delete_task(record.id)
            await asyncio.sleep(min(600.0, max(1.0, self.settings.task_ttl_s / 10)))

    def _update_depth(self) -> None:
        self.metrics.queue_depth.set(self.pending())
