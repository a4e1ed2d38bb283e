"""Recipe for remove_background: image → IB_RemoveBackground → its RGBA cut-out."""

from __future__ import annotations

from ...tasks.background import RemoveBackgroundTask
from ..builder import Graph
from . import recipe
from .parts import image_result, rembg_node


@recipe("remove_background")
def remove_background(task: RemoveBackgroundTask, g: Graph) -> None:
    image = g.load_image(task.image.blob)["IMAGE"]
    image_result(g, "image", rembg_node(g, image, task.segmenter)["rgba"])
