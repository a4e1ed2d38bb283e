"""Webhooks: JSON POSTs signed with HMAC-SHA256, retried with exponential backoff, never fatal.

Headers: ``X-IB-Timestamp`` (unix seconds) and ``X-IB-Signature: sha256=<hex>`` over
``"<timestamp>.<body>"`` with the configured secret (no signature when none is set).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import aiohttp

from . import metrics

log = logging.getLogger(__name__)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookSender:
    def __init__(self, secret: str | None = None, *, attempts: int = 5, backoff: float = 1.0, timeout: float = 10.0):
        self.secret = secret
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self._tasks: set[asyncio.Task] = set()
        self._session: aiohttp.ClientSession | None = None
        self.delivered = 0
        self.failed = 0

    def send(self, url: str, payload: dict[str, Any]) -> asyncio.Task:
        """Deliver in the background; returns the delivery task (tests may await it)."""
        task = asyncio.create_task(self._deliver(url, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _deliver(self, url: str, payload: dict[str, Any]) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        body = json.dumps(payload, separators=(",", ":")).encode()
        for attempt in range(1, self.attempts + 1):
            ts = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-IB-Timestamp": ts}
            if self.secret:
                headers["X-IB-Signature"] = sign(self.secret, ts, body)
            try:
                async with self._session.post(url, data=body, headers=headers) as r:
                    if 200 <= r.status < 300:
                        self.delivered += 1
                        return True
                    why = f"HTTP {r.status}"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                why = f"{type(exc).__name__}: {exc}"
            log.warning("webhook %s attempt %d/%d failed: %s", url, attempt, self.attempts, why)
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        self.failed += 1
        metrics.WEBHOOK_FAILURES.inc()
        return False

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        if self._session:
            await self._session.close()
