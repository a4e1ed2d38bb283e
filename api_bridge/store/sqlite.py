"""SQLite task store (one machine, the default): one row per task; the queue is the queued rows.

A claim is a token, its worker and a lease deadline written in the task's row by one
``BEGIN IMMEDIATE`` transaction (SQLite's own write lock), so two workers never hold one task;
writes under a claim name its token. Waiting workers are woken in-process when a task is queued;
with no wake-up they look again every ``wait`` seconds (another process sharing the file, a
lapsed lease). Other replicas are not told about changes (there are none: use Redis for several).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pathlib
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from ..errors import ErrorInfo
from .base import Change, Claim, EventHandler, Renewal, StoreEvent, TaskStore
from .records import TaskRecord, TaskStatus

__all__ = ["SQLiteTaskStore", "TaskStore"]
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  contract TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at REAL NOT NULL,
  expires_at REAL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_contract_created ON tasks(contract, created_at);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS tasks_expires ON tasks(expires_at);
CREATE TABLE IF NOT EXISTS draining (url TEXT PRIMARY KEY);
"""
# Added after the first release: existing databases gain them on open.
_CLAIM_COLUMNS = {"claim": "TEXT", "claim_worker": "TEXT", "lease_until": "REAL", "cancel": "TEXT"}
_RECORD_COLUMNS = "id, contract, kind, status, created_at, expires_at, record"
_UPSERT = (
    f"INSERT INTO tasks ({_RECORD_COLUMNS}) VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
    "contract=excluded.contract, kind=excluded.kind, status=excluded.status, created_at=excluded.created_at, "
    "expires_at=excluded.expires_at, record=excluded.record"
)
_UNFINISHED = "('queued','running')"
_DROP_CLAIM = "UPDATE tasks SET claim=NULL, claim_worker=NULL, lease_until=NULL WHERE id=?"


def _load(text: str) -> TaskRecord:
    return TaskRecord.model_validate(json.loads(text))


def _row(record: TaskRecord) -> tuple:
    return (
        record.id,
        record.contract,
        record.kind,
        record.status.value,
        record.created_at,
        record.expires_at,
        record.model_dump_json(),
    )


