"""Recipes for generate_mask (segmenter → mask) and adjust_mask (mask picture → adjusted mask)."""

from __future__ import annotations

import json

from ...tasks.mask import AdjustMaskTask, GenerateMaskTask, RembgSegmenter, SamSegmenter, TextDetect
from .. import node_ids as N  # noqa: N812
from ..builder import Graph, Output
from . import recipe
from .parts import adjust_mask, mask_from_picture, mask_result, rembg_node


def _detected_boxes(g: Graph, image: Output, detect: TextDetect) -> Output:
    dino = g.add(N.GROUNDING_DINO_LOADER, model_name=detect.model_name)
    found = g.add(
        N.TEXT_PROMPT_DETECT,
        dino_model=dino["dino_model"],
        image=image,
        prompt=detect.prompt,
        box_threshold=detect.box_threshold,
        text_threshold=detect.text_threshold,
        max_detections=detect.max_detections,
        grow_boxes=detect.grow_boxes,
    )
    return found["boxes"]


def _segment(g: Graph, image: Output, seg: SamSegmenter | RembgSegmenter) -> Output:
    if isinstance(seg, SamSegmenter):
        boxes: Output | str = json.dumps([list(b) for b in seg.boxes])
        if seg.detect is not None:
            boxes = _detected_boxes(g, image, seg.detect)
            if seg.detect.boxes_only:
                return g.add(N.BOXES_TO_MASK, image=image, boxes=boxes)["mask"]
        model = g.add(N.SAM_LOADER, model_name=seg.model_name)
        points = [{"x": x, "y": y, "label": label} for x, y, label in seg.points]
        node = g.add(
            N.SAM_SEGMENT,
            sam_model=model["sam_model"],
            image=image,
            points=json.dumps(points),
            boxes=boxes,
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
