"""Fooocus's own vocabulary, shared by both APIs: enums, defaults, the mask rule, performance presets.

Values are upstream's (``mrhan1993/FooocusAPI`` ``apis/models``, ``mrhan1993/Fooocus-API``
``fooocusapi/models/common``, ``lllyasviel/Fooocus`` ``modules/flags.py``); one place for each.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

V25 = "fooocus"  # task label of FooocusAPI v2.5 requests (its /tasks list them)
V05 = "fooocus_api"  # task label of the old Fooocus-API 0.5 (its job API lists them)
MASKS = "fooocus_mask"  # generate_mask runs (synchronous: in no task list)

# "no image" in every FooocusAPI v2.5 image field (apis/utils/img_utils.read_input_image)
NO_IMAGE = frozenset({"", "None", "null", "string", "none"})

# A mask picture: repainted where the mean of R, G, B is above 127 (modules/async_worker.py).
MASK_RULE = "rgb_mean"
MASK_THRESHOLD = 127

# The default file names upstream ships with: they mean "the server's default" when nothing of that
# name is installed (every generated client sends one), see catalog.py.
DEFAULT_BASE_MODELS = frozenset(
    {"juggernautXL_v8Rundiffusion.safetensors", "juggernautXL_version6Rundiffusion.safetensors"}
)
DEFAULT_LORA = "sd_xl_offset_example-lora_1.0.safetensors"
NO_MODEL = frozenset({"", "None", "none"})
DEFAULT_VAE = "Default (model)"
DEFAULT_STYLES = ["Fooocus V2", "Fooocus Enhance", "Fooocus Sharp"]
DEFAULT_ASPECT_RATIO = "1152*896"


class Performance(StrEnum):
    speed = "Speed"
    quality = "Quality"
    extreme_speed = "Extreme Speed"
    lightning = "Lightning"
    hyper_sd = "Hyper-SD"

    @property
    def steps(self) -> int:
        """Sampling steps of the preset (modules/flags.Steps)."""
        return PERFORMANCE_STEPS[self]


PERFORMANCE_STEPS = {
    Performance.quality: 60,
    Performance.speed: 30,
    Performance.extreme_speed: 8,
    Performance.lightning: 4,
    Performance.hyper_sd: 4,
}


class OutpaintSide(StrEnum):
    left = "Left"
    right = "Right"
    top = "Top"
    bottom = "Bottom"


class MaskModel(StrEnum):
    u2net = "u2net"
    u2netp = "u2netp"
    u2net_human_seg = "u2net_human_seg"
    u2net_cloth_seg = "u2net_cloth_seg"
    silueta = "silueta"
    isnet_general_use = "isnet-general-use"
    isnet_anime = "isnet-anime"
    sam = "sam"


InpaintEngine = Literal["None", "v1", "v2.5", "v2.6"]  # modules/flags.inpaint_engine_versions
DEFAULT_INPAINT_ENGINE = "v2.6"
# v2.5 output_format (Fooocus's png / jpeg / webp; "jpg" read as jpeg), 0.5 save_extension (png / jpg / webp)
OutputFormat = Literal["png", "jpeg", "jpg", "webp"]
OUTPAINT_DEFAULT_FRACTION = 0.3  # a side of distance <= 0 grows by int(0.3 * its length) (apply_outpaint)


def drop_nulls(data: Any) -> Any:
    """null means "not set" for every optional field: the default applies (the bridge's rule)."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None}
    return data


class Lenient(BaseModel):
    """Upstream's pydantic parsing (FastAPI's lax mode), unknown keys ignored, null = the default."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    @model_validator(mode="before")
    @classmethod
    def _nulls_mean_default(cls, data: Any) -> Any:
        return drop_nulls(data)


class Lora(Lenient):
    """``{"enabled", "model_name", "weight"}`` (apis/models/base.Lora): applied to the UNet and CLIP alike."""

    enabled: bool = True
    model_name: str
    weight: float = Field(0.5, ge=-2, le=2)


class ImagePrompt(Lenient):
    """An image prompt (ControlNet) slot: accepted and ignored (the bridge runs no image prompts)."""

    cn_img: str | None = None
    cn_stop: float | None = Field(0.6, ge=0, le=1)
    cn_weight: float | None = Field(0.6, ge=0, le=2)
    cn_type: Literal["ImagePrompt", "FaceSwap", "PyraCanny", "CPDS"] = "ImagePrompt"
