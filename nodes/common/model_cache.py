"""The one place loaded models and derived data (image embeddings) are cached.

Bounded LRU caches: loaded models keyed by file path + mtime + size (so a
replaced file is reloaded), small derived results (e.g. SAM image embeddings)
keyed by the model and a hash of the image content, the few pictures the
frontend previews on (SAM editor, outpaint), decoded, keyed like model files,
and facts read from model files' headers for the model listing, keyed like the
models.
"""

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class LRUCache:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_create(self, key, create: Callable[[], Any]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = create()  # outside the lock: loading may take seconds
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return value

    def contains(self, key) -> bool:
        with self._lock:
            return key in self._items

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


MODELS = LRUCache(capacity=int(os.environ.get("INPAINT_BRIDGE_MODEL_CACHE", "4")))
EMBEDDINGS = LRUCache(capacity=int(os.environ.get("INPAINT_BRIDGE_EMBEDDING_CACHE", "16")))
# Decoded pictures the frontend previews on (SAM editor, outpaint preview; file path + size + mtime).
PREVIEW_IMAGES = LRUCache(capacity=4)
# What a model file is (family, architecture...), keyed by ``file_key``: the model listing reads each file once.
FILE_FACTS = LRUCache(capacity=4096)


def file_key(*paths: str) -> tuple:
    """Identity of model files: path, size and mtime of each."""
    key = []
    for path in paths:
        stat = os.stat(path)
        key.append((os.path.abspath(path), stat.st_size, stat.st_mtime_ns))
    return tuple(key)


def content_hash(array) -> str:
    """Hash of an array's bytes and shape (numpy or contiguous CPU data)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(str(getattr(array, "shape", "")).encode())
    digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()
