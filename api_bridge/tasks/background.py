"""The ``remove_background`` task kind: an image with its foreground as the alpha channel (a cut-out)."""

from __future__ import annotations

from typing import Literal

from . import ImageRef, TaskBase, task_kind
from .mask import RembgSegmenter


@task_kind
class RemoveBackgroundTask(TaskBase):
    """Image → RGBA cut-out by a rembg model: the RGB untouched, alpha = the foreground mask. Output 'image'."""

    kind: Literal["remove_background"] = "remove_background"
    image: ImageRef
    segmenter: RembgSegmenter = RembgSegmenter()
