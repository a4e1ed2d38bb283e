"""Redis task store (``IB_REDIS_URL``): the records, indexes and queue every replica shares.

Keys (prefix ``P``, ``IB_REDIS_PREFIX``, default ``ib``)::

  P:task:<id>       hash: record (JSON), claim (fencing token), worker, entry (stream entry id), cancel
  P:queue           stream of task ids, read by the consumer group "workers"
  P:idx:all, P:idx:c:<contract>, P:idx:s:<status>, P:idx:cs:<contract>:<status>   sorted by created_at
  P:expires         finished tasks sorted by expiry time
  P:draining        ComfyUI URLs being drained
  P:events          pub/sub: every committed change, cancel requests, drain changes

Claims are the stream's own: XREADGROUP hands an entry to exactly one consumer; the entry's idle time in
the group's pending list is the lease (the holder renews it with XCLAIM); XAUTOCLAIM takes over entries
idle past the lease, so a task whose replica died is picked up by another. Each claim writes a new token
into the task's hash; every write under a claim checks it under WATCH and commits with MULTI/EXEC
(optimistic, no locks), so a stalled holder woken after a take-over commits nothing. Each committed change
is PUBLISHed in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..errors import ErrorInfo
from .base import Change, Claim, EventHandler, Renewal, StoreEvent, StoreUnavailableError
from .records import TaskRecord, TaskStatus

log = logging.getLogger(__name__)
GROUP = "workers"
# XCLAIM IDLE for leases of a replica that restarted: older than any lease, so XAUTOCLAIM takes them now.
_LAPSED_IDLE_MS = 10 * 365 * 86400 * 1000
Plan = tuple[Callable[[Any], None] | None, Any]  # (commands to queue after MULTI, result or f(replies))


def _unavailable(fn):
    """Connection trouble (Redis restarting, loading its AOF) becomes StoreUnavailableError."""

    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        try:
            return await fn(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreUnavailableError(f"Redis unreachable: {exc}") from exc

    return wrapper


def _load(text: str) -> TaskRecord:
    return TaskRecord.model_validate_json(text)


class RedisTaskStore:
    def __init__(self, url: str, *, prefix: str = "ib", replica: str = ""):
        self.url = url
        self.prefix = prefix
        self.replica = replica  # events it sent itself are not handed back to it
        # socket_timeout above the XREADGROUP block time; a dead server is noticed within it.
        self.r = aioredis.Redis.from_url(
            url, decode_responses=True, socket_timeout=10, socket_connect_timeout=3, health_check_interval=15
        )
        self.queue = self._k("queue")
        self.channel = self._k("events")
        self._group_ready = False
        self._cursor = "0-0"  # XAUTOCLAIM scan position over the pending list
        self._listener: asyncio.Task | None = None

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _task(self, task_id: str) -> str:
        return self._k("task", task_id)

    def _index_keys(self, record: TaskRecord) -> list[str]:
        c, s = record.contract, record.status.value
        return [self._k("idx", "all"), self._k("idx", "c", c), self._k("idx", "s", s), self._k("idx", "cs", c, s)]

    def _event(self, kind: str, **fields: Any) -> str:
        return json.dumps({"kind": kind, "origin": self.replica, **fields})

    def _write_ops(self, pipe: Any, old: TaskRecord | None, new: TaskRecord) -> None:
        """Queue the commands that store ``new`` over ``old``: record, indexes, expiry, the change event."""
        key = self._task(new.id)
        pipe.hset(key, "record", new.model_dump_json())
        old_keys = set(self._index_keys(old)) if old else set()
        new_keys = self._index_keys(new)
        for gone in old_keys - set(new_keys):
            pipe.zrem(gone, new.id)
        for index in new_keys:
            pipe.zadd(index, {new.id: new.created_at})
        if new.expires_at is not None:
            pipe.zadd(self._k("expires"), {new.id: new.expires_at})
        else:
            pipe.zrem(self._k("expires"), new.id)
        pipe.publish(self.channel, self._event("record", task_id=new.id, record=new.model_dump(mode="json")))

    def _drop_ops(self, pipe: Any, old: TaskRecord) -> None:
        pipe.delete(self._task(old.id))
        for index in self._index_keys(old):
            pipe.zrem(index, old.id)
        pipe.zrem(self._k("expires"), old.id)

    async def _cas(self, key: str, plan: Callable[[dict[str, str]], Plan]) -> Any:
        """Check-and-set on one task hash: WATCH it, read it, let ``plan`` decide, MULTI/EXEC; again on a race."""
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.hgetall(key)
                    ops, result = plan(raw)
                    if ops is None:
                        await pipe.unwatch()
                        return result
                    pipe.multi()
                    ops(pipe)
                    replies = await pipe.execute()
                    return result(replies) if callable(result) else result
                except WatchError:
                    continue

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self.r.xgroup_create(self.queue, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def _records(self, ids: list[str]) -> list[TaskRecord]:
        if not ids:
            return []
        async with self.r.pipeline(transaction=False) as pipe:
            for task_id in ids:
                pipe.hget(self._task(task_id), "record")
            texts = await pipe.execute()
        return [_load(t) for t in texts if t]

    # --- records ---------------------------------------------------------------------------
    @_unavailable
    async def create(self, record: TaskRecord) -> None:
        await self._ensure_group()
        async with self.r.pipeline(transaction=True) as pipe:
            self._write_ops(pipe, None, record)
            pipe.xadd(self.queue, {"id": record.id})
            await pipe.execute()

    @_unavailable
    async def save(self, record: TaskRecord) -> None:
        def plan(raw: dict[str, str]) -> Plan:
            old = _load(raw["record"]) if raw.get("record") else None
            return (lambda pipe: self._write_ops(pipe, old, record)), None

        await self._cas(self._task(record.id), plan)

    @_unavailable
    async def get(self, task_id: str) -> TaskRecord | None:
        text = await self.r.hget(self._task(task_id), "record")
        return _load(text) if text else None

    @_unavailable
    async def list(
        self, *, contract: str | None = None, status: list[TaskStatus] | None = None, limit: int = 100, offset: int = 0
    ) -> list[TaskRecord]:
        if contract and status:
            keys = [self._k("idx", "cs", contract, s.value) for s in status]
        elif contract:
            keys = [self._k("idx", "c", contract)]
        elif status:
            keys = [self._k("idx", "s", s.value) for s in status]
        else:
            keys = [self._k("idx", "all")]
        end = offset + limit - 1
        # Newest first: the top offset+limit of the union lies within the top offset+limit of each index.
        tops = [await self.r.zrevrange(key, 0, end, withscores=True) for key in keys]
        merged = heapq.merge(*tops, key=lambda item: -item[1])
        ids = [task_id for task_id, _ in merged][offset : offset + limit]
        return await self._records(ids)

    @_unavailable
    async def unfinished(self) -> list[TaskRecord]:
        ids = []
        for s in (TaskStatus.queued, TaskStatus.running):
            ids += await self.r.zrange(self._k("idx", "s", s.value), 0, -1, withscores=True)
        return await self._records([task_id for task_id, _ in sorted(ids, key=lambda item: item[1])])

    @_unavailable
    async def count(self, status: TaskStatus) -> int:
        return await self.r.zcard(self._k("idx", "s", status.value))

    @_unavailable
    async def update(self, task_id: str, change: Change) -> TaskRecord | None:
        def plan(raw: dict[str, str]) -> Plan:
            if not raw.get("record"):
                return None, None
            old = _load(raw["record"])
            new = change(old.model_copy(deep=True))
            if new is None:
                return None, None

            def ops(pipe: Any) -> None:
                self._write_ops(pipe, old, new)
                if new.status.finished:
                    pipe.hdel(self._task(task_id), "claim", "worker", "cancel")

            return ops, new

        return await self._cas(self._task(task_id), plan)

    @_unavailable
    async def expired(self, now: float) -> list[TaskRecord]:
        return await self._records(await self.r.zrangebyscore(self._k("expires"), "-inf", f"({now}"))

    @_unavailable
    async def pop_expired(self, now: float, limit: int = 200) -> list[TaskRecord]:
        popped: list[TaskRecord] = []
        while len(popped) < limit:
            ids = await self.r.zrangebyscore(self._k("expires"), "-inf", f"({now}", start=0, num=limit - len(popped))
            if not ids:
                break
            popped += await self._pop_each(ids)
        return popped

    async def _pop_each(self, ids: list[str]) -> list[TaskRecord]:
        """Each id removed in its own transaction; the one whose ZREM removed it gets the record."""
        popped = []
        for task_id in ids:

            def plan(raw: dict[str, str], task_id: str = task_id) -> Plan:
                if not raw.get("record"):  # already removed by another replica
                    return (lambda pipe: pipe.zrem(self._k("expires"), task_id)), None
                old = _load(raw["record"])
                return (lambda pipe: self._drop_ops(pipe, old)), (lambda replies: old if replies[0] else None)

            record = await self._cas(self._task(task_id), plan)
            if record is not None:
                popped.append(record)
        return popped

    @_unavailable
    async def delete(self, task_id: str) -> None:
        def plan(raw: dict[str, str]) -> Plan:
            if not raw.get("record"):
                return (lambda pipe: pipe.delete(self._task(task_id))), None
            old = _load(raw["record"])
            return (lambda pipe: self._drop_ops(pipe, old)), None

        await self._cas(self._task(task_id), plan)

    # --- the queue -------------------------------------------------------------------------
    @_unavailable
    async def claim(self, worker: str, lease: float, wait: float = 1.0) -> Claim | None:
        """The lease is the same for every worker of a deployment: XAUTOCLAIM takes entries idle longer."""
        await self._ensure_group()
        deadline = time.monotonic() + wait
        try:
            # Entries whose holder stopped renewing first (one step of the scan over the pending list per call).
            cursor, entries, *_ = await self.r.xautoclaim(
                self.queue, GROUP, worker, min_idle_time=max(1, int(lease * 1000)), start_id=self._cursor, count=1
            )
            self._cursor = cursor
            for entry_id, fields in entries:
                if fields is not None and (claim := await self._take(worker, entry_id, fields)) is not None:
                    return claim
            while (left := deadline - time.monotonic()) > 0:
                reply = await self.r.xreadgroup(
                    GROUP, worker, {self.queue: ">"}, count=1, block=max(1, int(left * 1000))
                )
                for _stream, messages in reply or []:
                    for entry_id, fields in messages:
                        if (claim := await self._take(worker, entry_id, fields or {})) is not None:
                            return claim
                if not reply:
                    return None
        except ResponseError as exc:
            if "NOGROUP" in str(exc):  # Redis lost its data (no persistence): make the group again
                self._group_ready = False
                return None
            raise
        return None

    async def _take(self, worker: str, entry_id: str, fields: dict[str, str]) -> Claim | None:
        task_id = fields.get("id", "")
        token = uuid.uuid4().hex

        def plan(raw: dict[str, str]) -> Plan:
            record = _load(raw["record"]) if raw.get("record") else None
            if record is None or record.status.finished:  # cancelled while queued, or expired: drop the entry

                def drop(pipe: Any) -> None:
                    pipe.xack(self.queue, GROUP, entry_id)
                    pipe.xdel(self.queue, entry_id)

                return drop, None
            cancel = ErrorInfo.model_validate_json(raw["cancel"]) if raw.get("cancel") else None
            claim = Claim(
                task_id,
                worker,
                token,
                record,
                lapsed=record.status is TaskStatus.running,
                cancel=cancel,
                handle=entry_id,
            )
            return (
                lambda pipe: pipe.hset(
                    self._task(task_id), mapping={"claim": token, "worker": worker, "entry": entry_id}
                )
            ), claim

        return await self._cas(self._task(task_id), plan)

    @_unavailable
    async def renew(self, claim: Claim, lease: float) -> Renewal:
        def plan(raw: dict[str, str]) -> Plan:
            if raw.get("claim") != claim.token:
                return None, Renewal(held=False)
            cancel = ErrorInfo.model_validate_json(raw["cancel"]) if raw.get("cancel") else None
            # XCLAIM by the holder resets the entry's idle time: the lease starts again.
            renew = lambda pipe: pipe.xclaim(  # noqa: E731
                self.queue, GROUP, claim.worker, min_idle_time=0, message_ids=[claim.handle], justid=True
            )
            return renew, Renewal(held=True, cancel=cancel)

        return await self._cas(self._task(claim.task_id), plan)

    async def _fenced(self, claim: Claim, record: TaskRecord, *, end: str) -> bool:
        """Write under ``claim``; ``end``: "keep" the claim, "ack" (finished) or "requeue" (back in the queue)."""
        key = self._task(claim.task_id)

        def plan(raw: dict[str, str]) -> Plan:
            if raw.get("claim") != claim.token or not raw.get("record"):
                return None, False  # taken over (or gone): write nothing
            old = _load(raw["record"])

            def settle(pipe: Any) -> None:
                pipe.xack(self.queue, GROUP, claim.handle)
                pipe.xdel(self.queue, claim.handle)
                pipe.hdel(key, "claim", "worker", "entry")

            if old.status.finished:  # cancelled while queued: never overwritten
                return settle, False

            def ops(pipe: Any) -> None:
                self._write_ops(pipe, old, record)
                if end != "keep":
                    settle(pipe)
                if end == "requeue":
                    pipe.xadd(self.queue, {"id": claim.task_id})
                if record.status.finished:
                    pipe.hdel(key, "cancel")

            return ops, True

        return await self._cas(key, plan)

    @_unavailable
    async def write(self, claim: Claim, record: TaskRecord) -> bool:
        return await self._fenced(claim, record, end="keep")

    @_unavailable
    async def finish(self, claim: Claim, record: TaskRecord) -> bool:
        return await self._fenced(claim, record, end="ack")

    @_unavailable
    async def release(self, claim: Claim, record: TaskRecord) -> bool:
        return await self._fenced(claim, record, end="requeue")

    @_unavailable
    async def recover(self, replica: str) -> int:
        """Leases held by ``replica``'s workers (it restarted: they are dead) lapse now."""
        await self._ensure_group()
        count = 0
        for consumer in await self.r.xinfo_consumers(self.queue, GROUP):
            name = consumer["name"]
            if not name.startswith(replica + "/"):
                continue
            pending = int(consumer.get("pending") or 0)
            if pending == 0:
                await self.r.xgroup_delconsumer(self.queue, GROUP, name)  # nothing pending: forget it
                continue
            entries = await self.r.xpending_range(self.queue, GROUP, "-", "+", pending, consumername=name)
            ids = [e["message_id"] for e in entries]
            if ids:
                await self.r.xclaim(self.queue, GROUP, name, 0, ids, idle=_LAPSED_IDLE_MS, justid=True)
                count += len(ids)
        return count

    @_unavailable
    async def request_cancel(self, task_id: str, error: ErrorInfo) -> None:
        def plan(raw: dict[str, str]) -> Plan:
            if not raw.get("record") or _load(raw["record"]).status.finished:
                return None, None

            def ops(pipe: Any) -> None:
                pipe.hset(self._task(task_id), "cancel", error.model_dump_json())
                pipe.publish(self.channel, self._event("cancel", task_id=task_id, error=error.model_dump(mode="json")))

            return ops, None

        await self._cas(self._task(task_id), plan)

    # --- replicas --------------------------------------------------------------------------
    @_unavailable
    async def publish(self, event: StoreEvent) -> None:
        fields: dict[str, Any] = {"task_id": event.task_id}
        if event.record is not None:
            fields["record"] = event.record.model_dump(mode="json")
        if event.error is not None:
            fields["error"] = event.error.model_dump(mode="json")
        await self.r.publish(self.channel, self._event(event.kind, **fields))

    @_unavailable
    async def set_draining(self, url: str, draining: bool) -> None:
        async with self.r.pipeline(transaction=True) as pipe:
            (pipe.sadd if draining else pipe.srem)(self._k("draining"), url)
            pipe.publish(self.channel, self._event("workers"))
            await pipe.execute()

    @_unavailable
    async def draining(self) -> set[str]:
        return set(await self.r.smembers(self._k("draining")))

    @_unavailable
    async def listen(self, handler: EventHandler) -> None:
        """Hand every other replica's event to ``handler``; returns once subscribed. After a lost connection
        it resubscribes and sends a ``resync`` event (what was published meanwhile is gone: re-read)."""
        pubsub = self.r.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)
        self._listener = asyncio.create_task(self._listen_loop(pubsub, handler), name="store-events")

    async def _listen_loop(self, pubsub: Any, handler: EventHandler) -> None:
        backoff = 0.2
        while True:
            try:
                if pubsub is None:
                    pubsub = self.r.pubsub(ignore_subscribe_messages=True)
                    await pubsub.subscribe(self.channel)
                    await _call(handler, StoreEvent(kind="resync"))
                    backoff = 0.2
                message = await pubsub.get_message(timeout=1.0)
                if message and message.get("type") == "message":
                    event = _parse_event(message["data"])
                    if event is not None and event.origin != self.replica:
                        await _call(handler, event)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.warning("Redis events: %s; resubscribing in %.1f s", exc, backoff)
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                pubsub = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            except Exception:  # a bad handler must not end the subscription
                log.exception("handling a store event failed")

    async def aclose(self) -> None:
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self.r.aclose()

    def __repr__(self) -> str:
        return f"RedisTaskStore(prefix={self.prefix!r})"


async def _call(handler: EventHandler, event: StoreEvent) -> None:
    result = handler(event)
    if asyncio.iscoroutine(result):
        await result


def _parse_event(data: str) -> StoreEvent | None:
    try:
        raw = json.loads(data)
        return StoreEvent(
            kind=raw["kind"],
            task_id=raw.get("task_id"),
            record=TaskRecord.model_validate(raw["record"]) if raw.get("record") else None,
            error=ErrorInfo.model_validate(raw["error"]) if raw.get("error") else None,
            origin=raw.get("origin", ""),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("ignored a malformed store event: %.200s", data)
        return None
