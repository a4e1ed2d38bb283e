"""Mask recipes: adjust an uploaded mask; generate one with SAM prompts or rembg."""

import json

from ..graph import node_ids as ids
from ..graph.builder import GraphBuilder
from ..tasks import AdjustMaskTask, GenerateMaskTask, SamPrompt
from .common import adjust, load_mask, save_mask


def adjust_mask_recipe(task: AdjustMaskTask, object_info: dict) -> dict:
    g = GraphBuilder(object_info)
    save_mask(g, adjust(g, load_mask(g, task.mask), task.adjust, task.invert_result))
    return g.build()


def generate_mask_recipe(task: GenerateMaskTask, object_info: dict) -> dict:
    g = GraphBuilder(object_info)
    image = g.node(ids.LOAD_IMAGE, image=task.image).out(0)
    method = task.method
    if isinstance(method, SamPrompt):
        model = g.node(ids.SAM_LOADER, model_name=method.model_name)
        points = [{"x": x, "y": y, "label": label} for x, y, label in method.points]
        mask = g.node(
            ids.SAM_SEGMENT,
            sam_model=model.out(0),
            image=image,
            points=json.dumps(points),
            boxes=json.dumps([list(b) for b in method.boxes]),
            multimask=method.multimask,
            cleanup_area=method.cleanup_area,
        ).out(0)
    else:
        session = g.node(ids.REMBG_LOADER, model_name=method.model_name, cloth_category=method.cloth_category)
        mask = g.node(
            ids.REMOVE_BACKGROUND, session=session.out(0), image=image, alpha_matting=method.alpha_matting
        ).out(0)
    save_mask(g, adjust(g, mask, task.adjust, task.invert_result))
    return g.build()
