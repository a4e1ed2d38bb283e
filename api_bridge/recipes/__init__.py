"""Recipes: pure functions task -> workflow graph (no I/O, no ComfyUI import)."""

from .erase import erase_recipe
from .masks import adjust_mask_recipe, generate_mask_recipe

RECIPES = {"erase": erase_recipe, "adjust_mask": adjust_mask_recipe, "generate_mask": generate_mask_recipe}


def build_graph(task, object_info: dict) -> dict:
    return RECIPES[task.kind](task, object_info)
