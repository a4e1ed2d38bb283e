"""The bridge's own routes: health, readiness, metrics, the native task API, outputs, SSE progress.

Every status a route can answer is in the OpenAPI document with its body (``ErrorBody`` for
errors), so generated clients and schemathesis see what the server really does. ``/bridge/v1/*``
takes an API key when ``IB_API_KEYS`` is set; result URLs never do (their random key is the
capability, as every contract's clients expect).
"""

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field, create_model
from starlette.datastructures import UploadFile

from ..errors import BridgeError, ErrorCode, ErrorInfo
from ..store import TaskRecord
from ..store.blobs import is_input_key, valid_key
from ..store.records import OutputRef
from ..tasks import ImageRef, task_union
from .auth import api_key_dependency
from .context import BridgeContext


class ErrorBody(BaseModel):
    """Every error of the native API."""

    error: ErrorInfo


class ImageUpload(BaseModel):
    image: str = Field(min_length=1, description="base64, a data: URI or an http(s) URL of a PNG/JPEG/WebP... image")


class OutputView(OutputRef):
    url: str = Field(description="Fetchable without authentication until the task expires.")


# The task record as clients see it: without the stored task, outputs with their URLs.
TaskView = create_model(
    "TaskView",
    __base__=BaseModel,
    **{
        name: (OutputView if name == "outputs" else field.annotation, field)
        for name, field in TaskRecord.model_fields.items()
        if name not in ("task", "outputs")
    },
    outputs=(list[OutputView], Field(default_factory=list)),
)


class ServerHealth(BaseModel):
    url: str
    healthy: bool
    inflight: int


class Health(BaseModel):
    status: str
    comfyui: list[ServerHealth]
    queued: int
    running: int
    embedded: dict[str, Any] | None


class Readiness(BaseModel):
    ready: bool
    reasons: list[str]
    queued: int


