"""The workers of one replica: claim a task, take a slot on a ComfyUI, run it, finish it under the claim.

Each worker loop waits until some ComfyUI could take a task (healthy, not drained, below capacity),
claims the oldest queued task from the shared store — or one whose worker's lease lapsed — then
reserves a slot on the least-loaded ComfyUI (waiting, lease kept, while all are full). From the claim
on, its lease is renewed every third of the lease; a renewal that finds the claim gone (another
worker took the task over after this one stalled) stops the run and drops its result, so a task is
finished once. A task taken over from a dead worker runs again, unless its attempts are used up
(``max_attempts``): then it fails. Retryable failures (ComfyUI went away) put the task back in the
queue for any replica; stopping the bridge puts its running tasks back too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from . import metrics
from .errors import BridgeError, ErrorCode, ErrorInfo
from .executors import ComfyExecutor
from .graph.recipes import build_graph
from .pngs import png_size, without_text_chunks
from .store import BlobStore, Claim, StoreUnavailableError, TaskRecord, TaskStatus, TaskStore
from .store.records import OutputRef, Progress
from .tasks import parse_task
from .waiters import Waiters
from .webhooks import WebhookSender

log = logging.getLogger(__name__)
T = TypeVar("T")
PROGRESS_SAVE_S = 0.5  # the stored copy (what other replicas see) of a running task's progress, at most this often
COMMIT_PATIENCE_S = 300.0  # a finished result waits this long for an unreachable store before it is given up


class TaskRunner:
    def __init__(
        self,
        store: TaskStore,
        blobs: BlobStore,
        executor: ComfyExecutor,
        waiters: Waiters,
        webhooks: WebhookSender,
        *,
        replica: str,
        workers: int,
        lease: float,
        max_attempts: int,
        task_timeout: float,
        result_ttl: float,
    ):
        self.store, self.blobs, self.executor = store, blobs, executor
        self.waiters, self.webhooks = waiters, webhooks
        self.replica = replica
        self.n_workers = workers
        self.lease = lease
        self.max_attempts = max_attempts
        self.task_timeout = task_timeout
        self.result_ttl = result_ttl
        self.running: dict[str, asyncio.Task] = {}  # task id -> its run, on this replica
        self.live: dict[str, TaskRecord] = {}  # records of tasks running here (fresher than the stored copy)
        self._keepers: dict[str, asyncio.Task] = {}  # task id -> its lease renewal
        self._cancel_reasons: dict[str, ErrorInfo] = {}
        self._lost: set[str] = set()  # taken over by another worker: stop, write nothing
        self._settling: set[str] = set()  # committing their end: a cancel arriving now is too late
        self._loops: list[asyncio.Task] = []
        self.stopping = False
        # contract -> hooks called with the record after a task's end is committed (TaskService.on_finished)
        self.finish_hooks: dict[str, list[Callable[[TaskRecord], Awaitable[None]]]] = {}
        self._hook_runs: set[asyncio.Task] = set()

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._loops = [
            asyncio.create_task(self._loop(f"{self.replica}/{i}"), name=f"task-worker-{i}")
            for i in range(self.n_workers)
        ]

    async def stop(self) -> None:
        """Running tasks go back to the queue (another replica, or this one's next start, runs them)."""
        self.stopping = True
        for job in list(self.running.values()):
            job.cancel()
        for job in list(self.running.values()):  # bounded: ComfyUI calls time out
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(job), 60)
        for t in [*self._loops, *self._hook_runs]:
            t.cancel()
        for loop in self._loops:
            with contextlib.suppress(asyncio.CancelledError):
                await loop

    def cancel_here(self, task_id: str, error: ErrorInfo) -> bool:
        """Stop the task if it runs on this replica (the executor interrupts it on ComfyUI)."""
        job = self.running.get(task_id)
        if job is None or task_id in self._settling or task_id in self._cancel_reasons:
            return job is not None
        self._cancel_reasons[task_id] = error
        job.cancel()
        return True

    # --- one worker ------------------------------------------------------------------------
    async def _loop(self, name: str) -> None:
        backoff = 0.5
        while not self.stopping:
            await self.executor.wait_eligible()  # some ComfyUI could take a task now
            try:
                claim = await self.store.claim(name, self.lease, wait=1.0)
                backoff = 0.5
            except StoreUnavailableError as exc:
                log.warning("worker %s: task store unreachable (%s); retrying in %.1f s", name, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if claim is None:
                continue
            job = asyncio.create_task(self._execute(claim), name=f"task {claim.task_id}")
            self.running[claim.task_id] = job
            metrics.RUNNING.set(len(self.running))
            try:
                await asyncio.shield(job)
            except asyncio.CancelledError:
                if not job.done():  # the loop itself is stopping
                    job.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await asyncio.wait_for(job, 60)
                    raise
            except Exception:  # a bug in _execute: logged, never kills the worker
                log.exception("task %s crashed the worker", claim.task_id)
            finally:
                self.running.pop(claim.task_id, None)
                self._cancel_reasons.pop(claim.task_id, None)
                self._lost.discard(claim.task_id)
                self._settling.discard(claim.task_id)
                metrics.RUNNING.set(len(self.running))

    async def _execute(self, claim: Claim) -> None:
        task_id = claim.task_id
        record = claim.record.model_copy(deep=True)
        if self.stopping:
            await self._release(claim, record)
            return
        if claim.cancel is not None:  # asked for while no worker could act on it
            await self.finish(claim, record, TaskStatus.cancelled, claim.cancel)
            return
        if claim.lapsed:
            metrics.RECLAIMED.inc()
            log.warning(
                "task %s: its worker %s stopped during attempt %d; taken over by %s",
                task_id,
                record.worker,
                record.attempts,
                claim.worker,
                extra=self._fields(record),
            )
            if record.attempts >= self.max_attempts:
                used = f"{record.attempts} of {self.max_attempts} attempts used"
                error = ErrorInfo(code=ErrorCode.unavailable, message=f"the worker running it stopped ({used})")
                await self.finish(claim, record, TaskStatus.failed, error)
                return
        # From here the lease is renewed, also while the task waits for room on a ComfyUI.
        self._keepers[task_id] = asyncio.create_task(self._keep_lease(claim, asyncio.current_task()))
        server = None
        retry: BridgeError | None = None
        try:
            server = await self.executor.acquire()  # a slot on the least-loaded server with room
            if not await self._start(claim, record):
                self._stop_keeper(task_id)
                return  # cancelled meanwhile (or taken over): not ours to run
            await self._run(claim, record, server)
            await self.finish(claim, record, TaskStatus.succeeded)
        except asyncio.CancelledError:
            if task_id in self._lost:
                self._stop_keeper(task_id)
                self.live.pop(task_id, None)
                metrics.DROPPED.inc()
                log.warning("task %s: no longer held by %s; this run stops", task_id, claim.worker)
            elif self.stopping:  # bridge shutting down: back to the queue
                await asyncio.shield(self._release(claim, record))
            else:
                reason = self._cancel_reasons.get(task_id) or ErrorInfo(code=ErrorCode.interrupted, message="cancelled")
                await asyncio.shield(self.finish(claim, record, TaskStatus.cancelled, reason))
        except BridgeError as exc:
            if exc.info.retryable and record.attempts < self.max_attempts:
                retry = exc
            else:
                await self.finish(claim, record, TaskStatus.failed, exc.info)
        except Exception as exc:  # a bug: the task still ends, with the message
            log.exception("task %s failed unexpectedly", task_id)
            await self.finish(claim, record, TaskStatus.failed, ErrorInfo(code=ErrorCode.internal, message=str(exc)))
        finally:
            if server is not None:
                self.executor.release(server)
        if retry is not None:
            log.warning("task %s: %s; queued again (attempt %d next)", task_id, retry, record.attempts + 1)
            try:
                await asyncio.sleep(min(2.0 * record.attempts, 10.0))  # still leased: nobody else takes it
            finally:
                await asyncio.shield(self._release(claim, record))

    async def _start(self, claim: Claim, record: TaskRecord) -> bool:
        record.status = TaskStatus.running
        record.attempts += 1
        record.started_at = time.time()
        record.worker = claim.worker
        record.progress = Progress()
        record.error = None
        if not await self._commit(lambda: self.store.write(claim, record)):
            return False
        self.live[record.id] = record
        self.waiters.notify(record.id, record)
        metrics.STAGE_LATENCY.labels(kind=record.kind, stage="queued").observe(record.started_at - record.created_at)
        return True

    async def _run(self, claim: Claim, record: TaskRecord, server: Any) -> None:
        last_save = 0.0

        async def on_progress(update: dict[str, Any]) -> None:
            nonlocal last_save
            record.progress = Progress(**update)
            self.waiters.notify(record.id, record)
            now = time.monotonic()
            if now - last_save > PROGRESS_SAVE_S:  # the stored copy other replicas see (and publish)
                last_save = now
                with contextlib.suppress(StoreUnavailableError):
                    await self.store.write(claim, record)

        task = parse_task(record.task)
        result = await self.executor.run(
            lambda oi: build_graph(task, oi), self.blobs.get, on_progress, timeout=self.task_timeout, server=server
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

    async def _keep_lease(self, claim: Claim, job: asyncio.Task) -> None:
        every = max(self.lease / 3, 0.05)
        while True:
            await asyncio.sleep(every)
            try:
                renewal = await self.store.renew(claim, self.lease)
            except StoreUnavailableError:
                continue  # the lease may lapse meanwhile: the claim's token keeps a take-over safe
            if not renewal.held:
                self._lost.add(claim.task_id)
                job.cancel()
                return
            if renewal.cancel is not None and self.cancel_here(claim.task_id, renewal.cancel):
                return

    def _stop_keeper(self, task_id: str) -> None:
        keeper = self._keepers.pop(task_id, None)
        if keeper is not None:
            keeper.cancel()

    # --- ends ------------------------------------------------------------------------------
    async def finish(
        self, claim: Claim, record: TaskRecord, status: TaskStatus, error: ErrorInfo | None = None
    ) -> bool:
        """Commit the task's end under its claim; False (and its result blobs removed) when it is no longer ours."""
        self._settling.add(claim.task_id)
        self._stop_keeper(claim.task_id)
        self.live.pop(record.id, None)
        record.status = status
        record.error = error
        record.finished_at = time.time()
        record.expires_at = record.finished_at + self.result_ttl
        if not await self._commit(lambda: self.store.finish(claim, record)):
            metrics.DROPPED.inc()
            log.warning("task %s: %s no longer holds it; its result is dropped", record.id, claim.worker)
            for out in record.outputs:
                await self.blobs.delete(out.key)
            return False
        self.announce(record)
        return True

    def announce(self, record: TaskRecord) -> None:
        """After a task's end was committed: wake waiters, log, count, send the webhook and run the contract's
        finish hooks (once: only the committer)."""
        self.waiters.notify(record.id, record)
        started = record.started_at or record.created_at
        fields = self._fields(record)
        log.info("task %s", record.status.value, extra={**fields, "seconds": round(record.finished_at - started, 3)})
        metrics.FINISHED.labels(kind=record.kind, status=record.status.value).inc()
        metrics.STAGE_LATENCY.labels(kind=record.kind, stage="total").observe(record.finished_at - record.created_at)
        metrics.TASK_LATENCY.labels(kind=record.kind, status=record.status.value).observe(record.finished_at - started)
        if record.status is TaskStatus.succeeded:
            metrics.observe_quality(record.kind, record.info.get("quality"))
        else:
            code = record.error.code.value if record.error else "unknown"
            metrics.FAILURES.labels(kind=record.kind, code=code).inc()
        if record.webhook_url:
            self.webhooks.send(record.webhook_url, {"event": "task.finished", "task": record.model_dump(mode="json")})
        for hook in self.finish_hooks.get(record.contract, ()):
            run = asyncio.create_task(self._run_hook(hook, record.model_copy(deep=True)))
            self._hook_runs.add(run)
            run.add_done_callback(self._hook_runs.discard)

    async def _run_hook(self, hook: Callable[[TaskRecord], Awaitable[None]], record: TaskRecord) -> None:
        try:
            await hook(record)
        except Exception:  # a contract's hook never breaks the service
            log.exception("finish hook of contract %s failed for task %s", record.contract, record.id)

    async def _release(self, claim: Claim, record: TaskRecord) -> None:
        self._stop_keeper(claim.task_id)
        self.live.pop(record.id, None)
        record.status = TaskStatus.queued
        record.progress = Progress()
        if await self._commit(lambda: self.store.release(claim, record)):
            self.waiters.notify(record.id, record)

    async def _commit(self, write: Callable[[], Awaitable[T]]) -> T | bool:
        """A write under a claim, retried while the store is unreachable (a Redis restart) up to a patience."""
        deadline = time.monotonic() + COMMIT_PATIENCE_S
        backoff = 0.2
        while True:
            try:
                return await write()
            except StoreUnavailableError as exc:
                if time.monotonic() > deadline:
                    log.error("task store unreachable for %.0f s (%s): giving the write up", COMMIT_PATIENCE_S, exc)
                    return False
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    def _fields(self, record: TaskRecord) -> dict[str, Any]:
        return {
            "task_id": record.id,
            "kind": record.kind,
            "contract": record.contract,
            "status": record.status.value,
            "worker": record.worker,
            "attempt": record.attempts,
        }
