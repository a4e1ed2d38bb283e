"""The bridge's own task API (/v1/bridge/...): every task kind, with progress as server-sent events.

Contracts have their own routes; this one is for users and tools that speak the
bridge directly. Image fields take base64, data URIs or http(s) URLs.
"""

import asyncio
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict

from ..errors import BridgeError
from ..images import load_image
from ..service import TaskService, input_name
from ..store.tasks import TaskRecord
from ..tasks import (
    Adjust,
    AdjustMaskTask,
    EraseOptions,
    EraseTask,
    GenerateMaskTask,
    MaskSource,
    RembgPrompt,
    SamPrompt,
)


class MaskIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    image: str
    rule: str = "rgb_mean"
    threshold: int = 127
    invert: bool = False


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    image: str
    mask: MaskIn
    options: EraseOptions = EraseOptions()
    wait: bool = False


class AdjustMaskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    mask: MaskIn
    adjust: Adjust = Adjust()
    invert_result: bool = False
    wait: bool = False


class GenerateMaskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    image: str
    method: SamPrompt | RembgPrompt = SamPrompt()
    adjust: Adjust = Adjust()
    invert_result: bool = False
    wait: bool = False


def task_view(record: TaskRecord, base_url: str) -> dict:
    return {
        "id": record.id,
        "kind": record.kind,
        "status": record.status,
        "progress": record.progress,
        "stage": record.stage,
        "created": record.created,
        "started": record.started,
        "finished": record.finished,
        "results": [f"{base_url}/outputs/{record.id}/{name}" for name in record.results],
        "error": record.error,
    }


def error_response(err: BridgeError) -> JSONResponse:
    return JSONResponse({"error": err.as_dict()}, status_code=err.http_status)


def router(service: TaskService, base_url: str, allow_private: bool) -> APIRouter:
    api = APIRouter(prefix="/v1/bridge", tags=["bridge"])

    async def mask_source(task_id: str, mask: MaskIn, images: dict) -> MaskSource:
        images["mask"] = await load_image(mask.image, allow_private=allow_private, what="mask")
        try:
            return MaskSource(
                image=input_name(task_id, "mask"), rule=mask.rule, threshold=mask.threshold, invert=mask.invert
            )
        except ValueError as exc:
            raise BridgeError("invalid_input", f"mask: {exc}") from None

    async def finish(task_id: str, task, images: dict, wait: bool):
        service.submit(task_id, task, images, contract="bridge")
        record = await service.wait(task_id) if wait else service.store.get(task_id)
        return task_view(record, base_url)

    @api.post("/erase", summary="Erase what a mask covers (no prompt)")
    async def erase(body: EraseRequest):
        task_id, images = service.new_task_id(), {}
        images["image"] = await load_image(body.image, allow_private=allow_private)
        mask = await mask_source(task_id, body.mask, images)
        task = EraseTask(image=input_name(task_id, "image"), mask=mask, options=body.options)
        return await finish(task_id, task, images, body.wait)

    @api.post("/adjust_mask", summary="Grow, shrink, feather or invert a mask")
    async def adjust_mask(body: AdjustMaskRequest):
        task_id, images = service.new_task_id(), {}
        mask = await mask_source(task_id, body.mask, images)
        task = AdjustMaskTask(mask=mask, adjust=body.adjust, invert_result=body.invert_result)
        return await finish(task_id, task, images, body.wait)

    @api.post("/generate_mask", summary="Make a mask with SAM prompts or background removal")
    async def generate_mask(body: GenerateMaskRequest):
        task_id, images = service.new_task_id(), {}
        images["image"] = await load_image(body.image, allow_private=allow_private)
        task = GenerateMaskTask(
            image=input_name(task_id, "image"), method=body.method, adjust=body.adjust, invert_result=body.invert_result
        )
        return await finish(task_id, task, images, body.wait)

    @api.get("/tasks/{task_id}", summary="A task's status, progress, result URLs and error")
    async def get_task(task_id: str):
        record = service.store.get(task_id)
        if record is None:
            raise BridgeError("not_found", f"no task {task_id}")
        return task_view(record, base_url)

    @api.delete("/tasks/{task_id}", summary="Cancel a queued or running task")
    async def cancel(task_id: str):
        if service.store.get(task_id) is None:
            raise BridgeError("not_found", f"no task {task_id}")
        return {"canceled": service.cancel(task_id)}

    @api.get("/tasks/{task_id}/events", summary="Progress as server-sent events until the task ends")
    async def events(task_id: str, request: Request):
        if service.store.get(task_id) is None:
            raise BridgeError("not_found", f"no task {task_id}")

        async def stream():
            q = service.subscribe(task_id)
            try:
                record = service.store.get(task_id)
                while True:
                    yield f"data: {json.dumps(task_view(record, base_url))}\n\n"
                    if record.done or await request.is_disconnected():
                        return
                    try:
                        record = await asyncio.wait_for(q.get(), 15)
                    except asyncio.TimeoutError:
                        record = service.store.get(task_id)
            finally:
                service.unsubscribe(task_id, q)

        return StreamingResponse(stream(), media_type="text/event-stream")

    return api
