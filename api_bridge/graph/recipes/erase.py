"""Recipe for erase: image + mask picture → IB_Erase (prompt-free removal) → image."""

from __future__ import annotations

from ...tasks.erase import EraseTask
from .. import node_ids as N  # noqa: N812
from ..builder import Graph
from . import recipe
from .parts import adjust_mask, image_result, mask_from_picture


@recipe("erase")
def erase(task: EraseTask, g: Graph) -> None:
    image = g.load_image(task.image.blob)["IMAGE"]
    # MaskAdjust shapes the mask (clean-up, kernel grow/shrink, invert); the erase node's own
    # dilate + inner feather make the seam, so pixels outside the grown mask stay the input's.
    mask = adjust_mask(g, mask_from_picture(g, task.mask), task.adjust, feather=False)
    opts = task.erase
    named = opts.model_name and opts.engine in ("model", "auto")  # 'auto' runs a named model first
    model = g.add(N.ERASE_MODEL_LOADER, model_name=opts.model_name) if named else None
    node = g.add(
        N.ERASE,
        image=image,
        mask=mask,
        engine=opts.engine,
        erase_model=model.out(0) if model else None,
        strategy=opts.hd.strategy,
        crop_trigger_size=opts.hd.crop_trigger_size,
        crop_margin=opts.hd.crop_margin,
        resize_limit=opts.hd.resize_limit,
        dilate=opts.dilate,
        feather=opts.feather,
        candidates=opts.candidates,
        seed=task.seed if task.seed is not None else 0,
    )
    result = node.out(0)
    if task.watermark is not None:
        mark = task.watermark
        result = g.add(
            N.TEXT_WATERMARK,
            image=result,
            text=mark.text,
            language=mark.language,
            position=mark.position,
            opacity=mark.opacity,
            size=mark.size,
        ).out(0)
    image_result(g, "image", result)
