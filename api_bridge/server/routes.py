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
    """One ComfyUI worker as this replica sees it."""

    url: str
    healthy: bool
    draining: bool = Field(description="Finishes its running tasks, gets no new ones (on every replica).")
    capacity: int = Field(description="Prompts it gets at once, from every replica.")
    inflight: int = Field(description="This replica's tasks on it (reserved or running).")
    load: int = Field(description="inflight plus the prompts other replicas have queued there.")


class Health(BaseModel):
    status: str
    replica: str
    comfyui: list[ServerHealth]
    queued: int = Field(description="Tasks waiting in the shared queue (every replica's).")
    running: int = Field(description="Tasks this replica runs now.")
    running_all: int | None = Field(description="Tasks running on every replica (null while the store is down).")
    store_up: bool
    embedded: dict[str, Any] | None


class Readiness(BaseModel):
    ready: bool
    reasons: list[str]
    queued: int


class DrainRequest(BaseModel):
    url: str = Field(min_length=1, description="The ComfyUI's URL as in IB_COMFY_URLS.")
    draining: bool = Field(True, description="true: drain it; false: send it tasks again.")


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
STORE = (503,)  # the task store (Redis) cannot be reached


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
        """Liveness: the bridge answers. ComfyUI and task store state is reported, not required."""
        stats = await service.stats()
        local = getattr(request.app.state, "local_comfy", None)
        return {
            "status": "ok",
            "replica": stats["replica"],
            "comfyui": service.workers(),
            "queued": stats["queued"],
            "running": stats["running_here"],
            "running_all": stats["running"],
            "store_up": stats["store_up"],
            "embedded": (
                {"pid": local.pid, "restarts": local.restarts, "url": local.url} if local is not None else None
            ),
        }

    @router.get(
        "/ready",
        tags=["ops"],
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "ComfyUI or the task store down, or the queue full"}},
    )
    async def ready() -> JSONResponse:
        """Readiness: 503 while no ComfyUI is up, the task store cannot be reached or the shared queue is full."""
        stats = await service.stats()
        reasons = []
        if not service.executor.healthy:
            reasons.append("comfyui_down")
        if not stats["store_up"]:
            reasons.append("store_down")
        if service.over_cap:
            reasons.append("queue_full")
        body = {"ready": not reasons, "reasons": reasons, "queued": stats["queued"]}
        return JSONResponse(body, status_code=503 if reasons else 200)

    @router.get(
        "/metrics",
        tags=["ops"],
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
    )
    async def metrics() -> Response:
        """Prometheus metrics (text exposition format): the shared queue's depth and this replica's own work."""
        await service.stats()
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
        "/bridge/v1/tasks",
        tags=["bridge"],
        status_code=202,
        response_model=TaskView,
        responses=errors(*AUTH, 422, 429, *STORE),
    )
    async def submit(request: Request, body: task_request) -> dict[str, Any]:  # type: ignore[valid-type]  (built above)
        """Queue a typed task (see api_bridge/tasks/); images are refs from /bridge/v1/images."""
        record = await service.submit(body.task, webhook_url=body.webhook_url)
        return task_view(ctx, request, record)

    @keyed.get(
        "/bridge/v1/tasks/{task_id}",
        tags=["bridge"],
        response_model=TaskView,
        responses=errors(*AUTH, 404, 422, *STORE),
    )
    async def get_task(
        request: Request, task_id: str, wait: float = Query(0.0, ge=0.0, le=600.0, description="Long-poll (s).")
    ) -> dict[str, Any]:
        """The task record; ``wait`` (s) long-polls until it finishes."""
        record = await service.wait(task_id, wait) if wait > 0 else await service.get(task_id)
        return task_view(ctx, request, record)

    @keyed.post(
        "/bridge/v1/tasks/{task_id}/cancel",
        tags=["bridge"],
        response_model=TaskView,
        responses=errors(*AUTH, 404, 422, *STORE),
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
            **errors(*AUTH, 404, 422, *STORE),
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

    @keyed.get("/bridge/v1/workers", tags=["ops"], response_model=list[ServerHealth], responses=errors(*AUTH))
    async def workers() -> list[dict[str, Any]]:
        """The ComfyUI workers: health, capacity, load and drain state, as this replica sees them."""
        return service.workers()

    @keyed.post(
        "/bridge/v1/workers/drain",
        tags=["ops"],
        response_model=ServerHealth,
        responses=errors(*AUTH, 404, 422, *STORE),
    )
    async def drain(body: DrainRequest) -> dict[str, Any]:
        """Drain a ComfyUI for maintenance on every replica (its running tasks finish, it gets no new ones), or
        with ``draining: false`` send it tasks again. 404 for a URL that is not one of the workers."""
        return await service.set_draining(body.url, body.draining)

    router.include_router(keyed)
    return router


_MEDIA = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
