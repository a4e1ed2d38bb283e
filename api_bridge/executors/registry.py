"""The ComfyUI workers a replica sends tasks to: capacity, health, load, draining, least-loaded routing.

A server's load counts this replica's tasks on it (reserved or running) plus the prompts other
replicas have queued there (ComfyUI's own ``queue_remaining``, which every connected client hears,
less this replica's own prompts). A worker loop claims a task only while some server could take it
(``wait_eligible``: a replica whose servers are all down or drained leaves tasks to the others), then
reserves a slot on the least-loaded one (``acquire``), waiting — lease kept — while every server is
full, so a server gets at most about its capacity from all replicas together.
Healthy, not draining and below capacity → eligible; the least loaded relative to its capacity wins.
Draining a server (``set_draining``, shared through the task store) lets its running tasks finish and
sends it nothing new; a dead one (websocket down, refusing connections) is skipped, and the tasks it
was running fail over as retryable.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Protocol


class Worker(Protocol):
    url: str
    capacity: int
    healthy: bool
    draining: bool
    inflight: int  # this replica's tasks on it: reserved or running

    @property
    def load(self) -> int: ...

    async def refresh_load(self) -> None: ...


class WorkerRegistry:
    def __init__(self, servers: list[Worker], *, recheck: float = 2.0):
        self.servers = servers
        self.recheck = recheck  # while every server looks full, re-read their queues this often
        self._changed = asyncio.Event()

    def changed(self) -> None:
        """A server's health, load or draining changed: waiting workers look again."""
        self._changed.set()

    def eligible(self, server: Worker) -> bool:
        return server.healthy and not server.draining and server.load < server.capacity

    def pick(self) -> Worker | None:
        """The least-loaded eligible server (relative to its capacity), or None."""
        ok = [s for s in self.servers if self.eligible(s)]
        return min(ok, key=lambda s: (s.load / s.capacity, s.inflight)) if ok else None

    async def acquire(self, timeout: float | None = None) -> Worker | None:
        """Reserve a slot on the least-loaded eligible server, waiting for one up to ``timeout`` s (None: for
        ever). The caller releases it with :meth:`release`."""
        return await self._wait(timeout, reserve=True)

    async def wait_eligible(self, timeout: float | None = None) -> bool:
        """Until some server could take a task now (nothing reserved): a worker claims only then."""
        return await self._wait(timeout, reserve=False) is not None

    async def _wait(self, timeout: float | None, *, reserve: bool) -> Worker | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            self._changed.clear()  # before looking: a change meanwhile sets it again
            server = self.pick()
            if server is not None:
                if reserve:
                    server.inflight += 1
                return server
            left = self.recheck if deadline is None else min(self.recheck, deadline - loop.time())
            if left <= 0:
                return None
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:  # no news: the queue counts may be stale (missed status message)
                for s in self.servers:
                    if s.healthy and not s.draining:
                        with contextlib.suppress(Exception):
                            await s.refresh_load()

    def release(self, server: Worker) -> None:
        server.inflight = max(0, server.inflight - 1)
        self.changed()

    def find(self, url: str) -> Worker | None:
        url = url.rstrip("/")
        return next((s for s in self.servers if s.url == url), None)

    def set_draining(self, url: str, draining: bool) -> bool:
        server = self.find(url)
        if server is None:
            return False
        server.draining = draining
        self.changed()
        return True

    def apply_draining(self, urls: set[str]) -> None:
        """The drained set as the store has it (every replica's drains)."""
        wanted = {u.rstrip("/") for u in urls}
        for server in self.servers:
            server.draining = server.url in wanted
        self.changed()

    def view(self) -> list[dict[str, Any]]:
        return [
            {
                "url": s.url,
                "healthy": s.healthy,
                "draining": s.draining,
                "capacity": s.capacity,
                "inflight": s.inflight,
                "load": s.load,
            }
            for s in self.servers
        ]
