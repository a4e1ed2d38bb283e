"""Soft mask edges: feather with a chosen falloff, Gaussian blur, edge smoothing.

Feathering measures the exact Euclidean distance to the mask edge, so a feather of
64 px costs what 4 px costs. ``outer`` keeps every masked pixel at 1 and fades
outside; ``inner`` keeps every unmasked pixel at 0 and fades inside (the result
never reaches past the original mask); ``both`` centres the ramp on the edge.
"""

import cv2
import numpy as np
from scipy.special import erfc

FALLOFFS = ("linear", "smooth", "gaussian")
DIRECTIONS = ("outer", "inner", "both")


def _shape(t: np.ndarray, falloff: str) -> np.ndarray:
    """Map t in [0,1] (0 = fully masked side) to an opacity in [0,1]."""
    t = np.clip(t, 0.0, 1.0)
    if falloff == "linear":
        return 1.0 - t
    if falloff == "smooth":
        return 1.0 - t * t * (3.0 - 2.0 * t)  # smoothstep
    if falloff == "gaussian":
        # The profile of a Gaussian-blurred step (σ = 1/6 of the ramp), stretched so
        # it ends exactly at 1 and 0; symmetric about the middle like the others.
        edge = erfc((t - 0.5) * (6.0 / np.sqrt(2.0))) / 2.0
        lo, hi = erfc(3.0 / np.sqrt(2.0)) / 2.0, erfc(-3.0 / np.sqrt(2.0)) / 2.0
        return (edge - lo) / (hi - lo)
    raise ValueError(f"unknown falloff {falloff!r}; choose one of {', '.join(FALLOFFS)}")


def _distance(on: np.ndarray) -> np.ndarray:
    """Euclidean distance of each pixel to the nearest pixel where ``on`` is 0."""
    if on.all():
        return np.full(on.shape, np.inf, np.float32)
    return cv2.distanceTransform(on, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)


def feather(on: np.ndarray, radius: int, direction: str = "outer", falloff: str = "linear") -> np.ndarray:
    """Float32 [H,W] mask in 0..1 from a uint8 0/1 mask."""
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}")
    if radius <= 0 or not on.any():
        return on.astype(np.float32)
    inside = on.astype(bool)
    if direction == "outer":
        # Distance from outside pixels to the mask: 1 px away is the first faded step.
        t = _distance((~inside).astype(np.uint8)) / (radius + 1)
        out = np.where(inside, 1.0, _shape(t, falloff))
    elif direction == "inner":
        t = 1.0 - _distance(on.astype(np.uint8)) / (radius + 1)
        out = np.where(inside, _shape(t, falloff), 0.0)
    else:
        d_in = _distance(on.astype(np.uint8))
        d_out = _distance((~inside).astype(np.uint8))
        signed = np.where(inside, d_in - 0.5, 0.5 - d_out)  # > 0 inside
        t = 0.5 - signed / (2.0 * radius)
        out = _shape(t, falloff)
    return out.astype(np.float32)


def gaussian_blur(mask: np.ndarray, radius: int, sigma: float = 0.0) -> np.ndarray:
    """Gaussian blur with a (2r+1)² kernel (sigma 0: OpenCV picks it from the size)."""
    if radius <= 0:
        return mask.astype(np.float32)
    k = 2 * int(radius) + 1
    return cv2.GaussianBlur(mask.astype(np.float32), (k, k), sigma, borderType=cv2.BORDER_REPLICATE)


def smooth_edges(on: np.ndarray, radius: int) -> np.ndarray:
    """Round off jagged edges and tiny notches: blur, then re-binarise at 0.5."""
    if radius <= 0:
        return on.astype(np.uint8)
    return (gaussian_blur(on, radius) > 0.5).astype(np.uint8)
