"""Where each inpaint crop lies: one context window per masked region, shaped like the model's input.

A window is the region's box plus context, given as

- ``pixels``: that many pixels on every side (A1111 "only masked" padding, Novita
  ``inpainting_full_res_padding``);
- ``factor``: a fraction of the region's own width/height on each side;
- ``respective_field``: Fooocus ``inpaint_respective_field`` k in 0..1: a square of 1.15×
  the region's larger half-extent, grown until it spans at least k of the image's width
  and height (k = 1: the whole image);
- ``whole_image``: one window, the image itself (Novita ``inpainting_full_res: 0``).

At least ``minimum`` pixels of context stay on every side (room for the stitch's blend
band). The window is then widened on its short side to the target's aspect ratio, so
every crop resizes to one size and the crops form one batch; it is moved inside the
image where it fits (context comes from the other side at an edge) and padded by edge
replication where the image is smaller than the window. Windows that overlap merge:
their regions share one crop, so no two crops ever paint the same pixel.
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

CONTEXT_MODES = ("pixels", "factor", "respective_field", "whole_image")
FOOOCUS_SQUARE = 1.15  # Fooocus' initial box: 1.15× the larger half-extent, square


@dataclass(frozen=True)
class Window:
    """A crop window in image pixels, ends exclusive; it may reach outside the image (padded)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def overlaps(self, other: "Window") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, width: int, height: int) -> "Window":
        """The part of the window that lies in a ``width``×``height`` image."""
        return Window(max(0, self.x0), max(0, self.y0), min(width, self.x1), min(height, self.y1))

    def as_dict(self) -> dict:
        return {"x": self.x0, "y": self.y0, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class ContextRule:
    mode: str = "pixels"
    pixels: int = 64
    factor: float = 0.5
    field: float = 0.618  # Fooocus' default inpaint_respective_field
    minimum: int = 0

    def __post_init__(self):
        if self.mode not in CONTEXT_MODES:
            raise ValueError(f"unknown context mode {self.mode!r}; choose one of {', '.join(CONTEXT_MODES)}")
        if self.pixels < 0 or self.factor < 0 or self.minimum < 0:
            raise ValueError("context pixels, factor and minimum must not be negative")
        if not 0.0 <= self.field <= 1.0:
            raise ValueError(f"respective field must be in 0..1 (Fooocus inpaint_respective_field), got {self.field}")


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (ends exclusive)


def region_boxes(support: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding box of each 8-connected region of a 2-D 0/1 array, in label order."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(support.astype(np.uint8), connectivity=8)
    return [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats[1:count]]


def _with_context(box: Box, rule: ContextRule, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    if rule.mode == "pixels":
        pad_x = pad_y = float(rule.pixels)
    elif rule.mode == "factor":
        pad_x, pad_y = rule.factor * bw, rule.factor * bh
    else:  # respective_field
        half = FOOOCUS_SQUARE * max(bw, bh) / 2
        side_w = max(2 * half, rule.field * width)
        side_h = max(2 * half, rule.field * height)
        pad_x, pad_y = (side_w - bw) / 2, (side_h - bh) / 2
    pad_x, pad_y = max(pad_x, rule.minimum), max(pad_y, rule.minimum)
    return x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y


def _fit_aspect(box: Box, aspect: float) -> Box:
    """Widen the short side (about the centre) so width / height == aspect."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w < h * aspect:
        grow = (h * aspect - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / aspect - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


def _place(lo: float, hi: float, size: int) -> tuple[int, int]:
    """Integer span of length ≈ hi − lo moved inside [0, size) where it fits, centred on the image where not."""
    length = max(1, math.ceil(hi - lo - 1e-6))
    start = math.floor((lo + hi) / 2 - length / 2 + 0.5)
    # Larger than the image: centred on it, the overflow edge-replicated on both sides.
    start = min(max(start, 0), size - length) if length <= size else -((length - size) // 2)
    return start, start + length


def _window(box: Box, rule: ContextRule, width: int, height: int, aspect: float) -> Window:
    x0, y0, x1, y1 = _fit_aspect(_with_context(box, rule, width, height), aspect)
    wx0, wx1 = _place(x0, x1, width)
    wy0, wy1 = _place(y0, y1, height)
    return Window(wx0, wy0, wx1, wy1)


def plan_windows(support: np.ndarray, rule: ContextRule, target_width: int, target_height: int) -> list[Window]:
    """One window per masked region (overlapping windows merged), for a 2-D 0/1 ``support``; [] when empty."""
    height, width = support.shape
    boxes = region_boxes(support)
    if not boxes:
        return []
    if rule.mode == "whole_image":
        return [Window(0, 0, width, height)]
    aspect = target_width / target_height
    groups = [tuple(map(float, b)) for b in boxes]
    while True:
        windows = [_window(b, rule, width, height, aspect) for b in groups]
        count, labels = _overlap_groups(windows)
        if count == len(windows):
            return sorted(windows, key=lambda w: (w.y0, w.x0))
        merged = []
        for label in range(count):
            members = [g for g, lab in zip(groups, labels, strict=True) if lab == label]
            merged.append(tuple(f(m[k] for m in members) for k, f in enumerate((min, min, max, max))))
        groups = merged


def _overlap_groups(windows: list[Window]) -> tuple[int, np.ndarray]:
    """Connected groups of windows under 'overlaps' (transitively), as scipy's (count, labels)."""
    c = np.array([(w.x0, w.y0, w.x1, w.y1) for w in windows])
    x0, y0, x1, y1 = (c[:, k] for k in range(4))
    overlap = (x0[:, None] < x1[None]) & (x0[None] < x1[:, None]) & (y0[:, None] < y1[None]) & (y0[None] < y1[:, None])
    return connected_components(csr_matrix(overlap), directed=False)


def crop_size(rule: ContextRule, image_width: int, image_height: int, target_width: int, target_height: int):
    """(width, height) every crop is resized to: the target; for ``whole_image`` the image scaled to the
    target's area, each side a multiple of 8."""
    if rule.mode != "whole_image":
        return target_width, target_height
    scale = math.sqrt(target_width * target_height / (image_width * image_height))
    return (max(8, round(image_width * scale / 8) * 8), max(8, round(image_height * scale / 8) * 8))


def regions_in(window: Window, support: np.ndarray) -> int:
    """How many regions of ``support`` lie in ``window`` (windows never split a region)."""
    height, width = support.shape
    w = window.inside(width, height)
    return len(region_boxes(support[w.y0 : w.y1, w.x0 : w.x1]))


UNBOUNDED_ROOM = 1 << 30


def room_in(window: Window, support: np.ndarray) -> int:
    """Smallest distance from the support inside ``window`` to a window edge that lies inside the image
    (edges on the image border do not count): how far a blend band may reach without leaving the window."""
    height, width = support.shape
    w = window.inside(width, height)
    rows, cols = np.nonzero(support[w.y0 : w.y1, w.x0 : w.x1])
    if not len(rows):
        return UNBOUNDED_ROOM
    bx0, by0, bx1, by1 = w.x0 + cols.min(), w.y0 + rows.min(), w.x0 + cols.max() + 1, w.y0 + rows.max() + 1
    gaps = [
        bx0 - window.x0 if window.x0 > 0 else UNBOUNDED_ROOM,
        by0 - window.y0 if window.y0 > 0 else UNBOUNDED_ROOM,
        window.x1 - bx1 if window.x1 < width else UNBOUNDED_ROOM,
        window.y1 - by1 if window.y1 < height else UNBOUNDED_ROOM,
    ]
    return int(min(gaps))