class SQLiteTaskStore:
    """Thread-safe: one connection guarded by a lock; calls run in a worker thread."""

    def __init__(self, path: str | pathlib.Path):
        self.path = str(path)
        if self.path != ":memory:":
            pathlib.Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(tasks)")}
        for name, kind in _CLAIM_COLUMNS.items():
            if name not in have:
                self._conn.execute(f"ALTER TABLE tasks ADD COLUMN {name} {kind}")
        self._lock = threading.Lock()
        self._work: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    # --- plumbing --------------------------------------------------------------------------
    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    async def _q(self, sql: str, params: tuple = ()) -> list[tuple]:
        return await asyncio.to_thread(self._run, sql, params)

    def _tx_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    async def _tx(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(conn)`` in one write transaction: nobody else writes between its reads and writes."""
        return await asyncio.to_thread(self._tx_sync, fn)

    def _event(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if self._work is None or self._work[0] is not loop:
            self._work = (loop, asyncio.Event())
        return self._work[1]

    def _wake(self) -> None:
        if self._work is not None:
            self._work[1].set()

    # --- records ---------------------------------------------------------------------------
    async def create(self, record: TaskRecord) -> None:
        await self._q(f"INSERT INTO tasks ({_RECORD_COLUMNS}) VALUES (?,?,?,?,?,?,?)", _row(record))
        self._wake()

    async def save(self, record: TaskRecord) -> None:
        await self._q(_UPSERT, _row(record))

    async def get(self, task_id: str) -> TaskRecord | None:
        rows = await self._q("SELECT record FROM tasks WHERE id=?", (task_id,))
        return _load(rows[0][0]) if rows else None

    async def list(
        self, *, contract: str | None = None, status: list[TaskStatus] | None = None, limit: int = 100, offset: int = 0
    ) -> list[TaskRecord]:
        where, params = [], []
        if contract:
            where.append("contract=?")
            params.append(contract)
        if status:
            where.append(f"status IN ({','.join('?' * len(status))})")
            params.extend(s.value for s in status)
        sql = "SELECT record FROM tasks" + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY created_at DESC LIMIT ? OFFSET ?"
        rows = await self._q(sql, (*params, limit, offset))
        return [_load(r[0]) for r in rows]

    async def unfinished(self) -> list[TaskRecord]:
        rows = await self._q(f"SELECT record FROM tasks WHERE status IN {_UNFINISHED} ORDER BY created_at")
        return [_load(r[0]) for r in rows]

    async def count(self, status: TaskStatus) -> int:
        return (await self._q("SELECT COUNT(*) FROM tasks WHERE status=?", (status.value,)))[0][0]

    async def update(self, task_id: str, change: Change) -> TaskRecord | None:
        def tx(conn: sqlite3.Connection) -> TaskRecord | None:
            row = conn.execute("SELECT record FROM tasks WHERE id=?", (task_id,)).fetchone()
            new = change(_load(row[0])) if row else None
            if new is not None:
                conn.execute(_UPSERT, _row(new))
                if new.status.finished:
                    conn.execute(_DROP_CLAIM, (task_id,))
            return new

        return await self._tx(tx)

    async def expired(self, now: float | None = None) -> list[TaskRecord]:
        rows = await self._q(
            "SELECT record FROM tasks WHERE expires_at IS NOT NULL AND expires_at < ?", (now or time.time(),)
        )
        return [_load(r[0]) for r in rows]

    async def pop_expired(self, now: float, limit: int = 200) -> list[TaskRecord]:
        def tx(conn: sqlite3.Connection) -> list[TaskRecord]:
            rows = conn.execute(
                "SELECT id, record FROM tasks WHERE expires_at IS NOT NULL AND expires_at < ? LIMIT ?", (now, limit)
            ).fetchall()
            conn.executemany("DELETE FROM tasks WHERE id=?", [(r[0],) for r in rows])
            return [_load(r[1]) for r in rows]

        return await self._tx(tx)

    async def delete(self, task_id: str) -> None:
        await self._q("DELETE FROM tasks WHERE id=?", (task_id,))

    # --- the queue -------------------------------------------------------------------------
    async def claim(self, worker: str, lease: float, wait: float = 1.0) -> Claim | None:
        deadline = time.monotonic() + wait
        event = self._event()
        while True:
            event.clear()  # before looking: a task queued meanwhile sets it again
            claim = await self._tx(lambda conn: self._claim_one(conn, worker, lease))
            left = deadline - time.monotonic()
            if claim is not None or left <= 0:
                return claim
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), left)

    @staticmethod
    def _claim_one(conn: sqlite3.Connection, worker: str, lease: float) -> Claim | None:
        now = time.time()
        row = conn.execute(
            f"SELECT id, record, cancel FROM tasks WHERE status IN {_UNFINISHED} "
            "AND (claim IS NULL OR lease_until < ?) ORDER BY created_at LIMIT 1",
            (now,),
        ).fetchone()
        if row is None:
            return None
        token = uuid.uuid4().hex
        conn.execute(
            "UPDATE tasks SET claim=?, claim_worker=?, lease_until=? WHERE id=?", (token, worker, now + lease, row[0])
        )
        record = _load(row[1])
        cancel = ErrorInfo.model_validate_json(row[2]) if row[2] else None
        return Claim(row[0], worker, token, record, lapsed=record.status is TaskStatus.running, cancel=cancel)

    async def renew(self, claim: Claim, lease: float) -> Renewal:
        def tx(conn: sqlite3.Connection) -> Renewal:
            held = conn.execute(
                f"UPDATE tasks SET lease_until=? WHERE id=? AND claim=? AND status IN {_UNFINISHED}",
                (time.time() + lease, claim.task_id, claim.token),
            ).rowcount
            row = conn.execute("SELECT cancel FROM tasks WHERE id=?", (claim.task_id,)).fetchone()
            cancel = ErrorInfo.model_validate_json(row[0]) if row and row[0] else None
            return Renewal(held=held == 1, cancel=cancel)

        return await self._tx(tx)

    async def _fenced(self, claim: Claim, record: TaskRecord, *, drop_claim: bool) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT status FROM tasks WHERE id=? AND claim=?", (claim.task_id, claim.token)
            ).fetchone()
            if row is None:
                return False  # taken over, or the record is gone
            if TaskStatus(row[0]).finished:  # e.g. cancelled while queued: never overwritten
                conn.execute(_DROP_CLAIM, (claim.task_id,))
                return False
            conn.execute(_UPSERT, _row(record))
            if drop_claim:
                conn.execute(_DROP_CLAIM, (claim.task_id,))
            if record.status.finished:
                conn.execute("UPDATE tasks SET cancel=NULL WHERE id=?", (claim.task_id,))
            return True

        return await self._tx(tx)

    async def write(self, claim: Claim, record: TaskRecord) -> bool:
        return await self._fenced(claim, record, drop_claim=False)

    async def finish(self, claim: Claim, record: TaskRecord) -> bool:
        return await self._fenced(claim, record, drop_claim=True)

    async def release(self, claim: Claim, record: TaskRecord) -> bool:
        done = await self._fenced(claim, record, drop_claim=True)
        self._wake()
        return done

    async def recover(self, replica: str) -> int:
        prefix = replica + "/"
        rows = await self._tx(
            lambda conn: (
                conn.execute(
                    f"UPDATE tasks SET lease_until=0 WHERE status IN {_UNFINISHED} AND claim IS NOT NULL "
                    "AND substr(claim_worker, 1, ?)=?",
                    (len(prefix), prefix),
                ).rowcount
            )
        )
        if rows:
            self._wake()
        return rows

    async def request_cancel(self, task_id: str, error: ErrorInfo) -> None:
        await self._q(
            f"UPDATE tasks SET cancel=? WHERE id=? AND status IN {_UNFINISHED}", (error.model_dump_json(), task_id)
        )

    # --- replicas: one process, nobody to tell ---------------------------------------------
    async def listen(self, handler: EventHandler) -> None:
        return None

    async def publish(self, event: StoreEvent) -> None:
        return None

    async def set_draining(self, url: str, draining: bool) -> None:
        if draining:
            await self._q("INSERT OR IGNORE INTO draining VALUES (?)", (url,))
        else:
            await self._q("DELETE FROM draining WHERE url=?", (url,))

    async def draining(self) -> set[str]:
        return {r[0] for r in await self._q("SELECT url FROM draining")}

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    async def aclose(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteTaskStore({self.path!r})"
