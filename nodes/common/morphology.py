"""Binary mask morphology whose cost does not grow with the radius.

``grow_mask(mask, radius, kernel)``: positive radius expands, negative shrinks.
Kernels:

- ``disc``: true Euclidean distance (every pixel within ``radius`` of the mask):
  OpenCV's dilation with the disc for small radii, an exact distance transform
  (cost independent of the radius) above ``_DISC_DIRECT_MAX_RADIUS``;
- ``square``: Chebyshev distance, identical to N iterations of a 3×3 dilation
  (Fooocus ``erode_or_dilate``); separable, so also size-independent;
- ``diamond``: city-block distance (N iterations of a 3×3 cross, i.e. core
  ``GrowMask`` with tapered corners on a binary mask);
- ``ellipse_iopaint``: OpenCV's elliptical structuring element of size
  (2r+1)×(2r+1), exactly what IOPaint's ``adjust_mask`` uses.

Masks are binarised at ``threshold`` first; pixels outside the image never count as
masked when growing and always count as masked when shrinking (a full mask stays
full). Works on CPU numpy; tensors on another device are moved and moved back.
"""

import cv2
import numpy as np
import torch

from .tensors import as_mask_batch

KERNELS = ("disc", "square", "diamond", "ellipse_iopaint")


def disc_kernel(radius: int) -> np.ndarray:
    """The offsets within Euclidean distance ``radius``: a filled disc, uint8 0/1."""
    r = abs(int(radius))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return (xx * xx + yy * yy <= r * r).astype(np.uint8)


def structuring_element(radius: int, kernel: str) -> np.ndarray:
    """The (2r+1)² kernel equivalent to ``grow_mask(…, radius, kernel)`` (for references)."""
    r = abs(int(radius))
    if kernel == "disc":
        return disc_kernel(r)
    if kernel == "square":
        return np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    if kernel == "diamond":
        yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
        return (np.abs(xx) + np.abs(yy) <= r).astype(np.uint8)
    if kernel == "ellipse_iopaint":
        return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")


# Up to this radius OpenCV's direct dilation with the disc (cost ~ radius) beats the
# exact distance transform (cost independent of radius); measured crossover ~64-68
# on 2048² and 4096² masks (bench/mask_ops.py).
_DISC_DIRECT_MAX_RADIUS = 64


def _dilate_binary(on: np.ndarray, radius: int, kernel: str) -> np.ndarray:
    """Dilate one uint8 0/1 image by ``radius`` (> 0)."""
    if kernel == "disc" and radius <= _DISC_DIRECT_MAX_RADIUS:
        return cv2.dilate(on, disc_kernel(radius), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    if kernel in ("disc", "diamond"):
        if not on.any():
            return on.copy()
        dist_type = cv2.DIST_L2 if kernel == "disc" else cv2.DIST_L1
        mask_size = cv2.DIST_MASK_PRECISE if kernel == "disc" else 3
        # Distance of every pixel to the nearest masked pixel; the disc/diamond of
        # radius r around the mask is exactly the set within distance r.
        dist = cv2.distanceTransform(1 - on, dist_type, mask_size)
        if kernel == "disc":
            # Distances are square roots of integers: compare squares in float64 so
            # sqrt(r²+1) is never rounded down onto r at large radii.
            return (np.square(dist.astype(np.float64)) <= radius * radius + 0.5).astype(np.uint8)
        return (dist <= radius + 0.5).astype(np.uint8)
    element = structuring_element(radius, kernel)
    return cv2.dilate(on, element, borderType=cv2.BORDER_CONSTANT, borderValue=0)


def binary_grow(on: np.ndarray, radius: int, kernel: str = "disc") -> np.ndarray:
    """Grow (radius > 0) or shrink (radius < 0) one uint8 0/1 image."""
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")
    if radius == 0:
        return on.copy()
    if radius > 0:
        return _dilate_binary(on, radius, kernel)
    # Shrinking is growing the background; pad so the outside counts as masked.
    r = -radius
    padded = cv2.copyMakeBorder(1 - on, r, r, r, r, cv2.BORDER_CONSTANT, value=0)
    grown_background = _dilate_binary(padded, r, kernel)
    return (1 - grown_background[r:-r, r:-r]).astype(np.uint8)


def to_binary_numpy(mask: torch.Tensor, threshold: float = 0.5) -> np.ndarray:
    """[B,H,W] uint8 0/1 on the CPU from any accepted mask shape."""
    return (as_mask_batch(mask).detach() > threshold).to("cpu").numpy().astype(np.uint8)


def from_numpy_like(array: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    """Back to a tensor on ``like``'s device and dtype, [B,H,W]."""
    like = as_mask_batch(like)
    return torch.from_numpy(np.ascontiguousarray(array)).to(device=like.device, dtype=like.dtype)


def grow_mask(mask: torch.Tensor, radius: int, threshold: float = 0.5, kernel: str = "disc") -> torch.Tensor:
    """Binary grow/shrink of a mask ([H,W], [B,H,W] or [B,1,H,W]) -> [B,H,W] 0/1.

    Keeps dtype and device; never mutates ``mask``.
    """
    binary = to_binary_numpy(mask, threshold)
    out = np.stack([binary_grow(b, int(radius), kernel) for b in binary])
    return from_numpy_like(out, mask)
