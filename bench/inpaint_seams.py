"""Seam error of our stitch vs plain blurred-mask compositing vs a global colour match, on real photos.

Run: .venv/bin/python bench/inpaint_seams.py

For each skimage photo and mask, the real crop (IB_InpaintCrop's helper, 48 px context,
256² crops) gets a known clean result and a synthetic "sampled" fill made from it:

- clean: the crop with new, texture-shifted content inside the mask (the crop's own
  content displaced by a third of its size), faded in over 6 px inside the mask edge
  as a sampler that sees the context continues it; the original outside the mask;
- fill: the clean crop as a sampler returns it: colour drift everywhere (per-channel
  gain and offset, as the VAE round trip and the sampler leave it) and VAE-like
  softening (Gaussian σ 0.8).

The fill is pasted back by
1. ``blurred``: core ``ImageCompositeMasked`` with the mask Gaussian-blurred by 16 px
   (what Inpaint-CropAndStitch and core workflows do);
2. ``global match``: the same composite after a per-channel mean/std colour transfer
   fitted on the whole crop (fill to original), Acly-style global colour matching;
3. ``hard paste``: the fill where the mask is 1 (no blend), for scale;
4. ``ours``: IB_InpaintStitch's helper (colour match on the ring outside the mask),
   linear, multiband and Poisson, at a few grow/feather settings.

Scores, with the functions of the stitch node's own report (``quality_report.py``), on
the ring of 4 px on either side of the mask edge, where fill and original meet: mean
CIEDE2000 ΔE of the result against the clean result, and the extra L* gradient over the
clean result's (a step or a halo raises it); averaged over all cases. Goal: ours ≤ 0.5×
the blurred-mask ΔE.
"""

import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import import_comfy_module, row  # noqa: E402
from skimage import data  # noqa: E402

from inpaint_bridge.nodes.common.crop_plan import ContextRule  # noqa: E402
from inpaint_bridge.nodes.common.inpaint_crop import crop_for_inpaint, resize_hwc  # noqa: E402
from inpaint_bridge.nodes.common.mask_soft import feather, gaussian_blur  # noqa: E402
from inpaint_bridge.nodes.common.quality_report import seam_delta_e, seam_gradient_jump, seam_ring  # noqa: E402
from inpaint_bridge.nodes.common.stitch import BlendSettings, stitch_crops  # noqa: E402

GAIN = np.array([1.07, 0.96, 0.91], np.float32)
OFFSET = np.array([0.025, -0.01, 0.03], np.float32)
BLUR_PX = 16


def photos():
    return {
        "astronaut": data.astronaut(),
        "chelsea": data.chelsea(),
        "coffee": data.coffee(),
        "rocket": data.rocket(),
        "motorcycle": data.stereo_motorcycle()[0],
    }


