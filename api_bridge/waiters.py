"""In-process wake-ups for ``wait`` and SSE: who waits for which task, woken with the new record.

This replica's own changes are handed over directly; other replicas' reach it through the task
store's events (``TaskService`` forwards them here), so a waiter never polls.
"""

from __future__ import annotations

import asyncio

from .store import TaskRecord


class Waiters:
    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue]] = {}

    def listen(self, task_id: str) -> asyncio.Queue:
        """A queue that gets the task's record on every change (None: something changed, read it again)."""
        q: asyncio.Queue = asyncio.Queue()
        self._queues.setdefault(task_id, set()).add(q)
        return q

    def unlisten(self, task_id: str, q: asyncio.Queue) -> None:
        queues = self._queues.get(task_id)
        if queues:
            queues.discard(q)
            if not queues:
                self._queues.pop(task_id, None)

    def notify(self, task_id: str, record: TaskRecord | None = None) -> None:
        for q in self._queues.get(task_id, ()):
            q.put_nowait(record.model_copy(deep=True) if record is not None else None)

    def notify_all(self) -> None:
        """After missed events (the store's connection was lost): every waiter reads its record again."""
        for task_id in list(self._queues):
            self.notify(task_id)

    def __len__(self) -> int:
        return sum(len(qs) for qs in self._queues.values())
