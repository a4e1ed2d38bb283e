"""One suite for every task store (SQLite, and Redis on a real redis-server): records and indexes, exclusive
claims, leases, take-over of a lapsed lease with fencing, release, cancel, recovery, expiry exactly once."""

import asyncio
import contextlib
import time

import pytest

from api_bridge.errors import ErrorCode, ErrorInfo
from api_bridge.store import SQLiteTaskStore, StoreEvent, StoreUnavailableError, TaskRecord, TaskStatus
from api_bridge.store.records import OutputRef
from api_bridge.store.redis_store import RedisTaskStore

CANCEL = ErrorInfo(code=ErrorCode.interrupted, message="stop it")


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request, tmp_path):
    """``make_store(replica="a")``: stores over the same data (two replicas of one deployment)."""
    made = []

    def make(replica: str = "r1"):
        if request.param == "sqlite":
            store = SQLiteTaskStore(tmp_path / "tasks.sqlite3")
        else:
            url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
            store = RedisTaskStore(url, prefix=prefix, replica=replica)
        made.append(store)
        return store

    make.kind = request.param
    yield make
    for store in made:
        asyncio.run(_close(store))


async def _close(store):
    with contextlib.suppress(Exception):
        await store.aclose()


def rec(i, **kw) -> TaskRecord:
    kw.setdefault("created_at", 1000.0 + i)
    return TaskRecord(id=f"t{i:03d}", kind="erase", task={"kind": "erase"}, **kw)


def running(claim, **kw) -> TaskRecord:
    record = claim.record.model_copy(deep=True)
    record.status = TaskStatus.running
    record.attempts += 1
    record.worker = claim.worker
    return record.model_copy(update=kw)


def finished(record: TaskRecord, status=TaskStatus.succeeded, **kw) -> TaskRecord:
    return record.model_copy(update={"status": status, "finished_at": time.time(), **kw})


def test_records_indexes_and_filters(make_store):
    async def scenario():
        store = make_store()
        for i, (contract, status) in enumerate(
            [("a", "queued"), ("a", "running"), ("b", "succeeded"), ("b", "failed"), ("a", "succeeded")]
        ):
            await store.save(rec(i, contract=contract, status=TaskStatus(status), expires_at=50.0 if i == 2 else None))
        r = rec(9, contract="novita", summary={"w": 64}, meta={"echo": "x"}, webhook_url="http://h/x")
        await store.create(r)
        r.status = TaskStatus.failed
        r.error = ErrorInfo(code=ErrorCode.execution_failed, message="boom", node_id="5", node_type="IB_Erase")
        r.outputs = [OutputRef(name="image", key="abcdefgh.png", width=3, height=4)]
        await store.save(r)  # a status change moves the record between the indexes
        return (
            await store.get("t009"),
            r,
            [x.id for x in await store.list(contract="a")],
            [x.id for x in await store.list(status=[TaskStatus.succeeded, TaskStatus.failed])],
            [x.id for x in await store.list(contract="b", status=[TaskStatus.failed, TaskStatus.queued])],
            [x.id for x in await store.list(limit=2, offset=1)],
            [x.id for x in await store.unfinished()],
            [x.id for x in await store.expired(100.0)],
            await store.count(TaskStatus.failed),
            await store.count(TaskStatus.queued),
            await store.get("nope"),
        )

    got, r, by_contract, by_status, both, page, unfinished, expired, failed, queued, missing = asyncio.run(scenario())
    assert got == r and got.error.node_type == "IB_Erase" and got.outputs[0].key == "abcdefgh.png"
    assert by_contract == ["t004", "t001", "t000"]  # newest first
    assert by_status == ["t009", "t004", "t003", "t002"]
    assert both == ["t003"]
    assert page == ["t004", "t003"]
    assert unfinished == ["t000", "t001"]  # oldest first
    assert expired == ["t002"]
    assert (failed, queued, missing) == (2, 1, None)


def test_each_task_is_claimed_by_exactly_one_of_many_workers_oldest_first(make_store):
    async def scenario():
        store = make_store()
        for i in range(30):
            await store.create(rec(i))
        claimed: list[tuple[str, str]] = []

        async def worker(name):
            while (claim := await store.claim(name, lease=30, wait=0.2)) is not None:
                claimed.append((name, claim.task_id))
                assert not claim.lapsed and claim.record.status is TaskStatus.queued
                assert await store.write(claim, running(claim))

        await asyncio.gather(*(worker(f"r1/{i}") for i in range(6)))
        return claimed, await store.count(TaskStatus.queued), await store.count(TaskStatus.running)

    claimed, queued, running_count = asyncio.run(scenario())
    ids = [task_id for _, task_id in claimed]
    assert sorted(ids) == [f"t{i:03d}" for i in range(30)], "a task was claimed twice or never"
    assert len({name for name, _ in claimed}) > 1  # the workers really competed
    assert (queued, running_count) == (0, 30)


