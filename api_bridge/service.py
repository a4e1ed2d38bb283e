"""The task service: the one entry point contract routers call.

``submit`` checks and stores a typed task; the store queues it for every replica. The workers
(``runner.py``) take a slot on a ComfyUI with room, claim tasks from the shared queue on a lease, run
them and finish them. ``run`` serves synchronous contracts (a task that outlives its deadline is
cancelled); ``events`` streams progress (SSE). Any replica answers for any task: ``get``, ``wait`` and
``events`` are woken by this replica's own changes in-process and by the others' through the store's
events (no polling); ``cancel`` reaches the replica running the task (and is kept in the store for
whoever takes it over). Input images expire with their task (or by age when no task holds them).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from PIL import Image

from . import metrics
from .errors import BridgeError, ErrorCode, ErrorInfo
from .executors import ComfyExecutor
from .runner import TaskRunner
from .store import BlobStore, StoreEvent, StoreUnavailableError, TaskRecord, TaskStatus, TaskStore
from .store.blobs import is_input_key
from .store.records import OutputRef
from .tasks import ImageRef, TaskBase, image_refs
from .waiters import Waiters
from .webhooks import WebhookSender

log = logging.getLogger(__name__)
T = TypeVar("T")
# A waiter re-reads its record this often even with no event: a safety net against a bug, not the mechanism.
WAIT_RECHECK_S = 30.0


def default_replica() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


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
        lease: float = 30.0,
        replica: str | None = None,
    ):
        self.store = store
        self.blobs = blobs
        self.executor = executor
        self.queue_cap = queue_cap
        self.result_ttl = result_ttl
        # An uploaded image no task holds is deleted after this long (default: the result TTL).
        self.input_ttl = result_ttl if input_ttl is None else input_ttl
        self.max_attempts = max_attempts
        self.replica = replica or default_replica()
        self.webhooks = webhooks or WebhookSender()
        self.waiters = Waiters()
        self.runner = TaskRunner(
            store,
            blobs,
            executor,
            self.waiters,
            self.webhooks,
            replica=self.replica,
            workers=workers,
            lease=lease,
            max_attempts=max_attempts,
            task_timeout=task_timeout,
            result_ttl=result_ttl,
        )
        self._janitor: asyncio.Task | None = None
        self._depth = 0  # the shared queue's depth when last counted
        self.store_up = True

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        await self._patiently(lambda: self.store.listen(self._on_event))
        recovered = await self._patiently(lambda: self.store.recover(self.replica))
        if recovered:
            log.info("%d tasks this replica held when it stopped are taken over now", recovered)
        await self._load_draining()
        await self.stats()
        self.runner.start()
        self._janitor = asyncio.create_task(self._expire_loop(), name="task-janitor")

    async def stop(self) -> None:
        await self.runner.stop()
        if self._janitor:
            self._janitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._janitor
        await self.webhooks.close()

    @staticmethod
    async def _patiently(call: Callable[[], Awaitable[T]], wait: float = 30.0) -> T:
        """A start-up call to the store, retried while it is unreachable (Redis starting at the same time)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return await call()
            except StoreUnavailableError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    @property
    def queue_depth(self) -> int:
        """Tasks queued in the shared queue (every replica's), as last counted."""
        return self._depth

    @property
    def running(self) -> int:
        """Tasks running on this replica."""
        return len(self.runner.running)

    @property
    def over_cap(self) -> bool:
        return self._depth >= self.queue_cap

    async def stats(self) -> dict[str, Any]:
        """The shared queue's depth and running count, and this replica's own work (also set as metrics)."""
        try:
            queued = await self.store.count(TaskStatus.queued)
            running_all = await self.store.count(TaskStatus.running)
            self.store_up = True
        except StoreUnavailableError:
            self.store_up = False
            queued, running_all = self._depth, None
        self._depth = queued
        metrics.QUEUE_DEPTH.set(queued)
        metrics.RUNNING.set(self.running)
        metrics.STORE_UP.set(1 if self.store_up else 0)
        if running_all is not None:
            metrics.RUNNING_ALL.set(running_all)
        return {
            "queued": queued,
            "running": running_all,
            "running_here": self.running,
            "store_up": self.store_up,
            "replica": self.replica,
        }

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
        has expired) or the webhook target breaks the address policy; ``queue_full`` when the shared
        queue holds ``queue_cap`` tasks (counted across replicas; concurrent submissions may pass it by
        their number); ``unavailable`` while the task store cannot be reached.
        """
        inputs = await self._check_inputs(task)
        if webhook_url:
            try:
                self.webhooks.check(webhook_url)
            except BridgeError as exc:
                raise BridgeError(
                    ErrorCode.invalid_input, f"webhook_url: {exc.info.message}", details={"field": "webhook_url"}
                ) from None
        self._depth = await self._stored(self.store.count(TaskStatus.queued))
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
            info={"seed": task.seed, **task.submitted_info()},
        )
        await self._stored(self.store.create(record))
        self._depth += 1
        metrics.QUEUE_DEPTH.set(self._depth)
        metrics.SUBMITTED.labels(kind=record.kind, contract=contract).inc()
        log.info("task queued", extra={"task_id": record.id, "kind": record.kind, "contract": contract})
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
        live = self.runner.live.get(task_id)
        if live is not None:  # running here: fresher than the throttled store copy
            return live.model_copy(deep=True)
        record = await self._stored(self.store.get(task_id))
        if record is None:
            raise BridgeError(ErrorCode.not_found, f"no task {task_id!r}")
        return record

    async def list(self, **kw: Any) -> list[TaskRecord]:
        return await self._stored(self.store.list(**kw))

    async def wait(self, task_id: str, timeout: float | None = None) -> TaskRecord:
        """Until the task is finished (or ``timeout``); returns the record either way."""
        q = self.waiters.listen(task_id)
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            record = await self.get(task_id)
            while not record.status.finished:
                left = WAIT_RECHECK_S if deadline is None else deadline - time.monotonic()
                if left <= 0:
                    return record
                record = await self._next(task_id, q, min(left, WAIT_RECHECK_S))
            return record
        finally:
            self.waiters.unlisten(task_id, q)

    async def _next(self, task_id: str, q: asyncio.Queue, timeout: float) -> TaskRecord:
        """The record after the next change (or, after ``timeout`` with none, as stored)."""
        update = None
        with contextlib.suppress(TimeoutError):
            update = await asyncio.wait_for(q.get(), timeout)
        return update if update is not None else await self.get(task_id)

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
        """Stop a queued or running task — on whichever replica runs it (no effect on a finished one); the
        record says why (``error``). Returns the record once finished, or after 10 s as it is then."""
        error = error or ErrorInfo(code=ErrorCode.interrupted, message="cancelled")
        record = await self.get(task_id)
        if record.status.finished:
            return record
        if record.status is TaskStatus.queued:

            def cancel_queued(r: TaskRecord) -> TaskRecord | None:
                if r.status is not TaskStatus.queued:
                    return None  # a worker started it meanwhile: cancel it where it runs
                now = time.time()
                return r.model_copy(
                    update={
                        "status": TaskStatus.cancelled,
                        "error": error,
                        "finished_at": now,
                        "expires_at": now + self.result_ttl,
                    }
                )

            cancelled = await self._stored(self.store.update(task_id, cancel_queued))
            if cancelled is not None:
                self.runner.announce(cancelled)
                return cancelled
        # Running here or on another replica: asked in the store (kept for whoever takes it over) and
        # published to the replica running it.
        await self._stored(self.store.request_cancel(task_id, error))
        self.runner.cancel_here(task_id, error)
        return await self.wait(task_id, 10)

    async def attach_output(
        self, task_id: str, name: str, data: bytes, ext: str, *, mime: str, width: int | None, height: int | None
    ) -> OutputRef:
        """Store an extra result of a finished task (e.g. a contract's JPEG copy); it expires with the task."""
        out = OutputRef(name=name, key=await self.blobs.put(data, ext), mime=mime, width=width, height=height)

        def add(r: TaskRecord) -> TaskRecord | None:
            return r.model_copy(update={"outputs": [*r.outputs, out]}) if r.status.finished else None

        if await self._stored(self.store.update(task_id, add)) is None:
            await self.blobs.delete(out.key)
            await self.get(task_id)  # not_found for an unknown task
            raise BridgeError(ErrorCode.internal, f"task {task_id} is not finished; outputs are attached after")
        return out

    async def events(self, task_id: str) -> AsyncIterator[TaskRecord]:
        """The record after every change, ending with the finished record (SSE)."""
        q = self.waiters.listen(task_id)
        try:
            record = await self.get(task_id)
            yield record
            while not record.status.finished:
                record = await self._next(task_id, q, 15)
                yield record
        finally:
            self.waiters.unlisten(task_id, q)

    async def read_output(self, key: str) -> bytes:
        return await self.blobs.get(key)

    def on_finished(self, contract: str, hook: Callable[[TaskRecord], Awaitable[None]]) -> None:
        """Call ``hook(record)`` in the background each time a task of ``contract`` finishes (also tasks
        re-queued after a restart or taken over from another replica), e.g. to send the contract's own
        webhook; its errors are logged. Every replica registers the same hooks; only the one that commits
        a task's end runs them, so each runs once per task."""
        self.runner.finish_hooks.setdefault(contract, []).append(hook)

    # --- ComfyUI workers -------------------------------------------------------------------
    def workers(self) -> list[dict[str, Any]]:
        return self.executor.view()

    async def set_draining(self, url: str, draining: bool) -> dict[str, Any]:
        """Drain a ComfyUI (it finishes its running tasks and gets no new ones) on every replica, or undrain it."""
        server = self.executor.find(url)
        if server is None:
            raise BridgeError(ErrorCode.not_found, f"no ComfyUI {url!r} among this bridge's workers")
        await self._stored(self.store.set_draining(server.url, draining))
        self.executor.set_draining(server.url, draining)
        return next(w for w in self.executor.view() if w["url"] == server.url)

    async def _load_draining(self) -> None:
        try:
            self.executor.apply_draining(await self.store.draining())
        except StoreUnavailableError as exc:
            log.warning("could not read the drained ComfyUI servers: %s", exc)

    # --- internals -------------------------------------------------------------------------
    async def _on_event(self, event: StoreEvent) -> None:
        """Another replica's change: wake the waiters here, stop a task it cancelled, follow drains."""
        if event.kind == "record" and event.task_id and event.record is not None:
            self.waiters.notify(event.task_id, event.record)
        elif event.kind == "cancel" and event.task_id and event.error is not None:
            self.runner.cancel_here(event.task_id, event.error)
        elif event.kind == "workers":
            await self._load_draining()
        elif event.kind == "resync":  # events were missed while disconnected
            self.waiters.notify_all()
            await self._load_draining()

    async def _stored(self, call: Awaitable[T]) -> T:
        """A store call on behalf of a client: an unreachable store is ``unavailable`` (503), not a crash."""
        try:
            return await call
        except StoreUnavailableError as exc:
            self.store_up = False
            raise BridgeError(ErrorCode.unavailable, f"the task store is unreachable; retry shortly ({exc})") from exc

    async def delete(self, task_id: str) -> bool:
        """Delete a finished task now, with its outputs and the inputs no unfinished task holds (what expiry
        does at its TTL). An unfinished task is left alone (cancel it first); returns whether it was deleted."""
        record = await self._stored(self.store.get(task_id))
        if record is None or not record.status.finished:
            return False
        held = await self._held_inputs()
        await self.store.delete(record.id)
        await self._delete_blobs(record, held)
        return True

    async def _held_inputs(self) -> set[str]:
        """Input blobs some unfinished task still needs: never deleted with another task."""
        return {key for record in await self.store.unfinished() for key in record.inputs}

    async def _delete_blobs(self, record: TaskRecord, held: set[str]) -> None:
        """A deleted task's outputs, and its inputs unless an unfinished task holds them."""
        for out in record.outputs:
            await self.blobs.delete(out.key)
        for key in record.inputs:
            if key not in held:
                await self.blobs.delete(key)

    async def _expire_loop(self, every: float = 60.0) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.expire()
            except Exception:  # never let clean-up kill the server
                log.exception("expiring old tasks failed")

    async def expire(self, now: float | None = None) -> int:
        """Delete finished tasks past their TTL with their outputs and inputs, and uploaded images that
        no unfinished task holds once they are older than the input TTL. Returns the tasks deleted.

        Every replica runs this; each expired task is removed from the store by exactly one of them
        (``pop_expired``), which alone deletes its blobs."""
        now = now or time.time()
        held = await self._held_inputs()
        removed = 0
        while batch := await self.store.pop_expired(now):
            removed += len(batch)
            for record in batch:
                await self._delete_blobs(record, held)
        for key in await self.blobs.inputs_older_than(now - self.input_ttl):
            if key not in held:
                await self.blobs.delete(key)
        return removed
