"""Makes docs/inpaint_geometry.jpg: crop/stitch geometry, the seam bench side by side, outpaint geometry.

Run: .venv/bin/python bench/inpaint_figure.py

No diffusion checkpoint exists here, so the figure shows what the nodes decide and
what the seam bench measures, not a sampled result:
1. the inpaint example: painted regions (red), one crop window per region (yellow; each
   resized to 512² for the sampler), the stitch's blend band (green tint);
2. a seam close-up on the same photo with the seam bench's synthetic sampled fill
   (colour drift + VAE softening): core ImageCompositeMasked with a 16 px blurred mask
   (left) vs IB_InpaintStitch's defaults (right);
3. the outpaint example: the canvas Outpaint Expand makes (edge pre-fill), the new
   area (red) and the overlap band fading into the original (orange).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import ROOT, import_comfy_module  # noqa: E402
from inpaint_seams import clean_crop, core_composite, full_size_fill, sampled_like  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from inpaint_bridge.nodes.common.crop_plan import ContextRule  # noqa: E402
from inpaint_bridge.nodes.common.inpaint_crop import crop_for_inpaint  # noqa: E402
from inpaint_bridge.nodes.common.mask_soft import gaussian_blur  # noqa: E402
from inpaint_bridge.nodes.common.outpaint_expand import expand, plan_padding  # noqa: E402
from inpaint_bridge.nodes.common.stitch import BlendSettings, stitch_crops  # noqa: E402

HEIGHT = 300
CAPTION = 30
CAPTIONS = (
    "a crop per region (yellow), blend band (green)",
    "synthetic fill: blurred mask | IB_InpaintStitch",
    "outpaint: new area (red), overlap band (orange)",
)


def tint(rgb: np.ndarray, where: np.ndarray, colour, strength) -> np.ndarray:
    out = rgb.astype(np.float32)
    s = np.asarray(strength, np.float32)[..., None] if np.ndim(strength) else np.float32(strength)
    out[where] = out[where] * (1 - (s[where] if np.ndim(strength) else s)) + np.array(colour) * (
        s[where] if np.ndim(strength) else s
    )
    return out.clip(0, 255).astype(np.uint8)


def to_height(image: Image.Image, height: int = HEIGHT) -> Image.Image:
    return image.resize((round(image.width * height / image.height), height), Image.LANCZOS)


def geometry_panel(rgba: np.ndarray):
    photo = rgba[..., :3]
    mask = (rgba[..., 3] == 0).astype(np.float32)
    image = torch.from_numpy(photo.astype(np.float32) / 255)[None]
    cut = crop_for_inpaint(image, torch.from_numpy(mask)[None], ContextRule("pixels", 64, minimum=32), 512, 512)
    result = stitch_crops(cut.handle, cut.crops, BlendSettings())
    alpha = result.alphas[0].numpy()
    shown = tint(photo, (alpha > 0) & (mask == 0), (60, 220, 90), 0.55)
    shown = tint(shown, mask > 0, (230, 40, 40), 0.6)
    picture = Image.fromarray(shown)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=18)
    for record in cut.handle.crops:
        w = record.window
        draw.rectangle([w.x0, w.y0, w.x1 - 1, w.y1 - 1], outline=(255, 220, 0), width=3)
        draw.text((w.x0 + 6, w.y0 + 4), f"{w.width}x{w.height} -> 512x512", fill=(255, 220, 0), font=font)
    return picture, cut, mask


def seam_panel(photo: np.ndarray, cut, mask: np.ndarray) -> Image.Image:
    original = photo.astype(np.float32) / 255
    cleans = np.stack([clean_crop(c, m) for c, m in zip(cut.crops.numpy(), cut.crop_masks.numpy(), strict=True)])
    fills = np.stack([sampled_like(c) for c in cleans])
    pasted = full_size_fill(original, cut.handle, fills)
    composite = import_comfy_module("comfy_extras.nodes_mask").ImageCompositeMasked()
    blurred = core_composite(composite, original, pasted, gaussian_blur(mask, 16))
    ours = stitch_crops(cut.handle, torch.from_numpy(fills), BlendSettings()).images[0].numpy()
    ys, xs = np.nonzero(mask)
    # The spoon's region (the right one), with some surroundings.
    right = xs > xs.mean()
    y0, y1 = ys[right].min() - 30, ys[right].max() + 30
    x0, x1 = xs[right].min() - 30, xs[right].max() + 30
    tiles = [(np.clip(a[y0:y1, x0:x1], 0, 1) * 255).round().astype(np.uint8) for a in (blurred, ours)]
    gap = np.full((tiles[0].shape[0], 6, 3), 255, np.uint8)
    return Image.fromarray(np.concatenate([tiles[0], gap, tiles[1]], 1))


def outpaint_panel() -> Image.Image:
    photo = np.array(Image.open(ROOT / "example_workflows" / "input" / "ib_example_outpaint.png").convert("RGB"))
    image = torch.from_numpy(photo.astype(np.float32) / 255)[None]
    padding = plan_padding(photo.shape[1], photo.shape[0], "fraction", fractions=(0.3, 0.0, 0.3, 0.0))
    canvas, mask = expand(image, padding, overlap=32, method="edge")
    rgb = (canvas[0].numpy() * 255).round().astype(np.uint8)
    m = mask[0].numpy()
    shown = tint(rgb, m >= 1, (230, 40, 40), 0.45)
    return Image.fromarray(tint(shown, (m > 0) & (m < 1), (255, 150, 0), m * 0.8))


def main():
    rgba = np.array(Image.open(ROOT / "example_workflows" / "input" / "ib_example_inpaint.png").convert("RGBA"))
    geometry, cut, mask = geometry_panel(rgba)
    panels = [to_height(geometry), to_height(seam_panel(rgba[..., :3], cut, mask)), to_height(outpaint_panel())]
    width = sum(p.width for p in panels) + 12 * (len(panels) - 1)
    sheet = Image.new("RGB", (width, HEIGHT + CAPTION), (255, 255, 255))
    draw, font = ImageDraw.Draw(sheet), ImageFont.load_default(size=16)
    x = 0
    for panel, caption in zip(panels, CAPTIONS, strict=True):
        draw.text((x + 4, 6), caption, fill=(20, 20, 20), font=font)
        sheet.paste(panel, (x, CAPTION))
        x += panel.width + 12
    sheet.save(ROOT / "docs" / "inpaint_geometry.jpg", quality=90, optimize=True)
    print("wrote docs/inpaint_geometry.jpg", sheet.size)


if __name__ == "__main__":
    main()
