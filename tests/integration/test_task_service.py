"""TaskService on a real ComfyUI with the real SQLite store and blob store: retries, cancels, restarts, expiry,
synchronous deadlines, and what one run leaves behind on ComfyUI (nothing)."""

import asyncio
import contextlib
import signal
import time

import pytest
from PIL import Image
from skimage import data

from api_bridge.errors import BridgeError, ErrorCode
from api_bridge.executors import ComfyExecutor
from api_bridge.service import TaskService
from api_bridge.store import LocalBlobStore, SQLiteTaskStore, TaskStatus
from api_bridge.tasks import parse_task
from support.bridge import square_mask
from support.comfy_server import ComfyServer


@contextlib.asynccontextmanager
async def service_on(url: str, folder, **kw):
    store = SQLiteTaskStore(folder / "tasks.sqlite3")
    blobs = LocalBlobStore(folder / "blobs")
    executor = ComfyExecutor([url], poll_interval=0.2, wait_available=kw.pop("wait_available", 30))
    await executor.start()
    assert await executor.servers[0].wait_connected(30)
    service = TaskService(store, blobs, executor, **kw)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
        await executor.close()
        store.close()


async def erase_task(service: TaskService, size: int = 96, candidates: int = 1, **erase):
    img = Image.fromarray(data.chelsea()).resize((size, size))
    ref = await service.put_image(img)
    mask = await service.put_image(square_mask((size, size), (size // 4, size // 4, 3 * size // 4, 3 * size // 4)))
    return parse_task(
        {
            "kind": "erase",
            "image": ref.model_dump(),
            "mask": {"image": mask.model_dump()},
            "erase": {"candidates": candidates, **erase},
        }
    )


async def slow_task(service: TaskService):
    # Four exemplar candidates of a large hole at 320 px: seconds of work on these CPUs.
    return await erase_task(service, size=320, candidates=4)


async def until(predicate, timeout: float = 60.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(every)
    return False


def comfy_leftovers(server: ComfyServer) -> dict:
    inputs = sorted(p.name for p in (server.base_dir / "input" / "inpaint-bridge").glob("*"))
    temp = sorted(p.name for p in (server.base_dir / "temp").glob("*.png"))
    return {"inputs": inputs, "temp": temp}


def test_a_run_leaves_no_inputs_previews_or_history_on_comfyui(comfy_server, tmp_path):
    async def scenario():
        async with service_on(comfy_server.url, tmp_path) as service:
            server = service.executor.servers[0]
            before = comfy_leftovers(comfy_server), set(await server.get_json("/history"))
            erase = await service.wait((await service.submit(await erase_task(service))).id, 120)
            # SAM also writes temp pictures for ComfyUI's point editor (ib_images): those go too
            ref = await service.put_image(Image.fromarray(data.astronaut()).resize((128, 128)))
            sam = {"method": "sam", "points": [[60, 40, 1]]}
            task = parse_task({"kind": "generate_mask", "image": ref.model_dump(), "segmenter": sam})
            mask = await service.wait((await service.submit(task)).id, 120)
            after = comfy_leftovers(comfy_server), set(await server.get_json("/history"))
            return before, after, [erase, mask], server

    before, after, records, server = asyncio.run(scenario())
    assert all(r.status is TaskStatus.succeeded and r.outputs for r in records), [r.error for r in records]
    assert after[0] == before[0], "the runs' uploads or temp files are still in ComfyUI's folders"
    assert after[1] == before[1], "the runs left /history entries"
    assert "images" not in records[1].info, "a file list for ComfyUI's frontend is not a fact of the task"
    assert server._readers == {} and server._uploads == {}


def test_identical_tasks_both_get_their_result(comfy_server, tmp_path):
    # ComfyUI caches an identical prompt; the clean-up of the first run must not empty the second.
    async def scenario():
        async with service_on(comfy_server.url, tmp_path) as service:
            task = await erase_task(service, engine="telea")
            first = await service.wait((await service.submit(task)).id, 120)
            second = await service.wait((await service.submit(task)).id, 120)
            return [await service.read_output(r.outputs[0].key) for r in (first, second)]

    one, two = asyncio.run(scenario())
    assert one == two and len(one) > 100  # same pixels, and no per-run metadata in the files
    assert b"tEXt" not in one and b"prompt" not in one


def test_finish_hooks_run_once_per_task_of_their_contract_and_a_failing_hook_breaks_nothing(comfy_server, tmp_path):
    async def scenario():
        seen: list = []

        async def record_it(record):
            seen.append((record.contract, record.id, record.status, len(record.outputs)))

        async def broken(record):
            raise RuntimeError("a contract's bug")

        async with service_on(comfy_server.url, tmp_path) as service:
            service.on_finished("mine", broken)
            service.on_finished("mine", record_it)
            task = await erase_task(service, engine="telea")
            mine = await service.wait((await service.submit(task, contract="mine")).id, 120)
            other = await service.wait((await service.submit(task, contract="other")).id, 120)
            assert await until(lambda: _true(seen))
            await asyncio.sleep(0.2)  # a second call would have come by now
            return seen, mine, other

    seen, mine, other = asyncio.run(scenario())
    assert mine.status is other.status is TaskStatus.succeeded
    assert seen == [("mine", mine.id, TaskStatus.succeeded, 1)]


async def _true(items) -> bool:
    return bool(items)


def test_cancel_of_a_queued_task_never_runs_it(comfy_server, tmp_path):
    async def scenario():
        async with service_on(comfy_server.url, tmp_path, workers=1) as service:
            running = await service.submit(await slow_task(service))
            queued = await service.submit(await erase_task(service))
            assert await until(lambda: _status(service, running.id, TaskStatus.running))
            cancelled = await service.cancel(queued.id)
            finished = await service.wait(running.id, 180)
            return cancelled, await service.get(queued.id), finished

    cancelled, later, finished = asyncio.run(scenario())
    assert cancelled.status is TaskStatus.cancelled and cancelled.error.code is ErrorCode.interrupted
    assert later.status is TaskStatus.cancelled and later.started_at is None and later.attempts == 0
    assert finished.status is TaskStatus.succeeded


async def _status(service, task_id, status) -> bool:
    return (await service.get(task_id)).status is status


def test_a_synchronous_deadline_cancels_the_task_and_says_timeout(comfy_server, tmp_path):
    async def scenario():
        async with service_on(comfy_server.url, tmp_path, workers=1) as service:
            task = await slow_task(service)
            with pytest.raises(BridgeError) as info:
                await service.run(task, timeout=1.0)
            records = await service.list()
            queue_empty = await until(lambda: _comfy_queue_empty(service), timeout=30)
            return info.value, records[0], queue_empty

    error, record, queue_empty = asyncio.run(scenario())
    assert error.code is ErrorCode.timeout and "within 1 s" in error.info.message
    assert record.status is TaskStatus.cancelled and record.error.code is ErrorCode.timeout
    assert queue_empty, "the timed-out prompt is still on ComfyUI"


async def _comfy_queue_empty(service) -> bool:
    status, body = await service.executor.servers[0]._json("GET", "/queue")
    return status == 200 and not body["queue_running"] and not body["queue_pending"]


def test_shutdown_requeues_a_running_task_and_the_next_start_finishes_it(comfy_server, tmp_path):
    async def first_life():
        async with service_on(comfy_server.url, tmp_path, workers=1) as service:
            record = await service.submit(await slow_task(service))
            assert await until(lambda: _status(service, record.id, TaskStatus.running))
            return record.id  # leaving the block stops the service mid-task

    async def second_life(task_id):
        stored = SQLiteTaskStore(tmp_path / "tasks.sqlite3")
        status_between = (await stored.get(task_id)).status
        stored.close()
        async with service_on(comfy_server.url, tmp_path, workers=1) as service:
            return status_between, await service.wait(task_id, 180)

    task_id = asyncio.run(first_life())
    between, record = asyncio.run(second_life(task_id))
    assert between is TaskStatus.queued
    assert record.status is TaskStatus.succeeded and record.attempts == 2 and record.outputs


def test_expire_deletes_outputs_and_inputs_but_not_inputs_a_queued_task_holds(comfy_server, tmp_path):
    async def scenario():
        async with service_on(comfy_server.url, tmp_path, workers=1, result_ttl=60, input_ttl=3600) as service:
            done = await service.wait((await service.submit(await erase_task(service))).id, 120)
            shared = await erase_task(service)  # its images: used by a finished task and a queued one
            sibling = await service.wait((await service.submit(shared)).id, 120)
            blocker = await service.submit(await slow_task(service))
            waiting = await service.submit(shared.model_copy(update={"seed": 2}))
            orphan = await service.put_image(Image.new("RGB", (8, 8)))
            keys = {
                "done": [*done.inputs, *(o.key for o in done.outputs)],
                "sibling_outputs": [o.key for o in sibling.outputs],
                "held": list(waiting.inputs),
                "orphan": [orphan.blob],
            }
            removed = await service.expire(now=time.time() + 120)  # past the result TTL, within the input TTL
            exists = {k: [await service.blobs.exists(x) for x in v] for k, v in keys.items()}
            gone = [await _missing(service, r.id) for r in (done, sibling)]
            for record in (blocker, waiting):
                await service.cancel(record.id)
                assert (await service.wait(record.id, 60)).status.finished
            await service.expire(now=time.time() + 7200)  # everything past its TTL now
            late = {k: [await service.blobs.exists(x) for x in v] for k, v in keys.items()}
            return removed, exists, gone, late

    removed, exists, gone, late = asyncio.run(scenario())
    assert removed == 2 and gone == [True, True]
    assert not any(exists["done"]) and not any(exists["sibling_outputs"]), "expired files are still stored"
    assert all(exists["held"]), "an input a queued task still needs was deleted"
    assert all(exists["orphan"]), "an upload no task holds must last its own TTL"
    assert not any(v for values in late.values() for v in values), f"something outlived every TTL: {late}"


async def _missing(service, task_id) -> bool:
    return await service.store.get(task_id) is None


def test_a_task_is_retried_after_comfyui_dies_and_fails_when_attempts_run_out(tmp_path):
    server = ComfyServer(tmp_path / "comfy").start()

    async def killed_mid_task(max_attempts: int, restart: bool):
        async with service_on(
            server.url, tmp_path / f"svc{max_attempts}", workers=1, max_attempts=max_attempts, wait_available=120
        ) as service:
            record = await service.submit(await erase_task(service, size=320, candidates=2))
            assert await until(lambda: _node_running(service, record.id), timeout=90)
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(30)
            if restart:
                await asyncio.to_thread(server.start)  # same port: the executor reconnects
            return await service.wait(record.id, 300)

    try:
        retried = asyncio.run(killed_mid_task(max_attempts=2, restart=True))
        given_up = asyncio.run(killed_mid_task(max_attempts=1, restart=False))
    finally:
        server.stop()
    assert retried.status is TaskStatus.succeeded and retried.attempts == 2 and retried.outputs
    assert given_up.status is TaskStatus.failed and given_up.error.code is ErrorCode.unavailable
    assert given_up.attempts == 1


async def _node_running(service, task_id) -> bool:
    record = await service.get(task_id)
    return record.progress.node_type == "IB_Erase"
