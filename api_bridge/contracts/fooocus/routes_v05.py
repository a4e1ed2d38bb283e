"""Fooocus-API 0.5 routes: ``/v1/generation/image-inpaint-outpaint`` (multipart),
``/v2/generation/image-inpaint-outpaint`` (JSON), the job API (``query-job``, ``job-queue``,
``job-history``, ``stop``), ``/files/...`` and ``/ping``.

Answers: the result list (synchronous), the ``AsyncJobResponse`` (``async_process``), or the PNG bytes of
one image when ``Accept`` (or the ``accept`` query parameter, which wins) is ``image/png``. A full queue
is upstream's ``QUEUE_IS_FULL`` in each of the three shapes (HTTP 409 for the bytes); a stopped job is
``USER_CANCEL`` (400 for the bytes), a failed one ``ERROR`` (500 for the bytes).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from ...errors import BridgeError, ErrorCode
from ...openapi import json_body
from ...store.records import TaskRecord, TaskStatus
from . import views_v05 as views
from .body import parse, read_json
from .errors import invalid, openapi_errors
from .fields import V05
from .files import MEDIA
from .inputs import limits, load_image, v05_job
from .requests_v05 import FormFieldError, ImgInpaintOrOutpaintForm, ImgInpaintOrOutpaintRequestJson, form_fields
from .runner import FINISHED, UNFINISHED, Runner

RESULT = {
    "type": "object",
    "required": ["base64", "url", "seed", "finish_reason"],
    "properties": {
        "base64": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]},
        "seed": {"type": "string"},
        "finish_reason": {"type": "string", "enum": ["SUCCESS", "QUEUE_IS_FULL", "USER_CANCEL", "ERROR"]},
    },
}
JOB = {
    "type": "object",
    "required": ["job_id", "job_type", "job_stage", "job_progress"],
    "properties": {
        "job_id": {"type": "string"},
        "job_type": {"type": "string"},
        "job_stage": {"type": "string", "enum": ["WAITING", "RUNNING", "SUCCESS", "ERROR"]},
        "job_progress": {"type": "integer"},
        "job_status": {"type": ["string", "null"]},
        "job_step_preview": {"type": ["string", "null"]},
        "job_result": {"anyOf": [{"type": "array", "items": RESULT}, {"type": "null"}]},
    },
}
HISTORY_ITEM = {
    "type": "object",
    "required": ["job_id", "is_finished"],
    "properties": {
        "job_id": {"type": "string"},
        "in_queue_mills": {"type": "integer"},
        "start_mills": {"type": "integer"},
        "finish_mills": {"type": "integer"},
        "is_finished": {"type": "boolean"},
    },
}
TEXT = {"text/plain": {"schema": {"type": "string"}}}
GENERATE_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "The results, the async job, or PNG bytes (Accept / ?accept= image/png)",
        "content": {
            "application/json": {"schema": {"anyOf": [{"type": "array", "items": RESULT}, JOB]}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    400: {"description": "PNG mode: the job was stopped (USER_CANCEL)", "content": TEXT},
    409: {"description": "PNG mode: the queue is full (QUEUE_IS_FULL)", "content": TEXT},
    **openapi_errors(403, 413, 422, 503, 504),
    500: {
        "description": "The job failed (PNG mode: ERROR)",
        "content": {**TEXT, **openapi_errors(500)[500]["content"]},
    },
}
MULTIPART_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["input_image"],
                "properties": {
                    "input_image": {"type": "string", "format": "binary"},
                    "input_mask": {"type": "string", "format": "binary"},
                    **{
                        k: {"type": "string"}
                        for k in ImgInpaintOrOutpaintForm.model_fields
                        if k not in ("input_image", "input_mask", "image_prompts")
                    },
                },
            }
        }
    },
}
ACCEPT_QUERY = {
    "name": "accept",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "Overrides the Accept header: image/png for the bytes of one image",
}


def make_router(runner: Runner, settings, auth) -> APIRouter:
    secured = APIRouter(dependencies=auth, tags=["fooocus-api 0.5"])
    files = APIRouter(tags=["fooocus-api 0.5"])
    lim = limits(runner.ctx.settings.max_image_bytes, runner.ctx.settings.max_image_pixels)

    def accept_of(request: Request) -> str | None:
        return request.query_params.get("accept") or request.headers.get("accept")

    async def run(req: ImgInpaintOrOutpaintRequestJson, image, mask, request: Request) -> Response:
        png_mode = accept_of(request) == "image/png"
        job = v05_job(req, image, mask)
        if png_mode:
            job = dataclasses.replace(job, image_number=1)
        meta = {
            "base_url": runner.base_url(request),
            "save_extension": req.save_extension,
            "require_base64": req.require_base64,
        }
        webhook = req.webhook_url or settings.webhook_url
        try:
            record = await runner.submit_inpaint(job, label=V05, meta=meta, webhook_url=webhook)
        except BridgeError as exc:
            if exc.code is not ErrorCode.queue_full:
                raise
            if req.async_process:
                return JSONResponse(views.QUEUE_FULL_JOB)
            if png_mode:
                return Response("QUEUE_IS_FULL", status_code=409, media_type="text/plain")
            return JSONResponse([views.QUEUE_FULL_RESULT])
        base = runner.base_url(request)
        if req.async_process:
            return JSONResponse(views.job_view(record, base))
        record = await runner.finished(record)
        if record.status is TaskStatus.failed and record.error and record.error.code is ErrorCode.invalid_input:
            raise BridgeError.from_info(record.error)  # refused when the graph was built: a 422 naming why
        if png_mode:
            return await _png(record)
        items = await views.with_base64(record, views.results(record, base), runner.read)
        return JSONResponse(items)

    async def _png(record: TaskRecord) -> Response:
        if record.status is TaskStatus.cancelled:
            return Response("USER_CANCEL", status_code=400, media_type="text/plain")
        images = [o for o in record.outputs if o.name == "image"]
        if record.status is not TaskStatus.succeeded or not images:
            return Response("ERROR", status_code=500, media_type="text/plain")
        return Response(await runner.read(images[0].key, "png"), media_type="image/png")

    @secured.post(
        "/v1/generation/image-inpaint-outpaint",
        summary="Inpaint / outpaint, multipart form (Fooocus-API 0.5)",
        response_class=Response,
        responses=GENERATE_RESPONSES,
        openapi_extra={"requestBody": MULTIPART_BODY, "parameters": [ACCEPT_QUERY]},
    )
    async def generate_v1(request: Request) -> Response:
        try:
            form = await request.form()
        except Exception as exc:  # starlette's own parser errors on a broken body
            raise invalid(None, f"unreadable multipart body: {exc}") from None
        texts = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        try:
            data = form_fields(texts)
        except FormFieldError as exc:
            raise invalid(exc.field, str(exc)) from None
        req = parse(ImgInpaintOrOutpaintForm, data, echo_body=True)
        upload, mask_upload = form.get("input_image"), form.get("input_mask")
        if not isinstance(upload, UploadFile):
            raise invalid("input_image", "input_image is required: a file part with the image")
        load = runner.ctx.images.load
        image = await load_image(load, await upload.read(lim.max_bytes + 1), "input_image", lim, required=True)
        mask = None
        if isinstance(mask_upload, UploadFile):
            mask = await load_image(load, await mask_upload.read(lim.max_bytes + 1), "input_mask", lim)
        return await run(req, image, mask, request)

    @secured.post(
        "/v2/generation/image-inpaint-outpaint",
        summary="Inpaint / outpaint, JSON (Fooocus-API 0.5)",
        response_class=Response,
        responses=GENERATE_RESPONSES,
        openapi_extra={"requestBody": json_body(ImgInpaintOrOutpaintRequestJson), "parameters": [ACCEPT_QUERY]},
    )
    async def generate_v2(request: Request) -> Response:
        data = await read_json(request)
        req = parse(ImgInpaintOrOutpaintRequestJson, data, echo_body=True)
        load = runner.ctx.images.load
        image = await load_image(load, req.input_image, "input_image", lim, required=True)
        mask = await load_image(load, req.input_mask, "input_mask", lim)
        return await run(req, image, mask, request)

    @secured.get(
        "/v1/generation/query-job",
        summary="An async job",
        responses={
            200: {"description": "The job", "content": {"application/json": {"schema": JOB}}},
            404: {"description": "Unknown job", "content": {"application/json": {"schema": JOB}}},
            **openapi_errors(403, 422),
        },
    )
    async def query_job(request: Request, job_id: str, require_step_preview: bool = False) -> JSONResponse:
        record = await runner.get(job_id, V05)
        if record is None:
            return JSONResponse(views.NOT_FOUND_JOB, status_code=404)
        base = runner.base_url(request)
        job_result = None
        if record.status is TaskStatus.succeeded:
            job_result = await views.with_base64(record, views.results(record, base), runner.read)
        return JSONResponse(views.job_view(record, base, job_result))

    @secured.get(
        "/v1/generation/job-queue",
        summary="Queue sizes",
        responses={
            200: {
                "description": "running_size: waiting and running jobs; finished_size; last_job_id",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["running_size", "finished_size", "last_job_id"],
                            "properties": {
                                "running_size": {"type": "integer"},
                                "finished_size": {"type": "integer"},
                                "last_job_id": {"type": ["string", "null"]},
                            },
                        }
                    }
                },
            },
            **openapi_errors(403),
        },
    )
    async def job_queue() -> dict[str, Any]:
        last = await runner.service.list(contract=V05, limit=1)
        return {
            "running_size": len(await runner.listed(V05, UNFINISHED)),
            "finished_size": len(await runner.listed(V05, FINISHED)),
            "last_job_id": last[0].id if last else None,
        }

    @secured.get(
        "/v1/generation/job-history",
        summary="Queued and finished jobs (delete=true with job_id deletes one)",
        responses={
            200: {
                "description": "{queue, history}, or {message} after a delete",
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                {
                                    "type": "object",
                                    "required": ["queue", "history"],
                                    "properties": {
                                        "queue": {"type": "array", "items": HISTORY_ITEM},
                                        "history": {"type": "array", "items": HISTORY_ITEM},
                                    },
                                },
                                {
                                    "type": "object",
                                    "required": ["message"],
                                    "properties": {"message": {"type": "string", "enum": ["Deleted", "Not found"]}},
                                },
                            ]
                        }
                    }
                },
            },
            **openapi_errors(403, 422),
        },
    )
    async def job_history(
        job_id: str | None = None,
        page: int = Query(0, ge=0, le=1_000_000),
        page_size: int = Query(20, ge=1, le=1000),
        delete: bool = False,
    ) -> dict[str, Any]:
        if delete and job_id is not None:
            record = await runner.get(job_id, V05)
            deleted = record is not None and await runner.delete(record)
            return {"message": "Deleted" if deleted else "Not found"}
        if job_id is not None:
            record = await runner.get(job_id, V05)
            records = [record] if record else []
            queue = [views.history_item(r) for r in records if not r.status.finished]
            history = [views.history_item(r) for r in records if r.status.finished]
            return {"queue": queue, "history": history}
        queue = [views.history_item(r) for r in reversed(await runner.listed(V05, UNFINISHED))]
        finished = await runner.listed(V05, FINISHED, limit=page_size, offset=page * page_size)
        return {"queue": queue, "history": [views.history_item(r) for r in finished]}

    @secured.post(
        "/v1/generation/stop",
        summary="Stop the running job",
        responses={
            200: {
                "description": "Always success",
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "required": ["msg"], "properties": {"msg": {"type": "string"}}}
                    }
                },
            },
            **openapi_errors(403),
        },
    )
    async def stop() -> dict[str, str]:
        await runner.stop_current(V05, "stop")
        return {"msg": "success"}

    @secured.get(
        "/ping",
        summary="Liveness",
        responses={200: {"content": {"application/json": {"schema": {"type": "string"}}}}, **openapi_errors(403)},
    )
    async def ping() -> str:
        return "pong"

    @files.get(
        "/files/{date}/{file_name}",
        summary="A result image (no authentication)",
        responses={
            200: {
                "description": "The image, converted when Accept names another format",
                "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in sorted(set(MEDIA.values()))},
            },
            **openapi_errors(404),
        },
    )
    async def result_file(date: str, file_name: str, request: Request) -> Response:
        data, media = await runner.result_file(file_name, request.headers.get("accept"))
        return Response(data, media_type=media)

    router = APIRouter()
    router.include_router(secured)
    router.include_router(files)
    return router
