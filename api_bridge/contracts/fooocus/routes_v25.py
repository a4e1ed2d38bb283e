"""FooocusAPI v2.5 routes: ``/v1/engine/generate[/]``, ``/tasks``, ``/tasks/{id}``, ``/v1/engine/control``,
``/outputs/...`` and ``/inputs/...``.

``/v1/engine/generate`` answers, in upstream's order of precedence: image bytes when ``Accept`` is
``image/<ext>`` (one image; 204 when there is none), server-sent events for ``stream_output``, the pending
record at once for ``async_process``, else the finished record. Both spellings of the path are served
(upstream redirects the one without the slash).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ...errors import BridgeError, ErrorCode
from ...openapi import json_body
from ...store.records import TaskRecord, TaskStatus
from ...tasks import image_refs, parse_task
from . import views_v25 as views
from .body import parse, read_json
from .errors import openapi_errors
from .fields import V25
from .files import FORMATS, MEDIA, accept_format, parse_input_name
from .inputs import limits, load_image, v25_job
from .requests_v25 import CommonRequest
from .runner import FINISHED, Runner

IMAGE_FIELDS = ("inpaint_input_image", "inpaint_mask_image_upload")
_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")

RECORD = {
    "type": "object",
    "required": ["task_id", "task_status", "result"],
    "properties": {
        "id": {"type": "integer"},
        "task_id": {"type": "string"},
        "req_params": {"type": "object"},
        "in_queue_mills": {"type": "integer"},
        "start_mills": {"type": "integer"},
        "finish_mills": {"type": "integer"},
        "task_status": {"type": "string", "enum": ["pending", "running", "finished", "stop", "skip"]},
        "progress": {"type": "integer"},
        "preview": {"type": "string"},
        "webhook_url": {"type": "string"},
        "result": {"type": "array", "items": {"type": "string"}},
        "error": {"type": "string"},
    },
}
IMAGE_BYTES = {m: {"schema": {"type": "string", "format": "binary"}} for m in sorted(set(MEDIA.values()))}
GENERATE_RESPONSES: dict[int | str, Any] = {
    200: {
        "description": "The finished (or, with async_process, the pending) record; image bytes for Accept: "
        "image/<ext>; server-sent events for stream_output",
        "content": {
            "application/json": {"schema": RECORD},
            "text/event-stream": {"schema": {"type": "string"}},
            **IMAGE_BYTES,
        },
    },
    204: {"description": "Accept: image/<ext> and no image was made (stopped)"},
    **openapi_errors(403, 413, 422, 429, 500, 503, 504),
}
FILE_RESPONSES: dict[int | str, Any] = {
    200: {"description": "The image, converted when Accept names another format", "content": IMAGE_BYTES},
    **openapi_errors(404),
}


def ms_of(date: str | None) -> int | None:
    """Upstream's reading of ``start_at`` / ``end_at``: ISO 8601 to the second, else None."""
    if not date:
        return None
    match = _DATE.match(date)
    if not match:
        return None
    try:
        return int(datetime.fromisoformat(match.group()).timestamp()) * 1000
    except ValueError:
        return None


def binary_format(accept: str | None) -> str | None:
    """``Accept: image/<ext>`` asks for the bytes of one image (ext png, jpg, jpeg, webp; others: png)."""
    parts = (accept or "").lower().split("/")
    if len(parts) != 2 or parts[0] != "image":
        return None
    return parts[1] if parts[1] in FORMATS else "png"


def req_params(req: CommonRequest, mask_given: bool) -> dict[str, Any]:
    """The request as upstream's pre-processor leaves it (seed, checkpoint and image URLs filled per answer)."""
    params = req.model_dump(mode="json")
    params.update(
        aspect_ratios_selection=req.aspect_ratios_selection.replace("*", "×"),
        input_image_checkbox=True,
        inpaint_advanced_masking_checkbox=mask_given,
        invert_mask_checkbox=False,
        current_tab="inpaint",
        uov_input_image="",
        enhance_input_image="",
        inpaint_mask_image_upload="",
        controlnet_image=[{**c, "cn_img": ""} for c in params.get("controlnet_image", [])],
    )
    return params


