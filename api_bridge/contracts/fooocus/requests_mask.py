"""``POST /v1/tools/generate_mask`` (the same in FooocusAPI v2.5 and Fooocus-API 0.5): ``GenerateMaskRequest``.

Source: ``mrhan1993/FooocusAPI`` ``apis/models/base.py``. Only ``image`` is required; the ``sam`` fields
(GroundingDINO text prompt, thresholds, detections, box growth, debug) apply to ``mask_model="sam"``,
``cloth_category`` to ``u2net_cloth_seg``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .fields import Lenient, MaskModel

ClothCategory = Literal["full", "upper", "lower"]  # rembg's u2net_cloth_seg categories


class GenerateMaskRequest(Lenient):
    image: str = Field(min_length=1, description="Image URL or base64 (with or without a data: prefix)")
    mask_model: MaskModel = MaskModel.isnet_general_use
    cloth_category: ClothCategory = "full"
    dino_prompt_text: str = ""
    sam_model: str = Field("vit_b", description="vit_b, vit_l or vit_h (or any SAM the server has, by name)")
    box_threshold: float = Field(0.3, ge=0, le=1)
    text_threshold: float = Field(0.25, ge=0, le=1)
    sam_max_detections: int = Field(0, ge=0, le=10, description="0: all")
    dino_erode_or_dilate: float = Field(0, ge=-64, le=64)
    dino_debug: bool = False
