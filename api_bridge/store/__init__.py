"""Task store (SQLite by default) and blob store (local disk by default) behind small interfaces."""

from .blobs import BlobStore, LocalBlobStore
from .records import TaskRecord, TaskStatus
from .sqlite import SQLiteTaskStore, TaskStore

__all__ = ["BlobStore", "LocalBlobStore", "SQLiteTaskStore", "TaskRecord", "TaskStatus", "TaskStore"]
