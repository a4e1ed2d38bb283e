"""Outpaint expansion: pad the canvas, mask the new area plus a feathered overlap band, pre-fill it.

Padding per side is given in pixels, as a fraction of the image side (Fooocus pads a
chosen direction by 30%: left/right of the width, top/bottom of the height), or as a
target canvas with an anchor for the original. Padded axes are rounded up to a
multiple (8 for latents) by adding to the padded side(s). The mask is 1 on the new area
and fades over ``overlap`` px into the original (smoothstep), so the sampler blends
into it; beyond the band it is 0 and the original's pixels are copied unchanged.

Pre-fill of the new area (what the sampler starts from): ``edge`` (replicate the
border, Fooocus), ``grey`` (0.5, core ImagePadForOutpaint), ``telea`` /
``navier_stokes`` / ``exemplar`` (the erase engines), or seeded uniform ``noise``.
"""

import math
from dataclasses import dataclass, fields

import numpy as np
import torch
from torch.nn import functional

from .erase_engines import classical_engine
from .mask_soft import feather
from .tensors import as_image_batch, to_uint8_rgb

EXPAND_MODES = ("pixels", "fraction", "target")
PREFILL_METHODS = ("edge", "grey", "telea", "navier_stokes", "exemplar", "noise")
ANCHORS = ("center", "top-left", "top", "top-right", "left", "right", "bottom-left", "bottom", "bottom-right")


@dataclass(frozen=True)
class Padding:
    left: int
    top: int
    right: int
    bottom: int

    def canvas(self, width: int, height: int) -> tuple[int, int]:
        return width + self.left + self.right, height + self.top + self.bottom

    def as_dict(self) -> dict:
        return {"left": self.left, "top": self.top, "right": self.right, "bottom": self.bottom}


def _anchor_split(extra: int, anchor: str, low_word: str, high_word: str) -> tuple[int, int]:
    """Padding (before, after) on one axis for an anchor: the image stays at the anchored side."""
    if low_word in anchor:
        return 0, extra
    if high_word in anchor:
        return extra, 0
    return extra // 2, extra - extra // 2


def _round_axis(before: int, after: int, size: int, multiple: int) -> tuple[int, int]:
    total = size + before + after
    if multiple <= 1 or before + after == 0 or total % multiple == 0:
        return before, after
    extra = multiple - total % multiple
    if before and after:
        return before + extra // 2, after + extra - extra // 2
    return (before + extra, after) if before else (before, after + extra)


def plan_padding(
    width: int,
    height: int,
    mode: str = "pixels",
    pixels: tuple[int, int, int, int] = (0, 0, 0, 0),
    fractions: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
    target: tuple[int, int] = (0, 0),
    anchor: str = "center",
    multiple: int = 8,
) -> Padding:
    """Padding (left, top, right, bottom) for an image of ``width``×``height`` (see the module doc)."""
    if mode not in EXPAND_MODES:
        raise ValueError(f"unknown expand mode {mode!r}; choose one of {', '.join(EXPAND_MODES)}")
    if mode == "pixels":
        if min(pixels) < 0:
            raise ValueError(f"padding must not be negative, got {pixels}")
        left, top, right, bottom = (int(p) for p in pixels)
    elif mode == "fraction":
        if min(fractions) < 0:
            raise ValueError(f"fractions must not be negative, got {fractions}")
        fl, ft, fr, fb = fractions
        left, right = int(width * fl), int(width * fr)  # int(): as Fooocus truncates
        top, bottom = int(height * ft), int(height * fb)
    else:
        if anchor not in ANCHORS:
            raise ValueError(f"unknown anchor {anchor!r}; choose one of {', '.join(ANCHORS)}")
        tw, th = target
        if tw < width or th < height:
            raise ValueError(f"target {tw}×{th} is smaller than the image {width}×{height}: outpaint only grows")
        left, right = _anchor_split(tw - width, anchor, "left", "right")
        top, bottom = _anchor_split(th - height, anchor, "top", "bottom")
    left, right = _round_axis(left, right, width, multiple)
    top, bottom = _round_axis(top, bottom, height, multiple)
    return Padding(left, top, right, bottom)


