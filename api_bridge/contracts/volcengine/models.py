"""Request models for ``req_key = i2i_inpainting`` (pydantic v2).

Optional fields accept ``null`` (= use the default) and unknown keys are ignored, as
every contract of the bridge does. Range checks raise pydantic errors, which
:func:`parse_request` turns into the bridge's documented parameter error (50400).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import BusinessError, invalid_parameter

REQ_KEY = "i2i_inpainting"


def _drop_nulls(data: Any) -> Any:
    # null (and "" for optional scalars) means "not set": let the field default apply.
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None and v != ""}
    return data


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _nulls_mean_default(cls, data: Any) -> Any:
        return _drop_nulls(data)


class LogoInfo(_Lenient):
    """Visible watermark (``logo_info``)."""

    add_logo: bool = False
    position: Literal[0, 1, 2, 3] = 0  # 0 bottom-right, 1 bottom-left, 2 top-left, 3 top-right
    language: Literal[0, 1] = 0  # 0 Chinese, 1 English: IB_TextWatermark's default text of that language
    opacity: float = Field(0.3, ge=0.0, le=1.0)
    logo_text_content: str | None = None


class InpaintingRequest(_Lenient):
    """The JSON body of ``CVProcess`` / ``Img2ImgInpainting`` for ``req_key = i2i_inpainting``."""

    req_key: str
    binary_data_base64: list[str] | None = None
    image_urls: list[str] | None = None
    return_url: bool = False
    steps: int = Field(30, ge=1, le=200)
    strength: float = Field(0.8, ge=0.0, le=1.0)
    scale: float = Field(7.0, ge=1.0, le=20.0)
    seed: int = Field(0, ge=-1)
    dilate_size: int = Field(15, ge=0, le=256)  # IB_Erase dilate range
    quality: Literal["H", "M", "L"] = "M"
    logo_info: LogoInfo | None = None

    @field_validator("quality", mode="before")
    @classmethod
    def _upper_quality(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_image_source(self) -> InpaintingRequest:
        if self.req_key != REQ_KEY:
            raise ValueError(f"req_key must be {REQ_KEY!r}, got {self.req_key!r}")
        sources = [s for s in (self.binary_data_base64, self.image_urls) if s]
        if len(sources) != 1:
            raise ValueError("give exactly one of binary_data_base64 or image_urls, as [image, mask]")
        if len(sources[0]) != 2 or not all(isinstance(s, str) and s for s in sources[0]):
            raise ValueError("binary_data_base64 / image_urls must hold exactly two entries: [image, mask]")
        return self

    @property
    def from_urls(self) -> bool:
        return bool(self.image_urls)

    @property
    def sources(self) -> tuple[str, str]:
        image, mask = self.image_urls or self.binary_data_base64 or ("", "")
        return image, mask

    @property
    def watermark(self) -> LogoInfo | None:
        return self.logo_info if self.logo_info is not None and self.logo_info.add_logo else None


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "body"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_request(body: bytes) -> InpaintingRequest:
    """Parse the raw body; any problem becomes ``BusinessError(50400)`` naming the field."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid_parameter(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise invalid_parameter("the body must be a JSON object")
    try:
        return InpaintingRequest.model_validate(data)
    except ValidationError as exc:
        raise invalid_parameter(f"invalid request parameters: {_describe(exc)}") from None


@dataclass(frozen=True)
class EraseSettings:
    """What ``quality`` means for the prompt-free eraser (IB_Erase inputs): engine and effort."""

    engine: str  # IB_Erase engine: auto | exemplar | telea | navier_stokes
    strategy: str  # IB_Erase HD strategy: crop | resize | original
    crop_margin: int  # context around each masked region for the crop strategy (px)
    resize_limit: int  # longest side for the resize strategy (px)


# H: the best installed engine ('auto': LaMa when a LaMa file is installed, else exemplar, texture copied
# from the photo) with a wide context around each region; M: the same with IB_Erase's defaults;
# L: OpenCV Telea on a downscaled copy (fastest).
# The contract returns one image, so IB_Erase always runs with candidates = 1.
QUALITY: dict[str, EraseSettings] = {
    "H": EraseSettings(engine="auto", strategy="crop", crop_margin=256, resize_limit=2048),
    "M": EraseSettings(engine="auto", strategy="crop", crop_margin=128, resize_limit=1280),
    "L": EraseSettings(engine="telea", strategy="resize", crop_margin=64, resize_limit=1024),
}


def erase_settings(quality: str) -> EraseSettings:
    return QUALITY[quality]


__all__ = [
    "REQ_KEY",
    "BusinessError",
    "EraseSettings",
    "InpaintingRequest",
    "LogoInfo",
    "erase_settings",
    "parse_request",
]