def test_claims_come_in_submission_order(make_store):
    async def scenario():
        store = make_store()
        for position, i in enumerate((3, 1, 2)):
            await store.create(rec(i, created_at=1000.0 + position))
        order = []
        for _ in range(3):
            claim = await store.claim("r1/0", lease=30, wait=0.2)
            order.append(claim.task_id)
            await store.finish(claim, finished(running(claim)))
        return order

    assert asyncio.run(scenario()) == ["t003", "t001", "t002"]


def test_a_lapsed_lease_is_taken_over_and_the_old_holder_writes_nothing(make_store):
    async def scenario():
        store = make_store()
        await store.create(rec(1))
        old = await store.claim("r1/0", lease=0.3, wait=0.2)
        assert await store.write(old, running(old))
        assert await store.claim("r2/0", lease=0.3, wait=0.1) is None  # still leased
        await asyncio.sleep(0.5)  # r1/0 stalls: no renewal (every worker of a deployment has the same lease)
        new = await store.claim("r2/0", lease=0.3, wait=0.5)
        late = [
            await store.renew(old, 30),
            await store.write(old, running(old)),
            await store.finish(old, finished(old.record, outputs=[OutputRef(name="image", key="stale000.png")])),
            await store.release(old, old.record),
        ]
        won = await store.finish(new, finished(running(new), info={"by": "new"}))
        again = await store.finish(new, finished(running(new)))
        return new, late, won, again, await store.get("t001"), await store.claim("r3/0", lease=30, wait=0.2)

    new, late, won, again, record, nothing = asyncio.run(scenario())
    assert new.task_id == "t001" and new.lapsed and new.record.attempts == 1 and new.record.status is TaskStatus.running
    renewal, *writes = late
    assert not renewal.held and writes == [False, False, False], "a holder whose lease lapsed could still write"
    assert won and not again, "a task was finished twice"
    assert record.status is TaskStatus.succeeded and record.info == {"by": "new"} and record.outputs == []
    assert nothing is None


def test_renewing_keeps_the_lease(make_store):
    async def scenario():
        store = make_store()
        await store.create(rec(1))
        claim = await store.claim("r1/0", lease=1.0, wait=0.2)
        assert await store.write(claim, running(claim))
        stolen = []
        for _ in range(5):  # 1.5 s in all: past the lease, had it not been renewed
            await asyncio.sleep(0.3)
            assert (await store.renew(claim, 1.0)).held
            stolen.append(await store.claim("r2/0", lease=1.0, wait=0.01))
        return stolen, await store.finish(claim, finished(running(claim)))

    stolen, finished_ok = asyncio.run(scenario())
    assert stolen == [None] * 5 and finished_ok


def test_release_puts_the_task_back_for_any_worker(make_store):
    async def scenario():
        store = make_store()
        await store.create(rec(1))
        first = await store.claim("r1/0", lease=30, wait=0.2)
        assert await store.write(first, running(first))
        back = running(first, status=TaskStatus.queued)
        assert await store.release(first, back)
        depth = await store.count(TaskStatus.queued)
        second = await store.claim("r2/0", lease=30, wait=0.5)
        return depth, second, await store.write(first, running(first))

    depth, second, stale = asyncio.run(scenario())
    assert depth == 1 and second.task_id == "t001" and not second.lapsed and second.record.attempts == 1
    assert not stale


def test_a_task_cancelled_while_queued_is_never_handed_out(make_store):
    def cancel(record):
        return finished(record, TaskStatus.cancelled, error=CANCEL) if record.status is TaskStatus.queued else None

    async def scenario():
        store = make_store()
        await store.create(rec(1))
        await store.create(rec(2))
        cancelled = await store.update("t001", cancel)
        claim2 = await store.claim("r1/0", lease=30, wait=0.5)
        # t002 is claimed but not started when it is cancelled: its start must not overwrite that.
        assert (await store.update("t002", cancel)).status is TaskStatus.cancelled
        started = await store.write(claim2, running(claim2))
        return cancelled, claim2, started, await store.claim("r1/0", lease=30, wait=0.2), await store.get("t002")

    cancelled, claim2, started, nothing, record2 = asyncio.run(scenario())
    assert cancelled.status is TaskStatus.cancelled and cancelled.error == CANCEL
    assert claim2.task_id == "t002" and not started and nothing is None
    assert record2.status is TaskStatus.cancelled and record2.attempts == 0


