"""The ``erase`` task kind: prompt-free object removal (IB_Erase), optionally with a visible watermark."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictFloat, StrictInt, StrictStr, model_validator

from . import ImageRef, Part, TaskBase, task_kind
from .parts import MaskAdjust, MaskPicture

# IB_Erase engine and strategy (nodes/erase.py ENGINES, nodes/common/erase_strategy.STRATEGIES);
# IB_TextWatermark language and position (nodes/common/watermark.py): checked against /object_info.
# 'auto' (IB_Erase's default): a named model_name, else an installed LaMa (IOPaint's default), else exemplar;
# the engine that ran comes back in record.info["engine"].
EraseEngine = Literal["auto", "exemplar", "telea", "navier_stokes", "model"]
HDStrategy = Literal["crop", "resize", "original"]
WatermarkLanguage = Literal["zh", "en"]
Corner = Literal["bottom-right", "bottom-left", "top-left", "top-right"]


class HDOptions(Part):
    """How large images are handled (IOPaint's HD strategies)."""

    strategy: HDStrategy = "crop"
    crop_trigger_size: StrictInt = Field(800, ge=64, le=16384)
    crop_margin: StrictInt = Field(128, ge=0, le=4096)
    resize_limit: StrictInt = Field(1280, ge=64, le=16384)


class EraseOptions(Part):
    engine: EraseEngine = "auto"
    model_name: StrictStr | None = Field(
        None, description="Erase model file in models/inpaint (engine 'model'; with 'auto', that model is used)."
    )
    hd: HDOptions = HDOptions()
    dilate: StrictInt = Field(
        15, ge=0, le=256, description="Grow the mask (Euclidean px) before filling (Volcengine dilate_size default)."
    )
    feather: StrictInt = Field(4, ge=0, le=256, description="Blend band inside the grown mask (<= dilate).")
    candidates: StrictInt = Field(1, ge=1, le=4, description="Results per image.")

    @model_validator(mode="after")
    def _model_needs_a_name(self) -> EraseOptions:
        # Never let a graph default pick a model file the request did not name.
        if self.engine == "model" and not self.model_name:
            raise ValueError("engine 'model' needs model_name (a file in models/inpaint)")
        return self


class Watermark(Part):
    """A visible text label drawn on the result (IB_TextWatermark), e.g. Volcengine ``logo_info``."""

    text: StrictStr = Field("", max_length=200, description="Label text; empty: the node's default for 'language'.")
    language: WatermarkLanguage = "zh"
    position: Corner = "bottom-right"
    opacity: StrictFloat = Field(0.3, ge=0.0, le=1.0)
    size: StrictFloat = Field(0.05, ge=0.01, le=0.5, description="Label height as a fraction of the shorter side.")


@task_kind
class EraseTask(TaskBase):
    """Prompt-free object removal. Output 'image'; pixels outside the (feathered) mask are the input's."""

    kind: Literal["erase"] = "erase"
    image: ImageRef
    mask: MaskPicture
    adjust: MaskAdjust = MaskAdjust()
    erase: EraseOptions = EraseOptions()
    watermark: Watermark | None = None  # drawn on the result after erasing
