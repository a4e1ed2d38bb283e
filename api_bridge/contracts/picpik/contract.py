"""The PICPIK contract on the bridge: settings, the two actions, ``CONTRACT``.

Key pairs from ``IB_PICPIK_KEYS='PUBLIC:PRIVATE,...'`` (or a JSON object); with none every request
is refused (RetCode 1003) unless ``IB_PICPIK_AUTH=false`` switches the signature check off for a
trusted local setup. Tasks belong to the PublicKey that made them.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ...errors import BridgeError, ErrorCode, ErrorInfo
from ...samplers import resolve_sampler
from .. import Contract
from ..credentials import parse_pairs
from . import errors as E  # noqa: N812
from .details import task_detail
from .models import ListTasksDetails, ModifyMaskedPixels
from .routes import root_handler
from .task import ResolvedModels, inpaint_task

log = logging.getLogger(__name__)
NAME = "picpik"


class PicpikSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IB_PICPIK_", extra="ignore")

    keys: str = Field("", description="PUBLIC:PRIVATE pairs separated by commas, or a JSON object.")
    auth: bool = Field(True, description="false: no signature check (a trusted local setup only).")
    vae: str | None = Field(None, description="VAE used when UseMainModelVAE is false (default: the model's own).")


def _is_missing_model(exc: BridgeError) -> bool:
    return exc.code is ErrorCode.model_not_found


class PicpikActions:
    """``ModifyMaskedPixels`` and ``ListTasksDetails`` against the bridge's services."""

    def __init__(self, ctx, settings: PicpikSettings):
        self.ctx = ctx
        self.settings = settings

    def for_request(self, request: Request) -> dict[str, Any]:
        base = self.ctx.base_url(request)

        async def modify(req: ModifyMaskedPixels, owner: str | None) -> dict[str, Any]:
            return await self.modify(req, owner)

        async def details(req: ListTasksDetails, owner: str | None) -> dict[str, Any]:
            return await self.details(req, owner, base)

        return {"ModifyMaskedPixels": modify, "ListTasksDetails": details}

    async def _resolve(self, kind: str, name: str, field: str) -> str:
        try:
            return await self.ctx.models.resolve(kind, name)
        except BridgeError as exc:
            error = E.from_bridge_error(exc.info)
            raise E.PicpikError(error.ret_code, f"{field}: {exc.info.message}") from None

    async def _models(self, req: ModifyMaskedPixels) -> ResolvedModels:
        checkpoint = await self._resolve("checkpoint", req.MainModel.ModelCode, "MainModel.ModelCode")
        vae = None
        if not req.UseMainModelVAE and self.settings.vae:
            vae = await self._resolve("vae", self.settings.vae, "IB_PICPIK_VAE")
        loras, embeddings, words = [], [], []
        for i, sub in enumerate(req.SubModelList):
            field = f"SubModelList[{i}].ModelCode"
            try:  # a sub-model is a LoRA or an embedding: the model folders say which
                loras.append((await self.ctx.models.resolve("lora", sub.ModelCode), sub.InferenceParams.LoraWeight))
                words += [w for w in sub.TriggerWordList if w.strip()]
            except BridgeError as exc:
                if not _is_missing_model(exc):
                    raise
                embeddings.append(await self._resolve("embedding", sub.ModelCode, f"{field} (no LoRA of that name)"))
        return ResolvedModels(checkpoint=checkpoint, vae=vae, loras=loras, embeddings=embeddings, trigger_words=words)

    async def modify(self, req: ModifyMaskedPixels, owner: str | None) -> dict[str, Any]:
        if req.Image2Image is not None:
            raise E.PicpikError(
                E.INVALID_PARAMETER,
                "Image2Image (an extra reference image) is not supported by this server; send the request without it",
            )
        params = req.MainModel.InferenceParams
        try:
            sampler = resolve_sampler(params.Sampler)
        except BridgeError as exc:
            raise E.PicpikError(E.INVALID_PARAMETER, f"MainModel.InferenceParams.Sampler: {exc.info.message}") from None
        masked = req.Masked
        image_what = f"ImageAndMaskList[{masked.ImageIndex}] (Masked.ImageIndex)"
        mask_what = f"ImageAndMaskList[{masked.MaskIndex}] (Masked.MaskIndex)"
        images = self.ctx.images
        image = await images.load(req.image(masked.ImageIndex, "Masked.ImageIndex"), what=image_what)
        mask = await images.load(req.image(masked.MaskIndex, "Masked.MaskIndex"), what=mask_what)
        if mask.size != image.size:
            raise E.PicpikError(
                E.INVALID_IMAGE,
                f"{mask_what} is {mask.width}x{mask.height} but {image_what} is {image.width}x{image.height}; "
                "they must be the same size",
            )
        models = await self._models(req)
        service = self.ctx.service
        task = inpaint_task(
            req,
            image=await service.put_image(image),
            mask=await service.put_image(mask),
            models=models,
            sampler=sampler,
        )
        summary = {"model": models.checkpoint, "prompt": task.prompt.positive[:200], "batch": req.BatchSize}
        record = await service.submit(task, contract=NAME, summary=summary, meta={"owner": owner})
        return {"TaskUID": record.id}

    async def details(self, req: ListTasksDetails, owner: str | None, base: str) -> dict[str, Any]:
        out = []
        for uid in req.TaskUIDList:
            try:
                record = await self.ctx.service.get(uid)
            except BridgeError:
                record = None
            if record is None or record.contract != NAME or (owner and record.meta.get("owner") != owner):
                raise E.PicpikError(E.UNKNOWN_TASK, f"TaskUID {uid!r} is not known")
            out.append(task_detail(record, lambda key: self.ctx.output_url_at(base, key)))
        return {"TaskDetailList": out}


def make_root(ctx):
    settings = PicpikSettings()
    keys = parse_pairs(settings.keys, "IB_PICPIK_KEYS", "PUBLIC:PRIVATE")
    if not settings.auth:
        log.warning("picpik: IB_PICPIK_AUTH=false: signatures are not checked")
    elif not keys:
        log.warning("picpik: no IB_PICPIK_KEYS configured; every request will be refused")
    actions = PicpikActions(ctx, settings)
    return root_handler(keys=keys if settings.auth else None, actions=actions.for_request)


def error_envelope(error: ErrorInfo, status: int) -> JSONResponse:
    failure = E.from_bridge_error(error)
    return JSONResponse(E.envelope("", "", failure.ret_code, failure.message), status_code=failure.http_status)


CONTRACT = Contract(
    name=NAME,
    make_root=make_root,
    error_envelope=error_envelope,
    description="PICPIK ModifyMaskedPixels and ListTasksDetails (POST / with the Action in the body)",
)

__all__ = ["CONTRACT", "PicpikActions", "PicpikSettings"]
