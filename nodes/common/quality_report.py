"""A quality report per result: is the unmasked area untouched, and does the fill meet it without a seam?

- ``max_abs_outside``: largest |result − original| where the blend alpha is 0 (0..1
  units). Must be 0: every path returns those pixels bit for bit.
- ``seam_delta_e``: mean CIEDE2000 between result and original on the seam ring, the
  first ``SEAM_RING_PX`` pixels of original around the repainted region. Fill and
  original should agree there; colour drift of the fill shows up here first.
- ``seam_gradient_jump``: mean extra gradient magnitude of L* (result over original,
  clipped at 0) on the same ring: a hard edge at the seam raises it.
- ``coverage``: fraction of the image repainted (mask ≥ 0.5); ``blend_coverage``:
  fraction under any blend (alpha > 0); ``regions``: separate regions inpainted.

The bench (``bench/inpaint_seams.py``) scores stitching methods with these same
functions.
"""

import numpy as np
from skimage.color import deltaE_ciede2000, rgb2lab

from .color_match import outside_distance

SEAM_RING_PX = 4


def seam_ring(hard: np.ndarray, width: int = SEAM_RING_PX) -> np.ndarray:
    """Pixels within ``width`` px outside the repainted region ``hard`` ([H,W] bool)."""
    d = outside_distance(hard)
    return (d > 0) & (d <= width)


def _lab(rgb: np.ndarray) -> np.ndarray:
    return rgb2lab(np.clip(rgb[..., :3], 0, 1).astype(np.float64))


def seam_delta_e(result: np.ndarray, original: np.ndarray, where: np.ndarray) -> float | None:
    """Mean CIEDE2000 of [H,W,3] float images on the [H,W] bool ``where``; None when it is empty."""
    if not where.any():
        return None
    a, b = _lab(result[where][:, None]), _lab(original[where][:, None])
    return float(deltaE_ciede2000(a, b).mean())


def _lightness_gradient(rgb: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """|∇L*| at the pixels (ys, xs) of an [H,W,3] image, by central differences (clamped at the border);
    only those pixels and their four neighbours are converted to Lab."""
    h, w = rgb.shape[:2]
    up, down = np.maximum(ys - 1, 0), np.minimum(ys + 1, h - 1)
    left, right = np.maximum(xs - 1, 0), np.minimum(xs + 1, w - 1)
    rows = np.concatenate([up, down, ys, ys])
    cols = np.concatenate([xs, xs, left, right])
    lightness = _lab(rgb[rows, cols][:, None])[:, 0, 0].reshape(4, -1)
    gy = (lightness[1] - lightness[0]) / np.maximum(down - up, 1)
    gx = (lightness[3] - lightness[2]) / np.maximum(right - left, 1)
    return np.hypot(gx, gy)


def seam_gradient_jump(result: np.ndarray, original: np.ndarray, where: np.ndarray) -> float | None:
    """Mean of max(0, |∇L*(result)| − |∇L*(original)|) on ``where``; None when it is empty."""
    if not where.any():
        return None
    ys, xs = np.nonzero(where)
    extra = _lightness_gradient(result, ys, xs) - _lightness_gradient(original, ys, xs)
    return float(np.maximum(0.0, extra).mean())


def quality_report(result: np.ndarray, original: np.ndarray, alpha: np.ndarray, hard: np.ndarray, regions: int) -> dict:
    """The report for one [H,W,C] float result (see the module doc); numbers rounded for JSON."""
    untouched = alpha <= 0
    max_outside = float(np.abs(result[untouched] - original[untouched]).max()) if untouched.any() else 0.0
    ring = seam_ring(hard)
    delta_e = seam_delta_e(result, original, ring)
    jump = seam_gradient_jump(result, original, ring)
    return {
        "max_abs_outside": max_outside,
        "seam_delta_e": None if delta_e is None else round(delta_e, 4),
        "seam_gradient_jump": None if jump is None else round(jump, 4),
        "coverage": round(float(hard.mean()), 6),
        "blend_coverage": round(float((alpha > 0).mean()), 6),
        "regions": int(regions),
    }
