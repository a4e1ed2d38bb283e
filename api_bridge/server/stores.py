"""Which task store and blob store the settings ask for: one replica (SQLite, a local folder) or several
(Redis; a shared folder or S3)."""

from __future__ import annotations

from ..store import LocalBlobStore, SQLiteTaskStore, TaskStore
from ..store.blobs import BlobStore
from .settings import BridgeSettings


def open_task_store(settings: BridgeSettings) -> TaskStore:
    if settings.redis_url:
        from ..store.redis_store import RedisTaskStore

        return RedisTaskStore(settings.redis_url, prefix=settings.redis_prefix, replica=settings.resolved_replica_id())
    return SQLiteTaskStore(settings.resolved_db_path())


def open_blob_store(settings: BridgeSettings) -> BlobStore:
    if settings.s3_bucket:
        from ..store.s3_blobs import S3BlobStore

        return S3BlobStore(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    return LocalBlobStore(settings.resolved_blob_dir())
