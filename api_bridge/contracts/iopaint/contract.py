"""The IOPaint contract on the bridge: settings, wiring, ``CONTRACT``.

Settings (environment, prefix ``IB_IOPAINT_``): ``MODEL`` (the start model: IOPaint's name such as ``lama``
or ``cv2``, a checkpoint file; default LaMa when installed, else ``exemplar``), ``REMOVE_BG_MODEL`` and
``INTERACTIVE_SEG_MODEL`` (start plugin models; default the first installed), ``INPUT`` (an image file the
web UI opens at start), ``OUTPUT_DIR`` (``save_image`` target; the UI then saves each result), ``WEB_DIR``
(IOPaint's web UI files), ``TIMEOUT`` (s a request waits for its result), ``QUALITY`` (JPEG/WebP results).
"""

from __future__ import annotations

import pathlib

from fastapi import APIRouter
from pydantic_settings import BaseSettings, SettingsConfigDict

from .. import Contract
from . import routes, web
from .catalog import Catalog
from .errors import error_envelope
from .handlers import CONTRACT as NAME
from .handlers import IOPaint, Selections
from .inputs import JPEG_QUALITY


class IOPaintSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_IOPAINT_", extra="ignore")

    model: str | None = None
    remove_bg_model: str | None = None
    interactive_seg_model: str | None = None
    input: pathlib.Path | None = None
    output_dir: pathlib.Path | None = None
    web_dir: pathlib.Path = web.DEFAULT_WEB_DIR
    timeout: float = 600.0
    quality: int = JPEG_QUALITY


def make_router(ctx) -> APIRouter:
    settings = IOPaintSettings()
    api = IOPaint(
        service=ctx.service,
        load=ctx.images.load,
        catalog=Catalog(ctx.models),
        selections=Selections(settings.model, settings.remove_bg_model, settings.interactive_seg_model),
        timeout=settings.timeout,
        quality=settings.quality,
        input_path=settings.input,
        output_dir=settings.output_dir,
    )
    router = APIRouter()
    # The routes themselves, not included routers: the app maps each route's endpoint to this contract's errors.
    router.routes.extend([*routes.make_router(api).routes, *web.make_router(settings.web_dir).routes])
    return router


CONTRACT = Contract(
    name=NAME,
    make_router=make_router,
    error_envelope=error_envelope,
    description="IOPaint 1.6.0 /api/v1 and its web UI at /",
)
