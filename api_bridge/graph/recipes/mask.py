"""Recipes for generate_mask (segmenter → mask) and adjust_mask (mask picture → adjusted mask)."""

from __future__ import annotations

import json

from ...tasks.mask import AdjustMaskTask, GenerateMaskTask, RembgSegmenter, SamSegmenter
from .. import node_ids as N  # noqa: N812
from ..builder import Graph, Output
from . import recipe
from .parts import adjust_mask, mask_from_picture, mask_result, rembg_node


def _segment(g: Graph, image: Output, seg: SamSegmenter | RembgSegmenter) -> Output:
    if isinstance(seg, SamSegmenter):
        model = g.add(N.SAM_LOADER, model_name=seg.model_name)
        points = [{"x": x, "y": y, "label": label} for x, y, label in seg.points]
        node = g.add(
            N.SAM_SEGMENT,
            sam_model=model["sam_model"],
            image=image,
            points=json.dumps(points),
            boxes=json.dumps([list(b) for b in seg.boxes]),
            multimask=seg.multimask,
            cleanup_area=seg.cleanup_area,
        )
        return node["mask"]
    return rembg_node(g, image, seg)["mask"]


@recipe("generate_mask")
def generate_mask(task: GenerateMaskTask, g: Graph) -> None:
    image = g.load_image(task.image.blob)["IMAGE"]
    mask = _segment(g, image, task.segmenter)
    mask_result(g, "mask", adjust_mask(g, mask, task.adjust))


@recipe("adjust_mask")
def adjust_mask_recipe(task: AdjustMaskTask, g: Graph) -> None:
    mask = mask_from_picture(g, task.mask)
    mask_result(g, "mask", adjust_mask(g, mask, task.adjust))
