"""Blob store for input and output images: local folder by default, an object store can replace it."""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import re
import secrets
from typing import Protocol

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}\.(png|jpg|jpeg|webp)$")


class BlobStore(Protocol):
    async def put(self, data: bytes, ext: str = "png") -> str: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key))


class LocalBlobStore:
    """Files under ``root/<2-char prefix>/<key>``; keys are random (unguessable) and path-safe."""

    def __init__(self, root: str | pathlib.Path):
        self.root = pathlib.Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> pathlib.Path:
        if not valid_key(key):
            raise KeyError(f"invalid blob key {key!r}")
        return self.root / key[:2] / key

    async def put(self, data: bytes, ext: str = "png") -> str:
        key = f"{secrets.token_urlsafe(18).replace('-', 'a').replace('_', 'b')}.{ext}"
        path = self.path(key)

        def write() -> None:
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)  # atomic: a reader never sees half a file

        await asyncio.to_thread(write)
        return key

    async def get(self, key: str) -> bytes:
        path = self.path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError as exc:
            raise KeyError(key) from exc

    async def delete(self, key: str) -> None:
        with contextlib.suppress(KeyError):
            self.path(key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except KeyError:
            return False
