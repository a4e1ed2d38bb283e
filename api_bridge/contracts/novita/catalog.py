"""The one place Novita asks the bridge's model catalog (``ctx.models``): installed files and name resolution.

``model_name``, ``sd_vae`` and the LoRA / embedding names are resolved by the catalog (file name, stem or
an ``IB_MODEL_ALIASES`` alias); an unknown name is ``INVALID_REQUEST_BODY`` naming the field and listing
what is installed, never a substitute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import BridgeError
from ...models.resolve import entries
from .errors import NovitaError, from_bridge_error
from .listing import InstalledModel
from .models import InpaintingRequest

KINDS = ("checkpoint", "lora", "vae", "embedding")  # what /v3/model lists


def installed_models(listing: Mapping[str, Any]) -> list[InstalledModel]:
    """The catalog's listing as the files /v3/model lists (checkpoints with their family and inpainting flag)."""
    return [
        InstalledModel(
            kind=kind,
            file=e["name"],
            family=e.get("family") or "unknown",
            inpainting=bool(e.get("inpainting")),
        )
        for kind in KINDS
        for e in entries(listing, kind)
    ]


async def installed(ctx) -> list[InstalledModel]:
    return installed_models(await ctx.models.listing())


async def _resolve(ctx, kind: str, name: str, field: str) -> str:
    try:
        return await ctx.models.resolve(kind, name)
    except BridgeError as exc:
        error = from_bridge_error(exc.info)
        raise NovitaError(error.reason, f"{field}: {exc.info.message}", {**error.metadata, "field": field}) from None


@dataclass(frozen=True)
class ResolvedModels:
    checkpoint: str
    family: str  # sd15 | sdxl | other | unknown: the sampling size follows it
    vae: str | None
    loras: list[tuple[str, float]]  # (file, strength)
    embeddings: list[str]


async def resolve_request(ctx, req: InpaintingRequest) -> ResolvedModels:
    checkpoint = await _resolve(ctx, "checkpoint", req.model_name, "request.model_name")
    vae = await _resolve(ctx, "vae", req.sd_vae, "request.sd_vae") if req.sd_vae else None
    loras = [
        (await _resolve(ctx, "lora", lora.model_name, f"request.loras[{i}].model_name"), lora.strength)
        for i, lora in enumerate(req.loras)
    ]
    embeddings = [
        await _resolve(ctx, "embedding", emb.model_name, f"request.embeddings[{i}].model_name")
        for i, emb in enumerate(req.embeddings)
    ]
    family = next(
        (m.family for m in await installed(ctx) if m.kind == "checkpoint" and m.file == checkpoint), "unknown"
    )
    return ResolvedModels(checkpoint=checkpoint, family=family, vae=vae, loras=loras, embeddings=embeddings)


__all__ = ["KINDS", "ResolvedModels", "installed", "installed_models", "resolve_request"]
