"""Routes both APIs share: ``POST /v1/tools/generate_mask``, ``GET /v1/engines/all-models``, ``/v1/engines/styles``.

``generate_mask`` answers a JSON string: the bare base64 PNG of the mask (no ``data:`` prefix). rembg models
give a single-channel mask (rembg's soft alpha), ``sam`` an RGB mask of 0 / 255: boxes found by
GroundingDINO for ``dino_prompt_text`` (thresholds, ``sam_max_detections``, boxes grown by
``dino_erode_or_dilate``) prompt SAM, whose masks are cleaned of holes below 400 px as Fooocus does;
``dino_debug`` answers the boxes themselves, filled white. An empty ``dino_prompt_text`` finds nothing:
an empty mask.
"""

from __future__ import annotations

import asyncio
import base64
import io

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from PIL import Image

from ...errors import BridgeError, ErrorCode, ErrorInfo
from ...openapi import json_body
from ...store.records import TaskStatus
from ...tasks.mask import GenerateMaskTask, RembgSegmenter, SamSegmenter, TextDetect
from .body import parse, read_json
from .errors import openapi_errors
from .fields import DEFAULT_STYLES, MASKS, MaskModel
from .inputs import limits, load_image
from .requests_mask import GenerateMaskRequest
from .runner import Runner

SAM_HOLES = 400  # px: Fooocus fills smaller holes in each SAM mask (extras/inpaint_mask.optimize_masks)
STRING = {"application/json": {"schema": {"type": "string"}}}


def _single_channel(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        im.convert("L").save(buf, "PNG")
        return buf.getvalue()


def make_router(runner: Runner, settings, auth) -> APIRouter:
    router = APIRouter(dependencies=auth, tags=["fooocus tools"])
    lim = limits(runner.ctx.settings.max_image_bytes, runner.ctx.settings.max_image_pixels)

    async def segmenter(req: GenerateMaskRequest) -> SamSegmenter | RembgSegmenter:
        if req.mask_model is not MaskModel.sam:
            name = await runner.models.rembg(req.mask_model.value)
            return RembgSegmenter(model_name=name, cloth_category=req.cloth_category)
        sam = await runner.models.sam(req.sam_model)
        if not req.dino_prompt_text.strip():
            return SamSegmenter(model_name=sam, cleanup_area=SAM_HOLES)
        detect = TextDetect(
            model_name=await runner.models.grounding_dino(settings.dino_model),
            prompt=req.dino_prompt_text,
            box_threshold=float(req.box_threshold),
            text_threshold=float(req.text_threshold),
            max_detections=req.sam_max_detections,
            grow_boxes=float(req.dino_erode_or_dilate),
            boxes_only=req.dino_debug,
        )
        return SamSegmenter(model_name=sam, cleanup_area=SAM_HOLES, detect=detect)

    @router.post(
        "/v1/tools/generate_mask",
        summary="A mask from an image: rembg models, or SAM prompted by GroundingDINO",
        responses={
            200: {"description": "The mask PNG as bare base64", "content": STRING},
            **openapi_errors(403, 413, 422, 429, 500, 503, 504),
        },  # fmt: skip
        openapi_extra={"requestBody": json_body(GenerateMaskRequest)},
    )
    async def generate_mask(request: Request) -> JSONResponse:
        req = parse(GenerateMaskRequest, await read_json(request))
        image = await load_image(runner.ctx.images.load, req.image, "image", lim, required=True)
        task = GenerateMaskTask(image=await runner.service.put_image(image), segmenter=await segmenter(req))
        record = await runner.finished(await runner.submit_mask(task, MASKS))
        if record.status is not TaskStatus.succeeded:
            raise BridgeError.from_info(record.error or ErrorInfo(code=ErrorCode.interrupted, message="stopped"))
        png = await runner.read(record.output("mask").key, "png")
        if req.mask_model is not MaskModel.sam:
            png = await asyncio.to_thread(_single_channel, png)
        return JSONResponse(base64.b64encode(png).decode())

    @router.get(
        "/v1/engines/all-models",
        summary="Installed checkpoints and LoRAs",
        responses={
            200: {
                "description": "File names as requests may name them",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["model_filenames", "lora_filenames"],
                            "properties": {
                                "model_filenames": {"type": "array", "items": {"type": "string"}},
                                "lora_filenames": {"type": "array", "items": {"type": "string"}},
                            },
                        }
                    }
                },
            },
            **openapi_errors(403, 503),
        },
    )
    async def all_models() -> dict[str, list[str]]:
        return {
            "model_filenames": await runner.models.names("checkpoint"),
            "lora_filenames": await runner.models.names("lora"),
        }

    @router.get(
        "/v1/engines/styles",
        summary="Style names (accepted; the bridge applies no styles)",
        responses={
            200: {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
            **openapi_errors(403),
        },
    )
    async def styles() -> list[str]:
        return list(DEFAULT_STYLES)

    return router