def masks_for(h: int, w: int) -> list[np.ndarray]:
    """An ellipse and a rotated box per photo: object-like shapes away from the border."""
    ellipse = np.zeros((h, w), np.uint8)
    cv2.ellipse(ellipse, (w // 3, h // 2), (w // 9, h // 7), 20, 0, 360, 1, -1)
    box = np.zeros((h, w), np.uint8)
    rect = ((2 * w // 3, h // 3), (w // 6, h // 5), -15)
    cv2.fillPoly(box, [cv2.boxPoints(rect).astype(np.int32)], 1)
    return [ellipse, box]


def clean_crop(crop: np.ndarray, crop_mask: np.ndarray) -> np.ndarray:
    h, w = crop_mask.shape
    new = np.roll(crop, (h // 3, w // 3), axis=(0, 1))
    fade = feather((crop_mask > 0.5).astype(np.uint8), 6, "inner", "smooth")[..., None]
    return (crop * (1 - fade) + new * fade).astype(np.float32)


def sampled_like(clean: np.ndarray) -> np.ndarray:
    return np.clip(cv2.GaussianBlur(clean, (0, 0), 0.8) * GAIN + OFFSET, 0, 1).astype(np.float32)


def full_size_fill(original: np.ndarray, handle, fills: np.ndarray) -> np.ndarray:
    """The fills resized back into their windows on a copy of the original (what a compositor pastes)."""
    out = original.copy()
    height, width = original.shape[:2]
    for i, record in enumerate(handle.crops):
        w = record.window
        inside = w.inside(width, height)
        back = resize_hwc(torch.from_numpy(fills[i]), w.width, w.height).numpy()
        oy, ox = inside.y0 - w.y0, inside.x0 - w.x0
        out[inside.y0 : inside.y1, inside.x0 : inside.x1] = back[oy : oy + inside.height, ox : ox + inside.width]
    return out


def global_match(original: np.ndarray, fill: np.ndarray, handle) -> np.ndarray:
    """Per-channel mean/std transfer of each pasted crop onto the original's crop, over the whole crop."""
    out = fill.copy()
    height, width = original.shape[:2]
    for record in handle.crops:
        w = record.window.inside(width, height)
        f, o = fill[w.y0 : w.y1, w.x0 : w.x1], original[w.y0 : w.y1, w.x0 : w.x1]
        gain = o.std((0, 1)) / np.maximum(f.std((0, 1)), 1e-6)
        out[w.y0 : w.y1, w.x0 : w.x1] = np.clip((f - f.mean((0, 1))) * gain + o.mean((0, 1)), 0, 1)
    return out


def core_composite(composite_node, original: np.ndarray, fill: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    (out,) = composite_node.composite(
        torch.from_numpy(original)[None], torch.from_numpy(fill)[None], 0, 0, False, torch.from_numpy(alpha)[None]
    )
    return out[0].numpy()


def main():
    composite_node = import_comfy_module("comfy_extras.nodes_mask").ImageCompositeMasked()
    # The node's defaults (grow 2, feather 8) for each blend, and multiband at two other band shapes.
    ours = {f"ours {mode} grow 2 feather 8": (mode, 2, 8) for mode in ("multiband", "linear", "poisson")}
    ours |= {f"ours multiband grow {g} feather {f}": ("multiband", g, f) for g, f in ((0, 16), (4, 16))}
    methods = ["hard paste", "blurred", "global match", *ours]
    scores = {m: {"de": [], "grad": [], "s": []} for m in methods}
    for name, photo in photos().items():
        original = photo.astype(np.float32) / 255
        for mask in masks_for(*original.shape[:2]):
            cut = crop_for_inpaint(
                torch.from_numpy(original)[None], torch.from_numpy(mask.astype(np.float32))[None],
                ContextRule("pixels", 48), 256, 256,
            )  # fmt: skip
            crops, crop_masks = cut.crops.numpy(), cut.crop_masks.numpy()
            cleans = np.stack([clean_crop(c, m) for c, m in zip(crops, crop_masks, strict=True)])
            fills = np.stack([sampled_like(c) for c in cleans])
            hard = mask > 0
            clean = np.where(hard[..., None], full_size_fill(original, cut.handle, cleans), original)
            pasted = full_size_fill(original, cut.handle, fills)
            blurred = gaussian_blur(mask.astype(np.float32), BLUR_PX)
            ring = seam_ring(hard) | seam_ring(~hard)
            results = {"hard paste": np.where(hard[..., None], pasted, original)}
            results["blurred"] = core_composite(composite_node, original, pasted, blurred)
            results["global match"] = core_composite(
                composite_node, original, global_match(original, pasted, cut.handle), blurred
            )
            for label, (mode, g, f) in ours.items():
                t = time.perf_counter()
                out = stitch_crops(cut.handle, torch.from_numpy(fills), BlendSettings(g, f, "ring", 8, mode))
                scores[label]["s"].append(time.perf_counter() - t)
                results[label] = out.images[0].numpy()
            for method, result in results.items():
                scores[method]["de"].append(seam_delta_e(result, clean, ring))
                scores[method]["grad"].append(seam_gradient_jump(result, clean, ring))
            row(name, *(f"{scores[m]['de'][-1]:.2f}" for m in methods))
    base = statistics.mean(scores["blurred"]["de"])
    row("method", "mean ΔE (4 px ring)", "ratio vs blurred", "mean gradient jump (L*/px)", "stitch median s")
    for method in methods:
        de = statistics.mean(scores[method]["de"])
        grad = statistics.mean(scores[method]["grad"])
        t = f"{statistics.median(scores[method]['s']):.3f}" if scores[method]["s"] else "-"
        row(method, f"{de:.3f}", f"{de / base:.2f}", f"{grad:.3f}", t)


if __name__ == "__main__":
    main()
