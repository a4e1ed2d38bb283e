"""The listing of the ComfyUI the bridge drives, fetched over HTTP and kept briefly."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from ..errors import BridgeError, ErrorCode
from .resolve import resolve

LISTING_ROUTE = "/inpaint-bridge/models"
REFETCH_AFTER = 1.0  # s: a name not found in a listing at least this old triggers one refetch


def parse_aliases(text: str | dict | None) -> dict[str, str]:
    """``IB_MODEL_ALIASES``: a JSON object ``{"PICPIK General": "sd15-inpainting.safetensors"}``."""
    if not text:
        return {}
    data = json.loads(text) if isinstance(text, str) else text
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError('IB_MODEL_ALIASES must be a JSON object of names, e.g. {"General": "sd15.safetensors"}')
    return data


class ModelCatalog:
    """``listing()`` and ``resolve(kind, name)`` for contracts; the executor picks the ComfyUI asked."""

    def __init__(
        self, executor, *, aliases: dict[str, str] | None = None, default_checkpoint: str | None = None, ttl: float = 5
    ):
        self.executor = executor
        self.aliases = dict(aliases or {})
        self.default_checkpoint = default_checkpoint
        self.ttl = ttl
        self._listing: dict[str, Any] | None = None
        self._fetched = 0.0
        self._lock = asyncio.Lock()

    async def listing(self, *, max_age: float | None = None) -> dict[str, Any]:
        """The installed models by kind (the pack route's answer), at most ``max_age`` (default ``ttl``) s old."""
        max_age = self.ttl if max_age is None else max_age
        async with self._lock:
            if self._listing is None or time.monotonic() - self._fetched > max_age:
                self._listing = await self.executor.pick().get_json(LISTING_ROUTE)
                if not isinstance(self._listing, dict):
                    raise BridgeError(ErrorCode.unavailable, "ComfyUI's model listing is not a JSON object")
                self._fetched = time.monotonic()
            return self._listing

    async def resolve(self, kind: str, name: str | None) -> str:
        """The file ComfyUI knows for ``name``. A miss refetches the listing once when it is older than
        ``REFETCH_AFTER`` s (a file added meanwhile), so a stream of bad names cannot hammer ComfyUI."""
        default = self.default_checkpoint if kind == "checkpoint" else None
        try:
            return resolve(await self.listing(), kind, name, aliases=self.aliases, default=default)
        except BridgeError as exc:
            if exc.code is not ErrorCode.model_not_found or time.monotonic() - self._fetched < REFETCH_AFTER:
                raise
        return resolve(await self.listing(max_age=0), kind, name, aliases=self.aliases, default=default)
