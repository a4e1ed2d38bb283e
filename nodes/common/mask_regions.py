"""Connected-region clean-up of binary masks: fill holes, drop small islands/holes, keep N regions.

Regions of the mask are 8-connected; holes (background regions) are 4-connected,
the usual pairing that keeps a diagonal line of mask pixels a closed boundary.
A hole is background not connected to the image border.
"""

import cv2
import numpy as np


def _components(on: np.ndarray, connectivity: int):
    count, labels, stats, _ = cv2.connectedComponentsWithStats(on, connectivity=connectivity)
    return count, labels, stats[:, cv2.CC_STAT_AREA]


def region_count(on: np.ndarray, connectivity: int = 8) -> int:
    """How many separate regions a 2-D 0/1 (or bool) array has (8-connected, or 4 for holes)."""
    return cv2.connectedComponents(on.astype(np.uint8), connectivity=connectivity)[0] - 1


def _hole_labels(background: np.ndarray):
    """Labels of background regions and which of them touch the border."""
    count, labels, areas = _components(background, 4)
    border = np.zeros(count, bool)
    for edge in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        border[edge] = True
    border[0] = True  # label 0 is the mask itself, never a hole
    return labels, areas, border


def fill_holes(on: np.ndarray, max_area: int | None = None) -> np.ndarray:
    """Fill background regions enclosed by the mask (only those ≤ ``max_area`` when given)."""
    labels, areas, border = _hole_labels((1 - on).astype(np.uint8))
    fill = ~border
    if max_area is not None:
        fill &= areas <= max_area
    return (on.astype(bool) | fill[labels]).astype(np.uint8)


def remove_islands(on: np.ndarray, min_area: int) -> np.ndarray:
    """Drop mask regions smaller than ``min_area`` pixels."""
    count, labels, areas = _components(on, 8)
    keep = areas >= min_area
    keep[0] = False  # background
    return keep[labels].astype(np.uint8)


def keep_regions(on: np.ndarray, count: int, largest: bool = True) -> np.ndarray:
    """Keep the ``count`` largest (or smallest) mask regions; ties keep the earlier label."""
    n, labels, areas = _components(on, 8)
    if n <= 1 or count <= 0:
        return np.zeros_like(on)
    ids = np.arange(1, n)
    order = np.argsort(-areas[1:] if largest else areas[1:], kind="stable")
    keep = np.zeros(n, bool)
    keep[ids[order[:count]]] = True
    return keep[labels].astype(np.uint8)


def clean_mask(
    on: np.ndarray,
    min_island_area: int = 0,
    max_hole_area: int = 0,
    fill_all_holes: bool = False,
    keep: int = 0,
    keep_largest: bool = True,
) -> np.ndarray:
    """The Fooocus-style clean-up in one call: islands, then holes, then keep N regions."""
    out = on.astype(np.uint8)
    if min_island_area > 0:
        out = remove_islands(out, min_island_area)
    if fill_all_holes:
        out = fill_holes(out)
    elif max_hole_area > 0:
        out = fill_holes(out, max_hole_area)
    if keep > 0:
        out = keep_regions(out, keep, keep_largest)
    return out
