"""IOPaint requests as the bridge's typed tasks (pure: no I/O).

Erase models follow IOPaint's contract: the mask as sent (greyscale > 127), no dilation, the fill pasted
inside the mask only, the HD strategy and its sizes as given (clamped to what the erase node takes: IOPaint
accepts any integer there), ``cv2`` = Telea or Navier–Stokes by ``cv2_flag`` with ``cv2_radius``.
Diffusion checkpoints: ``inpaint`` with the ``sd_*`` fields (the knob table in ``api_bridge/README.md``);
``use_croper`` repaints inside IOPaint's croper rectangle only, ``use_extender`` outpaints to its rectangle
(the picture cut to it where the rectangle cuts into it). Plugins: InteractiveSeg = SAM with the clicks as
points, RemoveBG = rembg; their masks grow by IOPaint's 9×9 dilation before the web UI gets them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...tasks import ImageRef
from ...tasks.background import RemoveBackgroundTask
from ...tasks.erase import EraseOptions, EraseTask, HDOptions
from ...tasks.inpaint import (
    Blend,
    DiffusionModel,
    InpaintTask,
    OutpaintOptions,
    OutpaintTask,
    PadPixels,
    Prompt,
    Region,
    Sampling,
)
from ...tasks.mask import AdjustMaskTask, GenerateMaskTask, RembgSegmenter, SamSegmenter
from ...tasks.parts import MaskAdjust, MaskPicture
from .catalog import Choice
from .errors import IOPaintError
from .inputs import ADJUST_THRESHOLD, MASK_THRESHOLD, PLUGIN_MASK_GROW
from .schema import InpaintRequest

# IOPaint's hd_strategy names; any other string runs none of its branches there, i.e. the original size.
_STRATEGIES = {"original": "original", "resize": "resize", "crop": "crop"}
_CV2_ENGINES = {"INPAINT_TELEA": "telea", "INPAINT_NS": "navier_stokes"}


def _clamp(value: int, field: str, model=HDOptions) -> int:
    lo, hi = None, None
    for meta in model.model_fields[field].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return max(lo, min(hi, value))


def hd_options(req: InpaintRequest) -> HDOptions:
    return HDOptions(
        strategy=_STRATEGIES.get(req.hd_strategy.lower(), "original"),
        crop_trigger_size=_clamp(req.hd_strategy_crop_trigger_size, "crop_trigger_size"),
        crop_margin=_clamp(req.hd_strategy_crop_margin, "crop_margin"),
        resize_limit=_clamp(req.hd_strategy_resize_limit, "resize_limit"),
    )


def mask_picture(ref: ImageRef, threshold: int = MASK_THRESHOLD) -> MaskPicture:
    return MaskPicture(image=ref, rule="luminance", threshold=threshold)


def erase_task(req: InpaintRequest, choice: Choice, image: ImageRef, mask: ImageRef, seed: int) -> EraseTask:
    if choice.runner == "erase_model":
        engine, model_name = "model", choice.file
    elif choice.runner == "cv2":
        engine, model_name = _CV2_ENGINES[req.cv2_flag], None
    elif choice.runner == "exemplar":
        engine, model_name = "exemplar", None
    else:
        raise ValueError(f"{choice.name} is not an erase model")
    return EraseTask(
        seed=seed,
        image=image,
        mask=mask_picture(mask),
        erase=EraseOptions(
            engine=engine,
            model_name=model_name,
            hd=hd_options(req),
            radius=_clamp(req.cv2_radius, "radius", EraseOptions),
            dilate=0,
            feather=0,
            candidates=1,
        ),
    )


def _plugin_mask_adjust() -> MaskAdjust:
    return MaskAdjust(grow=PLUGIN_MASK_GROW, kernel="square")


def interactive_seg_task(image: ImageRef, clicks: list[list[int]], model: str) -> GenerateMaskTask:
    if not clicks:
        raise IOPaintError(400, "InteractiveSeg needs at least one click [x, y, 1 or 0]")
    points = []
    for click in clicks:  # the web UI adds the click's index as a 4th value
        if len(click) < 3 or click[2] not in (0, 1):
            raise IOPaintError(400, f"a click is [x, y, 1 (include) or 0 (exclude)], got {click}")
        points.append((float(click[0]), float(click[1]), click[2]))
    return GenerateMaskTask(
        image=image,
        segmenter=SamSegmenter(model_name=model, points=points, multimask="best"),
        adjust=_plugin_mask_adjust(),
    )


def remove_bg_mask_task(image: ImageRef, model: str) -> GenerateMaskTask:
    return GenerateMaskTask(image=image, segmenter=RembgSegmenter(model_name=model), adjust=_plugin_mask_adjust())


def remove_bg_image_task(image: ImageRef, model: str) -> RemoveBackgroundTask:
    return RemoveBackgroundTask(image=image, segmenter=RembgSegmenter(model_name=model))


def adjust_mask_task(mask: ImageRef, operate: str, kernel_size: int) -> AdjustMaskTask:
    """IOPaint's adjust_mask: binarised at >= 127; reverse inverts; expand / shrink by its ellipse."""
    if operate == "reverse":
        adjust = MaskAdjust(invert=True)
    else:
        adjust = MaskAdjust(grow=kernel_size if operate == "expand" else -kernel_size, kernel="ellipse_iopaint")
    return AdjustMaskTask(mask=mask_picture(mask, ADJUST_THRESHOLD), adjust=adjust)


