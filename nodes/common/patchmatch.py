"""Exemplar (patch-based) hole filling: coarse-to-fine PatchMatch with patch voting.

Fills a hole with texture copied from the known part of the same image, like
PatchMatch / Content-Aware Fill, instead of smearing the border colours inward
(Telea, Navier–Stokes). Everything is vectorised over the hole's pixels:

- nearest-neighbour field: for each hole pixel, the centre of a fully known source
  patch; improved by jump-flood propagation (neighbours' matches, shifted) and
  random search around the current match, comparing 7×7 patch SSD;
- reconstruction: every hole pixel is the mean of the colours that the matched
  patches covering it vote for;
- pyramid: start where the hole is a few pixels wide (initialised by Telea), then
  upsample the field and the fill level by level.
"""

from collections.abc import Callable

import cv2
import numpy as np

PATCH_RADIUS = 3
_COARSEST_SIDE = 48


def _offsets(radius: int) -> np.ndarray:
    r = np.arange(-radius, radius + 1)
    return np.stack(np.meshgrid(r, r, indexing="ij"), -1).reshape(-1, 2)


class _Level:
    """One pyramid level: image (float32 HxWx3), hole mask, valid source centres."""

    def __init__(self, image: np.ndarray, hole: np.ndarray, radius: int):
        self.image, self.hole, self.r = image, hole, radius
        h, w = hole.shape
        self.h, self.w = h, w
        k = 2 * radius + 1
        touched = cv2.dilate(hole.astype(np.uint8), np.ones((k, k), np.uint8)) > 0
        ok = ~touched
        ok[:radius], ok[h - radius :], ok[:, :radius], ok[:, w - radius :] = False, False, False, False
        self.source_ok = ok
        # Targets: every patch centre whose patch overlaps the hole, including known
        # pixels next to it; their matches tie the fill to the surrounding texture.
        self.ty, self.tx = np.nonzero(touched)
        self.index = np.full((h, w), -1, np.int64)
        self.index[self.ty, self.tx] = np.arange(len(self.ty))
        self.offsets = _offsets(radius)

    @property
    def usable(self) -> bool:
        return bool(self.source_ok.any()) and len(self.ty) > 0

    def distance(self, sy: np.ndarray, sx: np.ndarray) -> np.ndarray:
        """Patch SSD between each target (ty,tx) and source centre (sy,sx)."""
        pad = np.pad(self.image, ((self.r, self.r), (self.r, self.r), (0, 0)), mode="reflect")
        total = np.zeros(len(sy), np.float32)
        for dy, dx in self.offsets:
            t = pad[self.ty + dy + self.r, self.tx + dx + self.r]
            s = self.image[sy + dy, sx + dx]
            total += ((t - s) ** 2).sum(-1)
        return total

    def clamp_valid(self, sy, sx):
        sy = np.clip(sy, self.r, self.h - self.r - 1)
        sx = np.clip(sx, self.r, self.w - self.r - 1)
        return sy, sx, self.source_ok[sy, sx]

    def random_field(self, rng) -> tuple[np.ndarray, np.ndarray]:
        vy, vx = np.nonzero(self.source_ok)
        pick = rng.integers(0, len(vy), len(self.ty))
        return vy[pick], vx[pick]

    def improve(self, sy, sx, best, cand_y, cand_x):
        cand_y, cand_x, ok = self.clamp_valid(cand_y, cand_x)
        if not ok.any():
            return sy, sx, best
        d = np.full(len(sy), np.inf, np.float32)
        d[ok] = self._distance_subset(cand_y, cand_x, ok)
        better = d < best
        return np.where(better, cand_y, sy), np.where(better, cand_x, sx), np.where(better, d, best)

    def _distance_subset(self, sy, sx, subset):
        ty, tx = self.ty, self.tx
        self.ty, self.tx = ty[subset], tx[subset]
        try:
            return self.distance(sy[subset], sx[subset])
        finally:
            self.ty, self.tx = ty, tx

    def propagate(self, sy, sx, best, step: int):
        for dy, dx in ((-step, 0), (step, 0), (0, -step), (0, step)):
            # the neighbour at (t - d) matched s'; so t may match s' + d
            ny, nx = self.ty - dy, self.tx - dx
            inside = (ny >= 0) & (ny < self.h) & (nx >= 0) & (nx < self.w)
            nb = np.full(len(sy), -1, np.int64)
            nb[inside] = self.index[ny[inside], nx[inside]]
            has = nb >= 0
            cand_y = np.where(has, sy[np.maximum(nb, 0)] + dy, -1)
            cand_x = np.where(has, sx[np.maximum(nb, 0)] + dx, -1)
            cand_y = np.where(has, cand_y, sy)
            cand_x = np.where(has, cand_x, sx)
            sy, sx, best = self.improve(sy, sx, best, cand_y, cand_x)
        return sy, sx, best

    def random_search(self, sy, sx, best, rng):
        radius = max(self.h, self.w)
        while radius >= 1:
            cand_y = sy + rng.integers(-radius, radius + 1, len(sy))
            cand_x = sx + rng.integers(-radius, radius + 1, len(sx))
            sy, sx, best = self.improve(sy, sx, best, cand_y, cand_x)
            radius //= 2
        return sy, sx, best

    def vote(self, sy, sx) -> np.ndarray:
        """New hole colours: mean of the votes of every matched patch covering each pixel."""
        size = self.h * self.w
        acc = np.zeros((size, 3), np.float64)
        count = np.zeros(size, np.float64)
        for dy, dx in self.offsets:
            y, x = self.ty + dy, self.tx + dx
            inside = (y >= 0) & (y < self.h) & (x >= 0) & (x < self.w)
            y, x = y[inside], x[inside]
            receiving = self.hole[y, x]
            flat = y[receiving] * self.w + x[receiving]
            colours = self.image[sy[inside][receiving] + dy, sx[inside][receiving] + dx]
            count += np.bincount(flat, minlength=size)
            for c in range(3):
                acc[:, c] += np.bincount(flat, weights=colours[:, c], minlength=size)
        out = self.image.copy()
        filled = count > 0
        flat_out = out.reshape(-1, 3)
        flat_out[filled] = (acc[filled] / count[filled, None]).astype(np.float32)
        return out


