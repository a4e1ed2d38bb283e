"""The bridge's own routes: health, readiness, metrics, a native task API, outputs, SSE progress."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from ..errors import BridgeError, ErrorCode
from ..store import TaskRecord
from ..store.blobs import valid_key
from ..tasks import ImageRef, Task
from .context import BridgeContext


class ImageUpload(BaseModel):
    image: str  # base64, data: URI or http(s) URL


class TaskRequest(BaseModel):
    task: Task
    webhook_url: str | None = None


def task_view(ctx: BridgeContext, request: Request, record: TaskRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"task"})
    for out in data["outputs"]:
        out["url"] = ctx.output_url(request, out["key"])
    return data


def make_router(ctx: BridgeContext) -> APIRouter:
    router = APIRouter()
    service = ctx.service

    @router.get("/health", tags=["ops"])
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

    @router.get("/ready", tags=["ops"])
    async def ready() -> JSONResponse:
        """Readiness: 503 while no ComfyUI is up or the queue is over its cap."""
        reasons = []
        if not service.executor.healthy:
            reasons.append("comfyui_down")
        if service.over_cap:
            reasons.append("queue_full")
        body = {"ready": not reasons, "reasons": reasons, "queued": service.queue_depth}
        return JSONResponse(body, status_code=503 if reasons else 200)

    @router.get("/metrics", tags=["ops"])
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.post("/bridge/v1/images", tags=["bridge"], response_model=ImageRef)
    async def upload_image(request: Request) -> ImageRef:
        """Store an input image (multipart ``file``, or JSON ``{"image": base64|data URI|URL}``)."""
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
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

    @router.post("/bridge/v1/tasks", tags=["bridge"], status_code=202)
    async def submit(request: Request, body: TaskRequest) -> dict[str, Any]:
        """Queue a typed task (see api_bridge/tasks.py); images are refs from /bridge/v1/images."""
        record = await service.submit(body.task, webhook_url=body.webhook_url)
        return task_view(ctx, request, record)

    @router.get("/bridge/v1/tasks/{task_id}", tags=["bridge"])
    async def get_task(request: Request, task_id: str, wait: float = 0.0) -> dict[str, Any]:
        """The task record; ``wait`` (s) long-polls until it finishes."""
        record = await service.wait(task_id, min(wait, 600.0)) if wait > 0 else await service.get(task_id)
        return task_view(ctx, request, record)

    @router.post("/bridge/v1/tasks/{task_id}/cancel", tags=["bridge"])
    async def cancel(request: Request, task_id: str) -> dict[str, Any]:
        return task_view(ctx, request, await service.cancel(task_id))

    @router.get("/bridge/v1/tasks/{task_id}/events", tags=["bridge"])
    async def events(request: Request, task_id: str) -> StreamingResponse:
        """Server-sent events: ``progress`` on every change, then ``finished``."""
        await service.get(task_id)  # 404 before the stream starts

        async def stream():
            async for record in service.events(task_id):
                name = "finished" if record.status.finished else "progress"
                yield f"event: {name}\ndata: {json.dumps(task_view(ctx, request, record))}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @router.get("/bridge/v1/outputs/{key}", tags=["bridge"])
    async def output(key: str) -> Response:
        """A stored output (or input) image; no auth: the random key is the capability."""
        if not valid_key(key):
            raise BridgeError(ErrorCode.not_found, "no such output")
        try:
            data = await service.read_output(key)
        except KeyError as exc:
            raise BridgeError(ErrorCode.not_found, "no such output (expired?)") from exc
        media = (
            "image/png" if key.endswith(".png") else "image/jpeg" if key.endswith((".jpg", ".jpeg")) else "image/webp"
        )
        return Response(data, media_type=media, headers={"Cache-Control": "public, max-age=86400"})

    return router
