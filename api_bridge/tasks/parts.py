"""Parts shared by several task kinds: the mask picture a contract sent and how to adjust a mask.

Option values equal the node pack's (``nodes/common/mask_convert.RULES``, ``morphology.KERNELS``);
``tests/unit/test_bridge_options.py`` checks every literal against the captured ``/object_info``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictInt

from . import ImageRef, Part

MaskRule = Literal["rgb_mean", "luminance", "alpha", "red", "green", "blue"]
GrowKernel = Literal["disc", "square", "diamond", "ellipse_iopaint"]


class MaskPicture(Part):
    """An uploaded mask picture and the contract's rule that makes it a 0/1 mask."""

    image: ImageRef
    rule: MaskRule = "rgb_mean"
    threshold: StrictInt = Field(127, ge=0, le=255, description="Masked where value > threshold.")
    invert: StrictBool = False


class MaskAdjust(Part):
    """Post-processing of a mask, applied in this order: clean-up, grow/shrink, feather."""

    grow: StrictInt = Field(0, ge=-1024, le=1024, description="Pixels to grow (>0) or shrink (<0).")
    kernel: GrowKernel = "disc"
    min_island_area: StrictInt = Field(0, ge=0, le=1 << 26, description="Remove regions below this many pixels.")
    fill_holes: StrictBool = False
    feather: StrictInt = Field(0, ge=0, le=1024, description="Soft outer edge width in pixels (0 = hard).")
    invert: StrictBool = False  # applied last (IOPaint 'reverse')

    @property
    def is_identity(self) -> bool:
        return self == MaskAdjust()
