"""Two TaskService replicas sharing a real Redis, a results folder and a real ComfyUI: any replica answers
for a task another runs (status, SSE progress, wait, result bytes), cancel reaches the replica running the
task, the queue cap counts the shared queue, a drain reaches every replica, expiry removes things once."""

import asyncio
import contextlib
import time

from PIL import Image
from skimage import data

from api_bridge.errors import BridgeError, ErrorCode, ErrorInfo
from api_bridge.executors import ComfyExecutor
from api_bridge.service import TaskService
from api_bridge.store import LocalBlobStore, TaskStatus
from api_bridge.store.redis_store import RedisTaskStore
from api_bridge.tasks import ImageRef, parse_task
from support.bridge import square_mask


class CountingBlobs(LocalBlobStore):
    """The real folder store, noting each delete (to count them across replicas)."""

    deleted: list[str]

    async def delete(self, key: str) -> None:
        self.deleted.append(key)
        await super().delete(key)


@contextlib.asynccontextmanager
async def replicas(comfy_url, redis_url, prefix, folder, *workers, **kw):
    """One started TaskService per entry of ``workers`` (its worker count), named a, b, ...; shared storage."""
    services = []
    try:
        for name, n in zip("abcd", workers, strict=False):
            blobs = CountingBlobs(folder / "blobs")
            blobs.deleted = []
            executor = ComfyExecutor([comfy_url], poll_interval=0.2, replica=name)
            await executor.start()
            assert await executor.servers[0].wait_connected(30)
            store = RedisTaskStore(redis_url, prefix=prefix, replica=name)
            service = TaskService(store, blobs, executor, workers=n, replica=name, lease=3, **kw)
            await service.start()
            services.append(service)
        yield services
    finally:
        for service in services:
            await service.stop()
            await service.executor.close()
            await service.store.aclose()


