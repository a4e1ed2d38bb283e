"""The IOPaint endpoints as plain coroutines: parse → typed task → the task service → IOPaint's answer.

No web framework here (``routes.py`` adapts them); every refusal is an :class:`IOPaintError`. Like
IOPaint, the current model and plugin models are one choice per server process, switched by the
``model`` / ``switch_plugin_model`` endpoints (start values from the settings).
"""

from __future__ import annotations

import asyncio
import pathlib
import secrets
from dataclasses import dataclass
from typing import Any

from PIL import Image
from pydantic import ValidationError

from ...errors import BridgeError
from ...tasks import TaskBase
from . import mapping
from .catalog import EXEMPLAR, INTERACTIVE_SEG, REMOVE_BG, Catalog, Choice, plugins
from .errors import IOPaintError
from .inputs import (
    IMAGE_LIMITS,
    Picture,
    encode_result,
    image_format,
    overlay_mask,
    request_bytes,
    result_is_as_stored,
)
from .schema import (
    SAMPLERS,
    AdjustMaskRequest,
    GenInfoResponse,
    InpaintRequest,
    ModelInfo,
    RunPluginRequest,
    ServerConfigResponse,
    SwitchPluginModelRequest,
)

CONTRACT = "iopaint"
SEED_RANGE = (1, 99999999)  # IOPaint's random seeds (sd_seed -1)


@dataclass
class Selections:
    """The current model and plugin models (None: the default, resolved when first needed)."""

    model: str | None = None
    remove_bg_model: str | None = None
    interactive_seg_model: str | None = None


@dataclass(frozen=True)
class ImageReply:
    content: bytes
    media_type: str
    seed: int | None = None


