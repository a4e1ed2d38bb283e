"""The task service: the one entry point contract routers call.

``submit`` checks and stores a typed task and queues it; workers build its graph (recipe),
run it on ComfyUI (executor), store the outputs (blob store) and finish the record (task
store), then fire the webhook. ``run`` serves synchronous contracts (a task that outlives its
deadline is cancelled); ``events`` streams progress (SSE). Unfinished tasks are re-queued when
the bridge starts. Input images expire with their task (or by age when no task holds them).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from PIL import Image

from . import metrics
from .errors import BridgeError, ErrorCode, ErrorInfo
from .executors import ComfyExecutor
from .graph.recipes import build_graph
from .pngs import png_size, without_text_chunks
from .store import BlobStore, TaskRecord, TaskStatus, TaskStore
from .store.blobs import is_input_key
from .store.records import OutputRef, Progress
from .tasks import ImageRef, TaskBase, image_refs, parse_task
from .webhooks import WebhookSender

log = logging.getLogger(__name__)


class TaskService:
    def __init__(
        self,
        store: TaskStore,
        blobs: BlobStore,
        executor: ComfyExecutor,
        *,
        workers: int = 4,
        queue_cap: int = 256,
        task_timeout: float = 600.0,
        result_ttl: float = 24 * 3600.0,
        input_ttl: float | None = None,
        max_attempts: int = 2,
        webhooks: WebhookSender | None = None,
    ):
        self.store = store
        self.blobs = blobs
        self.executor = executor
        self.n_workers = workers
        self.queue_cap = queue_cap
        self.task_timeout = task_timeout
        self.result_ttl = result_ttl
        # An uploaded image no task holds is deleted after this long (default: the result TTL).
        self.input_ttl = result_ttl if input_ttl is None else input_ttl
        self.max_attempts = max_attempts
        self.webhooks = webhooks or WebhookSender()
        # task.contract -> the webhook body of a finished record (a contract's own shape); default below.
        self.webhook_payloads: dict[str, Callable[[TaskRecord], Any]] = {}
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._pending = 0  # queued, not yet picked up
        self._running: dict[str, asyncio.Task] = {}
        self._listeners: dict[str, set[asyncio.Queue]] = {}
        self._workers: list[asyncio.Task] = []
        self._janitor: asyncio.Task | None = None
        self._stopping = False
        self._live: dict[str, TaskRecord] = {}  # records of tasks running in this process
        self._cancel_reasons: dict[str, ErrorInfo] = {}  # why a running task was cancelled
        self._record_locks: dict[str, asyncio.Lock] = {}
        self._cancelled_queued: set[str] = set()

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        for record in await self.store.unfinished():  # survived a restart: run again
            record.status = TaskStatus.queued
            record.progress = Progress()
            await self.store.save(record)
            self._enqueue(record.id)
        if self._pending:
            log.info("re-queued %d unfinished tasks", self._pending)
        self._workers = [asyncio.create_task(self._worker(i), name=f"task-worker-{i}") for i in range(self.n_workers)]
        self._janitor = asyncio.create_task(self._expire_loop(), name="task-janitor")

    async def stop(self) -> None:
        self._stopping = True
        for job in list(self._running.values()):
            job.cancel()
        for job in list(self._running.values()):  # each re-queues itself (bounded: ComfyUI calls time out)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(job), 60)
        for t in [*self._workers, *([self._janitor] if self._janitor else [])]:
            t.cancel()
        for t in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self.webhooks.close()

    @property
    def queue_depth(self) -> int:
        return self._pending

    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def over_cap(self) -> bool:
        return self._pending >= self.queue_cap

    def _enqueue(self, task_id: str) -> None:
        self._pending += 1
        metrics.QUEUE_DEPTH.set(self._pending)
        self._queue.put_nowait(task_id)

    # --- inputs ----------------------------------------------------------------------------
    async def put_image(self, image: Image.Image) -> ImageRef:
        """Store a decoded input image (see server/images.py) as PNG; the ref goes into a task."""

        def encode() -> bytes:
            buf = io.BytesIO()
            image.save(buf, "PNG", compress_level=1)
            return buf.getvalue()

        key = await self.blobs.put(await asyncio.to_thread(encode), "png", kind="input")
        return ImageRef(blob=key, width=image.width, height=image.height)

    # --- the contract-facing API -----------------------------------------------------------
    async def submit(
        self,
        task: TaskBase,
        *,
        contract: str = "bridge",
        summary: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        webhook_url: str | None = None,
    ) -> TaskRecord:
        """Queue a typed task; the seed is resolved here.

        Refused with ``invalid_input`` naming the field when an image it names was never uploaded (or
        has expired) or the webhook target breaks the address policy; ``queue_full`` over the cap.
        """
        inputs = await self._check_inputs(task)
        if webhook_url:
            try:
                self.webhooks.check(webhook_url)
            except BridgeError as exc:
                raise BridgeError(
                    ErrorCode.invalid_input, f"webhook_url: {exc.info.message}", details={"field": "webhook_url"}
                ) from None
        if self.over_cap:
            metrics.REJECTED.labels(contract=contract).inc()
            raise BridgeError(ErrorCode.queue_full, f"the queue is full ({self.queue_cap} tasks waiting); retry later")
        if task.seed is None or task.seed < 0:
            task = task.model_copy(update={"seed": secrets.randbelow(2**31)})
        record = TaskRecord(
            id=uuid.uuid4().hex,
            kind=task.kind,
            contract=contract,
            task=task.model_dump(mode="json"),
            summary=summary or {},
            meta=meta or {},
            webhook_url=webhook_url,
            inputs=inputs,
            info={"seed": task.seed},
        )
        await self.store.create(record)
        metrics.SUBMITTED.labels(kind=record.kind, contract=contract).inc()
        log.info("task queued", extra={"task_id": record.id, "kind": record.kind, "contract": contract})
        self._enqueue(record.id)
        return record

    async def _check_inputs(self, task: TaskBase) -> list[str]:
        keys = []
        for path, ref in image_refs(task):
            if not is_input_key(ref.blob) or not await self.blobs.exists(ref.blob):
                raise BridgeError(
                    ErrorCode.invalid_input,
                    f"task.{path}.blob: no uploaded image {ref.blob!r} (upload it with POST /bridge/v1/images; "
                    "uploads expire)",
                    details={"field": f"task.{path}.blob"},
                )
            keys.append(ref.blob)
        return sorted(set(keys))

    async def get(self, task_id: str) -> TaskRecord:
        live = self._live.get(task_id)
        if live is not None:  # running here: fresher than the throttled store copy
            return live.model_copy(deep=True)
        record = await self.store.get(task_id)
        if record is None:
            raise BridgeError(ErrorCode.not_found, f"no task {task_id!r}")
        return record

    async def list(self, **kw: Any) -> list[TaskRecord]:
        return await self.store.list(**kw)

    async def wait(self, task_id: str, timeout: float | None = None) -> TaskRecord:
        """Until the task is finished (or ``timeout``); returns the record either way."""
        q = self._listen(task_id)
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                record = await self.get(task_id)
                if record.status.finished:
                    return record
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return record
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(q.get(), min(left or 5.0, 5.0))
        finally:
            self._unlisten(task_id, q)

    async def run(self, task: TaskBase, *, contract: str = "bridge", timeout: float, **kw: Any) -> TaskRecord:
        """Submit and wait: for synchronous contracts. A task still unfinished after ``timeout`` s is
        cancelled and ``BridgeError(timeout)`` raised, so nothing keeps running for a caller who has gone."""
        record = await self.submit(task, contract=contract, **kw)
        record = await self.wait(record.id, timeout)
        if not record.status.finished:
            error = ErrorInfo(code=ErrorCode.timeout, message=f"the task did not finish within {timeout:g} s")
            record = await self.cancel(record.id, error=error)
            if record.status not in (TaskStatus.succeeded, TaskStatus.failed):  # cancelled (or still stopping)
                raise BridgeError.from_info(error)
        return record  # succeeded, or failed on its own (the caller answers record.error)

    async def cancel(self, task_id: str, *, error: ErrorInfo | None = None) -> TaskRecord:
        """Stop a queued or running task (no effect on a finished one); the record says why (``error``)."""
        error = error or ErrorInfo(code=ErrorCode.interrupted, message="cancelled")
        record = await self.get(task_id)
        if record.status.finished:
            return record
        running = self._running.get(task_id)
        if running:
            self._cancel_reasons[task_id] = error
            running.cancel()  # the executor interrupts / dequeues it on ComfyUI
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(running), 10)
            return await self.get(task_id)
        self._cancelled_queued.add(task_id)  # a worker that dequeues it meanwhile must not start it
        await self._finish(record, TaskStatus.cancelled, error=error)
        return record

    async def attach_output(
        self, task_id: str, name: str, data: bytes, ext: str, *, mime: str, width: int | None, height: int | None
    ) -> OutputRef:
        """Store an extra result of a finished task (e.g. a contract's JPEG copy); it expires with the task."""
        async with self._record_lock(task_id):
            record = await self.get(task_id)
            if not record.status.finished:
                raise BridgeError(ErrorCode.internal, f"task {task_id} is not finished; outputs are attached after")
            out = OutputRef(name=name, key=await self.blobs.put(data, ext), mime=mime, width=width, height=height)
            record.outputs.append(out)
            await self.store.save(record)
            return out

    def _record_lock(self, task_id: str) -> asyncio.Lock:
        # Writers of a finished record (attach_output) take turns; the lock is dropped with the task.
        return self._record_locks.setdefault(task_id, asyncio.Lock())

    async def events(self, task_id: str) -> AsyncIterator[TaskRecord]:
        """The record after every change, ending with the finished record (SSE)."""
        q = self._listen(task_id)
        try:
            record = await self.get(task_id)
            yield record
            while not record.status.finished:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(q.get(), 15)
                record = await self.get(task_id)
                yield record
        finally:
            self._unlisten(task_id, q)

    async def read_output(self, key: str) -> bytes:
        return await self.blobs.get(key)

    # --- internals -------------------------------------------------------------------------
    def _listen(self, task_id: str) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue()
        self._listeners.setdefault(task_id, set()).add(q)
        return q

    def _unlisten(self, task_id: str, q: asyncio.Queue) -> None:
        listeners = self._listeners.get(task_id)
        if listeners:
            listeners.discard(q)
            if not listeners:
                self._listeners.pop(task_id, None)

    def _notify(self, task_id: str) -> None:
        for q in self._listeners.get(task_id, ()):
            q.put_nowait(True)

    async def _worker(self, index: int) -> None:
        while True:
            task_id = await self._queue.get()
            self._pending -= 1
            metrics.QUEUE_DEPTH.set(self._pending)
            job = asyncio.create_task(self._execute(task_id))
            self._running[task_id] = job
            metrics.RUNNING.set(len(self._running))
            try:
                await asyncio.shield(job)
            except asyncio.CancelledError:
                if not job.done():  # the worker itself is stopping
                    job.cancel()
                    raise
            except Exception:  # a bug in _execute: logged, never kills the worker
                log.exception("task %s crashed the worker", task_id)
            finally:
                self._running.pop(task_id, None)
                metrics.RUNNING.set(len(self._running))

    async def _execute(self, task_id: str) -> None:
        record = await self.store.get(task_id)
        if record is None or record.status.finished or task_id in self._cancelled_queued:
            self._cancelled_queued.discard(task_id)
            return
        record.status = TaskStatus.running
        record.attempts += 1
        record.started_at = time.time()
        self._live[task_id] = record
        await self.store.save(record)
        self._notify(task_id)
        metrics.STAGE_LATENCY.labels(kind=record.kind, stage="queued").observe(record.started_at - record.created_at)

        last_save = 0.0

        async def on_progress(update: dict[str, Any]) -> None:
            nonlocal last_save
            record.progress = Progress(**update)
            now = time.monotonic()
            # get() serves the live record; the store copy (for other replicas / restarts) is throttled.
            if now - last_save > 1.0:
                last_save = now
                await self.store.save(record)
            self._notify(task_id)

        try:
            task = parse_task(record.task)
            result = await self.executor.run(
                lambda oi: build_graph(task, oi), self.blobs.get, on_progress, timeout=self.task_timeout
            )
            record.server = result.server
            record.info.update(result.info)  # facts the nodes reported (engine, quality report)
            for stage, seconds in result.timings.items():
                metrics.STAGE_LATENCY.labels(kind=record.kind, stage=stage).observe(seconds)
            outputs: list[OutputRef] = []
            for name, images in result.images.items():
                for data in images:
                    data = without_text_chunks(data)  # no graph or upload names in a client's file
                    key = await self.blobs.put(data, "png")
                    w, h = png_size(data)
                    outputs.append(OutputRef(name=name, key=key, width=w, height=h))
            record.outputs = outputs
            record.progress = Progress(
                fraction=1.0, nodes_done=record.progress.nodes_total, nodes_total=record.progress.nodes_total
            )
            await self._finish(record, TaskStatus.succeeded)
        except asyncio.CancelledError:
            if self._stopping:  # bridge shutting down: leave it for the next start to re-queue
                self._live.pop(task_id, None)
                record.status = TaskStatus.queued
                await asyncio.shield(self.store.save(record))
                return
            reason = self._cancel_reasons.pop(task_id, None)
            await self._finish(
                record, TaskStatus.cancelled, reason or ErrorInfo(code=ErrorCode.interrupted, message="cancelled")
            )
        except BridgeError as exc:
            if exc.info.retryable and record.attempts < self.max_attempts:
                log.warning("task %s: %s; retrying (attempt %d)", task_id, exc, record.attempts + 1)
                record.status = TaskStatus.queued
                self._live.pop(task_id, None)
                await self.store.save(record)
                await asyncio.sleep(min(2.0 * record.attempts, 10.0))
                self._enqueue(task_id)
                return
            await self._finish(record, TaskStatus.failed, exc.info)
        except Exception as exc:  # a bug: the task still ends, with the message
            log.exception("task %s failed unexpectedly", task_id)
            await self._finish(record, TaskStatus.failed, ErrorInfo(code=ErrorCode.internal, message=str(exc)))

    async def _finish(self, record: TaskRecord, status: TaskStatus, error: ErrorInfo | None = None) -> None:
        self._live.pop(record.id, None)
        record.status = status
        record.error = error
        record.finished_at = time.time()
        record.expires_at = record.finished_at + self.result_ttl
        await self.store.save(record)
        self._notify(record.id)
        started = record.started_at or record.created_at
        fields = {"task_id": record.id, "kind": record.kind, "contract": record.contract, "status": status.value}
        log.info("task %s", status.value, extra={**fields, "seconds": round(record.finished_at - started, 3)})
        metrics.STAGE_LATENCY.labels(kind=record.kind, stage="total").observe(record.finished_at - record.created_at)
        metrics.TASK_LATENCY.labels(kind=record.kind, status=status.value).observe(record.finished_at - started)
        if status is TaskStatus.succeeded:
            metrics.observe_quality(record.kind, record.info.get("quality"))
        if status is not TaskStatus.succeeded:
            metrics.FAILURES.labels(kind=record.kind, code=error.code.value if error else "unknown").inc()
        if record.webhook_url:
            self.webhooks.send(record.webhook_url, self._webhook_payload(record))

    def _webhook_payload(self, record: TaskRecord) -> Any:
        render = self.webhook_payloads.get(record.contract)
        if render is not None:
            try:
                return render(record)
            except Exception:  # a contract's bug must not lose the notification: the native body instead
                log.exception("webhook body of contract %s failed; sending the native one", record.contract)
        return {"event": "task.finished", "task": record.model_dump(mode="json")}

    async def delete(self, task_id: str) -> bool:
        """Delete a finished task now, with its outputs and the inputs no unfinished task holds (what expiry
        does at its TTL). An unfinished task is left alone (cancel it first); returns whether it was deleted."""
        record = await self.store.get(task_id)
        if record is None or not record.status.finished or task_id in self._live:
            return False
        held = {key for other in await self.store.unfinished() for key in other.inputs}
        await self._delete_record(record, held)
        return True

    async def _delete_record(self, record: TaskRecord, held: set[str]) -> None:
        for out in record.outputs:
            await self.blobs.delete(out.key)
        for key in record.inputs:
            if key not in held:
                await self.blobs.delete(key)
        await self.store.delete(record.id)
        self._record_locks.pop(record.id, None)

    async def _expire_loop(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.expire()
            except Exception:  # never let clean-up kill the server
                log.exception("expiring old tasks failed")

    async def expire(self, now: float | None = None) -> int:
        """Delete finished tasks past their TTL with their outputs and inputs, and uploaded images that
        no unfinished task holds once they are older than the input TTL. Returns the tasks deleted."""
        now = now or time.time()
        held = {key for record in await self.store.unfinished() for key in record.inputs}
        old = await self.store.expired(now)
        for record in old:
            await self._delete_record(record, held)
        for key in await self.blobs.inputs_older_than(now - self.input_ttl):
            if key not in held:
                await self.blobs.delete(key)
        return len(old)