# One server-sent event: ``progress`` on every change, then ``finished``; ``data`` is a TaskView as JSON.
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {"event": {"type": "string", "enum": ["progress", "finished"]}, "data": {"type": "string"}},
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all with :class:`ErrorBody`."""
    return {status: {"model": ErrorBody} for status in statuses}


AUTH = (401,)  # every /bridge/v1 route but outputs


def task_view(ctx: BridgeContext, request: Request, record: TaskRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"task"})
    for out in data["outputs"]:
        out["url"] = ctx.output_url(request, out["key"])
    return data


def make_router(ctx: BridgeContext) -> APIRouter:
    router = APIRouter()
    service = ctx.service
    keyed = APIRouter(dependencies=[Depends(api_key_dependency(ctx.settings.api_keys))])
    task_request = create_model(
        "TaskRequest",
        task=(task_union(), Field(description="A typed task; images are refs from POST /bridge/v1/images.")),
        webhook_url=(str | None, Field(None, description="POSTed the finished record (signed; public hosts only).")),
    )

    @router.get("/health", tags=["ops"], response_model=Health)
    async def health(request: Request) -> dict[str, Any]:
        """Liveness: the bridge answers. ComfyUI state is reported, not required."""
        ex = service.executor
        local = getattr(request.app.state, "local_comfy", None)
        return {
            "status": "ok",
            "comfyui": [{"url": s.url, "healthy": s.healthy, "inflight": s.inflight} for s in ex.servers],
            "queued": service.queue_depth,
            "running": service.running,
            "embedded": (
                {"pid": local.pid, "restarts": local.restarts, "url": local.url} if local is not None else None
            ),
        }

    @router.get(
        "/ready",
        tags=["ops"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "ComfyUI down or the queue over its cap"}},
    )
    async def ready() -> JSONResponse:
        """Readiness: 503 while no ComfyUI is up or the queue is over its cap."""
        reasons = []
        if not service.executor.healthy:
            reasons.append("comfyui_down")
        if service.over_cap:
            reasons.append("queue_full")
        body = {"ready": not reasons, "reasons": reasons, "queued": service.queue_depth}
        return JSONResponse(body, status_code=503 if reasons else 200)

    @router.get(
        "/metrics",
        tags=["ops"],
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
    )
    async def metrics() -> Response:
        """Prometheus metrics (text exposition format)."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @keyed.post(
        "/bridge/v1/images",
        tags=["bridge"],
        response_model=ImageRef,
        responses=errors(*AUTH, 413, 422),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": ImageUpload.model_json_schema()},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"file": {"type": "string", "format": "binary"}},
                            "required": ["file"],
                        }
                    },
                },
            }
        },
    )
    async def upload_image(request: Request) -> ImageRef:
        """Store an input image (multipart ``file``, or JSON ``{"image": base64|data URI|URL}``)."""
        if request.headers.get("content-type", "").startswith("multipart/"):
            try:
                form = await request.form()
            except Exception as exc:  # starlette raises its own parser errors on a broken body
                raise BridgeError(ErrorCode.invalid_input, f"unreadable multipart body: {exc}") from exc
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise BridgeError(ErrorCode.invalid_input, "multipart upload needs a 'file' part")
            data = await file.read(ctx.images.default_limits.max_bytes + 1)
            image = await ctx.images.load(data)
        else:
            try:
                body = ImageUpload.model_validate(await request.json())
            except (ValueError, json.JSONDecodeError) as exc:
                raise BridgeError(ErrorCode.invalid_input, f"expected multipart 'file' or JSON 'image': {exc}") from exc
            image = await ctx.images.load(body.image)
        return await service.put_image(image)

    @keyed.post(
        "/bridge/v1/tasks", tags=["bridge"], status_code=202, response_model=TaskView, responses=errors(*AUTH, 422, 429)
    )
    async def submit(request: Request, body: task_request) -> dict[str, Any]:  # type: ignore[valid-type]  (built above)
        """Queue a typed task (see api_bridge/tasks/); images are refs from /bridge/v1/images."""
        record = await service.submit(body.task, webhook_url=body.webhook_url)
        return task_view(ctx, request, record)

    @keyed.get(
        "/bridge/v1/tasks/{task_id}", tags=["bridge"], response_model=TaskView, responses=errors(*AUTH, 404, 422)
    )
    async def get_task(
        request: Request, task_id: str, wait: float = Query(0.0, ge=0.0, le=600.0, description="Long-poll (s).")
    ) -> dict[str, Any]:
        """The task record; ``wait`` (s) long-polls until it finishes."""
        record = await service.wait(task_id, wait) if wait > 0 else await service.get(task_id)
        return task_view(ctx, request, record)

    @keyed.post(
        "/bridge/v1/tasks/{task_id}/cancel", tags=["bridge"], response_model=TaskView, responses=errors(*AUTH, 404, 422)
    )
    async def cancel(request: Request, task_id: str) -> dict[str, Any]:
        """Cancel a queued or running task (a finished one is returned as it is)."""
        return task_view(ctx, request, await service.cancel(task_id))

    @keyed.get(
        "/bridge/v1/tasks/{task_id}/events",
        tags=["bridge"],
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}},
            **errors(*AUTH, 404, 422),
        },
    )
    async def events(request: Request, task_id: str) -> StreamingResponse:
        """Server-sent events: ``progress`` on every change, then ``finished``."""
        await service.get(task_id)  # 404 before the stream starts

        async def stream():
            async for record in service.events(task_id):
                name = "finished" if record.status.finished else "progress"
                yield f"event: {name}\ndata: {json.dumps(task_view(ctx, request, record))}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @keyed.get(
        "/bridge/v1/models",
        tags=["bridge"],
        response_model=dict[str, Any],
        responses={**errors(*AUTH), 503: {"model": ErrorBody, "description": "no ComfyUI answers"}},
    )
    async def models() -> dict[str, Any]:
        """Installed models by kind, from the ComfyUI the bridge drives (checkpoints with family and whether
        they are inpainting variants, VAEs, LoRAs, embeddings, erase models, SAM, rembg, GroundingDINO)."""
        return await ctx.models.listing()

    @router.get(
        "/bridge/v1/outputs/{key}",
        tags=["bridge"],
        response_class=Response,
        responses={
            200: {"content": {m: {"schema": {"type": "string", "format": "binary"}} for m in _MEDIA.values()}},
            **errors(404, 422),
        },
    )
    async def output(key: str) -> Response:
        """A stored result image; no auth: the random key is the capability. Inputs are never served."""
        if not valid_key(key) or is_input_key(key):
            raise BridgeError(ErrorCode.not_found, "no such output")
        try:
            data = await service.read_output(key)
        except KeyError as exc:
            raise BridgeError(ErrorCode.not_found, "no such output (expired?)") from exc
        media = _MEDIA[key.rsplit(".", 1)[1]]
        return Response(data, media_type=media, headers={"Cache-Control": "public, max-age=86400"})

    router.include_router(keyed)
    return router


_MEDIA = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
