"""The Novita / PPIO contract on the bridge: settings and ``CONTRACT``.

Keys from ``IB_NOVITA_KEYS`` (a JSON list or ``k1,k2``); with none every request is refused
(``INVALID_API_KEY``) unless ``IB_NOVITA_AUTH=false`` switches the check off for a trusted local setup.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...server.settings import ListSetting, split_list
from .. import Contract
from .errors import error_envelope
from .routes import make_router as make_novita_router
from .service import CONTRACT as NAME
from .service import NovitaApi

log = logging.getLogger(__name__)


class NovitaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_NOVITA_", extra="ignore")

    keys: ListSetting = Field(default_factory=list, description="API keys (JSON list or k1,k2).")
    auth: bool = Field(True, description="false: no key needed (a trusted local setup only).")
    quality: int = Field(90, ge=1, le=100, description="Quality of webp / jpeg results.")
    sample_side: int | None = Field(
        None, ge=64, le=2048, multiple_of=8, description="Sampling size (px a side); default: by the checkpoint."
    )

    _lists = field_validator("keys", mode="before")(split_list)


def make_router(ctx) -> APIRouter:
    settings = NovitaSettings()
    if not settings.auth:
        log.warning("novita: IB_NOVITA_AUTH=false: every request is served without a key")
    elif not settings.keys:
        log.warning("novita: no IB_NOVITA_KEYS configured; every request will be refused")
    api = NovitaApi(
        ctx, keys=list(settings.keys), auth=settings.auth, quality=settings.quality, sample_side=settings.sample_side
    )
    ctx.service.on_finished(NAME, api.on_finished)
    return make_novita_router(api)


CONTRACT = Contract(
    name=NAME,
    make_router=make_router,
    error_envelope=error_envelope,
    description="Novita / PPIO v3 async inpainting, task results, model listing",
)

__all__ = ["CONTRACT", "NovitaSettings"]
