"""Novita's endpoints without the web framework: authenticate, validate, submit / read, answer.

Each method returns the JSON body of a 200 or raises :class:`NovitaError`; ``answer`` turns any
exception into Novita's error body (a bug is logged and answered without its details).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import JSONResponse

from ...errors import BridgeError
from ...samplers import resolve_sampler
from ...server.images import ImageLimits
from ...store.records import TaskRecord
from ...tasks import ImageRef
from . import catalog, results
from .auth import authenticate
from .errors import NovitaError, from_bridge_error, invalid_body
from .listing import models_page, parse_filters
from .models import InpaintingBody, parse_body
from .outputs import ResultImages
from .task import inpaint_task

log = logging.getLogger(__name__)

CONTRACT = "novita"
MAX_SIDE = 2048  # PPIO: each side at most 2048 px
LIMITS = ImageLimits(max_bytes=30 * 1024 * 1024, max_pixels=MAX_SIDE * MAX_SIDE, max_side=MAX_SIDE)


@dataclass
class NovitaApi:
    ctx: Any  # BridgeContext: service, images, models, output URLs
    keys: list[str]
    auth: bool = True
    quality: int = 90  # webp / jpeg copies
    sample_side: int | None = None  # the sampling size; None: by the checkpoint's family
    images: ResultImages = field(init=False)

    def __post_init__(self):
        self.images = ResultImages(self.ctx.service, self.quality)

    # --- POST /v3/async/inpainting ---------------------------------------------------------------
    async def submit(self, headers: Mapping[str, str], body: bytes, base_url: str) -> dict[str, Any]:
        owner = authenticate(headers, self.keys, enabled=self.auth)
        parsed = parse_body(body)
        req = parsed.request
        try:
            sampler = resolve_sampler(req.sampler_name)
        except BridgeError as exc:
            raise invalid_body(f"request.sampler_name: {exc.info.message}", field="request.sampler_name") from None
        image = await self.ctx.images.load(req.image_base64, LIMITS, what="request.image_base64")
        mask = await self.ctx.images.load(req.mask_image_base64, LIMITS, what="request.mask_image_base64")
        if mask.size != image.size:
            raise NovitaError(
                "INVALID_IMAGE_SIZE",
                f"request.mask_image_base64 is {mask.width}x{mask.height} but the image is "
                f"{image.width}x{image.height}; they must be the same size",
            )
        models = await catalog.resolve_request(self.ctx, req)
        webhook = parsed.extra.webhook
        if webhook is not None:
            try:
                self.ctx.service.webhooks.check(webhook.url)
            except BridgeError as exc:
                raise invalid_body(f"extra.webhook.url: {exc.info.message}", field="extra.webhook.url") from None
        service = self.ctx.service
        if webhook is not None and webhook.testing:
            # Checked like a real request (the task is built), but nothing is stored or run.
            probe = ImageRef(blob="test-mode", width=image.width, height=image.height)
            task = inpaint_task(req, image=probe, mask=probe, models=models, sampler=sampler, side=self.sample_side)
            return self._test_mode(parsed, task.seed)
        image_ref, mask_ref = await service.put_image(image), await service.put_image(mask)
        task = inpaint_task(req, image=image_ref, mask=mask_ref, models=models, sampler=sampler, side=self.sample_side)
        record = await service.submit(
            task,
            contract=CONTRACT,
            summary={"model": models.checkpoint, "prompt": req.prompt[:200], "image_num": req.image_num},
            meta={
                "owner": owner,
                "image_type": parsed.extra.response_image_type,
                "webhook": webhook.url if webhook else None,
                "base_url": base_url,
            },
        )
        return {"task_id": record.id}

    def _test_mode(self, parsed: InpaintingBody, seed: int | None) -> dict[str, Any]:
        """Nothing runs: the webhook gets the mock event the request asked for; the id is nobody's task."""
        webhook = parsed.extra.webhook
        task_id = uuid.uuid4().hex
        payload = results.mock_payload(
            task_id,
            webhook.test_mode.return_task_status,
            seed if seed is not None else secrets.randbelow(2**31),
            webhook.model_dump(mode="json"),
        )
        self.ctx.service.webhooks.send(webhook.url, results.event(payload))
        return {"task_id": task_id}

    # --- GET /v3/async/task-result ---------------------------------------------------------------
    async def task_result(self, headers: Mapping[str, str], task_id: str | None, base_url: str) -> dict[str, Any]:
        owner = authenticate(headers, self.keys, enabled=self.auth)
        if not task_id:
            raise invalid_body("task_id is required (GET /v3/async/task-result?task_id=...)", field="task_id")
        record = await self._own_record(task_id, owner)
        return await self.result_body(record, base_url)

    async def _own_record(self, task_id: str, owner: str | None) -> TaskRecord:
        try:
            record = await self.ctx.service.get(task_id)
        except BridgeError:
            record = None
        # Another contract's task, or another key's, is not there for this caller.
        if record is None or record.contract != CONTRACT or (owner and record.meta.get("owner") != owner):
            raise NovitaError("TASK_NOT_FOUND", f"no task {task_id!r}", {"task_id": task_id})
        return record

    async def result_body(self, record: TaskRecord, base_url: str) -> dict[str, Any]:
        image_type = record.meta.get("image_type", "png")
        images = await self.images.of(record, image_type, lambda key: self.ctx.output_url_at(base_url, key))
        return results.task_result(record, images)

    # --- GET /v3/model -------------------------------------------------------------------------
    async def models(self, headers: Mapping[str, str], params: Mapping[str, str]) -> dict[str, Any]:
        authenticate(headers, self.keys, enabled=self.auth)
        filters = parse_filters(params)
        return models_page(await catalog.installed(self.ctx), filters)

    # --- when a task finishes ------------------------------------------------------------------
    async def on_finished(self, record: TaskRecord) -> None:
        """Make the webp / jpeg copies now (the first poll then finds them) and send the webhook, if any."""
        body = await self.result_body(record, record.meta.get("base_url", ""))
        url = record.meta.get("webhook")
        if url:
            self.ctx.service.webhooks.send(url, results.event(body))


async def answer(work: Awaitable[dict[str, Any]], *, submitting: bool) -> JSONResponse:
    """The body of ``work`` as a 200, or the error it raised in Novita's shape (never a traceback)."""
    try:
        return JSONResponse(await work)
    except NovitaError as err:
        failure = err
    except BridgeError as exc:
        failure = from_bridge_error(exc.info, submitting=submitting)
    except Exception:  # a bug: logged here, never shown to the client
        log.exception("novita request failed")
        failure = NovitaError("CREATE_TASK_FAILED" if submitting else "GET_RESULT_FAILED", "unexpected error")
    log.info("novita refusal %s: %s", failure.reason, failure.message)
    return failure.response()
