"""IOPaint 1.6.0's request and response bodies (``iopaint/schema.py``), as its clients send and read them.

Field names, types, defaults and constraints are IOPaint's, including its lax typing (``"5"`` is an int, as
pydantic reads it there). Unknown keys are ignored — the shipped frontend sends misspelled ones
(``hd_strategy_crop_triger_size``, ``hd_trategy_resize_imit``), so the correctly spelled defaults apply — and
an explicit ``null`` means "the default" (the bridge's rule for every contract; IOPaint refuses it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

# GET /api/v1/samplers: IOPaint's list, without PNDM (diffusers' PLMS), which ComfyUI has no sampler for
# (api_bridge/samplers.py refuses it by name).
SAMPLERS: tuple[str, ...] = (
    "DPM++ 2M",
    "DPM++ 2M Karras",
    "DPM++ 2M SDE",
    "DPM++ 2M SDE Karras",
    "DPM++ SDE",
    "DPM++ SDE Karras",
    "DPM2",
    "DPM2 Karras",
    "DPM2 a",
    "DPM2 a Karras",
    "Euler",
    "Euler a",
    "Heun",
    "LMS",
    "LMS Karras",
    "DDIM",
    "UniPC",
    "LCM",
)

ModelType = Literal[
    "inpaint", "diffusers_sd", "diffusers_sd_inpaint", "diffusers_sdxl", "diffusers_sdxl_inpaint", "diffusers_other"
]
DIFFUSION_TYPES = ("diffusers_sd", "diffusers_sd_inpaint", "diffusers_sdxl", "diffusers_sdxl_inpaint")


class Body(BaseModel):
    """A request body: unknown keys ignored, ``null`` = the field's default."""

    model_config = ConfigDict(extra="ignore")
    _nullable: frozenset[str] = frozenset()  # fields whose own default is None

    @model_validator(mode="before")
    @classmethod
    def _null_is_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


def _image_and_mask_required(schema: dict[str, Any]) -> None:
    # Documented as what they are in practice (IOPaint declares them optional, then fails without them).
    schema["required"] = ["image", "mask"]
    for name in ("image", "mask"):
        schema["properties"][name] = {"type": "string", "description": schema["properties"][name]["description"]}