def make_router(runner: Runner, settings, auth) -> APIRouter:
    secured = APIRouter(dependencies=auth, tags=["fooocus v2.5"])
    files = APIRouter(tags=["fooocus v2.5"])
    lim = limits(runner.ctx.settings.max_image_bytes, runner.ctx.settings.max_image_pixels)

    async def generate(request: Request) -> Response:
        data = await read_json(request)
        req = parse(CommonRequest, data)
        load = runner.ctx.images.load
        image = await load_image(load, req.inpaint_input_image, "inpaint_input_image", lim, required=True)
        mask = await load_image(load, req.inpaint_mask_image_upload, "inpaint_mask_image_upload", lim)
        job = v25_job(req, image, mask)
        binary = binary_format(request.headers.get("accept"))
        if binary:
            job = dataclasses.replace(job, image_number=1)
        base = runner.base_url(request)
        webhook = req.webhook_url or settings.webhook_url
        meta = {
            "base_url": base,
            "output_format": "jpeg" if req.output_format == "jpg" else req.output_format,
            "req_params": req_params(req, mask is not None),
            "image_fields": {"inpaint_input_image": 0, **({"inpaint_mask_image_upload": 1} if mask else {})},
        }
        record = await runner.submit_inpaint(job, label=V25, meta=meta, webhook_url=webhook)
        if binary:
            return await _image_answer(await runner.finished(record), binary)
        if req.stream_output:
            return _stream(record, base)
        if req.async_process:
            return JSONResponse(views.pending_view(record))
        record = await runner.finished(record)
        if record.status is TaskStatus.failed and record.error:
            raise BridgeError.from_info(record.error)
        return JSONResponse(views.record_view(record, base))

    async def _image_answer(record: TaskRecord, fmt: str) -> Response:
        if record.status is TaskStatus.failed and record.error:
            raise BridgeError.from_info(record.error)
        images = [o for o in record.outputs if o.name == "image"]
        if record.status is not TaskStatus.succeeded or not images:
            return Response(status_code=204)
        return Response(await runner.read(images[0].key, fmt), media_type=MEDIA[fmt])

    def _stream(record: TaskRecord, base: str) -> StreamingResponse:
        async def events():
            shown = 0  # the bridge's fraction may step back when a node expands; Fooocus's progress does not
            async for current in runner.service.events(record.id):
                event = views.stream_event(current, base)
                shown = event["progress"] = max(shown, event["progress"])
                yield f"data: {json.dumps(event)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    for path in ("/v1/engine/generate/", "/v1/engine/generate"):
        secured.add_api_route(
            path,
            generate,
            methods=["POST"],
            summary="Inpaint / outpaint (FooocusAPI v2.5 CommonRequest)",
            response_class=Response,
            responses=GENERATE_RESPONSES,
            openapi_extra={"requestBody": json_body(CommonRequest)},
            operation_id=f"fooocus_generate{'_slash' if path.endswith('/') else ''}",
        )

    @secured.get(
        "/tasks",
        summary="Task lists: history, current, pending",
        responses={
            200: {
                "description": "The lists (null after action=delete)",
                "content": {
                    "application/json": {
                        "schema": {
                            "anyOf": [
                                {
                                    "type": "object",
                                    "required": ["history", "current", "pending"],
                                    "properties": {
                                        k: {"type": "array", "items": RECORD} for k in ("history", "current", "pending")
                                    },
                                },
                                {"type": "null"},
                            ]
                        }
                    }
                },
            },
            **openapi_errors(403, 422),
        },
    )
    async def tasks(
        request: Request,
        query: str = "all",
        page: int = Query(0, ge=0, le=1_000_000),
        page_size: int = Query(10, ge=1, le=1000),
        start_at: str | None = None,
        end_at: str | None = None,
        action: str | None = None,
    ) -> JSONResponse:
        base = runner.base_url(request)
        start, end = ms_of(start_at), ms_of(end_at) or int(datetime.now().timestamp()) * 1000
        if start is None or start >= end:
            start = end = None

        def in_range(r: TaskRecord) -> bool:
            return start is not None and start <= r.created_at * 1000 <= end

        if (action or "").lower() == "delete":
            for record in await runner.listed(V25, FINISHED):
                if in_range(record):
                    await runner.delete(record)
            return JSONResponse(None)
        history, current, pending = [], [], []
        if query in ("all", "history"):
            if start is not None:
                found = [r for r in await runner.listed(V25, FINISHED) if in_range(r)]
            else:
                found = await runner.listed(V25, FINISHED, limit=page_size, offset=page * page_size)
            history = [views.record_view(r, base) for r in found]
        if query in ("all", "current"):
            current = [views.record_view(r, base, live=True) for r in await runner.running(V25)]
        if query in ("all", "pending"):
            queued = await runner.listed(V25, [TaskStatus.queued], limit=page_size, offset=page * page_size)
            pending = [views.record_view(r, base) for r in reversed(queued)]
        return JSONResponse({"history": history, "current": current, "pending": pending})

    @secured.get(
        "/tasks/{task_id}",
        summary="One task (HTTP 200 with [] when unknown)",
        responses={
            200: {
                "description": "The record, or [] for an unknown id",
                "content": {"application/json": {"schema": {"anyOf": [RECORD, {"type": "array", "maxItems": 0}]}}},
            },
            **openapi_errors(403),
        },
    )
    async def task(request: Request, task_id: str) -> JSONResponse:
        record = await runner.get(task_id, V25)
        if record is None:
            return JSONResponse([])
        live = record.status is TaskStatus.running
        return JSONResponse(views.record_view(record, runner.base_url(request), live=live))

    @secured.post(
        "/v1/engine/control",
        summary="Stop or skip the running task",
        responses={
            200: {
                "description": "task stoped | task skiped | No task running | Invalid control action",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {"message": {"type": "string"}},
                        }
                    }
                },
            },
            **openapi_errors(403, 422),
        },
    )
    async def control(action: str) -> dict[str, str]:
        if action not in ("stop", "skip"):
            return {"message": "Invalid control action"}
        if not await runner.stop_current(V25, action):
            return {"message": "No task running"}
        return {"message": f"task {action}ed"}  # upstream's spelling: "task stoped", "task skiped"

    @files.get(
        "/outputs/{dir_name}/{file_name}", summary="A result image (no authentication)", responses=FILE_RESPONSES
    )
    async def output(dir_name: str, file_name: str, request: Request) -> Response:
        data, media = await runner.result_file(file_name, request.headers.get("accept"))
        return Response(data, media_type=media)

    @files.get("/inputs/{file_name}", summary="An input image of a task (no authentication)", responses=FILE_RESPONSES)
    async def input_file(file_name: str, request: Request) -> Response:
        parsed = parse_input_name(file_name)
        record = await runner.get(parsed[0], V25) if parsed else None
        refs = [ref for _, ref in image_refs(parse_task(record.task))] if record else []
        if parsed is None or parsed[1] >= len(refs):
            raise BridgeError(ErrorCode.not_found, "no such file")
        fmt = accept_format(request.headers.get("accept")) or parsed[2]
        return Response(await runner.read(refs[parsed[1]].blob, fmt), media_type=MEDIA[fmt])

    router = APIRouter()
    router.include_router(secured)
    router.include_router(files)
    return router
