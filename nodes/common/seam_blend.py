"""Blending a fill into the original under an alpha: linear, multiband (Laplacian pyramid) or Poisson.

All three return the original exactly where alpha is 0 (the caller also composites
with ``where(alpha > 0)``, so this holds bit for bit), and approach it continuously as
alpha falls to 0, so the outer border of the band is never a seam.

- ``linear``: ``original + alpha · (fill − original)``.
- ``multiband``: Burt–Adelson, one-sided: frequency band k of the fill fades out over
  ``2^k`` px outside the ``core`` (the grown mask; alpha is 1 there), capped at the
  band's own width, so fine detail right outside the mask is the original's (no VAE
  softening) while colour and shading fade over the whole band. Inside the core the
  fill is taken whole (the replaced object never ghosts through). Tapered back onto
  the original as alpha → 0.
- ``poisson``: the fill keeps its own gradients but takes the original's values on
  the band's border: a harmonic correction field (solved on the band, Dirichlet values
  original − fill just outside it) is added to the fill before the linear blend.
"""

import math

import cv2
import numpy as np
from scipy.sparse import coo_matrix, identity
from scipy.sparse.linalg import spsolve

from .color_match import outside_distance

BLEND_MODES = ("linear", "multiband", "poisson")
MAX_LEVELS = 6
POISSON_MAX_UNKNOWNS = 1 << 18  # beyond this the (smooth) correction is solved on a coarser grid


