"""The contract's calls into the bridge (``ctx``): resolve models, store images, submit, wait, list, read.

Routes of both APIs go through this one object, so the two answer shapes stay thin renderings.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from ...errors import BridgeError, ErrorCode, ErrorInfo
from ...store.records import TaskRecord, TaskStatus
from ...tasks.mask import GenerateMaskTask
from .catalog import FooocusModels
from .errors import invalid
from .files import MEDIA, accept_format, encode, parse_result_name
from .job import InpaintJob, ResolvedModels, build_task

log = logging.getLogger(__name__)

UNFINISHED = [TaskStatus.queued, TaskStatus.running]
FINISHED = [TaskStatus.succeeded, TaskStatus.failed, TaskStatus.cancelled]
LISTED = 10_000  # the most records a count or a time-range query looks at


class Runner:
    def __init__(self, ctx, settings):
        self.ctx = ctx
        self.service = ctx.service
        self.settings = settings
        self.models = FooocusModels(ctx.models)

    def base_url(self, request: Request) -> str:
        return self.ctx.base_url(request)

    async def resolve(self, job: InpaintJob) -> ResolvedModels:
        checkpoint = await self.models.checkpoint(job.base_model)
        return ResolvedModels(
            checkpoint=checkpoint,
            loras=await self.models.loras(job.loras),
            vae=await self.models.vae(job.vae_name),
            fooocus_inpaint=await self.models.fooocus_inpaint(job.inpaint_engine, checkpoint),
        )

    async def submit_inpaint(
        self, job: InpaintJob, *, label: str, meta: dict[str, Any], webhook_url: str | None
    ) -> TaskRecord:
        """Check, resolve, store the images, submit. ``meta`` gets ``image_fields`` (input index per field) and
        ``webhook_url``, posted in the API's own body by :meth:`webhook_hook` when the task ends."""
        job.check()
        if webhook_url:
            try:
                self.service.webhooks.check(webhook_url)
            except BridgeError as exc:
                raise invalid("webhook_url", f"webhook_url: {exc.info.message}", webhook_url) from None
        models = await self.resolve(job)
        image = await self.service.put_image(job.image)
        mask = await self.service.put_image(job.mask) if job.mask is not None else None
        try:
            task = build_task(job, image, mask, models, crop=self.settings.crop_size)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise invalid(None, first["msg"].removeprefix("Value error, ")) from None
        meta = {
            **meta,
            "copies": job.copies,
            "engine": "fooocus" if models.fooocus_inpaint else "plain",
            "checkpoint": models.checkpoint.name,
            "webhook_url": webhook_url or "",
        }
        return await self.service.submit(task, contract=label, meta=meta)

    def webhook_hook(self, render: Callable[[TaskRecord], Any]) -> Callable[[TaskRecord], Awaitable[None]]:
        """A finish hook posting ``render(record)`` to the task's webhook (signed and retried as every webhook)."""

        async def hook(record: TaskRecord) -> None:
            if url := record.meta.get("webhook_url"):
                self.service.webhooks.send(url, render(record))

        return hook

    async def submit_mask(self, task: GenerateMaskTask, label: str) -> TaskRecord:
        return await self.service.submit(task, contract=label)

    async def finished(self, record: TaskRecord) -> TaskRecord:
        """Wait for the task; past ``IB_FOOOCUS_TIMEOUT`` it is cancelled and ``BridgeError(timeout)`` raised."""
        timeout = self.settings.timeout
        record = await self.service.wait(record.id, timeout)
        if not record.status.finished:
            error = ErrorInfo(code=ErrorCode.timeout, message=f"no result within {timeout:g} s; the task was stopped")
            record = await self.service.cancel(record.id, error=error)
            if not record.status.finished or record.status is TaskStatus.cancelled:
                raise BridgeError.from_info(error)
        return record

    async def get(self, task_id: str, label: str) -> TaskRecord | None:
        """The task if it is one of this API's (an id of another API or contract is unknown here)."""
        try:
            record = await self.service.get(task_id)
        except BridgeError as exc:
            if exc.code is ErrorCode.not_found:
                return None
            raise
        return record if record.contract == label else None

    async def listed(self, label: str, status: list[TaskStatus], *, limit: int = LISTED, offset: int = 0):
        return await self.service.list(contract=label, status=status, limit=limit, offset=offset)

    async def running(self, label: str) -> list[TaskRecord]:
        """This API's running tasks, oldest first, with live progress."""
        records = await self.listed(label, [TaskStatus.running])
        live = [await self.service.get(r.id) for r in reversed(records)]
        return [r for r in live if r.status is TaskStatus.running]

    async def stop_current(self, label: str, action: str) -> bool:
        """Cancel the oldest running task of this API (Fooocus runs one at a time); False when none runs."""
        current = await self.running(label)
        if not current:
            return False
        reason = ErrorInfo(
            code=ErrorCode.interrupted, message=f"{action} requested by the client", details={"fooocus_action": action}
        )
        await self.service.cancel(current[0].id, error=reason)
        return True

    async def delete(self, record: TaskRecord) -> bool:
        return await self.service.delete(record.id)

    async def result_file(self, file_name: str, accept: str | None) -> tuple[bytes, str]:
        """A result file by its URL name (``/outputs/...``, ``/files/...``), in the format ``Accept`` names."""
        parsed = parse_result_name(file_name)
        if parsed is None:
            raise BridgeError(ErrorCode.not_found, "no such file")
        key, ext = parsed
        fmt = accept_format(accept) or ext
        return await self.read(key, fmt), MEDIA[fmt]

    async def read(self, key: str, fmt: str) -> bytes:
        try:
            png = await self.service.read_output(key)
        except KeyError:
            raise BridgeError(ErrorCode.not_found, "no such file (expired?)") from None
        return await encode(png, fmt)
