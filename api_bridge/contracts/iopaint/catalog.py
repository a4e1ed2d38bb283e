"""What the IOPaint contract lists and runs, from the models really installed on ComfyUI.

The only module of this contract that asks the bridge's model catalog (``ctx.models``, fed by the pack's
``GET /inpaint-bridge/models``). IOPaint's names for them:

- ``lama``, ``mat``, ``migan``: the first installed erase model of that architecture (others under their
  file names); ``cv2``: OpenCV Telea / Navier–Stokes (always there); ``exemplar``: this pack's weight-free
  PatchMatch fill (always there);
- diffusion checkpoints under their file names, typed by family and inpainting flag;
- plugins: ``RemoveBG`` with the installed rembg models, ``InteractiveSeg`` with the installed SAM models;
  a plugin with no model installed is not listed.

A name the catalog does not know is refused, never replaced by another model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ...errors import BridgeError, ErrorCode
from ...models import ModelCatalog
from ...models.resolve import entries
from .errors import IOPaintError
from .schema import ModelInfo, ModelType, PluginInfo

CV2, EXEMPLAR = "cv2", "exemplar"
ERASE_ARCHITECTURES = ("lama", "mat", "migan")
REMOVE_BG, INTERACTIVE_SEG = "RemoveBG", "InteractiveSeg"

Runner = Literal["erase_model", "cv2", "exemplar", "diffusion"]


@dataclass(frozen=True)
class Choice:
    """One model the web UI can pick: how IOPaint describes it, and what runs it here."""

    info: ModelInfo
    runner: Runner
    file: str | None = None  # the file ComfyUI knows (erase model or checkpoint)
    inpainting: bool = False  # a 9-channel inpainting checkpoint

    @property
    def name(self) -> str:
        return self.info.name


def _architecture(entry: dict[str, Any]) -> str | None:
    arch = entry.get("architecture")
    if arch in ERASE_ARCHITECTURES:
        return arch
    lowered = entry["name"].lower().replace("-", "")
    return next((a for a in ERASE_ARCHITECTURES if a in lowered), None)


def _checkpoint_type(entry: dict[str, Any]) -> tuple[ModelType, bool]:
    name = entry["name"].lower()
    family = entry.get("family")
    inpainting = entry.get("inpainting")
    if inpainting is None:
        inpainting = "inpaint" in name
    if family in (None, "unknown"):  # a format the listing cannot read: IOPaint's own guess, by name
        family = "sdxl" if "xl" in name else "sd15"
    if family == "sd15":
        return ("diffusers_sd_inpaint" if inpainting else "diffusers_sd"), bool(inpainting)
    if family == "sdxl":
        return ("diffusers_sdxl_inpaint" if inpainting else "diffusers_sdxl"), bool(inpainting)
    return "diffusers_other", bool(inpainting)


def build_choices(listing: dict[str, Any]) -> list[Choice]:
    """IOPaint's model list from the bridge's listing (pure)."""
    choices: list[Choice] = []
    named: set[str] = set()
    for entry in entries(listing, "erase"):
        arch = _architecture(entry)
        if arch is None:
            continue
        name = arch if arch not in named else entry["name"]
        named.add(arch)
        choices.append(
            Choice(ModelInfo(name=name, path=entry["name"], model_type="inpaint"), "erase_model", entry["name"])
        )
    choices.append(Choice(ModelInfo(name=CV2, path=CV2, model_type="inpaint"), "cv2"))
    choices.append(Choice(ModelInfo(name=EXEMPLAR, path=EXEMPLAR, model_type="inpaint"), "exemplar"))
    for entry in entries(listing, "checkpoint"):
        model_type, inpainting = _checkpoint_type(entry)
        info = ModelInfo(name=entry["name"], path=entry["name"], model_type=model_type, is_single_file_diffusers=True)
        choices.append(Choice(info, "diffusion", entry["name"], inpainting))
    return choices


def _named(choices: list[Choice], name: str) -> Choice | None:
    return next((c for c in choices if name in (c.name, c.file)), None)


class Catalog:
    """The contract's view of ``ctx.models``: IOPaint model choices, plugin models, name resolution."""

    def __init__(self, models: ModelCatalog):
        self._models = models

    async def _listing(self) -> dict[str, Any]:
        return await self._models.listing()

    async def choices(self) -> list[Choice]:
        return build_choices(await self._listing())

    async def choice(self, name: str) -> Choice:
        """The model named by IOPaint's name, a file name or stem, or an alias; unknown → 422."""
        found = _named(await self.choices(), name) or await self._resolved(name)
        if found is None:
            installed = ", ".join(c.name for c in await self.choices())
            raise IOPaintError(422, f"model {name!r} is not installed; installed: {installed}")
        return found

    async def _resolved(self, name: str) -> Choice | None:
        """A stem or an IB_MODEL_ALIASES name, by the bridge's resolver; its miss refetches a stale listing,
        so a file added since the last one is found too."""
        for kind in ("erase", "checkpoint"):
            try:
                file = await self._models.resolve(kind, name)
            except BridgeError as exc:
                if exc.code is not ErrorCode.model_not_found:
                    raise
                continue
            return _named(await self.choices(), file)
        return _named(await self.choices(), name)

    async def plugin_models(self) -> dict[str, list[str]]:
        """Installed models per plugin (empty lists for plugins that cannot run here)."""
        listing = await self._listing()
        return {
            REMOVE_BG: [e["name"] for e in entries(listing, "rembg")],
            INTERACTIVE_SEG: [e["name"] for e in entries(listing, "sam")],
        }


def plugins(models: dict[str, list[str]]) -> list[PluginInfo]:
    """The plugins this bridge runs: those with a model installed."""
    out = []
    if models.get(REMOVE_BG):
        out.append(PluginInfo(name=REMOVE_BG, support_gen_image=True, support_gen_mask=True))
    if models.get(INTERACTIVE_SEG):
        out.append(PluginInfo(name=INTERACTIVE_SEG, support_gen_image=False, support_gen_mask=True))
    return out
