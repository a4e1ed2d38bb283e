"""Blob store on an S3-compatible object store (AWS S3, MinIO, Ceph, R2, moto's server...), shared by replicas.

Objects: ``<prefix>inputs/<key>`` for input images, ``<prefix>outputs/<key>`` for results; keys
are the same random names as on disk (``blobs.new_key``), so inputs and outputs stay distinct
kinds. The bucket must exist. Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, a profile, an instance role); ``endpoint_url`` points at a non-AWS store.
boto3 is synchronous: each call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .blobs import INPUT_PREFIX, BlobKind, is_input_key, new_key, valid_key

_MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.s3 = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(retries={"max_attempts": 4, "mode": "standard"}, max_pool_connections=32),
        )

    def _object(self, key: str) -> str:
        if not valid_key(key):
            raise KeyError(f"invalid blob key {key!r}")
        return f"{self.prefix}{'inputs' if is_input_key(key) else 'outputs'}/{key}"

    async def put(self, data: bytes, ext: str = "png", *, kind: BlobKind = "output") -> str:
        key = new_key(ext, kind)
        name = self._object(key)
        mime = _MIME.get(ext, "application/octet-stream")
        await asyncio.to_thread(self.s3.put_object, Bucket=self.bucket, Key=name, Body=data, ContentType=mime)
        return key

    async def get(self, key: str) -> bytes:
        name = self._object(key)

        def read() -> bytes:
            try:
                return self.s3.get_object(Bucket=self.bucket, Key=name)["Body"].read()
            except self.s3.exceptions.NoSuchKey as exc:
                raise KeyError(key) from exc

        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        try:
            name = self._object(key)
        except KeyError:
            return
        await asyncio.to_thread(self.s3.delete_object, Bucket=self.bucket, Key=name)

    async def exists(self, key: str) -> bool:
        try:
            name = self._object(key)
        except KeyError:
            return False

        def head() -> bool:
            from botocore.exceptions import ClientError

            try:
                self.s3.head_object(Bucket=self.bucket, Key=name)
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    return False
                raise

        return await asyncio.to_thread(head)

    async def inputs_older_than(self, cutoff: float) -> list[str]:
        """Input keys written before ``cutoff`` (unix time), by the objects' LastModified."""
        folder = f"{self.prefix}inputs/"

        def scan() -> list[str]:
            old = []
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder):
                for item in page.get("Contents", []):
                    key = item["Key"][len(folder) :]
                    if key.startswith(INPUT_PREFIX) and valid_key(key) and item["LastModified"].timestamp() < cutoff:
                        old.append(key)
            return old

        return await asyncio.to_thread(scan)

    def __repr__(self) -> str:
        return f"S3BlobStore(bucket={self.bucket!r}, prefix={self.prefix!r})"