# --- diffusion checkpoints --------------------------------------------------------------------------------------
# IOPaint's SD options the bridge has no path for; the web UI only sends them on when a model offers them.
_UNSUPPORTED = {
    "enable_controlnet": "ControlNet",
    "enable_brushnet": "BrushNet",
    "enable_powerpaint_v2": "PowerPaint v2",
    "sd_lcm_lora": "LCM-LoRA",
}
_MODEL_SIDE = {"diffusers_sdxl": 1024, "diffusers_sdxl_inpaint": 1024}  # else SD1.5's 512


@dataclass(frozen=True)
class Box:
    """A rectangle of the picture, left/top inclusive, right/bottom exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def size(self) -> tuple[int, int]:
        return self.right - self.left, self.bottom - self.top


def refuse_unsupported(req: InpaintRequest) -> None:
    for field, name in _UNSUPPORTED.items():
        if getattr(req, field):
            raise IOPaintError(422, f"{name} is not available on this bridge ({field} must be false)")
    if req.paint_by_example_example_image:
        raise IOPaintError(422, "Paint by Example is not available on this bridge")


def croper_box(req: InpaintRequest, width: int, height: int) -> Box:
    """IOPaint's croper rectangle clipped to the picture (``_apply_cropper``)."""
    box = Box(
        max(req.croper_x, 0),
        max(req.croper_y, 0),
        min(req.croper_x + req.croper_width, width),
        min(req.croper_y + req.croper_height, height),
    )
    if box.right <= box.left or box.bottom <= box.top:
        raise IOPaintError(
            400,
            f"the croper {req.croper_x},{req.croper_y} {req.croper_width}x{req.croper_height} "
            f"lies outside the {width}x{height} image",
        )
    return box


def extender_plan(req: InpaintRequest, width: int, height: int) -> tuple[Box, PadPixels]:
    """IOPaint's extender: the part of the picture inside the rectangle, and the padding that makes it the
    rectangle (``_do_outpainting``)."""
    right, bottom = req.extender_x + req.extender_width, req.extender_y + req.extender_height
    kept = Box(max(req.extender_x, 0), max(req.extender_y, 0), min(right, width), min(bottom, height))
    if kept.right <= kept.left or kept.bottom <= kept.top:
        raise IOPaintError(400, "the extender rectangle does not overlap the image")
    pad = PadPixels(
        left=max(0, -req.extender_x),
        top=max(0, -req.extender_y),
        right=max(0, right - width),
        bottom=max(0, bottom - height),
    )
    if not pad.adds(*kept.size):
        raise IOPaintError(400, "the extender rectangle adds nothing outside the image: drag it beyond a side")
    return kept, pad


def _diffusion_parts(req: InpaintRequest, choice: Choice) -> dict:
    side = _MODEL_SIDE.get(choice.info.model_type, 512)
    size = max(64, round(side * req.sd_scale / 8) * 8)
    crop = req.hd_strategy.lower() == "crop"
    return {
        "model": DiffusionModel(checkpoint=choice.file),
        "prompt": Prompt(positive=req.prompt, negative=req.negative_prompt),
        "sampling": Sampling(
            steps=_clamp(req.sd_steps, "steps", Sampling),
            cfg=min(100.0, max(0.0, float(req.sd_guidance_scale))),
            sampler=req.sd_sampler,
            denoise=max(0.0, float(req.sd_strength)),  # IOPaint bounds it above only
        ),
        "region": Region(
            context="pixels" if crop else "whole_image",
            padding=_clamp(req.hd_strategy_crop_margin, "padding", Region),
            width=size,
            height=size,
        ),
    }


def _blend(req: InpaintRequest, **kw) -> Blend:
    return Blend(color_match="ring" if req.sd_match_histograms else "off", **kw)


def inpaint_task(req: InpaintRequest, choice: Choice, image: ImageRef, mask: ImageRef, seed: int) -> InpaintTask:
    return InpaintTask(
        seed=seed,
        image=image,
        mask=mask_picture(mask),
        blend=_blend(req, feather=_clamp(req.sd_mask_blur, "feather", Blend)),
        **_diffusion_parts(req, choice),
    )


def outpaint_task(req: InpaintRequest, choice: Choice, image: ImageRef, pad: PadPixels, seed: int) -> OutpaintTask:
    overlap = round(req.sd_outpainting_softness)
    return OutpaintTask(
        seed=seed,
        image=image,
        outpaint=OutpaintOptions(extent=pad, overlap=_clamp(overlap, "overlap", OutpaintOptions), prefill="edge"),
        blend=_blend(req, grow=0, feather=0),
        **_diffusion_parts(req, choice),
    )
