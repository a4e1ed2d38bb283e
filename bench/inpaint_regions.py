"""Per-region crops vs one bounding box over all masks vs the whole image, sampled in the real ComfyUI.

Run: .venv/bin/python bench/inpaint_regions.py [--scale 0.25] [--steps 4] [--repeats 3]

A 2048² photo (skimage's astronaut, upscaled) with two 192² masks in opposite corners is
inpainted with the reduced SD1.5 test checkpoint (scripts/make_test_checkpoint.py,
TAESD) on a ComfyUI server started for the run, three ways, all at the same pixel
density (``--scale`` of the original resolution; 2 CPU cores cannot sample a 2048² latent):

1. ``per-region``: IB_Inpaint (one crop per region, 64 px context, both crops in one
   batch, seam-free stitch);
2. ``one box``: what Inpaint-CropAndStitch and Fooocus do with several masks: one crop
   over the bounding box of all masks plus the same context, with core nodes
   (ImageCrop, ImageScale, VAEEncode, SetLatentNoiseMask, KSampler, VAEDecode,
   ImageCompositeMasked);
3. ``whole image``: the same core chain on the whole image.

Each run uploads the photo under a new name, so nothing is served from ComfyUI's cache
(the checkpoint stays loaded, as in production). Prints median wall time per prompt,
the sampled latent area and the ratio to the one-box run. Goal: per-region ≤ 0.5×.
"""

import argparse
import os
import pathlib
import statistics
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from _common import row  # noqa: E402
from PIL import Image  # noqa: E402
from skimage import data  # noqa: E402

from support.comfy_server import ComfyServer  # noqa: E402
from support.graph import GraphBuilder  # noqa: E402
from support.test_checkpoints import PLAIN, place_test_checkpoints  # noqa: E402

SIZE, BOX, CONTEXT = 2048, 192, 64
MASKS = ((200, 200), (SIZE - 200 - BOX, SIZE - 200 - BOX))  # top-left corners


def round8(x: float) -> int:
    return max(8, int(round(x / 8)) * 8)


def sampler(g, model, clip, pixels, mask, vae, seed, steps):
    positive = g.node("CLIPTextEncode", text="a flower", clip=clip).out(0)
    negative = g.node("CLIPTextEncode", text="", clip=clip).out(0)
    latent = g.node("VAEEncode", pixels=pixels, vae=vae).out(0)
    latent = g.node("SetLatentNoiseMask", samples=latent, mask=mask).out(0)
    samples = g.node(
        "KSampler", model=model, seed=seed, steps=steps, cfg=5.0, sampler_name="euler", scheduler="normal",
        positive=positive, negative=negative, latent_image=latent, denoise=1.0,
    )  # fmt: skip
    return g.node("VAEDecode", samples=samples.out(0), vae=vae).out(0)


def scaled_mask(g, mask, width, height):
    image = g.node("MaskToImage", mask=mask).out(0)
    image = g.node("ImageScale", image=image, upscale_method="bilinear", width=width, height=height, crop="disabled")
    return g.node("ImageToMask", image=image.out(0), channel="red").out(0)


def core_crop_graph(g, load, mask, ckpt, box, scale, seed, steps):
    """Crop ``box`` (x, y, w, h), sample it at ``scale``, paste it back masked: core nodes only."""
    x, y, w, h = box
    sw, sh = round8(w * scale), round8(h * scale)
    crop = g.node("ImageCrop", image=load.out(0), width=w, height=h, x=x, y=y).out(0)
    crop_mask = g.node("CropMask", mask=mask, x=x, y=y, width=w, height=h).out(0)
    small = g.node("ImageScale", image=crop, upscale_method="bicubic", width=sw, height=sh, crop="disabled").out(0)
    decoded = sampler(g, ckpt.out(0), ckpt.out(1), small, scaled_mask(g, crop_mask, sw, sh), ckpt.out(2), seed, steps)
    back = g.node("ImageScale", image=decoded, upscale_method="bicubic", width=w, height=h, crop="disabled").out(0)
    return g.node(
        "ImageCompositeMasked", destination=load.out(0), source=back, x=x, y=y, resize_source=False, mask=crop_mask
    ).out(0), sw * sh // 64  # fmt: skip


def per_region_graph(g, load, mask, ckpt, scale, seed, steps):
    target = round8((BOX + 2 * CONTEXT) * scale)
    node = g.node(
        "IB_Inpaint", model=ckpt.out(0), clip=ckpt.out(1), vae=ckpt.out(2), image=load.out(0), mask=mask,
        positive="a flower", negative="", seed=seed, steps=steps, cfg=5.0, sampler_name="euler",
        scheduler="normal", denoise=1.0, count=1, conditioning="auto", differential_diffusion="auto",
        grow_mask_by=6, context_mode="pixels", context_pixels=CONTEXT, context_factor=0.5, respective_field=0.618,
        min_context=32, target_width=target, target_height=target, snap=0.02, min_island_area=0,
        max_hole_area=0, grow=2, feather=8, color_match="ring", ring_width=8, blend="multiband",
    )  # fmt: skip
    return node.out(0), len(MASKS) * target * target // 64


def run(comfy, strategy, name, scale, seed, steps) -> tuple[float, int]:
    g = GraphBuilder()
    load = g.node("LoadImage", image=name)
    mask = g.node("LoadImageMask", image="regions_mask.png", channel="red").out(0)
    ckpt = g.node("CheckpointLoaderSimple", ckpt_name=PLAIN)
    if strategy == "per-region":
        out, area = per_region_graph(g, load, mask, ckpt, scale, seed, steps)
    elif strategy == "one box":
        x0, y0 = MASKS[0][0] - CONTEXT, MASKS[0][1] - CONTEXT
        x1, y1 = MASKS[1][0] + BOX + CONTEXT, MASKS[1][1] + BOX + CONTEXT
        out, area = core_crop_graph(g, load, mask, ckpt, (x0, y0, x1 - x0, y1 - y0), scale, seed, steps)
    else:
        out, area = core_crop_graph(g, load, mask, ckpt, (0, 0, SIZE, SIZE), scale, seed, steps)
    g.node("PreviewImage", images=out)
    start = time.perf_counter()
    comfy.run(g.build())
    return time.perf_counter() - start, area


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.25, help="sampling density, same for all strategies")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    photo = cv2.resize(data.astronaut(), (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    for x, y in MASKS:
        mask[y : y + BOX, x : x + BOX] = 255
    with ComfyServer(pathlib.Path(tempfile.mkdtemp(prefix="ib-bench-"))) as server:
        place_test_checkpoints(server.models_dir / "checkpoints")
        comfy = server.client(timeout=1800)
        comfy.upload_image(Image.fromarray(mask), "regions_mask.png")
        strategies = ("per-region", "one box", "whole image")
        times = {s: [] for s in strategies}
        areas = {}
        for rep in range(args.repeats + 1):  # the first round warms up (model load, first allocations)
            for s in strategies:
                name = comfy.upload_image(Image.fromarray(photo), f"regions_{rep}_{s.replace(' ', '_')}.png")
                elapsed, areas[s] = run(comfy, s, name, args.scale, 1000 + rep, args.steps)
                if rep:
                    times[s].append(elapsed)
        base = statistics.median(times["one box"])
        row("strategy", "median s", "sampled latent px", "time vs one box")
        for s in strategies:
            t = statistics.median(times[s])
            row(s, f"{t:.2f}", areas[s], f"{t / base:.2f}")


if __name__ == "__main__":
    main()
