"""Task stores (SQLite by default, Redis for several replicas) and blob stores (a folder, or S3) behind small
interfaces; ``open_task_store`` / ``open_blob_store`` pick them from the settings."""

from .base import Claim, Renewal, StoreEvent, StoreUnavailableError, TaskStore
from .blobs import BlobStore, LocalBlobStore
from .records import TaskRecord, TaskStatus
from .sqlite import SQLiteTaskStore

__all__ = [
    "BlobStore",
    "Claim",
    "LocalBlobStore",
    "Renewal",
    "SQLiteTaskStore",
    "StoreEvent",
    "StoreUnavailableError",
    "TaskRecord",
    "TaskStatus",
    "TaskStore",
]
