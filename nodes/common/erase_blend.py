"""Seam-safe compositing of an erase fill.

The hole is the mask grown by ``dilate`` (Volcengine's dilate_size); the fill is
blended over an inner feather band of it, capped at ``dilate`` so the object's own
edge never shows through; wherever the alpha is 0 the caller's own float pixels come
back untouched, bit for bit.
"""

import numpy as np
import torch

from .mask_soft import feather
from .morphology import binary_grow


def grown_hole(mask: np.ndarray, dilate: int) -> np.ndarray:
    """Bool hole: the mask above 0.5, grown by ``dilate`` px (Euclidean disc)."""
    return binary_grow((mask > 0.5).astype(np.uint8), dilate, "disc").astype(bool)


def blend_alpha(hole: np.ndarray, feather_px: int, grown_by: int | None = None) -> np.ndarray:
    """Float32 alpha: 1 deep inside the hole, an inner smooth ramp of ``feather_px`` (at most ``grown_by``, what the
    mask was grown by: the ramp must lie in what was grown), exactly 0 outside."""
    if grown_by is not None:
        feather_px = min(feather_px, grown_by)
    if feather_px <= 0:
        return hole.astype(np.float32)
    return feather(hole.astype(np.uint8), feather_px, "inner", "smooth")


def composite(original: torch.Tensor, fill_uint8: np.ndarray, alpha: np.ndarray) -> torch.Tensor:
    """``original`` [H,W,C] float 0..1 (RGB out) with the HxWx3 uint8 fill blended in by ``alpha``; where alpha is
    0, the original's own pixels, untouched."""
    a = torch.from_numpy(alpha)[..., None].to(original.device, original.dtype)
    filled = torch.from_numpy(fill_uint8).to(original.device, original.dtype) / 255.0
    rgb = original[..., :3]
    return torch.where(a > 0, rgb * (1 - a) + filled * a, rgb)
