"""Fooocus-API 0.5 (``mrhan1993/Fooocus-API`` main): the inpaint/outpaint request, JSON (v2) and form (v1).

Sources: ``fooocusapi/models/common/requests.py`` (``CommonRequest``, ``AdvancedParams``),
``fooocusapi/models/requests_v2.py`` (``ImgInpaintOrOutpaintRequestJson``),
``fooocusapi/models/requests_v1.py`` (the form of ``/v1/generation/image-inpaint-outpaint``: CSV lists,
``loras`` / ``advanced_params`` as JSON strings, other defaults). null means the default; unknown keys
are ignored. Where upstream quietly replaces a bad value by a default (an ``advanced_params`` that does
not validate, an unknown sampler or engine), the bridge answers 422 naming it.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field, ValidationError

from .fields import (
    DEFAULT_ASPECT_RATIO,
    DEFAULT_BASE_MODELS,
    DEFAULT_INPAINT_ENGINE,
    DEFAULT_LORA,
    DEFAULT_STYLES,
    DEFAULT_VAE,
    ImagePrompt,
    InpaintEngine,
    Lenient,
    Lora,
    OutpaintSide,
    Performance,
)

DEFAULT_BASE_MODEL = sorted(DEFAULT_BASE_MODELS)[0]
SaveExtension = Literal["png", "jpg", "jpeg", "webp"]


class AdvancedParams(Lenient):
    disable_preview: bool = False
    disable_intermediate_results: bool = False
    disable_seed_increment: bool = False
    adm_scaler_positive: float = Field(1.5, ge=0.1, le=3.0)
    adm_scaler_negative: float = Field(0.8, ge=0.1, le=3.0)
    adm_scaler_end: float = Field(0.3, ge=0.0, le=1.0)
    adaptive_cfg: float = Field(7.0, ge=1.0, le=30.0)
    clip_skip: int = Field(2, ge=1, le=12)
    sampler_name: str = "dpmpp_2m_sde_gpu"
    scheduler_name: str = "karras"
    overwrite_step: int = Field(-1, ge=-1, le=200)
    overwrite_switch: float = Field(-1, ge=-1, le=1)
    overwrite_width: int = Field(-1, ge=-1, le=2048)
    overwrite_height: int = Field(-1, ge=-1, le=2048)
    overwrite_vary_strength: float = Field(-1, ge=-1, le=1.0)
    overwrite_upscale_strength: float = Field(-1, ge=-1, le=1.0)
    mixing_image_prompt_and_vary_upscale: bool = False
    mixing_image_prompt_and_inpaint: bool = False
    debugging_cn_preprocessor: bool = False
    skipping_cn_preprocessor: bool = False
    canny_low_threshold: int = Field(64, ge=1, le=255)
    canny_high_threshold: int = Field(128, ge=1, le=255)
    refiner_swap_method: Literal["joint", "separate", "vae"] = "joint"
    controlnet_softness: float = Field(0.25, ge=0.0, le=1.0)
    freeu_enabled: bool = False
    freeu_b1: float = 1.01
    freeu_b2: float = 1.02
    freeu_s1: float = 0.99
    freeu_s2: float = 0.95
    debugging_inpaint_preprocessor: bool = False
    inpaint_disable_initial_latent: bool = False
    inpaint_engine: InpaintEngine = DEFAULT_INPAINT_ENGINE
    inpaint_strength: float = Field(1.0, ge=0.0, le=1.0)
    inpaint_respective_field: float = Field(1.0, ge=0.0, le=1.0)
    inpaint_advanced_masking_checkbox: bool = True
    invert_mask_checkbox: bool = False
    inpaint_erode_or_dilate: int = Field(0, ge=-64, le=64)
    black_out_nsfw: bool = False
    vae_name: str = DEFAULT_VAE
    debugging_dino: bool = False
    dino_erode_or_dilate: int = Field(0, ge=-64, le=64)
    debugging_enhance_masks_checkbox: bool = False


class ImgInpaintOrOutpaintRequestJson(Lenient):
    """``POST /v2/generation/image-inpaint-outpaint``: images as base64, data URIs or URLs."""

    prompt: str = ""
    negative_prompt: str = ""
    style_selections: list[str] = Field(default_factory=lambda: list(DEFAULT_STYLES))
    performance_selection: Performance = Performance.speed
    aspect_ratios_selection: str = DEFAULT_ASPECT_RATIO
    image_number: int = Field(1, ge=1, le=32)
    image_seed: int = -1
    sharpness: float = Field(2.0, ge=0.0, le=30.0)
    guidance_scale: float = Field(4.0, ge=1.0, le=30.0)
    base_model_name: str = DEFAULT_BASE_MODEL
    refiner_model_name: str = "None"
    refiner_switch: float = Field(0.5, ge=0.1, le=1.0)
    loras: list[Lora] = Field(default_factory=lambda: [Lora(enabled=True, model_name=DEFAULT_LORA, weight=0.1)])
    advanced_params: AdvancedParams = Field(default_factory=AdvancedParams)
    save_meta: bool = True
    meta_scheme: str = "fooocus"
    save_extension: SaveExtension = "png"
    save_name: str = ""
    read_wildcards_in_order: bool = False
    require_base64: bool = False
    async_process: bool = False
    webhook_url: str = ""

    input_image: str = ""
    input_mask: str = ""
    inpaint_additional_prompt: str = ""
    outpaint_selections: list[OutpaintSide] = Field(default_factory=list)
    outpaint_distance_left: int = -1
    outpaint_distance_right: int = -1
    outpaint_distance_top: int = -1
    outpaint_distance_bottom: int = -1
    image_prompts: list[ImagePrompt] = Field(default_factory=list)


class ImgInpaintOrOutpaintForm(ImgInpaintOrOutpaintRequestJson):
    """The form fields of ``POST /v1/generation/image-inpaint-outpaint`` (the files come apart).

    Its own defaults (``fooocusapi/configs/default.py``): guidance 7, outpaint distances 0, no metadata.
    """

    guidance_scale: float = Field(7.0, ge=1.0, le=30.0)
    save_meta: bool = False
    outpaint_distance_left: int = 0
    outpaint_distance_right: int = 0
    outpaint_distance_top: int = 0
    outpaint_distance_bottom: int = 0


# Form fields holding a comma-separated list, and those holding JSON (fooocusapi/models/common/base.py).
CSV_FIELDS = ("style_selections", "outpaint_selections")
JSON_FIELDS = ("loras", "advanced_params")


def form_fields(items: list[tuple[str, str]]) -> dict[str, Any]:
    """The v1 form's text fields as the JSON model's values: CSV lists split, JSON strings decoded.

    A repeated CSV field adds to the list (``outpaint_selections=Left&outpaint_selections=Top,Bottom``).
    Raises ``ValueError(field, message)`` for a JSON field that is not JSON.
    """
    data: dict[str, Any] = {}
    for key, value in items:
        if key in CSV_FIELDS:
            data.setdefault(key, []).extend(s.strip() for s in value.split(",") if s.strip())
        elif key in JSON_FIELDS:
            if not value.strip():
                continue
            try:
                data[key] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise FormFieldError(key, f"{key} must be JSON: {exc.msg} at position {exc.pos}") from None
        else:
            data[key] = value
    return data


class FormFieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


__all__ = [
    "AdvancedParams",
    "FormFieldError",
    "ImgInpaintOrOutpaintForm",
    "ImgInpaintOrOutpaintRequestJson",
    "ValidationError",
    "form_fields",
]
