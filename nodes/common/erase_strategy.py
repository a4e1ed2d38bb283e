"""Where an engine runs: IOPaint's HD strategies.

- ``original``: the whole image at native resolution;
- ``resize``: images whose longest side exceeds ``resize_limit`` are erased at that
  size and the fill is scaled back up;
- ``crop``: when the longest side exceeds ``crop_trigger_size``, each separate mask
  region gets its own context window (its box plus ``crop_margin``; windows that
  overlap are merged) and is erased there at native resolution.

Pixels outside the hole are the original's; ``erase_blend`` composites the fill.
"""

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .mask_bounds import fit_span

STRATEGIES = ("crop", "resize", "original")
Engine = Callable[[np.ndarray, np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def union(self, other: "Box") -> "Box":
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))


def region_windows(hole: np.ndarray, margin: int) -> list[Box]:
    """One context window per 8-connected hole region (its box plus ``margin``, shifted inside the image at the
    edges); overlapping windows merged."""
    h, w = hole.shape
    count, _, stats, _ = cv2.connectedComponentsWithStats(hole.astype(np.uint8), connectivity=8)
    boxes = []
    for i in range(1, count):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        x0, x1 = fit_span(x - margin, x + bw + margin, w)
        y0, y1 = fit_span(y - margin, y + bh + margin, h)
        boxes.append(Box(x0, y0, x1, y1))
    merged = True
    while merged:  # repeat until no two windows overlap
        merged = False
        out: list[Box] = []
        for box in boxes:
            for i, kept in enumerate(out):
                if box.overlaps(kept):
                    out[i] = kept.union(box)
                    merged = True
                    break
            else:
                out.append(box)
        boxes = out
    return boxes


def run_strategy(
    image: np.ndarray,
    hole: np.ndarray,
    engine: Engine,
    seed: int,
    strategy: str = "crop",
    crop_trigger_size: int = 800,
    crop_margin: int = 128,
    resize_limit: int = 1280,
    before_window: Callable[[], None] | None = None,
) -> np.ndarray:
    """The engine's fill for ``hole`` at full resolution; pixels outside the hole are the original's.

    ``before_window`` runs before each crop window (e.g. to honour a cancel between regions).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if not hole.any():
        return image.copy()
    h, w = hole.shape
    longest = max(h, w)
    if strategy == "crop" and longest > crop_trigger_size:
        out = image.copy()
        for box in region_windows(hole, crop_margin):
            if before_window is not None:
                before_window()
            window = (slice(box.y0, box.y1), slice(box.x0, box.x1))
            filled = engine(np.ascontiguousarray(image[window]), hole[window], seed)
            region_hole = hole[window]
            out[window][region_hole] = filled[region_hole]
        return out
    if strategy == "resize" and longest > resize_limit:
        scale = resize_limit / longest
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        small_hole = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
        small_hole |= cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
        filled = cv2.resize(engine(small, small_hole, seed), (w, h), interpolation=cv2.INTER_CUBIC)
        out = image.copy()
        out[hole] = filled[hole]
        return out
    return engine(image, hole, seed)
