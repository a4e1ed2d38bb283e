"""Colour matching fitted on a ring just outside the mask, where fill and original show the same scene.

Outside the mask a sampler keeps the original latents, so there the decoded crop is the
original seen through the VAE: any difference is drift (colour shift, contrast) that
also tints the new content. A per-channel gain and offset fitted on that ring undoes
exactly this drift; fitting on the whole crop instead (a global colour match) is biased
by whatever new content the mask holds.
"""

import cv2
import numpy as np

RING_GAP = 2  # px skipped next to the mask: latent-resolution masks bleed the new content that far
MIN_RING_PIXELS = 16
GAIN_LIMITS = (0.5, 2.0)


def outside_distance(hard: np.ndarray) -> np.ndarray:
    """Euclidean distance (float32) of every pixel to the nearest masked pixel (0 inside the mask)."""
    if not hard.any():
        return np.full(hard.shape, np.inf, np.float32)
    return cv2.distanceTransform((~hard.astype(bool)).astype(np.uint8), cv2.DIST_L2, 5)


def ring(hard: np.ndarray, inner: float, outer: float) -> np.ndarray:
    """Pixels whose distance to the mask lies in (inner, outer]."""
    d = outside_distance(hard)
    return (d > inner) & (d <= outer)


def fit_transfer(fill: np.ndarray, original: np.ndarray, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (gain, offset): the least-squares fit ``original ≈ fill · gain + offset`` on ``where``; the
    identity when too few pixels are there. Least squares, not a mean/std transfer: the fill is also softer
    than the original (VAE), which a std ratio would mistake for lost contrast."""
    channels = fill.shape[-1]
    if int(where.sum()) < MIN_RING_PIXELS:
        return np.ones(channels, np.float32), np.zeros(channels, np.float32)
    f, o = fill[where].astype(np.float64), original[where].astype(np.float64)
    mean_f, mean_o = f.mean(0), o.mean(0)
    var_f = ((f - mean_f) ** 2).mean(0)
    cov = ((f - mean_f) * (o - mean_o)).mean(0)
    gain = np.where(var_f > 1e-8, cov / np.maximum(var_f, 1e-12), 1.0)
    gain = np.clip(gain, *GAIN_LIMITS)
    return gain.astype(np.float32), (mean_o - gain * mean_f).astype(np.float32)


def apply_transfer(fill: np.ndarray, gain: np.ndarray, offset: np.ndarray) -> np.ndarray:
    return np.clip(fill * gain + offset, 0.0, 1.0).astype(np.float32)


def match_on_ring(fill: np.ndarray, original: np.ndarray, hard: np.ndarray, width: int) -> np.ndarray:
    """``fill`` with the colour transfer fitted on the ring (RING_GAP, RING_GAP + width] outside ``hard``."""
    where = ring(hard, RING_GAP, RING_GAP + width)
    return apply_transfer(fill, *fit_transfer(fill, original, where))
