"""The region a mask covers, with a margin: what crop-and-stitch inpainting works on."""

from dataclasses import dataclass

import numpy as np
import torch

from .tensors import as_mask_batch


@dataclass(frozen=True)
class Region:
    x: int
    y: int
    width: int
    height: int

    def slices(self) -> tuple[slice, slice]:
        return slice(self.y, self.y + self.height), slice(self.x, self.x + self.width)


def bounding_box(on: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1), ends exclusive, of the True pixels of a 2-D bool array; None when there are none."""
    rows, cols = np.flatnonzero(on.any(1)), np.flatnonzero(on.any(0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def fit_span(lo: int, hi: int, size: int, multiple: int = 1, min_size: int = 0) -> tuple[int, int]:
    """The one crop-window rule: [lo, hi) (which may reach past the image) grown about its centre to at least
    ``min_size`` and a multiple of ``multiple``, then shifted inside [0, size) keeping its length, so a window at
    the image edge takes its missing context from the other side (as IOPaint's crop does); a window longer than
    the image becomes the whole image."""
    length = max(hi - lo, min_size)
    if multiple > 1:
        length = -(-length // multiple) * multiple
    length = min(length, size)
    start = int(round((lo + hi) / 2 - length / 2))
    start = max(0, min(start, size - length))
    return start, start + length


def mask_region(
    mask: torch.Tensor, margin: int = 0, threshold: float = 0.5, multiple: int = 1, min_size: int = 0
) -> Region | None:
    """Bounding box of every masked pixel of the whole batch, grown by ``margin``.

    The box stays inside the image and keeps its size at the edges (``fit_span``);
    ``multiple`` rounds its size up (e.g. 8 for latents) and ``min_size`` gives small
    masks enough context. None when empty.
    """
    batch = as_mask_batch(mask).detach()
    on = (batch > threshold).any(0).to("cpu").numpy()
    box = bounding_box(on)
    if box is None:
        return None
    h, w = on.shape
    x0, y0, x1, y1 = box
    y0, y1 = fit_span(y0 - margin, y1 + margin, h, multiple, min_size)
    x0, x1 = fit_span(x0 - margin, x1 + margin, w, multiple, min_size)
    return Region(x0, y0, x1 - x0, y1 - y0)
