"""Detection boxes ``[x0, y0, x1, y1]`` (pixels): grow them and draw them as a mask. Pure numpy.

Fooocus's ``sam`` mask mode grows every GroundingDINO box by ``dino_erode_or_dilate`` pixels on each
side before SAM, and with ``dino_debug`` returns the boxes themselves, filled white, instead of SAM's
masks; these are those two steps.
"""

from __future__ import annotations

import numpy as np

Box = list[float]


def grow_box(box: Box, pixels: float, height: int, width: int) -> Box | None:
    """The box moved outward by ``pixels`` on every side (inward when negative), kept inside the image;
    None when a negative ``pixels`` shrinks it to nothing (SAM cannot take an empty box)."""
    x0, y0, x1, y1 = box
    grown = [
        min(max(x0 - pixels, 0.0), float(width)),
        min(max(y0 - pixels, 0.0), float(height)),
        min(max(x1 + pixels, 0.0), float(width)),
        min(max(y1 + pixels, 0.0), float(height)),
    ]
    if grown[2] <= grown[0] or grown[3] <= grown[1]:
        return None
    return [round(v, 2) for v in grown]


def boxes_mask(boxes: list[Box], height: int, width: int) -> np.ndarray:
    """``[height, width]`` float32 mask: 1 inside every box, 0 elsewhere.

    A box covers the pixels between its corners truncated to integers, both ends included: exactly what
    PIL's ``ImageDraw.rectangle(box, fill=...)`` paints for the same corners, as Fooocus draws them.
    """
    mask = np.zeros((height, width), np.float32)
    for x0, y0, x1, y1 in boxes:
        c0, r0 = max(0, int(x0)), max(0, int(y0))
        c1, r1 = min(width - 1, int(x1)), min(height - 1, int(y1))
        if c1 >= c0 and r1 >= r0:
            mask[r0 : r1 + 1, c0 : c1 + 1] = 1.0
    return mask
