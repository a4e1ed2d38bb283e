"""Mask morphology: grow (expand) or shrink by a true Euclidean radius.

``grow_mask(mask, radius)`` is the shared entry point used by the mask-adjust,
erase and inpaint code: positive radius expands, negative shrinks, 0 returns a copy.
"""

import cv2
import numpy as np
import torch

from .tensors import as_mask_batch


def disc_kernel(radius: int) -> np.ndarray:
    """The set of offsets within Euclidean distance ``radius`` (a filled disc)."""
    r = abs(int(radius))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return (xx * xx + yy * yy <= r * r).astype(np.uint8)


def grow_mask(mask: torch.Tensor, radius: int, threshold: float = 0.5) -> torch.Tensor:
    """Binary grow/shrink of a [B,H,W] (or [H,W], [B,1,H,W]) mask; result is [B,H,W] 0/1.

    Keeps dtype and device; never mutates ``mask``.
    """
    batch = as_mask_batch(mask)
    binary = (batch > threshold).to("cpu").numpy().astype(np.uint8)
    if radius == 0:
        out = binary
    else:
        kernel = disc_kernel(radius)
        op = cv2.dilate if radius > 0 else cv2.erode
        # Erosion treats pixels outside the image as masked, so a full mask stays full.
        border = cv2.BORDER_CONSTANT
        value = 0 if radius > 0 else 1
        out = np.stack([op(b, kernel, borderType=border, borderValue=value) for b in binary])
    return torch.from_numpy(out).to(device=batch.device, dtype=batch.dtype)