class IOPaint:
    def __init__(
        self,
        *,
        service: Any,  # api_bridge.service.TaskService
        load: Any,  # ImageLoader.load
        catalog: Catalog,
        selections: Selections,
        timeout: float,
        quality: int,
        input_path: pathlib.Path | None,
        output_dir: pathlib.Path | None,
    ):
        self.service, self.load, self.catalog, self.selections = service, load, catalog, selections
        self.timeout, self.quality = timeout, quality
        self.input_path, self.output_dir = input_path, output_dir

    # --- models and configuration ---------------------------------------------------------
    async def current_choice(self) -> Choice:
        if self.selections.model is not None:
            return await self.catalog.choice(self.selections.model)
        choices = await self.catalog.choices()
        # IOPaint starts with LaMa; without one installed, the weight-free exemplar engine.
        return next((c for c in choices if c.name == "lama"), None) or next(c for c in choices if c.name == EXEMPLAR)

    async def current_model(self) -> ModelInfo:
        return (await self.current_choice()).info

    async def switch_model(self, name: str) -> ModelInfo:
        choice = await self.catalog.choice(name)
        self.selections.model = choice.name
        return choice.info

    async def _plugin_model(self, plugin: str) -> str:
        installed = (await self.catalog.plugin_models())[plugin]
        chosen = self.selections.remove_bg_model if plugin == REMOVE_BG else self.selections.interactive_seg_model
        if chosen is not None:
            return chosen
        if not installed:
            raise IOPaintError(422, "Plugin not found")
        return installed[0]

    async def server_config(self) -> ServerConfigResponse:
        models = await self.catalog.plugin_models()
        rembg, sam = models[REMOVE_BG], models[INTERACTIVE_SEG]
        return ServerConfigResponse(
            plugins=plugins(models),
            modelInfos=[c.info for c in await self.catalog.choices()],
            removeBGModel=self.selections.remove_bg_model or (rembg[0] if rembg else ""),
            removeBGModels=rembg,
            realesrganModel="",
            realesrganModels=[],
            interactiveSegModel=self.selections.interactive_seg_model or (sam[0] if sam else ""),
            interactiveSegModels=sam,
            enableFileManager=False,  # no file manager (IOPaint's --input folder)
            enableAutoSaving=self.output_dir is not None,
            enableControlnet=False,
            controlnetMethod=None,
            disableModelSwitch=False,
            isDesktop=False,
            samplers=list(SAMPLERS),
        )

    async def switch_plugin_model(self, req: SwitchPluginModelRequest) -> None:
        if req.plugin_name not in (REMOVE_BG, INTERACTIVE_SEG):
            return None  # IOPaint ignores unknown plugins
        installed = (await self.catalog.plugin_models())[req.plugin_name]
        if req.model_name not in installed:
            shown = ", ".join(installed) or "none"
            raise IOPaintError(422, f"{req.plugin_name} model {req.model_name!r} is not installed; installed: {shown}")
        if req.plugin_name == REMOVE_BG:
            self.selections.remove_bg_model = req.model_name
        else:
            self.selections.interactive_seg_model = req.model_name
        return None

    # --- images ----------------------------------------------------------------------------
    async def picture(self, value: str | None, what: str, *, keep_mode: bool = False) -> Picture:
        data = request_bytes(value, what)
        image = await self.load(data, IMAGE_LIMITS, what=what, keep_mode=keep_mode)
        return Picture(image=image, format=image_format(data), info=dict(image.info))

    async def _run(self, task: TaskBase) -> Any:
        record = await self.service.run(task, contract=CONTRACT, timeout=self.timeout)
        if record.error:
            raise BridgeError.from_info(record.error)
        return record

    async def _output_image(self, record: Any, name: str) -> Image.Image:
        data = await self.service.read_output(record.output(name).key)
        return await self.load(data, IMAGE_LIMITS, what=f"result {name}", keep_mode=True)

    # --- inpaint ---------------------------------------------------------------------------
    async def inpaint(self, req: InpaintRequest) -> ImageReply:
        picture = await self.picture(req.image, "image")
        mask = await self.picture(req.mask, "mask")
        if picture.image.size != mask.image.size:
            (w, h), (mw, mh) = picture.image.size, mask.image.size
            raise IOPaintError(400, f"Image size({(h, w)}) and mask size({(mh, mw)}) not match.")
        seed = secrets.randbelow(SEED_RANGE[1]) + SEED_RANGE[0] if req.sd_seed == -1 else req.sd_seed
        task_seed = seed & 0xFFFFFFFF  # the seed inputs' range; X-Seed answers the request's own
        choice = await self.current_choice()
        if choice.runner != "diffusion":
            refs = await self._put(picture.image, mask.image)
            record = await self._run(self._task(lambda: mapping.erase_task(req, choice, *refs, task_seed)))
            return await self._answer(record, picture, seed)
        mapping.refuse_unsupported(req)
        if req.use_extender:
            return await self._outpaint(req, choice, picture, seed, task_seed)
        if req.use_croper:
            box = mapping.croper_box(req, *picture.image.size)
            area = (box.left, box.top, box.right, box.bottom)
            refs = await self._put(picture.image.crop(area), mask.image.crop(area))
            record = await self._run(self._task(lambda: mapping.inpaint_task(req, choice, *refs, task_seed)))
            repainted = await self._output_image(record, "image")
            whole = picture.image.convert("RGB")
            whole.paste(repainted.convert("RGB"), (box.left, box.top))  # outside the croper: the input, untouched
            return await self._encode(whole, picture, seed)
        refs = await self._put(picture.image, mask.image)
        record = await self._run(self._task(lambda: mapping.inpaint_task(req, choice, *refs, task_seed)))
        return await self._answer(record, picture, seed)

    async def _outpaint(self, req: InpaintRequest, choice: Choice, picture: Picture, seed: int, task_seed: int):
        kept, pad = mapping.extender_plan(req, *picture.image.size)
        (ref,) = await self._put(picture.image.crop((kept.left, kept.top, kept.right, kept.bottom)))
        record = await self._run(self._task(lambda: mapping.outpaint_task(req, choice, ref, pad, task_seed)))
        canvas = await self._output_image(record, "image")
        # The node rounds the canvas up to a multiple of 8 on the padded sides: cut it back to the rectangle.
        (added,) = record.info["outpaint"][:1]
        x0, y0 = added["left"] - pad.left, added["top"] - pad.top
        rect = canvas.crop((x0, y0, x0 + req.extender_width, y0 + req.extender_height))
        return await self._encode(rect, picture, seed)

    async def _put(self, *images: Image.Image) -> list:
        return [await self.service.put_image(image) for image in images]

    async def _answer(self, record: Any, picture: Picture, seed: int) -> ImageReply:
        png = await self.service.read_output(record.output("image").key)
        if result_is_as_stored(picture):
            return ImageReply(png, "image/png", seed)
        return await self._encode(await self.load(png, IMAGE_LIMITS, what="the result", keep_mode=True), picture, seed)

    async def _encode(self, result: Image.Image, picture: Picture, seed: int) -> ImageReply:
        content, media = await asyncio.to_thread(encode_result, result, picture, self.quality)
        return ImageReply(content, media, seed)

    @staticmethod
    def _task(build) -> TaskBase:
        try:
            return build()
        except ValidationError as exc:  # a request value the task cannot take (e.g. too many clicks)
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise IOPaintError(400, f"{where}: {first.get('msg')}") from None

    # --- plugins and masks -----------------------------------------------------------------
    async def run_plugin(self, req: RunPluginRequest, *, gen_mask: bool) -> bytes:
        available = {p.name: p for p in plugins(await self.catalog.plugin_models())}
        plugin = available.get(req.name)
        if plugin is None:
            raise IOPaintError(422, "Plugin not found")
        if not (plugin.support_gen_mask if gen_mask else plugin.support_gen_image):
            raise IOPaintError(422, "Plugin does not support output image")
        picture = await self.picture(req.image, "image")
        model = await self._plugin_model(req.name)
        ref = await self.service.put_image(picture.image)
        if req.name == INTERACTIVE_SEG:
            task = self._task(lambda: mapping.interactive_seg_task(ref, req.clicks, model))
        elif gen_mask:
            task = mapping.remove_bg_mask_task(ref, model)
        else:
            task = mapping.remove_bg_image_task(ref, model)
        record = await self._run(task)
        if gen_mask:
            return await asyncio.to_thread(overlay_mask, await self._output_image(record, "mask"))
        return await self.service.read_output(record.output("image").key)  # the RGBA cut-out, PNG

    async def adjust_mask(self, req: AdjustMaskRequest) -> bytes:
        mask = await self.picture(req.mask, "mask")
        ref = await self.service.put_image(mask.image)
        record = await self._run(mapping.adjust_mask_task(ref, req.operate, req.kernel_size))
        return await asyncio.to_thread(overlay_mask, await self._output_image(record, "mask"))

    # --- files -----------------------------------------------------------------------------
    def input_image(self) -> pathlib.Path:
        if self.input_path is None:
            raise IOPaintError(200, "No input image configured")  # IOPaint answers this with status 200
        if not self.input_path.is_file():
            raise IOPaintError(404, "Input image not found")
        return self.input_path

    async def gen_info(self, data: bytes) -> GenInfoResponse:
        image = await self.load(data, IMAGE_LIMITS, what="file", keep_mode=True)
        parts = str(image.info.get("parameters", "")).split("Negative prompt: ")
        negative = parts[1].split("\n")[0].strip() if len(parts) > 1 else ""
        return GenInfoResponse(prompt=parts[0].strip(), negative_prompt=negative)

    async def save_image(self, filename: str | None, data: bytes) -> None:
        if self.output_dir is None or not self.output_dir.is_dir():
            raise IOPaintError(400, "Output directory not configured or doesn't exist")
        name = pathlib.PurePath(filename or "").name
        if name in ("", ".", ".."):
            raise IOPaintError(400, "the uploaded file has no file name")
        await asyncio.to_thread((self.output_dir / name).write_bytes, data)
        return None