def linear(original: np.ndarray, fill: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return original + alpha[..., None] * (fill - original)


def _gaussian_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    out = [x]
    for _ in range(levels):
        out.append(cv2.pyrDown(out[-1]))
    return out


def _laplacian_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    gauss = _gaussian_pyramid(x, levels)
    out = []
    for fine, coarse in zip(gauss[:-1], gauss[1:], strict=True):
        out.append(fine - cv2.pyrUp(coarse, dstsize=(fine.shape[1], fine.shape[0])))
    out.append(gauss[-1])
    return out


def _as3(x: np.ndarray) -> np.ndarray:
    return x if x.ndim == 3 else x[..., None]


def _level_alphas(alpha: np.ndarray, core: np.ndarray, band_px: int, levels: int) -> list[np.ndarray]:
    """Alpha of each pyramid level at its own resolution: a smooth outward ramp of 2^k px from ``core`` (never
    above ``alpha``), and 1 on the core as that level sees it, so the fill's own low frequencies stay whole
    inside the mask."""
    distance = outside_distance(core)
    inside = core.astype(np.float32)
    out = []
    for k in range(levels + 1):
        width = float(min(max(1, band_px), 2**k)) + 1
        t = np.clip(distance / width, 0, 1)
        level = np.minimum(alpha, (1 - t * t * (3 - 2 * t)).astype(np.float32))
        for _ in range(k):
            level = cv2.pyrDown(level)
        out.append(np.where(inside > 0.5, np.float32(1), level))
        inside = cv2.pyrDown(inside)
    return out


def multiband(
    original: np.ndarray, fill: np.ndarray, alpha: np.ndarray, core: np.ndarray | None = None, band_px: int = 16
) -> np.ndarray:
    h, w = alpha.shape
    by_size = int(math.log2(max(1, min(h, w)))) - 3
    levels = max(0, min(MAX_LEVELS, by_size, math.ceil(math.log2(max(1, band_px)))))
    if levels == 0:
        return linear(original, fill, alpha)
    core = alpha >= 1 if core is None else core
    # Blend the change, not the two images: the pyramid is linear, and where the fill equals the original
    # the change is exactly 0 (no rounding noise from rebuilding the original through the pyramid).
    bands = _laplacian_pyramid((fill - original).astype(np.float32), levels)
    weights = _level_alphas(alpha.astype(np.float32), core, band_px, levels)
    blended = [_as3(a) * band for a, band in zip(weights, bands, strict=True)]
    out = blended[-1]
    for band in reversed(blended[:-1]):
        out = cv2.pyrUp(out, dstsize=(band.shape[1], band.shape[0])) + _as3(band)
    # Coarse levels reach past the band; taper back onto the original as alpha -> 0. Inside the core the fill
    # is taken whole: coarse coefficients just outside it would otherwise mix a trace of the original in.
    taper = np.minimum(1.0, 2.0 * alpha)[..., None]
    return np.where(core[..., None], fill, original + taper * _as3(out))


def _laplace_solve(boundary: np.ndarray, band: np.ndarray) -> np.ndarray:
    """Harmonic field on ``band`` ([H,W] bool) equal to ``boundary`` ([H,W,C]) on its 4-neighbours outside;
    Neumann at the image edge. Zero outside ``band``."""
    h, w = band.shape
    index = np.full((h, w), -1, np.int64)
    ys, xs = np.nonzero(band)
    n = len(ys)
    index[ys, xs] = np.arange(n)
    diag = np.zeros(n)
    rhs = np.zeros((n, boundary.shape[-1]))
    rows, cols = [], []
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        qy, qx = ys + dy, xs + dx
        valid = (qy >= 0) & (qy < h) & (qx >= 0) & (qx < w)
        diag[valid] += 1
        p, qy, qx = np.nonzero(valid)[0], qy[valid], qx[valid]
        q = index[qy, qx]
        inner = q >= 0
        rows.append(p[inner])
        cols.append(q[inner])
        np.add.at(rhs, p[~inner], boundary[qy[~inner], qx[~inner]])
    r, c = np.concatenate(rows), np.concatenate(cols)
    adjacency = coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    # A tiny diagonal term keeps a band with no Dirichlet border (it covers a whole window) solvable: 0 there.
    matrix = (coo_matrix((diag, (np.arange(n), np.arange(n))), shape=(n, n)) - adjacency).tocsc()
    matrix = matrix + 1e-6 * identity(n, format="csc")
    solution = spsolve(matrix, rhs)
    out = np.zeros(boundary.shape, np.float32)
    out[ys, xs] = np.asarray(solution, np.float32).reshape(n, -1)
    return out


def poisson_correction(original: np.ndarray, fill: np.ndarray, band: np.ndarray) -> np.ndarray:
    """The field that, added to ``fill``, makes it meet ``original`` at the border of ``band``."""
    diff = (original - fill).astype(np.float32)
    n = int(band.sum())
    if n == 0:
        return np.zeros_like(diff)
    if n <= POISSON_MAX_UNKNOWNS:
        return _laplace_solve(diff, band)
    # The correction is harmonic (smooth inside the band): solve it on a coarser grid and scale it back.
    factor = math.ceil(math.sqrt(n / POISSON_MAX_UNKNOWNS))
    h, w = band.shape
    small = (max(1, w // factor), max(1, h // factor))
    band_small = cv2.resize(band.astype(np.float32), small, interpolation=cv2.INTER_AREA) > 0.5
    diff_small = _as3(cv2.resize(diff, small, interpolation=cv2.INTER_AREA))
    coarse = _laplace_solve(diff_small, band_small)
    return _as3(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR))


def poisson(original: np.ndarray, fill: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    corrected = fill + poisson_correction(original, fill, alpha > 0)
    return linear(original, np.clip(corrected, 0.0, 1.0), alpha)


def blend(
    original: np.ndarray,
    fill: np.ndarray,
    alpha: np.ndarray,
    mode: str = "linear",
    core: np.ndarray | None = None,
    band_px: int = 16,
) -> np.ndarray:
    """[H,W,C] float32 ``original`` and ``fill`` under [H,W] ``alpha`` in 0..1 (see the module doc).
    Multiband also takes ``core`` (where the fill is whole; default alpha == 1) and ``band_px`` (the width of
    alpha's ramp outside it)."""
    if mode not in BLEND_MODES:
        raise ValueError(f"unknown blend mode {mode!r}; choose one of {', '.join(BLEND_MODES)}")
    if mode == "multiband":
        out = multiband(original, fill, alpha, core, band_px)
    else:
        out = (linear if mode == "linear" else poisson)(original, fill, alpha)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