def test_a_cancel_request_reaches_the_holder_and_a_taker_over(make_store):
    async def scenario():
        store = make_store()
        await store.create(rec(1))
        claim = await store.claim("r1/0", lease=0.3, wait=0.2)
        assert await store.write(claim, running(claim))
        before = await store.renew(claim, 0.3)
        await store.request_cancel("t001", CANCEL)
        seen = await store.renew(claim, 0.3)
        await asyncio.sleep(0.5)  # the holder dies before acting on it
        taker = await store.claim("r2/0", lease=0.3, wait=0.5)
        return before, seen, taker

    before, seen, taker = asyncio.run(scenario())
    assert before.held and before.cancel is None
    assert seen.held and seen.cancel == CANCEL
    assert taker.lapsed and taker.cancel == CANCEL


def test_a_restarted_replica_lets_its_old_leases_lapse_at_once(make_store):
    async def scenario():
        store = make_store()
        for i in (1, 2):
            await store.create(rec(i))
        mine = await store.claim("r1/0", lease=300, wait=0.2)
        assert await store.write(mine, running(mine))
        other = await store.claim("r2/0", lease=300, wait=0.2)
        assert await store.write(other, running(other))
        recovered = await store.recover("r1")  # r1 started again: its claims are from a dead process
        again = await store.claim("r1/0", lease=300, wait=0.5)
        return recovered, mine, again, await store.claim("r3/0", lease=300, wait=0.2)

    recovered, mine, again, nothing = asyncio.run(scenario())
    assert recovered == 1 and again.task_id == mine.task_id and again.lapsed
    assert nothing is None, "the other replica's live lease was taken"


def test_concurrent_updates_are_atomic(make_store):
    async def scenario():
        store = make_store()
        await store.save(rec(1, status=TaskStatus.succeeded))

        def add(i):
            return lambda r: r.model_copy(
                update={"outputs": [*r.outputs, OutputRef(name=f"o{i}", key=f"k{i:07d}.png")]}
            )

        await asyncio.gather(*(store.update("t001", add(i)) for i in range(12)))
        return await store.get("t001"), await store.update("missing", add(0))

    record, missing = asyncio.run(scenario())
    assert sorted(o.name for o in record.outputs) == sorted(f"o{i}" for i in range(12)) and missing is None


def test_expired_records_are_popped_by_exactly_one_caller(make_store):
    async def scenario():
        stores = [make_store(f"r{i}") for i in range(3)]
        for i in range(24):
            await stores[0].save(rec(i, status=TaskStatus.succeeded, expires_at=10.0 if i < 20 else 10**12))
        popped = await asyncio.gather(*(s.pop_expired(100.0, limit=8) for s in stores for _ in range(3)))
        return popped, await stores[0].list(limit=50)

    popped, left = asyncio.run(scenario())
    ids = [r.id for batch in popped for r in batch]
    assert sorted(ids) == [f"t{i:03d}" for i in range(20)], "an expired record was removed twice or not at all"
    assert [r.id for r in left] == ["t023", "t022", "t021", "t020"]


def test_draining_urls_are_shared(make_store):
    async def scenario():
        a, b = make_store("a"), make_store("b")
        await a.set_draining("http://gpu1:8188", True)
        await a.set_draining("http://gpu2:8188", True)
        await a.set_draining("http://gpu2:8188", False)
        return await b.draining()

    assert asyncio.run(scenario()) == {"http://gpu1:8188"}


def test_redis_publishes_committed_changes_to_the_other_replicas(redis_url, redis_prefix):
    async def scenario():
        a = RedisTaskStore(redis_url, prefix=redis_prefix, replica="a")
        b = RedisTaskStore(redis_url, prefix=redis_prefix, replica="b")
        seen = {"a": [], "b": []}
        await a.listen(seen["a"].append)
        await b.listen(seen["b"].append)
        await a.create(rec(1))
        claim = await a.claim("a/0", lease=30, wait=0.5)
        await a.write(claim, running(claim))
        await a.request_cancel("t001", CANCEL)
        await a.publish(StoreEvent(kind="workers"))
        await asyncio.sleep(0.3)
        for store in (a, b):
            await store.aclose()
        return seen

    seen = asyncio.run(scenario())
    assert seen["a"] == [], "a replica was handed its own events"
    kinds = [(e.kind, e.record.status.value if e.record else None) for e in seen["b"]]
    assert kinds == [("record", "queued"), ("record", "running"), ("cancel", None), ("workers", None)]
    assert seen["b"][2].error == CANCEL and all(e.origin == "a" for e in seen["b"])


def test_a_redis_that_is_down_is_unavailable_not_a_crash():
    from scripts.redis_server import free_port

    async def scenario():
        store = RedisTaskStore(f"redis://127.0.0.1:{free_port()}/0")
        try:
            with pytest.raises(StoreUnavailableError):
                await store.create(rec(1))
            with pytest.raises(StoreUnavailableError):
                await store.claim("r1/0", lease=1, wait=0.1)
        finally:
            await store.aclose()

    asyncio.run(scenario())
