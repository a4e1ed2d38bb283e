"""FooocusAPI v2.5 ``CommonRequest`` (``POST /v1/engine/generate``): every field, upstream's types and ranges.

Source: ``mrhan1993/FooocusAPI`` ``apis/models/requests.py`` with the defaults of Fooocus's
``presets/default.json``. Every field is optional; null means the default; unknown keys are ignored.
Which fields the bridge maps and which it accepts without effect is in ``job.py`` (and the README).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictStr

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
    OutputFormat,
    Performance,
)

UovMethod = Literal[
    "Disabled",
    "Vary (Subtle)",
    "Vary (Strong)",
    "Upscale (1.5x)",
    "Upscale (2x)",
    "Upscale (Fast 2x)",
    "Upscale (Custom)",
]

DEFAULT_BASE_MODEL = sorted(DEFAULT_BASE_MODELS)[0]  # juggernautXL_v8Rundiffusion.safetensors


class EnhanceCtrlNets(Lenient):
    """An enhance slot (accepted, not run: the bridge has no enhance pass)."""

    enhance_enabled: bool = False
    enhance_mask_dino_prompt: str = ""
    enhance_prompt: str = ""
    enhance_negative_prompt: str = ""
    enhance_mask_model: str = "sam"
    enhance_mask_cloth_category: str = "full"
    enhance_mask_sam_model: str = "vit_b"
    enhance_mask_text_threshold: float = Field(0.25, ge=0, le=1)
    enhance_mask_box_threshold: float = Field(0.3, ge=0, le=1)
    enhance_mask_sam_max_detections: int = Field(0, ge=0, le=10)
    enhance_inpaint_disable_initial_latent: bool = False
    enhance_inpaint_engine: str = "v2.6"
    enhance_inpaint_strength: float = Field(1, ge=0, le=1)
    enhance_inpaint_respective_field: float = Field(0.618, ge=0, le=1)
    enhance_inpaint_erode_or_dilate: float = Field(0, ge=-64, le=64)
    enhance_mask_invert: bool = False


class CommonRequest(Lenient):
    prompt: StrictStr = ""
    negative_prompt: StrictStr = ""
    style_selections: list[StrictStr] = Field(default_factory=lambda: list(DEFAULT_STYLES))
    performance_selection: Performance = Performance.speed
    aspect_ratios_selection: StrictStr = DEFAULT_ASPECT_RATIO
    image_number: int = Field(1, ge=1, le=32)
    output_format: OutputFormat = "png"
    image_seed: int = -1
    read_wildcards_in_order: bool = False
    sharpness: float = Field(2.0, ge=0.0, le=30.0)
    guidance_scale: float = Field(4.0, ge=1.0, le=30.0)
    base_model_name: StrictStr = DEFAULT_BASE_MODEL
    refiner_model_name: StrictStr = "None"
    refiner_switch: float = Field(0.5, ge=0.1, le=1.0)
    loras: list[Lora] = Field(default_factory=lambda: [Lora(enabled=True, model_name=DEFAULT_LORA, weight=0.1)])

    input_image_checkbox: bool = False
    current_tab: StrictStr = "uov"
    uov_method: UovMethod = "Disabled"
    uov_input_image: StrictStr = "None"
    outpaint_selections: list[OutpaintSide] = Field(default_factory=list)
    inpaint_input_image: StrictStr = "None"
    inpaint_additional_prompt: StrictStr = ""
    inpaint_mask_image_upload: str = "None"
    disable_preview: bool = False
    disable_intermediate_results: bool = False
    disable_seed_increment: bool = False
    black_out_nsfw: bool = False
    adm_scaler_positive: float = Field(1.5, ge=0.0, le=3.0)
    adm_scaler_negative: float = Field(0.8, ge=0.0, le=3.0)
    adm_scaler_end: float = Field(0.3, ge=0.0, le=1.0)
    adaptive_cfg: float = Field(7.0, ge=1.0, le=30.0)
    clip_skip: int = Field(2, ge=1, le=12)
    sampler_name: StrictStr = "dpmpp_2m_sde_gpu"
    scheduler_name: StrictStr = "karras"
    vae_name: StrictStr = DEFAULT_VAE
    overwrite_step: int = -1
    overwrite_switch: int = -1
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
    refiner_swap_method: StrictStr = "joint"
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
    inpaint_respective_field: float = Field(0.618, ge=0.0, le=1.0)
    inpaint_advanced_masking_checkbox: bool = False
    invert_mask_checkbox: bool = False
    inpaint_erode_or_dilate: int = Field(0, ge=-64, le=64)
    save_final_enhanced_image_only: bool = False
    save_metadata_to_images: bool = True
    metadata_scheme: Literal["fooocus", "a1111"] = "fooocus"
    controlnet_image: list[ImagePrompt] = Field(default_factory=lambda: [ImagePrompt()])
    debugging_dino: bool = False
    dino_erode_or_dilate: int = Field(0, ge=-64, le=64)
    debugging_enhance_masks_checkbox: bool = False
    enhance_input_image: str = "None"
    enhance_checkbox: bool = False
    enhance_uov_method: UovMethod = "Disabled"
    enhance_uov_processing_order: str = "Before First Enhancement"
    enhance_uov_prompt_type: str = "Original Prompts"
    enhance_ctrls: list[EnhanceCtrlNets] = Field(default_factory=list)
    generate_image_grid: bool = False
    save_name: str | None = None
    outpaint_distance: list[int] = Field(default_factory=lambda: [0, 0, 0, 0])
    upscale_multiple: float = Field(1.0, ge=1.0, le=5.0)
    preset: str = "initial"
    stream_output: bool = False
    require_base64: bool = False
    async_process: bool = False
    webhook_url: str = ""