@dataclass(frozen=True)
class ExpandSettings:
    """IB_OutpaintExpand's inputs, by the node's own names: the node and its preview read them alike."""

    mode: str = "pixels"
    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0
    left_fraction: float = 0.0
    top_fraction: float = 0.0
    right_fraction: float = 0.0
    bottom_fraction: float = 0.0
    target_width: int = 1024
    target_height: int = 1024
    anchor: str = "center"
    overlap: int = 32
    prefill: str = "edge"
    multiple: int = 8
    seed: int = 0

    def __post_init__(self):
        if self.prefill not in PREFILL_METHODS:
            raise ValueError(f"unknown pre-fill {self.prefill!r}; choose one of {', '.join(PREFILL_METHODS)}")
        if self.overlap < 0:
            raise ValueError(f"overlap must not be negative, got {self.overlap}")
        if self.multiple < 1:
            raise ValueError(f"multiple must be at least 1, got {self.multiple}")

    @classmethod
    def from_values(cls, values: dict) -> "ExpandSettings":
        """Settings from JSON input values (the frontend's widgets): each known name type-checked, others ignored."""
        if not isinstance(values, dict):
            raise ValueError("settings must be an object of the node's input values")
        chosen = {}
        for field in fields(cls):
            if field.name not in values:
                continue
            value = values[field.name]
            kind = field.type
            if kind is float:
                ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            else:
                ok = isinstance(value, kind) and not isinstance(value, bool)
            if not ok:
                raise ValueError(
                    f"{field.name} must be {'a number' if kind is float else kind.__name__}, got {value!r}"
                )
            chosen[field.name] = kind(value)
        return cls(**chosen)

    def padding(self, width: int, height: int) -> Padding:
        return plan_padding(
            width,
            height,
            self.mode,
            (self.left, self.top, self.right, self.bottom),
            (self.left_fraction, self.top_fraction, self.right_fraction, self.bottom_fraction),
            (self.target_width, self.target_height),
            self.anchor,
            self.multiple,
        )


def report(width: int, height: int, padding: Padding) -> dict:
    """What the node reports (``ib_outpaint``, the ``padding`` output): padding per side and the canvas size."""
    canvas_width, canvas_height = padding.canvas(width, height)
    return {**padding.as_dict(), "width": canvas_width, "height": canvas_height}


def kept_area(width: int, height: int, padding: Padding, overlap: int) -> tuple[int, int, int, int]:
    """Canvas box (x0, y0, x1, y1) of the original where the mask is 0: the pixels that come back bit for bit.

    The band reaches ``overlap`` px into the original from each padded side only (``outpaint_mask``).
    """
    depth = [overlap if pad else 0 for pad in (padding.left, padding.top, padding.right, padding.bottom)]
    x0, y0 = padding.left + depth[0], padding.top + depth[1]
    x1, y1 = padding.left + width - depth[2], padding.top + height - depth[3]
    return x0, y0, max(x0, x1), max(y0, y1)


def new_area(width: int, height: int, padding: Padding) -> np.ndarray:
    """[H',W'] uint8: 1 on the added area, 0 on the original."""
    cw, ch = padding.canvas(width, height)
    area = np.ones((ch, cw), np.uint8)
    area[padding.top : padding.top + height, padding.left : padding.left + width] = 0
    return area


def outpaint_mask(width: int, height: int, padding: Padding, overlap: int) -> np.ndarray:
    """[H',W'] float32: 1 on the new area, a smoothstep fade ``overlap`` px deep into the original, 0 beyond."""
    area = new_area(width, height, padding)
    if not area.any():
        return area.astype(np.float32)
    return feather(area, overlap, "outer", "smooth")


def prefill(image: torch.Tensor, padding: Padding, method: str = "edge", seed: int = 0) -> torch.Tensor:
    """One [H,W,C] image placed on the padded canvas, the new area pre-filled; the original copied exactly."""
    if method not in PREFILL_METHODS:
        raise ValueError(f"unknown pre-fill {method!r}; choose one of {', '.join(PREFILL_METHODS)}")
    height, width = image.shape[:2]
    pads = (padding.left, padding.right, padding.top, padding.bottom)
    if method == "grey":
        return functional.pad(image.movedim(-1, 0), pads, value=0.5).movedim(0, -1)
    edge = functional.pad(image.movedim(-1, 0)[None], pads, mode="replicate")[0].movedim(0, -1)
    if method == "edge" or not any(pads):
        return edge
    area = torch.from_numpy(new_area(width, height, padding).astype(bool)).to(image.device)
    if method == "noise":
        generator = torch.Generator().manual_seed(int(seed))
        noise = torch.rand(edge.shape, generator=generator, dtype=torch.float32).to(image.device, image.dtype)
        return torch.where(area[..., None], noise, edge)
    # The erase engines fill the new area from the original (uint8, as they work); the original stays float.
    filled = classical_engine(method)(to_uint8_rgb(edge), area.cpu().numpy(), int(seed))
    fill = torch.from_numpy(filled.astype(np.float32) / 255.0).to(image.device, image.dtype)
    if edge.shape[-1] > 3:
        fill = torch.cat([fill, edge[..., 3:]], dim=-1)
    return torch.where(area[..., None], fill, edge)


def expand(
    image: torch.Tensor, padding: Padding, overlap: int = 32, method: str = "edge", seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """(canvas [B,H',W',C], mask [B,H',W']) for a batch; every image padded and pre-filled alike."""
    images = as_image_batch(image)
    height, width = images.shape[1:3]
    if overlap < 0:
        raise ValueError(f"overlap must not be negative, got {overlap}")
    canvas = torch.stack([prefill(images[i], padding, method, seed + i) for i in range(images.shape[0])])
    mask = torch.from_numpy(outpaint_mask(width, height, padding, overlap)).to(images.device)
    return canvas, mask[None].expand(images.shape[0], -1, -1).contiguous()
