"""Mask clean-up before inpainting: stabilise soft values, drop islands, fill holes; reported.

Soft masks from blur/feather or an upscaled picture carry values like 0.003 or 0.998
that are meant as 0 and 1; left alone they make a whole image "masked" for samplers
and fills (Acly comfyui-inpaint-nodes #32). Values within ``snap`` of 0 or 1 snap to
it; the rest stay soft (Differential Diffusion uses them). Islands and holes are
judged on the support (value > 0), with the same rules as ``mask_regions``.
"""

from dataclasses import dataclass

import numpy as np

from .mask_regions import fill_holes, region_count, remove_islands

DEFAULT_SNAP = 0.02  # ~5/255: what JPEG/resize noise leaves around 0 and 1


@dataclass(frozen=True)
class PreparedMask:
    mask: np.ndarray  # float32 [H,W] in 0..1, cleaned
    snapped_pixels: int  # values moved to exactly 0 or 1
    islands_removed: int  # regions dropped (smaller than min_island_area)
    holes_filled: int  # enclosed background regions set to 1
    soft_pixels: int  # values strictly between 0 and 1 after clean-up

    @property
    def soft(self) -> bool:
        return self.soft_pixels > 0

    def report(self) -> dict:
        return {
            "snapped_pixels": self.snapped_pixels,
            "islands_removed": self.islands_removed,
            "holes_filled": self.holes_filled,
            "soft_pixels": self.soft_pixels,
        }


def stabilise(mask: np.ndarray, snap: float = DEFAULT_SNAP) -> np.ndarray:
    """Values ≤ ``snap`` become 0 and ≥ 1 − ``snap`` become 1 (float32 copy, clipped to 0..1)."""
    m = np.clip(np.asarray(mask, np.float32), 0.0, 1.0)
    if snap <= 0:
        return m.copy()
    return np.where(m <= snap, np.float32(0), np.where(m >= 1 - snap, np.float32(1), m))


def prepare_mask(
    mask: np.ndarray,
    snap: float = DEFAULT_SNAP,
    min_island_area: int = 0,
    max_hole_area: int = 0,
    fill_all_holes: bool = False,
) -> PreparedMask:
    """Stabilise, then clean the support: islands below ``min_island_area`` go, holes up to
    ``max_hole_area`` (or all) become 1. Never mutates ``mask``."""
    if not 0 <= snap < 0.5:
        raise ValueError(f"snap must be in [0, 0.5), got {snap}")
    raw = np.clip(np.asarray(mask, np.float32), 0.0, 1.0)
    m = stabilise(raw, snap)
    snapped = int(np.count_nonzero(m != raw))
    support = (m > 0).astype(np.uint8)
    islands = holes = 0
    if min_island_area > 0:
        kept = remove_islands(support, min_island_area)
        islands = region_count(support) - region_count(kept)
        m = np.where(kept > 0, m, np.float32(0))
        support = kept
    if fill_all_holes or max_hole_area > 0:
        filled = fill_holes(support, None if fill_all_holes else max_hole_area)
        added = (filled > 0) & (support == 0)
        holes = region_count(added, 4)  # holes are 4-connected (mask_regions)
        m = np.where(added, np.float32(1), m)
    soft = int(np.count_nonzero((m > 0) & (m < 1)))
    return PreparedMask(m.astype(np.float32), snapped, islands, holes, soft)
