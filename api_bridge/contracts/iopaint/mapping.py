"""IOPaint requests as the bridge's typed tasks (pure: no I/O).

Erase models follow IOPaint's contract: the mask as sent (greyscale > 127), no dilation, the fill pasted
inside the mask only, the HD strategy and its sizes as given (clamped to what the erase node takes: IOPaint
accepts any integer there), ``cv2`` = Telea or Navier–Stokes by ``cv2_flag`` with ``cv2_radius``.
Plugins: InteractiveSeg = SAM with the clicks as points, RemoveBG = rembg; their masks grow by IOPaint's
9×9 dilation before the web UI gets them.
"""

from __future__ import annotations

from ...tasks import ImageRef
from ...tasks.background import RemoveBackgroundTask
from ...tasks.erase import EraseOptions, EraseTask, HDOptions
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
