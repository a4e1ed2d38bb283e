"""PICPIK request bodies (``ModifyMaskedPixels``, ``ListTasksDetails``) as pydantic models.

Ranges are the contract's (``picpik.md`` §3, §5). ``InferenceParams`` accepts both published key sets:
the main-model keys of the older page (``Steps``, ``Sampler``, ``ClipSkip``, ``CFGScale``) and the
current page's (``LoraWeight`` for a LoRA; ``Resolution``, ``ControlWeight``, ``StartingStep``,
``EndingStep`` for pre-processors and ControlNets, which this action has none of: accepted, unused).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, field_validator

from ..lenient import Bool, Float, Int, Lenient, describe
from .errors import INVALID_PARAMETER, PicpikError

MAX_SEED = 2147483647
# Older InferenceParams page defaults for a main model (current ones come from ListModels upstream).
DEFAULT_STEPS = 10
DEFAULT_SAMPLER = "Euler"
DEFAULT_CFG = 7.5
DEFAULT_CLIP_SKIP = 1


class Params(Lenient):
    """``InferenceParams``."""

    Steps: Int = Field(DEFAULT_STEPS, ge=6, le=100)
    Sampler: str = Field(DEFAULT_SAMPLER, min_length=1)
    ClipSkip: Int = Field(DEFAULT_CLIP_SKIP, ge=1, le=12)
    CFGScale: Float = Field(DEFAULT_CFG, ge=1, le=30)
    LoraWeight: Float = Field(1.0, ge=-1, le=2)
    Resolution: Int = Field(512, ge=64, le=2048)
    ControlWeight: Float = Field(1.0, ge=0, le=2)
    StartingStep: Float = Field(0.0, ge=0, le=1)
    EndingStep: Float = Field(1.0, ge=0, le=1)


class ModelSpec(Lenient):
    """``Model``: a main model (checkpoint) or a sub-model (LoRA, embedding)."""

    ModelCode: str = Field(min_length=1, description="Installed model: file name, stem or IB_MODEL_ALIASES alias.")
    Name: str | None = None
    IsOfficial: Bool | None = None
    TriggerWordList: list[str] = Field(default_factory=list)
    InferenceParams: Params = Params()


class MaskSpec(Lenient):
    """``Mask`` (the field ``Masked``)."""

    ImageIndex: Int = Field(ge=0)
    MaskIndex: Int = Field(ge=0)
    ReferStrength: Float = Field(1.0, ge=0, le=2)
    InvertMask: Bool = False
    MaskBlur: Int = Field(12, ge=0, le=64)
    PromptsMoreImportant: Bool = False


class ReferenceImage(Lenient):
    """``Image2Image``."""

    ImageIndex: Int = Field(ge=0)
    ReferStrength: Float = Field(0.5, ge=0, le=1)


class ModifyMaskedPixels(Lenient):
    MainModel: ModelSpec
    SubModelList: list[ModelSpec] = Field(default_factory=list)
    PositivePrompts: list[str] = Field(default_factory=list)
    NegativePrompts: list[str] = Field(default_factory=list)
    TranslatePrompts: Bool = True
    Seed: Int = Field(-1, ge=-1, le=MAX_SEED)
    Width: Int = Field(1024, ge=64, le=2560)
    Height: Int = Field(1024, ge=64, le=2560)
    BatchSize: Int = Field(1, ge=1, le=16)
    UseMainModelVAE: Bool = False
    Image2Image: ReferenceImage | None = None
    Masked: MaskSpec
    ImageAndMaskList: list[str] = Field(min_length=1)

    @field_validator("SubModelList", "PositivePrompts", "NegativePrompts", mode="before")
    @classmethod
    def _null_items_dropped(cls, value: Any) -> Any:
        return [v for v in value if v is not None] if isinstance(value, list) else value

    def image(self, index: int, what: str) -> str:
        """The ``ImageAndMaskList`` entry at ``index``; a clear refusal when there is none."""
        if index >= len(self.ImageAndMaskList) or not self.ImageAndMaskList[index]:
            raise PicpikError(
                INVALID_PARAMETER,
                f"{what} is {index}, but ImageAndMaskList has no image there "
                f"({len(self.ImageAndMaskList)} entries, counted from 0)",
            )
        return self.ImageAndMaskList[index]


class ListTasksDetails(Lenient):
    TaskUIDList: list[str] = Field(min_length=1, max_length=100)


ACTIONS: dict[str, type[Lenient]] = {"ModifyMaskedPixels": ModifyMaskedPixels, "ListTasksDetails": ListTasksDetails}
COMMON = ("Action", "PublicKey", "Signature", "request_uuid")


def parse(action: str, body: dict[str, Any]) -> Lenient:
    """The action's fields (common ones aside); any problem is ``PicpikError(2001)`` naming the field."""
    fields = {k: v for k, v in body.items() if k not in COMMON}
    try:
        return ACTIONS[action].model_validate(fields)
    except ValidationError as exc:
        raise PicpikError(INVALID_PARAMETER, f"invalid {action} parameters: {describe(exc)}") from None


def body_schema() -> dict[str, Any]:
    """The request body of either action, for the OpenAPI document (common fields required)."""
    from ...openapi import inline_schema

    common = {
        "PublicKey": {"type": "string", "minLength": 1},
        "Signature": {"type": "string", "pattern": "^[0-9a-fA-F]{40}$"},
        "request_uuid": {"type": "string"},
    }
    variants = []
    for action, model in ACTIONS.items():
        schema = inline_schema(model)
        schema["properties"] = {"Action": {"type": "string", "enum": [action]}, **common, **schema["properties"]}
        schema["required"] = ["Action", "PublicKey", "Signature", *schema.get("required", [])]
        variants.append(schema)
    return {"anyOf": variants}
