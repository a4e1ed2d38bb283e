"""Task records in SQLite: they survive a bridge restart; finished ones expire after a TTL.

One row per task: kind, contract, status, progress, timestamps, the typed task (JSON),
its input file names, result file names and the error. Writes are serialised by a
lock; SQLite runs in WAL mode so readers never wait for the worker.
"""

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field

STATUSES = ("queued", "running", "succeeded", "failed", "canceled")
FINISHED = ("succeeded", "failed", "canceled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    contract TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    task TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    results TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status, created);
"""


@dataclass
class TaskRecord:
    id: str
    kind: str
    contract: str
    status: str
    progress: float
    stage: str
    created: float
    started: float | None
    finished: float | None
    task: dict
    meta: dict = field(default_factory=dict)
    results: list = field(default_factory=list)
    error: dict | None = None
    attempts: int = 0

    @property
    def done(self) -> bool:
        return self.status in FINISHED


class TaskStore:
    def __init__(self, path: str):
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def create(self, kind: str, contract: str, task: dict, meta: dict | None = None, task_id: str | None = None) -> str:
        task_id = task_id or uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO tasks (id, kind, contract, status, created, task, meta) VALUES (?,?,?,?,?,?,?)",
                (task_id, kind, contract, "queued", time.time(), json.dumps(task), json.dumps(meta or {})),
            )
        return task_id

    def _update(self, task_id: str, **fields) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            self._db.execute(f"UPDATE tasks SET {cols} WHERE id = ?", (*fields.values(), task_id))  # noqa: S608

    def start(self, task_id: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE tasks SET status='running', started=?, attempts=attempts+1 WHERE id=?", (time.time(), task_id)
            )

    def progress(self, task_id: str, value: float, stage: str) -> None:
        self._update(task_id, progress=round(value, 4), stage=stage)

    def succeed(self, task_id: str, results: list) -> None:
        self._update(task_id, status="succeeded", progress=1.0, finished=time.time(), results=json.dumps(results))

    def fail(self, task_id: str, error: dict, status: str = "failed") -> None:
        self._update(task_id, status=status, finished=time.time(), error=json.dumps(error))

    def requeue(self, task_id: str) -> None:
        self._update(task_id, status="queued", progress=0.0, stage="")

    def get(self, task_id: str) -> TaskRecord | None:
        row = self._db.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return _record(row) if row else None

    def recent(self, status: str | None = None, contract: str | None = None, limit: int = 100) -> list[TaskRecord]:
        sql, args = "SELECT * FROM tasks WHERE 1=1", []
        if status:
            sql, args = sql + " AND status = ?", [*args, status]
        if contract:
            sql, args = sql + " AND contract = ?", [*args, contract]
        rows = self._db.execute(sql + " ORDER BY created DESC LIMIT ?", (*args, limit)).fetchall()
        return [_record(r) for r in rows]

    def unfinished(self) -> list[TaskRecord]:
        """Tasks a previous process left queued or running, oldest first."""
        rows = self._db.execute("SELECT * FROM tasks WHERE status IN ('queued','running') ORDER BY created").fetchall()
        return [_record(r) for r in rows]

    def count(self, status: str) -> int:
        return self._db.execute("SELECT COUNT(*) FROM tasks WHERE status = ?", (status,)).fetchone()[0]

    def expire(self, ttl_seconds: float) -> list[TaskRecord]:
        """Delete finished tasks older than the TTL; return them so their files can go too."""
        cutoff = time.time() - ttl_seconds
        rows = self._db.execute(
            "SELECT * FROM tasks WHERE status IN ('succeeded','failed','canceled') AND finished < ?", (cutoff,)
        ).fetchall()
        with self._lock:
            self._db.executemany("DELETE FROM tasks WHERE id = ?", [(r["id"],) for r in rows])
        return [_record(r) for r in rows]

    def close(self) -> None:
        self._db.close()


def _record(row: sqlite3.Row) -> TaskRecord:
    return TaskRecord(
        id=row["id"],
        kind=row["kind"],
        contract=row["contract"],
        status=row["status"],
        progress=row["progress"],
        stage=row["stage"],
        created=row["created"],
        started=row["started"],
        finished=row["finished"],
        task=json.loads(row["task"]),
        meta=json.loads(row["meta"]),
        results=json.loads(row["results"]),
        error=json.loads(row["error"]) if row["error"] else None,
        attempts=row["attempts"],
    )
