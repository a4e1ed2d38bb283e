"""The Fooocus contract on the bridge: settings, both APIs' routers, webhook bodies, ``CONTRACT``.

Settings (environment, prefix ``IB_FOOOCUS_``): ``API_KEY`` (``X-API-KEY``; none = open, as upstream
without ``--apikey``), ``TIMEOUT`` (s a synchronous call waits; then the task is stopped: 504),
``WEBHOOK_URL`` (when a request names none: upstream's ``WEBHOOK_URL``), ``CROP_SIZE`` (px the interested
area is sampled at; default by the checkpoint's family: SD1.5 512, SDXL 1024), ``DINO_MODEL`` (the
GroundingDINO folder for ``generate_mask``'s ``sam`` mode).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...errors import ErrorInfo
from .. import Contract
from . import routes_tools, routes_v05, routes_v25, views_v05, views_v25
from .auth import api_key_dependencies, parse_keys
from .errors import error_response
from .fields import V05, V25
from .runner import Runner

log = logging.getLogger(__name__)


class FooocusSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_FOOOCUS_", extra="ignore")

    api_key: str = Field("", description="X-API-KEY value(s), comma-separated; empty: no authentication.")
    timeout: float = Field(600.0, gt=0, description="Seconds a synchronous request waits for its result.")
    webhook_url: str = Field("", description="Webhook of requests that name none.")
    crop_size: int | None = Field(None, ge=64, le=4096, multiple_of=8, description="Sampling size of the crop.")
    dino_model: str = Field("grounding-dino-tiny", description="GroundingDINO folder for generate_mask 'sam'.")


def make_router(ctx) -> APIRouter:
    settings = FooocusSettings()
    runner = Runner(ctx, settings)
    auth = api_key_dependencies(parse_keys(settings.api_key))
    ctx.service.on_finished(V25, runner.webhook_hook(views_v25.webhook_body))
    ctx.service.on_finished(V05, runner.webhook_hook(views_v05.webhook_body))
    router = APIRouter()
    router.include_router(routes_v25.make_router(runner, settings, auth))
    router.include_router(routes_v05.make_router(runner, settings, auth))
    router.include_router(routes_tools.make_router(runner, settings, auth))
    return router


def error_envelope(error: ErrorInfo, status: int) -> JSONResponse:
    return error_response(error, status)


CONTRACT = Contract(
    name="fooocus",
    make_router=make_router,
    error_envelope=error_envelope,
    description="FooocusAPI v2.5 (/v1/engine/generate, /tasks) and Fooocus-API 0.5 (/v1|v2/generation/...)",
)
