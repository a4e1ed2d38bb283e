"""The Volcengine contract on the bridge: settings, the erase task it submits, ``CONTRACT``.

Credentials come from ``IB_VOLC_CREDENTIALS``: a JSON object ``{"AK": "SK", ...}`` or
``AK:SK,AK2:SK2``. With none configured every request is refused (``InvalidAccessKey``).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from PIL import Image
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...errors import BridgeError, ErrorInfo
from ...server.images import ImageLimits, fetch_url
from ...store.records import OutputRef
from ...tasks import EraseOptions, EraseTask, HDOptions, MaskPicture, Watermark
from .. import Contract
from .errors import API_VERSION, GatewayError, from_bridge_error
from .inputs import MAX_BYTES, MAX_SIDE
from .routes import make_router as make_volc_router
from .service import EraseJob, EraseResult, new_request_id

log = logging.getLogger(__name__)

LIMITS = ImageLimits(max_bytes=MAX_BYTES, max_pixels=MAX_SIDE * MAX_SIDE)
POSITIONS = ("bottom-right", "bottom-left", "top-left", "top-right")  # logo_info.position 0..3


class VolcSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_VOLC_", extra="ignore")

    credentials: str = ""  # JSON {"AK": "SK"} or "AK:SK,AK2:SK2"
    timeout: float = 600.0  # seconds a request waits for its result
    jpeg_quality: int = 90  # image_urls are JPEGs


def parse_credentials(text: str) -> dict[str, str]:
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        pairs = json.loads(text)
        return {str(k): str(v) for k, v in pairs.items()}
    out = {}
    for item in text.split(","):
        ak, sep, sk = item.strip().partition(":")
        if not sep or not ak or not sk:
            raise ValueError("IB_VOLC_CREDENTIALS: expected AK:SK pairs separated by commas, or a JSON object")
        out[ak] = sk
    return out


def erase_task(job: EraseJob, image_ref, mask_ref) -> EraseTask:
    """The request as the bridge's erase task (pure: no I/O)."""
    req, s = job.request, job.settings
    mark = req.watermark
    return EraseTask(
        seed=req.seed,  # -1: the task service draws one
        image=image_ref,
        # 255 = erase; grey, or R = G = B (checked), so the RGB mean is the grey value.
        mask=MaskPicture(image=mask_ref, rule="rgb_mean", threshold=127),
        erase=EraseOptions(
            engine=s.engine,
            hd=HDOptions(strategy=s.strategy, crop_margin=s.crop_margin, resize_limit=s.resize_limit),
            dilate=req.dilate_size,
            feather=min(4, req.dilate_size),
            candidates=1,
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


def make_router(ctx) -> APIRouter:
    settings = VolcSettings()
    try:
        credentials = parse_credentials(settings.credentials)
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"IB_VOLC_CREDENTIALS is not valid: {exc}") from None
    if not credentials:
        log.warning("volcengine: no IB_VOLC_CREDENTIALS configured; every request will be refused")

    async def run(job: EraseJob, request: Request) -> EraseResult:
        image = await ctx.images.load(job.image.data, LIMITS, what="image")  # decoded, EXIF applied
        mask = await ctx.images.load(job.mask.data, LIMITS, what="mask")
        task = erase_task(job, await ctx.service.put_image(image), await ctx.service.put_image(mask))
        record = await ctx.service.run(task, contract="volcengine", timeout=settings.timeout)
        if record.error:
            raise BridgeError.from_info(record.error)
        png = await ctx.service.read_output(record.output("image").key)
        url = None
        if job.request.return_url:
            jpeg = await asyncio.to_thread(_to_jpeg, png, settings.jpeg_quality)
            key = await ctx.service.blobs.put(jpeg, "jpg")
            # Recorded as one of the task's outputs, so it expires (result TTL, 24 h) with the task.
            out = record.output("image")
            extra = OutputRef(name="image_jpeg", key=key, mime="image/jpeg", width=out.width, height=out.height)
            await ctx.service.store.save(record.model_copy(update={"outputs": [*record.outputs, extra]}))
            url = ctx.output_url(request, key)
        return EraseResult(image_base64=base64.b64encode(png).decode(), image_url=url)

    async def fetch(url: str) -> bytes:
        return await fetch_url(url, ctx.images.policy, MAX_BYTES)

    return make_volc_router(credentials=credentials, run=run, fetch_url=fetch)


def error_envelope(error: ErrorInfo, status: int) -> JSONResponse:
    """Errors raised outside the handler (framework level): the service wrapper."""
    failure = from_bridge_error(error.code.value, error.message)
    return JSONResponse(failure.body(request_id=new_request_id()), status_code=failure.http_status)


CONTRACT = Contract(
    name="volcengine",
    make_router=make_router,
    error_envelope=error_envelope,
    description=f"Volcengine visual CVProcess / Img2ImgInpainting (i2i_inpainting), Version {API_VERSION}",
)

__all__ = ["CONTRACT", "GatewayError", "VolcSettings", "erase_task", "parse_credentials"]
