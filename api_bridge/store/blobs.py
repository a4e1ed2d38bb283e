"""Blob store for input and output images: a local folder by default; an object store can replace it.

Two kinds of blobs, told apart by their key: inputs (``in-…``: images a client sent, stored for a
task's graph) and outputs (results). Only outputs are ever served to clients; inputs expire with
their task, or by age when no unfinished task holds them.
"""

from __future__ import annotations

import asyncio
import contextlib
import pathlib
import re
import secrets
from typing import Literal, Protocol

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}\.(png|jpg|jpeg|webp)$")
INPUT_PREFIX = "in-"
BlobKind = Literal["input", "output"]


class BlobStore(Protocol):
    async def put(self, data: bytes, ext: str = "png", *, kind: BlobKind = "output") -> str: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def inputs_older_than(self, cutoff: float) -> list[str]: ...


def valid_key(key: str) -> bool:
    return bool(_KEY.match(key))


def is_input_key(key: str) -> bool:
    return key.startswith(INPUT_PREFIX)


def new_key(ext: str, kind: BlobKind) -> str:
    """Random, unguessable, path-safe; an output key never contains '-', so never looks like an input."""
    token = secrets.token_urlsafe(18).replace("-", "a").replace("_", "b")
    return f"{INPUT_PREFIX if kind == 'input' else ''}{token}.{ext}"


class LocalBlobStore:
    """Inputs under ``root/inputs/<key>``, outputs under ``root/<2-char prefix>/<key>``."""

    def __init__(self, root: str | pathlib.Path):
        self.root = pathlib.Path(root)
        (self.root / "inputs").mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> pathlib.Path:
        if not valid_key(key):
            raise KeyError(f"invalid blob key {key!r}")
        return self.root / ("inputs" if is_input_key(key) else key[:2]) / key

    async def put(self, data: bytes, ext: str = "png", *, kind: BlobKind = "output") -> str:
        key = new_key(ext, kind)
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

    async def inputs_older_than(self, cutoff: float) -> list[str]:
        """Input keys written before ``cutoff`` (unix time): candidates for the age sweep."""

        def scan() -> list[str]:
            old = []
            for path in (self.root / "inputs").glob(f"{INPUT_PREFIX}*"):
                with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                    if valid_key(path.name) and path.stat().st_mtime < cutoff:
                        old.append(path.name)
            return old

        return await asyncio.to_thread(scan)
