"""Mask morphology, feathering and hole filling vs ComfyUI core, OpenCV and SciPy.

Run: .venv/bin/python bench/mask_ops.py [--sizes 2048 4096] [--radii 8 32 64]
Prints median seconds and ratios (baseline time / ours: > 1 means we are faster),
and whether outputs are identical where the operations are the same.
"""

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from _common import import_comfy_module, median_time, row  # noqa: E402
from scipy import ndimage  # noqa: E402

from inpaint_bridge.nodes.common.mask_regions import fill_holes  # noqa: E402
from inpaint_bridge.nodes.common.mask_soft import feather  # noqa: E402
from inpaint_bridge.nodes.common.morphology import binary_grow, grow_mask, structuring_element  # noqa: E402


def blob_mask(size: int, seed: int = 0) -> np.ndarray:
    """Irregular blobs with specks, like a segmentation mask of several objects."""
    rng = np.random.default_rng(seed)
    small = (rng.random((size // 32, size // 32)) > 0.8).astype(np.uint8)
    blobs = cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR)
    noise = rng.random((size, size)) > 0.999
    return ((blobs > 0) ^ noise).astype(np.uint8)


def compare(op, size, radius, ours_fn, base_name, base_fn, repeats, same="-", base_repeats=None):
    ours = median_time(ours_fn, repeats=repeats)
    base = median_time(base_fn, repeats=base_repeats or repeats)
    row(op, size, radius, f"{ours:.3f}", base_name, f"{base:.3f}", f"{base / ours:.2f}x", same)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[2048, 4096])
    parser.add_argument("--radii", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    core = import_comfy_module("comfy_extras.nodes_mask").GrowMask()
    n = args.repeats

    row("op", "size", "radius", "ours s", "baseline", "baseline s", "baseline/ours", "identical")
    for size in args.sizes:
        on = blob_mask(size)
        t = torch.from_numpy(on.astype(np.float32))[None]
        for r in args.radii:
            slow = 1  # core GrowMask takes seconds at these sizes: one timed run
            for kernel, tapered in (("diamond", True), ("square", False)):
                same = torch.equal(core.expand_mask(t, r, tapered)[0], grow_mask(t, r, kernel=kernel))
                compare(
                    f"grow {kernel}",
                    size,
                    r,
                    lambda k=kernel: grow_mask(t, r, kernel=k),
                    f"core GrowMask(tapered={tapered})",
                    lambda tp=tapered: core.expand_mask(t, r, tp),
                    n,
                    same,
                    slow,
                )
            compare(
                "grow disc",
                size,
                r,
                lambda: grow_mask(t, r, kernel="disc"),
                "core GrowMask(tapered=True)",
                lambda: core.expand_mask(t, r, True),
                n,
                "- (other shape)",
                slow,
            )
            for kernel in ("ellipse_iopaint", "disc"):
                element = structuring_element(r, kernel)
                same = np.array_equal(binary_grow(on, r, kernel), cv2.dilate(on, element))
                compare(
                    f"grow {kernel}",
                    size,
                    r,
                    lambda k=kernel: binary_grow(on, r, k),
                    f"cv2.dilate {kernel} kernel",
                    lambda e=element: cv2.dilate(on, e),
                    n,
                    same,
                )
            k = 2 * r + 1
            compare(
                "feather outer smooth",
                size,
                r,
                lambda: feather(on, r, "outer", "smooth"),
                "cv2.GaussianBlur (IOPaint-style mask blur)",
                lambda: cv2.GaussianBlur(on.astype(np.float32), (k, k), 0),
                n,
            )
        same = np.array_equal(fill_holes(on), ndimage.binary_fill_holes(on).astype(np.uint8))
        compare(
            "fill holes",
            size,
            "-",
            lambda: fill_holes(on),
            "scipy binary_fill_holes",
            lambda: ndimage.binary_fill_holes(on),
            n,
            same,
        )


if __name__ == "__main__":
    main()
