"""Paste sampled crops back: blend mask grown then feathered outward, ring colour match, seam blending.

The blend alpha of an image is ``max(mask, feather_outer(grow(mask ≥ 0.5)))``: 1 on
the repainted region (and its growth), a smooth ramp outward over ``feather`` px, and
the mask's own soft values where it has them (an outpaint overlap band). It never
reaches inward past the mask edge, and every pixel where it is 0 is the original,
bit for bit. The band must fit in the context the crop kept (``CropRecord.room``), so
it is clamped to it, per crop.

Sampled batches hold ``k`` results per crop, result-major (result 0 of every crop,
then result 1, ...): one sampler call per seed. Output images are image-major:
image 0's results, then image 1's.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .color_match import match_on_ring
from .crop_plan import Window
from .inpaint_crop import StitchHandle, resize_hwc
from .mask_soft import feather
from .morphology import binary_grow
from .quality_report import quality_report
from .seam_blend import BLEND_MODES, blend
from .tensors import as_image_batch

COLOR_MATCH_MODES = ("ring", "off")


@dataclass(frozen=True)
class BlendSettings:
    grow: int = 2
    feather: int = 8
    color_match: str = "ring"
    ring_width: int = 8
    mode: str = "multiband"  # best seam in bench/inpaint_seams.py

    def __post_init__(self):
        if self.grow < 0 or self.feather < 0 or self.ring_width < 1:
            raise ValueError("grow and feather must be ≥ 0 and ring_width ≥ 1")
        if self.color_match not in COLOR_MATCH_MODES:
            raise ValueError(f"unknown color_match {self.color_match!r}; choose one of {', '.join(COLOR_MATCH_MODES)}")
        if self.mode not in BLEND_MODES:
            raise ValueError(f"unknown blend mode {self.mode!r}; choose one of {', '.join(BLEND_MODES)}")

    def within(self, room: int) -> "BlendSettings":
        """Grow and feather shrunk so the band (grow + feather, +5% for the feather's distance estimate) fits
        in ``room`` px of context."""
        grow = min(self.grow, room)
        feather_px = max(0, min(self.feather, math.floor((room - grow) / 1.05) - 1))
        return BlendSettings(grow, feather_px, self.color_match, self.ring_width, self.mode)


def _core(mask: np.ndarray, grow: int) -> np.ndarray:
    """Where the fill is used whole: the repainted region (mask ≥ 0.5) grown by ``grow``."""
    hard = (mask >= 0.5).astype(np.uint8)
    return binary_grow(hard, grow, "disc") if grow else hard


def blend_alpha(mask: np.ndarray, grow: int, feather_px: int) -> np.ndarray:
    """[H,W] float32 alpha from a cleaned [H,W] float mask (see the module doc)."""
    return np.maximum(mask.astype(np.float32), feather(_core(mask, grow), feather_px, "outer", "smooth"))


@dataclass(frozen=True)
class StitchResult:
    images: torch.Tensor  # [B·k,H,W,C], image-major
    alphas: torch.Tensor  # [B·k,H,W] the blend alpha each result was pasted with
    reports: tuple[dict, ...]  # quality report per output image
    results_per_image: int


def _paste(original: np.ndarray, sampled: torch.Tensor, window: Window, mask: np.ndarray, s: BlendSettings):
    """(blended pixels, alpha) of one crop, on the part of ``window`` inside the image."""
    height, width = original.shape[:2]
    inside = window.inside(width, height)
    fill_full = resize_hwc(sampled, window.width, window.height).float().cpu().numpy()
    oy, ox = inside.y0 - window.y0, inside.x0 - window.x0
    fill = fill_full[oy : oy + inside.height, ox : ox + inside.width]
    region = (slice(inside.y0, inside.y1), slice(inside.x0, inside.x1))
    channels = fill.shape[-1]  # RGB from a decoder; an RGBA original keeps its own alpha channel
    region = (*region, slice(0, channels))
    orig, m = original[region], mask[region[:2]]
    core = _core(m, s.grow)
    alpha = np.maximum(m.astype(np.float32), feather(core, s.feather, "outer", "smooth"))
    if s.color_match == "ring":
        fill = match_on_ring(fill, orig, m >= 0.5, s.ring_width)
    return region, blend(orig, fill, alpha, s.mode, core.astype(bool), s.feather), alpha


def stitch_crops(
    handle: StitchHandle,
    sampled: torch.Tensor,
    settings: BlendSettings,
    before_crop: Callable[[], None] | None = None,
) -> StitchResult:
    """Paste ``sampled`` ([k·R,h,w,C]: k results of the handle's R crops) back into the originals.

    ``before_crop`` runs before each crop is pasted (progress, and a cancel between crops)."""
    sampled = as_image_batch(sampled)
    crops = len(handle.crops)
    if sampled.shape[0] % crops:
        raise ValueError(
            f"got {sampled.shape[0]} sampled images for {crops} crops: expected a multiple of {crops} "
            "(k results per crop, result-major)"
        )
    originals = handle.originals
    if sampled.shape[-1] > originals.shape[-1]:
        raise ValueError(f"sampled images have {sampled.shape[-1]} channels, the originals {originals.shape[-1]}")
    k = sampled.shape[0] // crops
    images, alphas, reports = [], [], []
    for index in range(handle.image_count):
        original_t = originals[index]
        original = original_t.detach().float().cpu().numpy()
        mask = handle.masks[index].numpy()
        hard = mask >= 0.5
        for result in range(k):
            out = original.copy()
            alpha = np.zeros(mask.shape, np.float32)
            regions = 0
            for position, record in handle.crops_of(index):
                if before_crop is not None:
                    before_crop()
                crop = sampled[result * crops + position]
                region, pixels, a = _paste(original, crop, record.window, mask, settings.within(record.room))
                out[region] = pixels
                alpha[region[:2]] = a
                regions += record.regions
            alpha_t = torch.from_numpy(alpha)
            out_t = torch.from_numpy(out).to(original_t.device, original_t.dtype)
            # alpha == 0 (and channels the fill lacks): the caller's own pixels, untouched, whatever the dtype.
            touched = torch.zeros(original_t.shape, dtype=torch.bool)
            touched[..., : sampled.shape[-1]] = (alpha_t > 0)[..., None]
            final = torch.where(touched.to(original_t.device), out_t, original_t)
            images.append(final)
            alphas.append(alpha_t)
            final_np = final.detach().float().cpu().numpy()
            reports.append(quality_report(final_np, original, alpha, hard, regions))
    return StitchResult(torch.stack(images), torch.stack(alphas), tuple(reports), k)
