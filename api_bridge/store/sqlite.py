"""SQLite task store: one row per task (JSON record + indexed columns); survives bridge restarts."""

from __future__ import annotations

import asyncio
import json
import pathlib
import sqlite3
import threading
import time
from typing import Protocol

from .records import TaskRecord, TaskStatus


class TaskStore(Protocol):
    async def create(self, record: TaskRecord) -> None: ...
    async def save(self, record: TaskRecord) -> None: ...
    async def get(self, task_id: str) -> TaskRecord | None: ...
    async def list(
        self, *, contract: str | None = None, status: list[TaskStatus] | None = None, limit: int = 100, offset: int = 0
    ) -> list[TaskRecord]: ...
    async def unfinished(self) -> list[TaskRecord]: ...
    async def expired(self, now: float) -> list[TaskRecord]: ...
    async def delete(self, task_id: str) -> None: ...
    async def count(self, status: TaskStatus) -> int: ...


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
"""


class SQLiteTaskStore:
    """Thread-safe: one connection guarded by a lock; calls run in a worker thread."""

    def __init__(self, path: str | pathlib.Path):
        self.path = str(path)
        if self.path != ":memory:":
            pathlib.Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    async def _q(self, sql: str, params: tuple = ()) -> list[tuple]:
        return await asyncio.to_thread(self._run, sql, params)

    @staticmethod
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

    async def create(self, record: TaskRecord) -> None:
        await self._q("INSERT INTO tasks VALUES (?,?,?,?,?,?,?)", self._row(record))

    async def save(self, record: TaskRecord) -> None:
        await self._q("INSERT OR REPLACE INTO tasks VALUES (?,?,?,?,?,?,?)", self._row(record))

    async def get(self, task_id: str) -> TaskRecord | None:
        rows = await self._q("SELECT record FROM tasks WHERE id=?", (task_id,))
        return TaskRecord.model_validate(json.loads(rows[0][0])) if rows else None

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
        return [TaskRecord.model_validate(json.loads(r[0])) for r in rows]

    async def unfinished(self) -> list[TaskRecord]:
        rows = await self._q("SELECT record FROM tasks WHERE status IN ('queued','running') ORDER BY created_at")
        return [TaskRecord.model_validate(json.loads(r[0])) for r in rows]

    async def expired(self, now: float | None = None) -> list[TaskRecord]:
        rows = await self._q(
            "SELECT record FROM tasks WHERE expires_at IS NOT NULL AND expires_at < ?", (now or time.time(),)
        )
        return [TaskRecord.model_validate(json.loads(r[0])) for r in rows]

    async def delete(self, task_id: str) -> None:
        await self._q("DELETE FROM tasks WHERE id=?", (task_id,))

    async def count(self, status: TaskStatus) -> int:
        return (await self._q("SELECT COUNT(*) FROM tasks WHERE status=?", (status.value,)))[0][0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
