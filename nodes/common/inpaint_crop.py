"""Crop every masked region of a batch for sampling, and the handle the stitch needs to paste back.

Crops of all images are resized to one size so they form one batch (one sampler
call). The :class:`StitchHandle` records the originals, the cleaned masks and each
crop's window; it is frozen and nothing downstream writes to its tensors, so it is
safe under ComfyUI's output cache.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional

from .crop_plan import ContextRule, Window, crop_size, plan_windows, regions_in, room_in
from .inpaint_mask import DEFAULT_SNAP, PreparedMask, prepare_mask
from .tensors import as_image_batch, as_mask_batch, pair_batches


@dataclass(frozen=True)
class CropRecord:
    image_index: int
    window: Window  # in the original image's pixels; may reach outside it (edge-replicated there)
    regions: int  # mask regions inside this crop
    room: int  # px between the regions and the window's edges inside the image: the most a blend band may use


@dataclass(frozen=True)
class StitchHandle:
    originals: torch.Tensor  # [B,H,W,C] as given, never written to
    masks: torch.Tensor  # [B,H,W] float32 cleaned masks on the CPU
    crops: tuple[CropRecord, ...]
    crop_width: int
    crop_height: int

    @property
    def image_count(self) -> int:
        return self.originals.shape[0]

    def crops_of(self, image_index: int) -> list[tuple[int, CropRecord]]:
        """(position in the crop batch, record) of every crop of one image."""
        return [(i, c) for i, c in enumerate(self.crops) if c.image_index == image_index]


def resize_hwc(t: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """[H,W,C] float resized (bicubic, antialiased when shrinking), clipped to 0..1; unchanged when equal."""
    if t.shape[0] == height and t.shape[1] == width:
        return t
    x = t.movedim(-1, 0)[None].float()
    out = functional.interpolate(x, size=(height, width), mode="bicubic", antialias=True, align_corners=False)
    return out[0].movedim(0, -1).clamp(0, 1).to(t.dtype)


def resize_hw(t: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """[H,W] mask resized (bilinear, antialiased when shrinking), clipped to 0..1; unchanged when equal."""
    if t.shape[0] == height and t.shape[1] == width:
        return t
    out = functional.interpolate(t[None, None].float(), size=(height, width), mode="bilinear", antialias=True)
    return out[0, 0].clamp(0, 1).to(t.dtype)


def window_pixels(image: torch.Tensor, window: Window) -> torch.Tensor:
    """The [h,w,C] pixels of ``window`` from one [H,W,C] image, edge-replicated where it leaves the image."""
    height, width = image.shape[:2]
    inside = window.inside(width, height)
    part = image[inside.y0 : inside.y1, inside.x0 : inside.x1]
    pads = (inside.x0 - window.x0, window.x1 - inside.x1, inside.y0 - window.y0, window.y1 - inside.y1)
    if not any(pads):
        return part
    return functional.pad(part.movedim(-1, 0)[None], pads, mode="replicate")[0].movedim(0, -1)


def window_mask(mask: torch.Tensor, window: Window) -> torch.Tensor:
    """The [h,w] values of ``window`` from one [H,W] mask, 0 where it leaves the image."""
    height, width = mask.shape
    inside = window.inside(width, height)
    part = mask[inside.y0 : inside.y1, inside.x0 : inside.x1]
    pads = (inside.x0 - window.x0, window.x1 - inside.x1, inside.y0 - window.y0, window.y1 - inside.y1)
    return functional.pad(part, pads, value=0.0) if any(pads) else part


@dataclass(frozen=True)
class CropResult:
    crops: torch.Tensor  # [R,h,w,3] (RGB of the originals)
    crop_masks: torch.Tensor  # [R,h,w]
    handle: StitchHandle
    prepared: tuple[PreparedMask, ...]  # one per image

    def report(self) -> list[dict]:
        out = []
        for index, prep in enumerate(self.prepared):
            crops = self.handle.crops_of(index)
            out.append(
                {
                    "regions": sum(c.regions for _, c in crops),
                    "crops": [c.window.as_dict() for _, c in crops],
                    "soft": prep.soft,
                    **prep.report(),
                }
            )
        return out


def crop_for_inpaint(
    image: torch.Tensor,
    mask: torch.Tensor,
    rule: ContextRule,
    target_width: int = 512,
    target_height: int = 512,
    snap: float = DEFAULT_SNAP,
    min_island_area: int = 0,
    max_hole_area: int = 0,
    fill_all_holes: bool = False,
) -> CropResult:
    """Clean the masks, plan one window per region and cut the batch of crops (see the module doc)."""
    for name, size in (("target_width", target_width), ("target_height", target_height)):
        if size < 8 or size % 8:
            raise ValueError(f"{name} must be a positive multiple of 8 (latent size), got {size}")
    images, masks = as_image_batch(image), as_mask_batch(mask)
    if images.shape[1:3] != masks.shape[1:3]:
        raise ValueError(f"image is {images.shape[2]}×{images.shape[1]} but mask is {masks.shape[2]}×{masks.shape[1]}")
    count = pair_batches(images.shape[0], masks.shape[0])
    images = images.expand(count, *images.shape[1:]) if images.shape[0] == 1 else images
    height, width = images.shape[1:3]
    mask_np = masks.detach().to("cpu", torch.float32).numpy()
    prepared = []
    for index in range(count):
        if index < mask_np.shape[0]:
            prepared.append(prepare_mask(mask_np[index], snap, min_island_area, max_hole_area, fill_all_holes))
        else:  # one mask for every image: clean it once
            prepared.append(prepared[0])
    cw, ch = crop_size(rule, width, height, target_width, target_height)
    records, crops, crop_masks = [], [], []
    plans: dict[int, list[Window]] = {}  # one plan per distinct mask (a broadcast mask is planned once)
    for index, prep in enumerate(prepared):
        if id(prep) not in plans:
            plans[id(prep)] = plan_windows(prep.mask > 0, rule, cw, ch)
        windows = plans[id(prep)]
        cleaned = torch.from_numpy(prep.mask)
        for window in windows:
            support = prep.mask > 0
            records.append(CropRecord(index, window, regions_in(window, support), room_in(window, support)))
            crops.append(resize_hwc(window_pixels(images[index, ..., :3], window), cw, ch))  # RGB for the VAE
            crop_masks.append(resize_hw(window_mask(cleaned, window), cw, ch))
    if not records:
        raise ValueError(
            "the mask is empty after clean-up: nothing to inpaint (is it inverted? masked = white / 1; "
            "is min_island_area larger than the regions?)"
        )
    handle = StitchHandle(
        originals=images,
        masks=torch.from_numpy(np.stack([p.mask for p in prepared])),
        crops=tuple(records),
        crop_width=cw,
        crop_height=ch,
    )
    crop_batch = torch.stack(crops).to(images.device, images.dtype)
    mask_batch = torch.stack(crop_masks).to(masks.device, torch.float32)
    return CropResult(crop_batch, mask_batch, handle, tuple(prepared))
