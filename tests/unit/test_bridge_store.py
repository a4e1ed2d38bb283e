"""SQLite specifics (persistence across reopen, upgrade of an old database) and the local blob store; the
protocol every task store follows is tests/unit/test_task_stores.py."""

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


def test_a_database_from_before_claims_is_upgraded_and_its_running_task_reclaimed(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE tasks (id TEXT PRIMARY KEY, contract TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,"
        " created_at REAL NOT NULL, expires_at REAL, record TEXT NOT NULL);"
    )
    r = rec(1, status=TaskStatus.running, attempts=1)  # its process died before claims existed
    old.execute(
        "INSERT INTO tasks VALUES (?,?,?,?,?,?,?)",
        (r.id, r.contract, r.kind, "running", r.created_at, None, r.model_dump_json()),
    )
    old.commit()
    old.close()
    store = SQLiteTaskStore(path)
    claim = run(store.claim("r1/0", lease=30, wait=0.1))
    assert claim.task_id == "t1" and claim.lapsed and claim.record.attempts == 1
    store.close()


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
