"""Webhooks: JSON POSTs signed with HMAC-SHA256, retried with exponential backoff, never fatal.

Headers: ``X-IB-Timestamp`` (unix seconds) and ``X-IB-Signature: sha256=<hex>`` over
``"<timestamp>.<body>"`` with the configured secret (no signature when none is set).
Targets obey the same address policy as image URLs (``api_bridge/net.py``) on every hop: only
307/308 redirects are followed (they keep the POST and its body), each one checked again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from typing import Any

import aiohttp

from . import metrics
from .errors import BridgeError
from .net import UrlPolicy, check_url, session

log = logging.getLogger(__name__)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookSender:
    def __init__(
        self,
        secret: str | None = None,
        *,
        attempts: int = 5,
        backoff: float = 1.0,
        timeout: float = 10.0,
        policy: UrlPolicy | None = None,
    ):
        self.secret = secret
        self.policy = policy or UrlPolicy()
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

    def check(self, url: str) -> None:
        """Refuse a target at submission when its scheme or literal address breaks the policy."""
        check_url(url, self.policy, "webhook URL")

    async def _deliver(self, url: str, payload: dict[str, Any]) -> bool:
        if self._session is None:
            self._session = session(self.policy, "webhook URL", timeout=self.timeout)
        body = json.dumps(payload, separators=(",", ":")).encode()
        for attempt in range(1, self.attempts + 1):
            try:
                status = await self._post(url, body)
                if 200 <= status < 300:
                    self.delivered += 1
                    return True
                why = f"HTTP {status}"
            except BridgeError as exc:  # refused by the address policy: no point retrying
                log.warning("webhook %s refused: %s", url, exc.info.message)
                break
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                why = f"{type(exc).__name__}: {exc}"
            log.warning("webhook %s attempt %d/%d failed: %s", url, attempt, self.attempts, why)
            if attempt < self.attempts:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        self.failed += 1
        metrics.WEBHOOK_FAILURES.inc()
        return False

    async def _post(self, url: str, body: bytes) -> int:
        """One signed POST; 307/308 followed (checked again), other redirects are answers."""
        for _hop in range(self.policy.max_redirects + 1):
            check_url(url, self.policy, "webhook URL")
            ts = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-IB-Timestamp": ts}
            if self.secret:
                headers["X-IB-Signature"] = sign(self.secret, ts, body)
            async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as r:
                if r.status in (307, 308) and r.headers.get("Location"):
                    url = urllib.parse.urljoin(url, r.headers["Location"])
                    continue
                return r.status
        raise aiohttp.ClientError("webhook URL redirects too often")

    async def close(self) -> None:
        for t in list(self._tasks):
            t.cancel()
        if self._session:
            await self._session.close()