async def erase(service, size=96, candidates=1, seed=1, **options):
    img = Image.fromarray(data.chelsea()).resize((size, size))
    box = (size // 4, size // 4, 3 * size // 4, 3 * size // 4)
    task = {
        "kind": "erase",
        "image": (await service.put_image(img)).model_dump(),
        "mask": {"image": (await service.put_image(square_mask((size, size), box))).model_dump()},
        "erase": {"candidates": candidates, **options},
        "seed": seed,
    }
    return parse_task(task)


async def slow(service, seed=1):
    return await erase(service, size=320, candidates=4, seed=seed)  # seconds of exemplar work


async def until(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(0.05)
    return False


def test_any_replica_answers_for_a_task_another_runs(comfy_server, redis_url, redis_prefix, tmp_path):
    async def scenario():
        async with replicas(comfy_server.url, redis_url, redis_prefix, tmp_path, 1, 0) as (a, b):
            record = await b.submit(await erase(b, size=256, candidates=2))  # b only answers: a runs it
            seen = [r async for r in b.events(record.id)]
            waited = await b.wait(record.id, 5)
            data_ = await b.read_output(waited.outputs[0].key)
            return seen, waited, data_, await a.get(record.id)

    seen, waited, result, on_a = asyncio.run(scenario())
    assert waited.status is TaskStatus.succeeded and waited.worker == "a/0" and on_a == waited
    statuses = [r.status for r in seen]
    assert statuses[0] is TaskStatus.queued and statuses[-1] is TaskStatus.succeeded
    assert TaskStatus.running in statuses, "b's SSE never saw the task running on a"
    assert any(0 < r.progress.fraction < 1 for r in seen), "no progress from the other replica"
    assert result.startswith(b"\x89PNG")


def test_cancel_on_one_replica_stops_the_task_where_it_runs(comfy_server, redis_url, redis_prefix, tmp_path):
    why = ErrorInfo(code=ErrorCode.interrupted, message="stopped from replica b")

    async def scenario():
        async with replicas(comfy_server.url, redis_url, redis_prefix, tmp_path, 1, 0) as (a, b):
            record = await a.submit(await slow(a))
            assert await until(lambda: _node_running(b, record.id))
            cancelled = await b.cancel(record.id, error=why)
            queue_empty = await until(lambda: _comfy_idle(a), 30)
            return cancelled, queue_empty, a.running

    cancelled, queue_empty, still_running = asyncio.run(scenario())
    assert cancelled.status is TaskStatus.cancelled and cancelled.error == why
    assert queue_empty and still_running == 0


async def _node_running(service, task_id) -> bool:
    return (await service.get(task_id)).progress.node_type == "IB_Erase"


async def _comfy_idle(service) -> bool:
    status, body = await service.executor.servers[0]._json("GET", "/queue")
    return status == 200 and not body["queue_running"] and not body["queue_pending"]


def test_the_queue_cap_counts_every_replicas_queue(comfy_server, redis_url, redis_prefix, tmp_path):
    async def scenario():
        async with replicas(comfy_server.url, redis_url, redis_prefix, tmp_path, 0, 0, queue_cap=3) as (a, b):
            task = await erase(a)
            for service in (a, a, b):
                await service.submit(task)
            try:
                await b.submit(task)
                refused = None
            except BridgeError as exc:
                refused = exc
            return refused, await a.stats(), b.over_cap

    refused, stats, over = asyncio.run(scenario())
    assert refused is not None and refused.code is ErrorCode.queue_full
    assert stats["queued"] == 3 and stats["running_here"] == 0 and over


def test_a_drain_reaches_every_replica_running_tasks_finish_new_ones_wait(
    comfy_server, redis_url, redis_prefix, tmp_path
):
    async def scenario():
        async with replicas(comfy_server.url, redis_url, redis_prefix, tmp_path, 1, 1) as (a, b):
            running = await a.submit(await slow(a))
            assert await until(lambda: _node_running(a, running.id))
            drained = await b.set_draining(comfy_server.url, True)
            assert await until(lambda: _draining(a))
            later = await a.submit(await erase(a, seed=7))
            finished = await a.wait(running.id, 120)
            await asyncio.sleep(1.5)
            waiting = await b.get(later.id)
            await a.set_draining(comfy_server.url, False)
            assert await until(lambda: _draining(b, False))
            return drained, finished, waiting, await b.wait(later.id, 60)

    drained, finished, waiting, later = asyncio.run(scenario())
    assert drained["draining"] and drained["url"] == comfy_server.url
    assert finished.status is TaskStatus.succeeded, "a drained worker must finish what it runs"
    assert waiting.status is TaskStatus.queued, "a drained worker got a new task"
    assert later.status is TaskStatus.succeeded


async def _draining(service, flag=True) -> bool:
    return service.workers()[0]["draining"] is flag


def test_expiry_removes_each_task_and_its_blobs_once_across_replicas(comfy_server, redis_url, redis_prefix, tmp_path):
    async def scenario():
        async with replicas(comfy_server.url, redis_url, redis_prefix, tmp_path, 1, 1, result_ttl=60) as (a, b):
            records = []
            for i in range(4):
                service = (a, b)[i % 2]
                records.append(await service.wait((await service.submit(await erase(service, seed=i))).id, 60))
            removed = await asyncio.gather(a.expire(now=time.time() + 120), b.expire(now=time.time() + 120))
            keys = [o.key for r in records for o in r.outputs] + [k for r in records for k in r.inputs]
            left = [await a.blobs.exists(k) for k in keys]
            return records, removed, keys, left, a.blobs.deleted + b.blobs.deleted

    records, removed, keys, left, deleted = asyncio.run(scenario())
    assert all(r.status is TaskStatus.succeeded for r in records)
    assert sum(removed) == 4, f"expired tasks removed {removed} times"
    assert not any(left), "an expired blob is still stored"
    outputs = [o.key for r in records for o in r.outputs]
    assert sorted(k for k in deleted if k in outputs) == sorted(outputs), "an output was deleted twice or never"
    assert set(keys) <= set(deleted)


def test_delete_removes_a_finished_task_with_its_outputs_but_keeps_inputs_a_waiting_task_holds(
    comfy_server, redis_url, redis_prefix, tmp_path
):
    async def scenario():
        async with replicas(comfy_server.url, redis_url, redis_prefix, tmp_path, 1) as (a,):
            done = await a.wait((await a.submit(await erase(a, seed=1))).id, 60)
            busy = await a.submit(await slow(a))  # holds the one worker, so the next task waits in the queue
            assert await until(lambda: _status(a, busy.id, TaskStatus.running))
            reuse = (await erase(a, seed=2)).model_copy(update={"image": ImageRef(**done.task["image"])})
            waiting = await a.submit(reuse)
            refused = [await a.delete(busy.id), await a.delete(waiting.id), await a.delete("no-such-task")]
            deleted = await a.delete(done.id)
            gone = await a.store.get(done.id)
            kept = {k: await a.blobs.exists(k) for k in [o.key for o in done.outputs] + done.inputs}
            await a.cancel(busy.id)
            await a.cancel(waiting.id)
            return done, refused, deleted, gone, kept

    done, refused, deleted, gone, kept = asyncio.run(scenario())
    assert done.status is TaskStatus.succeeded and done.outputs
    assert refused == [False, False, False], "a running or queued task, or an unknown id, is not deleted"
    assert deleted is True and gone is None
    image = done.task["image"]["blob"]
    assert kept == {k: k == image for k in kept}, "outputs and the mask go; the image a queued task holds stays"


async def _status(service, task_id, status) -> bool:
    return (await service.get(task_id)).status is status
