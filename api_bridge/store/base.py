"""What every task store implements: records, one shared queue with claims on a lease, change events.

A store is the only shared state of the bridge. SQLite (one machine, the default) and Redis
(``IB_REDIS_URL``, several replicas) implement this protocol and pass one test suite
(``tests/unit/test_task_stores.py``):

- **records**: ``create`` stores a record *and* queues it; ``get``/``list``/``count``; ``update`` is an
  atomic read-modify-write (cancel a queued task, attach an output to a finished one);
  ``pop_expired`` removes each expired record for exactly one caller.
- **claims**: ``claim`` hands the oldest queued task — or one whose holder's lease ran out (it died or
  stalled) — to exactly one worker, with a fencing token. Writes under a claim (``write``, ``finish``,
  ``release``) succeed only while that token is the current one and the record is unfinished, so a
  task taken over from a stalled worker is never finished twice. ``renew`` extends the lease and says
  whether the claim still holds and whether someone asked to cancel the task.
- **events**: a change committed by one replica reaches the others (``listen``); the store publishes
  every write it commits, ``publish`` sends the rest (progress between saves, drain changes). A
  single-process store has no one else to tell: its ``publish`` and ``listen`` do nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from ..errors import ErrorInfo
from .records import TaskRecord, TaskStatus


class StoreUnavailableError(Exception):
    """The store cannot be reached (e.g. Redis restarting): retry later, or answer 503."""


@dataclass(frozen=True)
class Claim:
    """One worker's hold on one task, from ``TaskStore.claim``."""

    task_id: str
    worker: str  # "<replica>/<worker index>"
    token: str  # fencing token: writes under this claim succeed only while it is current
    record: TaskRecord  # as stored when claimed (queued, or running under a lapsed claim)
    lapsed: bool = False  # taken over from a holder whose lease ran out while it ran the task
    cancel: ErrorInfo | None = None  # a cancel asked for while no one could act on it
    handle: str = ""  # the backend's handle (Redis: the stream entry id)


@dataclass(frozen=True)
class Renewal:
    held: bool  # False: the claim was taken over (or the task finished): stop and write nothing
    cancel: ErrorInfo | None = None  # someone asked to cancel the task


@dataclass(frozen=True)
class StoreEvent:
    """A change another replica committed (or asked for)."""

    kind: Literal["record", "cancel", "workers", "resync"]
    task_id: str | None = None
    record: TaskRecord | None = None  # kind "record": the record as committed
    error: ErrorInfo | None = None  # kind "cancel": why
    origin: str = ""  # the replica that sent it


EventHandler = Callable[[StoreEvent], Awaitable[None] | None]
Change = Callable[[TaskRecord], TaskRecord | None]  # a new record, or None to leave it as it is


class TaskStore(Protocol):
    # --- records ---------------------------------------------------------------------------
    async def create(self, record: TaskRecord) -> None: ...
    async def save(self, record: TaskRecord) -> None: ...  # unconditional (tools, tests); workers use claims
    async def get(self, task_id: str) -> TaskRecord | None: ...
    async def list(
        self, *, contract: str | None = None, status: list[TaskStatus] | None = None, limit: int = 100, offset: int = 0
    ) -> list[TaskRecord]: ...
    async def unfinished(self) -> list[TaskRecord]: ...
    async def count(self, status: TaskStatus) -> int: ...
    async def update(self, task_id: str, change: Change) -> TaskRecord | None: ...
    async def expired(self, now: float) -> list[TaskRecord]: ...
    async def pop_expired(self, now: float, limit: int = 200) -> list[TaskRecord]: ...
    async def delete(self, task_id: str) -> None: ...

    # --- the queue -------------------------------------------------------------------------
    async def claim(self, worker: str, lease: float, wait: float = 1.0) -> Claim | None: ...
    async def renew(self, claim: Claim, lease: float) -> Renewal: ...
    async def write(self, claim: Claim, record: TaskRecord) -> bool: ...
    async def finish(self, claim: Claim, record: TaskRecord) -> bool: ...
    async def release(self, claim: Claim, record: TaskRecord) -> bool: ...
    async def recover(self, replica: str) -> int: ...
    async def request_cancel(self, task_id: str, error: ErrorInfo) -> None: ...

    # --- replicas --------------------------------------------------------------------------
    async def listen(self, handler: EventHandler) -> None: ...
    async def publish(self, event: StoreEvent) -> None: ...
    async def set_draining(self, url: str, draining: bool) -> None: ...
    async def draining(self) -> set[str]: ...
    async def aclose(self) -> None: ...
