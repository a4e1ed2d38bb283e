"""Statistics of a mask: coverage, connected components, bounding box, soft pixels."""

from dataclasses import asdict, dataclass

import numpy as np
import torch
from scipy import ndimage

from .mask_bounds import bounding_box
from .tensors import as_mask_batch

# 8-connectivity: diagonal neighbours belong to the same region, as a painter expects.
_EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class MaskStats:
    coverage: float  # fraction of pixels > threshold
    components: int  # 8-connected regions of pixels > threshold
    bbox: tuple[int, int, int, int]  # x, y, width, height of pixels > threshold; zeros when empty
    non_binary: int  # pixels strictly between 0 and 1
    empty: bool

    def as_dict(self) -> dict:
        return asdict(self)


def mask_stats(mask: torch.Tensor, threshold: float = 0.5) -> list[MaskStats]:
    """One ``MaskStats`` per mask of the batch (mask is [H,W], [B,H,W] or [B,1,H,W])."""
    batch = as_mask_batch(mask).detach().to("cpu", torch.float32)
    out = []
    for item in batch:
        on = (item > threshold).numpy()
        non_binary = int(((item > 0) & (item < 1)).sum())
        if not on.any():
            out.append(MaskStats(0.0, 0, (0, 0, 0, 0), non_binary, True))
            continue
        _, components = ndimage.label(on, structure=_EIGHT_CONNECTED)
        x0, y0, x1, y1 = bounding_box(on)
        bbox = (x0, y0, x1 - x0, y1 - y0)
        out.append(MaskStats(float(on.mean()), int(components), bbox, non_binary, False))
    return out


def bbox_mask(mask: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """A [B,H,W] mask that is 1 inside each item's bounding box, on the input's device and dtype."""
    batch = as_mask_batch(mask)
    out = torch.zeros_like(batch)
    for i, stats in enumerate(mask_stats(batch, threshold)):
        if not stats.empty:
            x, y, w, h = stats.bbox
            out[i, y : y + h, x : x + w] = 1
    return out
