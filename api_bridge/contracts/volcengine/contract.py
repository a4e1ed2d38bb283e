"""The Volcengine contract on the bridge: settings, the erase task it submits, ``CONTRACT``.

Credentials come from ``IB_VOLC_CREDENTIALS``: a JSON object ``{"AK": "SK", ...}`` or
``AK:SK,AK2:SK2``. With none configured every request is refused (``InvalidAccessKey``).
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging

from fastapi import Request
from fastapi.responses import JSONResponse
from PIL import Image
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...errors import BridgeError, ErrorInfo
from ...tasks.erase import Corner, EraseOptions, EraseTask, HDOptions, Watermark
from ...tasks.parts import MaskPicture
from .. import Contract
from ..credentials import parse_pairs
from .errors import API_VERSION, GatewayError, from_bridge_error, openapi_responses
from .routes import root_handler
from .service import EraseJob, EraseResult, new_request_id

log = logging.getLogger(__name__)

# logo_info.position 0..3 (the contract's order) -> IB_TextWatermark corner
POSITIONS: tuple[Corner, ...] = ("bottom-right", "bottom-left", "top-left", "top-right")
LANGUAGES = {0: "zh", 1: "en"}  # logo_info.language -> IB_TextWatermark language (its default texts)


class VolcSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_VOLC_", extra="ignore")

    credentials: str = ""  # JSON {"AK": "SK"} or "AK:SK,AK2:SK2"
    timeout: float = 600.0  # seconds a request waits for its result; then the task is cancelled (50500)
    jpeg_quality: int = 90  # image_urls are JPEGs


def parse_credentials(text: str) -> dict[str, str]:
    return parse_pairs(text, "IB_VOLC_CREDENTIALS", "AK:SK")


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
            text=mark.logo_text_content or "",  # empty: the node's default text of the language
            language=LANGUAGES[mark.language],
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


def make_root(ctx):
    settings = VolcSettings()
    credentials = parse_credentials(settings.credentials)
    if not credentials:
        log.warning("volcengine: no IB_VOLC_CREDENTIALS configured; every request will be refused")

    async def run(job: EraseJob, request: Request) -> EraseResult:
        task = erase_task(job, await ctx.service.put_image(job.image), await ctx.service.put_image(job.mask))
        record = await ctx.service.run(task, contract="volcengine", timeout=settings.timeout)
        if record.error:
            raise BridgeError.from_info(record.error)
        out = record.output("image")
        png = await ctx.service.read_output(out.key)
        url = None
        if job.request.return_url:
            jpeg = await asyncio.to_thread(_to_jpeg, png, settings.jpeg_quality)
            # One of the task's outputs, so it expires (result TTL, 24 h) with the task.
            extra = await ctx.service.attach_output(
                record.id, "image_jpeg", jpeg, "jpg", mime="image/jpeg", width=out.width, height=out.height
            )
            url = ctx.output_url(request, extra.key)
        return EraseResult(image_base64=base64.b64encode(png).decode(), image_url=url)

    return root_handler(credentials=credentials, run=run, load=ctx.images.load, responses=openapi_responses())


def error_envelope(error: ErrorInfo, status: int) -> JSONResponse:
    """Errors raised outside the handler (framework level): the service wrapper."""
    failure = from_bridge_error(error.code.value, error.message)
    return JSONResponse(failure.body(request_id=new_request_id()), status_code=failure.http_status)


CONTRACT = Contract(
    name="volcengine",
    make_root=make_root,
    error_envelope=error_envelope,
    description=f"Volcengine visual CVProcess / Img2ImgInpainting (i2i_inpainting), Version {API_VERSION}",
)

__all__ = ["CONTRACT", "GatewayError", "VolcSettings", "erase_task", "parse_credentials"]