class InpaintRequest(Body):
    model_config = ConfigDict(json_schema_extra=_image_and_mask_required)

    image: str | None = Field(None, description="base64 image (data: URI prefixes accepted); required")
    mask: str | None = Field(None, description="base64 mask, greyscale > 127 = inpaint, alpha ignored; required")

    ldm_steps: int = 20
    ldm_sampler: str = "plms"
    zits_wireframe: bool = True

    hd_strategy: str = Field("Crop", description="Original, Resize or Crop (erase models)")
    hd_strategy_crop_trigger_size: int = 800
    hd_strategy_crop_margin: int = 128
    hd_strategy_resize_limit: int = 1280

    prompt: str = ""
    negative_prompt: str = ""
    use_croper: bool = False
    croper_x: int = 0
    croper_y: int = 0
    croper_height: int = 512
    croper_width: int = 512

    use_extender: bool = False
    extender_x: int = 0
    extender_y: int = 0
    extender_height: int = 640
    extender_width: int = 640

    sd_scale: float = Field(1.0, gt=0.0, le=1.0)
    sd_mask_blur: int = 11
    sd_strength: float = Field(1.0, le=1.0)
    sd_steps: int = 50
    sd_guidance_scale: float = 7.5
    sd_sampler: str = "UniPC"
    sd_seed: int = Field(42, description="-1: a random seed, answered in X-Seed")
    sd_match_histograms: bool = False
    sd_outpainting_softness: float = 20.0
    sd_outpainting_space: float = 20.0
    sd_lcm_lora: bool = False
    sd_keep_unmasked_area: bool = True

    cv2_flag: Literal["INPAINT_NS", "INPAINT_TELEA"] = "INPAINT_NS"
    cv2_radius: int = 4

    paint_by_example_example_image: str | None = None
    p2p_image_guidance_scale: float = 1.5
    enable_controlnet: bool = False
    controlnet_conditioning_scale: float = Field(0.4, ge=0.0, le=1.0)
    controlnet_method: str = "lllyasviel/control_v11p_sd15_canny"
    enable_brushnet: bool = False
    brushnet_method: str = "Sanster/brushnet_random_mask"
    brushnet_conditioning_scale: float = Field(1.0, ge=0.0, le=1.0)
    enable_powerpaint_v2: bool = False
    powerpaint_task: Literal["text-guided", "context-aware", "shape-guided", "object-remove", "outpainting"] = (
        "text-guided"
    )
    fitting_degree: float = Field(1.0, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _iopaint_side_effects(self) -> InpaintRequest:
        # IOPaint's validator: outpainting always repaints fully. (sd_seed -1 is resolved by the handler,
        # which answers it in X-Seed.)
        if self.use_extender:
            self.sd_strength = 1.0
        return self


class RunPluginRequest(Body):
    name: str
    image: str = Field(description="base64 image")
    clicks: list[list[int]] = Field(default_factory=list, description="InteractiveSeg: [[x, y, 1 include / 0 exclude]]")
    scale: float = 2.0


class SwitchModelRequest(Body):
    name: str


class SwitchPluginModelRequest(Body):
    plugin_name: str
    model_name: str


class AdjustMaskRequest(Body):
    mask: str = Field(description="base64 mask; greyscale >= 127 is masked")
    operate: Literal["expand", "shrink", "reverse"]
    kernel_size: int = Field(5, ge=0, le=1024, description="expand/shrink by an ellipse of (2k+1)²")


class ModelInfo(BaseModel):
    """IOPaint's ModelInfo with its computed fields, true to what the bridge can run with the model."""

    name: str
    path: str
    model_type: ModelType
    is_single_file_diffusers: bool = False

    @computed_field
    @property
    def need_prompt(self) -> bool:
        return self.model_type in DIFFUSION_TYPES

    @computed_field
    @property
    def controlnets(self) -> list[str]:
        return []  # no ControlNet path on the bridge

    @computed_field
    @property
    def brushnets(self) -> list[str]:
        return []

    @computed_field
    @property
    def support_strength(self) -> bool:
        return self.model_type in DIFFUSION_TYPES

    @computed_field
    @property
    def support_outpainting(self) -> bool:
        return self.model_type in DIFFUSION_TYPES

    @computed_field
    @property
    def support_lcm_lora(self) -> bool:
        return False

    @computed_field
    @property
    def support_controlnet(self) -> bool:
        return False

    @computed_field
    @property
    def support_brushnet(self) -> bool:
        return False

    @computed_field
    @property
    def support_powerpaint_v2(self) -> bool:
        return False


class PluginInfo(BaseModel):
    name: str
    support_gen_image: bool = False
    support_gen_mask: bool = False


class ServerConfigResponse(BaseModel):
    plugins: list[PluginInfo]
    modelInfos: list[ModelInfo]  # noqa: N815 (IOPaint's key names)
    removeBGModel: str  # noqa: N815
    removeBGModels: list[str]  # noqa: N815
    realesrganModel: str  # noqa: N815
    realesrganModels: list[str]  # noqa: N815
    interactiveSegModel: str  # noqa: N815
    interactiveSegModels: list[str]  # noqa: N815
    enableFileManager: bool  # noqa: N815
    enableAutoSaving: bool  # noqa: N815
    enableControlnet: bool  # noqa: N815
    controlnetMethod: str | None  # noqa: N815
    disableModelSwitch: bool  # noqa: N815
    isDesktop: bool  # noqa: N815
    samplers: list[str]


class GenInfoResponse(BaseModel):
    prompt: str = ""
    negative_prompt: str = ""