def _pyramid(image: np.ndarray, hole: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    levels = [(image, hole)]
    while min(levels[-1][1].shape) > _COARSEST_SIDE:
        img, h = levels[-1]
        small = cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)
        # A pixel is a hole at the coarse level if any of its four children is: the hole never shrinks.
        hh, hw = (h.shape[0] // 2) * 2, (h.shape[1] // 2) * 2
        coarse = h[:hh, :hw].reshape(hh // 2, 2, hw // 2, 2).any((1, 3))
        levels.append((small, coarse))
    return levels[::-1]


def exemplar_fill(
    image_uint8: np.ndarray,
    hole: np.ndarray,
    seed: int = 0,
    iterations: int = 4,
    on_level: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Fill ``hole`` (bool HxW) of an HxWx3 uint8 image; pixels outside the hole are returned unchanged."""
    hole = hole.astype(bool)
    if not hole.any():
        return image_uint8.copy()
    rng = np.random.default_rng(seed)
    levels = _pyramid(image_uint8.astype(np.float32), hole)
    fill = None
    field = None
    for depth, (img, h) in enumerate(levels):
        img = img.copy()
        if fill is None:
            start = cv2.inpaint(np.clip(img, 0, 255).astype(np.uint8), h.astype(np.uint8), 3, cv2.INPAINT_TELEA)
            img[h] = start[h].astype(np.float32)
        else:
            up = cv2.resize(fill, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_LINEAR)
            img[h] = up[h]
        level = _Level(img, h, PATCH_RADIUS)
        if not level.usable:  # no fully known patch at this scale: keep the smooth start
            fill = img
            continue
        if field is None:
            sy, sx = level.random_field(rng)
        else:
            prev_level, (psy, psx) = field
            py = np.minimum(level.ty // 2, prev_level.h - 1)
            px = np.minimum(level.tx // 2, prev_level.w - 1)
            pidx = prev_level.index[py, px]
            has = pidx >= 0
            ry, rx = level.random_field(rng)
            sy = np.where(has, psy[np.maximum(pidx, 0)] * 2 + (level.ty % 2), ry)
            sx = np.where(has, psx[np.maximum(pidx, 0)] * 2 + (level.tx % 2), rx)
            sy, sx, ok = level.clamp_valid(sy, sx)
            sy, sx = np.where(ok, sy, ry), np.where(ok, sx, rx)
        best = level.distance(sy, sx)
        rounds = iterations if depth < len(levels) - 1 else max(2, iterations // 2)
        for _ in range(rounds):
            for step in (8, 4, 2, 1):
                sy, sx, best = level.propagate(sy, sx, best, step)
            sy, sx, best = level.random_search(sy, sx, best, rng)
            level.image = level.vote(sy, sx)
            best = level.distance(sy, sx)
        fill, field = level.image, (level, (sy, sx))
        if on_level:
            on_level(depth + 1, len(levels))
    out = image_uint8.copy()
    out[hole] = np.clip(np.rint(fill[hole]), 0, 255).astype(np.uint8)
    return out
