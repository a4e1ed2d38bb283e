"""Image and mask rules of the contract, as limits for the bridge's one image loader plus the mask encoding.

The loader (``server/images.py``) checks bytes, format and sides from the header before it decodes,
and applies EXIF orientation; this module adds what only this contract says about a mask: an 8-bit
PNG, greyscale, RGB with R = G = B, or RGBA with R = G = B and A = 255, the image's size.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ...server.images import ImageLimits
from .errors import invalid_parameter

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE = 64
MAX_SIDE = 4096
IMAGE_LIMITS = ImageLimits(
    max_bytes=MAX_BYTES,
    max_pixels=MAX_SIDE * MAX_SIDE,
    max_side=MAX_SIDE,
    min_side=MIN_SIDE,
    formats=frozenset({"JPEG", "PNG"}),
)
MASK_LIMITS = ImageLimits(
    max_bytes=MAX_BYTES,
    max_pixels=MAX_SIDE * MAX_SIDE,
    max_side=MAX_SIDE,
    min_side=MIN_SIDE,
    formats=frozenset({"PNG"}),
)
MASK_MODES = frozenset({"L", "RGB", "RGBA"})


def check_mask(mask: Image.Image, image: Image.Image, what: str = "mask") -> None:
    """``mask`` decoded in its own mode (``keep_mode``); white (255) = erase, black (0) = keep."""
    if mask.size != image.size:
        raise invalid_parameter(
            f"{what} is {mask.width}x{mask.height} but the image is {image.width}x{image.height}; they must match"
        )
    if mask.mode not in MASK_MODES:
        raise invalid_parameter(
            f"{what} has PNG mode {mask.mode}; use 8-bit greyscale, RGB with R=G=B, or RGBA with R=G=B and A=255"
        )
    if mask.mode == "L":
        return
    pixels = np.asarray(mask)
    rgb = pixels[..., :3]
    if not (np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])):
        raise invalid_parameter(f"{what} is a colour image; an RGB(A) mask needs R = G = B in every pixel")
    if mask.mode == "RGBA" and not np.all(pixels[..., 3] == 255):
        raise invalid_parameter(f"{what} has transparent pixels; an RGBA mask needs A = 255 everywhere")
