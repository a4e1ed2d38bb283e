"""Erase recipe: picture + mask picture -> mask rule -> IB_Erase -> optional watermark -> saved candidates."""

from ..graph import node_ids as ids
from ..graph.builder import GraphBuilder
from ..tasks import EraseTask
from .common import OUTPUT_PREFIX, load_mask


def erase_recipe(task: EraseTask, object_info: dict) -> dict:
    g = GraphBuilder(object_info)
    image = g.node(ids.LOAD_IMAGE, image=task.image).out(0)
    mask = load_mask(g, task.mask)
    o = task.options
    extra = {}
    if o.engine == "model":
        extra["erase_model"] = g.node(ids.ERASE_MODEL_LOADER, model_name=o.model_name or "big-lama.pt").out(0)
    erased = g.node(
        ids.ERASE,
        image=image,
        mask=mask,
        engine=o.engine,
        strategy=o.strategy,
        crop_trigger_size=o.crop_trigger_size,
        crop_margin=o.crop_margin,
        resize_limit=o.resize_limit,
        dilate=o.dilate,
        feather=o.feather,
        candidates=o.candidates,
        seed=o.seed,
        **extra,
    )
    result = erased.out(0)
    if task.watermark is not None:
        w = task.watermark
        result = g.node(
            ids.TEXT_WATERMARK,
            image=result,
            text=w.text,
            language=w.language,
            position=w.position,
            opacity=w.opacity,
            size=w.size,
        ).out(0)
    g.node(ids.SAVE_IMAGE, images=result, filename_prefix=OUTPUT_PREFIX)
    return g.build()
