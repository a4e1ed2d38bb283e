"""SQLite task store and local blob store: round trips, persistence across reopen, expiry."""

import asyncio

import pytest

from api_bridge.errors import ErrorCode, ErrorInfo
from api_bridge.store import LocalBlobStore, SQLiteTaskStore, TaskRecord, TaskStatus
from api_bridge.store.records import OutputRef


def run(coro):
    return asyncio.run(coro)


def rec(i, **kw):
    return TaskRecord(id=f"t{i}", kind="erase", task={"kind": "erase"}, created_at=1000.0 + i, **kw)


def test_records_round_trip_and_survive_reopening(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    store = SQLiteTaskStore(path)
    r = rec(1, contract="novita", summary={"w": 64}, meta={"echo": "x"}, webhook_url="http://h/x")
    run(store.create(r))
    r.status = TaskStatus.failed
    r.error = ErrorInfo(code=ErrorCode.execution_failed, message="boom", node_id="5", node_type="IB_Erase")
    r.outputs = [OutputRef(name="image", key="abcdefgh.png", width=3, height=4)]
    run(store.save(r))
    store.close()
    again = SQLiteTaskStore(path)
    got = run(again.get("t1"))
    assert got == r
    assert got.error.node_type == "IB_Erase" and got.outputs[0].key == "abcdefgh.png"
    assert run(again.get("nope")) is None


def test_list_filters_unfinished_and_expired(tmp_path):
    store = SQLiteTaskStore(tmp_path / "db.sqlite3")
    run(store.create(rec(1, contract="a")))
    run(store.create(rec(2, contract="a", status=TaskStatus.running)))
    run(store.create(rec(3, contract="b", status=TaskStatus.succeeded, expires_at=50.0)))
    run(store.create(rec(4, contract="b", status=TaskStatus.failed, expires_at=5000.0)))
    assert [r.id for r in run(store.list(contract="a"))] == ["t2", "t1"]  # newest first
    assert [r.id for r in run(store.list(status=[TaskStatus.succeeded, TaskStatus.failed]))] == ["t4", "t3"]
    assert [r.id for r in run(store.list(limit=1, offset=1))] == ["t3"]
    assert [r.id for r in run(store.unfinished())] == ["t1", "t2"]
    assert [r.id for r in run(store.expired(100.0))] == ["t3"]
    assert run(store.count(TaskStatus.failed)) == 1
    run(store.delete("t3"))
    assert run(store.get("t3")) is None


def test_blob_store_keys_are_random_and_path_safe(tmp_path):
    blobs = LocalBlobStore(tmp_path)
    k1, k2 = run(blobs.put(b"one")), run(blobs.put(b"two", "jpg"))
    assert k1 != k2 and k1.endswith(".png") and k2.endswith(".jpg")
    assert run(blobs.get(k1)) == b"one" and run(blobs.exists(k2))
    run(blobs.delete(k1))
    assert not run(blobs.exists(k1))
    with pytest.raises(KeyError):
        run(blobs.get(k1))
    for evil in ("../../etc/passwd", "a/b.png", "short.png", "x" * 10 + ".exe"):
        with pytest.raises(KeyError):
            blobs.path(evil)
