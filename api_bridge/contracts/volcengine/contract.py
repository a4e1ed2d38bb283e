"""The Volcengine contract on the bridge: credentials, the erase task it submits, its router.

Credentials come from ``INPAINT_BRIDGE_VOLC_CREDENTIALS``: a JSON object ``{"AK": "SK"}`` or
``AK:SK,AK2:SK2``. With none configured every request is refused (``InvalidAccessKey``).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import secrets

from fastapi import APIRouter, Request
from PIL import Image
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...errors import BridgeError
from ...images import ImageLimits, fetch_url, open_image
from ...service import input_name
from ...tasks import EraseOptions, EraseTask, MaskSource, Watermark
from .inputs import MAX_BYTES, MAX_SIDE
from .routes import make_router
from .service import EraseJob, EraseResult

log = logging.getLogger(__name__)

CONTRACT = "volcengine"
LIMITS = ImageLimits(max_bytes=MAX_BYTES, max_pixels=MAX_SIDE * MAX_SIDE, max_side=MAX_SIDE, formats=("PNG", "JPEG"))
POSITIONS = ("bottom-right", "bottom-left", "top-left", "top-right")  # logo_info.position 0..3
JPEG_NAME = "out_volc.jpg"


class VolcSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INPAINT_BRIDGE_VOLC_", extra="ignore")

    credentials: str = ""  # JSON {"AK": "SK"} or "AK:SK,AK2:SK2"
    jpeg_quality: int = 90  # image_urls are JPEGs


def parse_credentials(text: str) -> dict[str, str]:
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        return {str(k): str(v) for k, v in json.loads(text).items()}
    out = {}
    for item in text.split(","):
        ak, sep, sk = item.strip().partition(":")
        if not sep or not ak or not sk:
            raise ValueError("expected AK:SK pairs separated by commas, or a JSON object")
        out[ak] = sk
    return out


def erase_task(job: EraseJob, task_id: str) -> EraseTask:
    """The request as the bridge's erase task (no I/O; seed -1 draws a random seed)."""
    req, s = job.request, job.settings
    mark = req.watermark
    return EraseTask(
        image=input_name(task_id, "image"),
        # 255 = erase; grey or R = G = B (checked before), so the RGB mean is the grey value.
        mask=MaskSource(image=input_name(task_id, "mask"), rule="rgb_mean", threshold=127),
        options=EraseOptions(
            engine=s.engine,
            strategy=s.strategy,
            crop_margin=s.crop_margin,
            resize_limit=s.resize_limit,
            dilate=req.dilate_size,
            feather=min(4, req.dilate_size),
            candidates=1,
            seed=req.seed if req.seed >= 0 else secrets.randbelow(2**31),  # -1 = random
        ),
        watermark=Watermark(
            text=mark.logo_text_content or "",
            language="zh" if mark.language == 0 else "en",
            position=POSITIONS[mark.position],
            opacity=mark.opacity,
        )
        if mark
        else None,
    )


def _to_jpeg(png: bytes, quality: int) -> bytes:
    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        im.convert("RGB").save(buf, "JPEG", quality=quality)
        return buf.getvalue()


def router(service, settings) -> APIRouter:
    """``POST /?Action=...`` on the bridge: the service wrapper on success and business errors."""
    volc = VolcSettings()
    try:
        credentials = parse_credentials(volc.credentials)
    except (ValueError, json.JSONDecodeError, AttributeError) as exc:
        raise ValueError(f"INPAINT_BRIDGE_VOLC_CREDENTIALS is not valid: {exc}") from None
    if not credentials:
        log.warning("volcengine: INPAINT_BRIDGE_VOLC_CREDENTIALS is empty; every request will be refused")

    async def run(job: EraseJob, request: Request) -> EraseResult:
        # Decoded (EXIF-oriented) here; the contract checked limits and the mask encoding already.
        image = open_image(job.image.data, LIMITS, "image")
        mask = open_image(job.mask.data, LIMITS, "mask")
        task_id = service.new_task_id()
        task = erase_task(job, task_id)
        service.submit(task_id, task, {"image": image, "mask": mask}, CONTRACT, {"request_id": job.request_id})
        record = await service.wait(task_id)
        if record.error:
            raise BridgeError.from_dict(record.error)
        if record.status != "succeeded" or not record.results:
            raise BridgeError("comfy_execution", f"task {task_id} ended {record.status} without a result")
        png = service.files.get(task_id, record.results[0])
        url = None
        if job.request.return_url:
            jpeg = await asyncio.to_thread(_to_jpeg, png, volc.jpeg_quality)
            # Stored with the task, so it lives as long as the task (task_ttl_s, 24 h by default).
            service.files.put(task_id, JPEG_NAME, jpeg)
            url = f"{settings.base_url}/outputs/{task_id}/{JPEG_NAME}"
        return EraseResult(image_base64=base64.b64encode(png).decode(), image_url=url)

    async def fetch(url: str) -> bytes:
        return await fetch_url(url, LIMITS, settings.allow_private_urls, what="image_urls entry")

    return make_router(credentials=credentials, run=run, fetch_url=fetch)
