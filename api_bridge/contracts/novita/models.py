"""``POST /v3/async/inpainting`` bodies: ``{extra?, request}`` with the contract's ranges (``novita.md`` §1.2).

Every optional field may be ``null`` (the Python SDK sends them), ``""`` or ``{}`` and then takes its
default; unknown keys are ignored. A problem is ``INVALID_REQUEST_BODY`` naming the field.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from ..lenient import Bool, Float, Int, Lenient, describe
from .errors import invalid_body

# The 20 sampler names of the contract (A1111's); api_bridge/samplers.py maps them to ComfyUI's.
SAMPLERS = (
    "Euler a",
    "Euler",
    "LMS",
    "Heun",
    "DPM2",
    "DPM2 a",
    "DPM++ 2S a",
    "DPM++ 2M",
    "DPM++ SDE",
    "DPM fast",
    "DPM adaptive",
    "LMS Karras",
    "DPM2 Karras",
    "DPM2 a Karras",
    "DPM++ 2S a Karras",
    "DPM++ 2M Karras",
    "DPM++ SDE Karras",
    "DDIM",
    "PLMS",
    "UniPC",
)
ImageType = Literal["png", "webp", "jpeg"]
TaskStatusName = Literal["TASK_STATUS_SUCCEED", "TASK_STATUS_FAILED"]
MAX_MODELS = 5


class WebhookTestMode(Lenient):
    enabled: Bool
    return_task_status: TaskStatusName = "TASK_STATUS_SUCCEED"


class Webhook(Lenient):
    url: str = Field(min_length=1)
    test_mode: WebhookTestMode | None = None

    @property
    def testing(self) -> bool:
        return self.test_mode is not None and self.test_mode.enabled


class Extra(Lenient):
    response_image_type: ImageType = "png"
    webhook: Webhook | None = None
    custom_storage: dict[str, Any] | None = None
    enterprise_plan: dict[str, Any] | None = None
    enable_nsfw_detection: Bool = False
    nsfw_detection_level: Int | None = None

    @model_validator(mode="after")
    def _only_what_runs_here(self) -> Extra:
        # Results are stored and served by the bridge itself; no NSFW detector runs here. Refused, not ignored:
        # a client relying on either must know.
        if self.custom_storage:
            raise ValueError("custom_storage is not supported here: results are served from this server's URLs")
        if self.enable_nsfw_detection:
            raise ValueError("enable_nsfw_detection is not supported here: no NSFW detector is installed")
        return self


class Lora(Lenient):
    model_name: str = Field(min_length=1)
    strength: Float = Field(ge=0, le=1)


class Embedding(Lenient):
    model_name: str = Field(min_length=1)


class InpaintingRequest(Lenient):
    model_name: str = Field(min_length=1)
    image_base64: str = Field(min_length=1)
    mask_image_base64: str = Field(min_length=1)
    prompt: str = Field(min_length=1, max_length=1024)
    image_num: Int = Field(ge=1, le=8)
    steps: Int = Field(ge=1, le=100)
    guidance_scale: Float = Field(ge=1, le=30)
    sampler_name: Literal[SAMPLERS]  # type: ignore[valid-type]
    mask_blur: Int | None = Field(None, ge=0, le=64)
    negative_prompt: str = Field("", max_length=1024)
    sd_vae: str | None = None
    seed: Int = Field(-1, ge=-1)
    loras: list[Lora] = Field(default_factory=list, max_length=MAX_MODELS)
    embeddings: list[Embedding] = Field(default_factory=list, max_length=MAX_MODELS)
    clip_skip: Int | None = Field(None, ge=1, le=12)
    strength: Float | None = Field(None, gt=0, le=1)
    inpainting_full_res: Literal[0, 1] = 0
    inpainting_full_res_padding: Int = Field(8, ge=0, le=256)
    inpainting_mask_invert: Literal[0, 1] = 0
    initial_noise_multiplier: Float = Field(0.5, ge=0, le=1.5)


class InpaintingBody(Lenient):
    extra: Extra = Extra()
    request: InpaintingRequest


def parse_body(body: bytes) -> InpaintingBody:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_body(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise invalid_body("the body must be a JSON object {extra?, request}")
    try:
        return InpaintingBody.model_validate(data)
    except ValidationError as exc:
        raise invalid_body(f"invalid request body: {describe(exc)}") from None
