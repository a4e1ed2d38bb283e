"""Weight-free erase quality: exemplar (PatchMatch) vs OpenCV Telea / Navier–Stokes on real photos.

Holes shaped like a mask of the default segmentation model (SAM on the astronaut's
head, scaled) are cut at seeded random places into skimage photos, so the truth is
known. Each engine fills them (no dilation, whole image) and is scored in the hole:

- PSNR: pixel fidelity. It rewards a smooth average over a plausible but shifted
  texture, so it flatters diffusion (Telea / NS) — reported, not the verdict;
- texture error |1 - E_fill / E_orig|, E = mean gradient magnitude inside the hole:
  0 = the fill has the photo's grain, 1 = a flat smear;
- seam error: |E| difference on the hole's 3-px border ring (inside and out) relative
  to the original: visible edges or blur at the border score high.

``exemplar`` is the default engine (PatchMatch by pypatchmatch).

Run: .venv/bin/python bench/erase_quality.py [--holes 3]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from _common import row  # noqa: E402
from erase import place, psnr, segmentation_shape  # noqa: E402
from skimage import data  # noqa: E402

from inpaint_bridge.nodes.common import erase_engines  # noqa: E402

PHOTOS = ("astronaut", "brick", "grass", "gravel", "chelsea", "coffee", "rocket")
SIDE = 384  # longest side of each photo: small enough for two shared cores


def engines() -> dict:
    if not erase_engines.library_available():
        raise SystemExit("pypatchmatch does not load here: the exemplar engine would be Telea")
    return {name: erase_engines.classical_engine(name) for name in ("exemplar", "telea", "navier_stokes")}


def photo(name: str) -> np.ndarray:
    img = getattr(data, name)()
    img = np.dstack([img] * 3) if img.ndim == 2 else img[..., :3]
    h, w = img.shape[:2]
    s = SIDE / max(h, w)
    return cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)


def gradient(img: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))


def scores(original: np.ndarray, out: np.ndarray, hole: np.ndarray) -> dict:
    g0, g1 = gradient(original), gradient(out)
    ring = cv2.dilate(hole.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    ring &= ~(cv2.erode(hole.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0)
    return {
        "psnr": psnr(out[hole], original[hole]),
        "texture": abs(1 - g1[hole].mean() / max(g0[hole].mean(), 1e-6)),
        "seam": abs(g1[ring].mean() - g0[ring].mean()) / max(g0[ring].mean(), 1e-6),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--holes", type=int, default=3, help="holes per photo")
    args = parser.parse_args()
    shape = segmentation_shape()
    rng = np.random.default_rng(0)
    fills = engines()
    results = {name: {"psnr": [], "texture": [], "seam": [], "time": []} for name in fills}
    for name in PHOTOS:
        img = photo(name)
        h, w = img.shape[:2]
        for _ in range(args.holes):
            scale = rng.uniform(0.25, 0.45)
            ph, pw = int(shape.shape[0] * scale), int(shape.shape[1] * scale)
            centre = (int(rng.integers(ph // 2 + 4, h - ph // 2 - 4)), int(rng.integers(pw // 2 + 4, w - pw // 2 - 4)))
            hole = place(shape, (h, w), scale, centre)
            for engine_name, fill in fills.items():
                start = time.perf_counter()
                out = fill(img, hole, 0)
                results[engine_name]["time"].append(time.perf_counter() - start)
                for key, value in scores(img, out, hole).items():
                    results[engine_name][key].append(value)

    n = len(PHOTOS) * args.holes
    print(f"{n} SAM-shaped holes in {len(PHOTOS)} photos (longest side {SIDE}); medians over holes")
    row("engine", "PSNR dB (higher)", "texture err (lower)", "seam err (lower)", "time ms")
    for engine_name, r in results.items():
        med = {k: statistics.median(v) for k, v in r.items()}
        row(
            engine_name, f"{med['psnr']:.2f}", f"{med['texture']:.3f}", f"{med['seam']:.3f}", f"{med['time'] * 1e3:.1f}"
        )
    for other in ("telea", "navier_stokes"):
        for key in ("texture", "seam"):
            wins = sum(a < b for a, b in zip(results["exemplar"][key], results[other][key], strict=True))
            print(f"exemplar has the lower {key} error than {other} on {wins}/{n} holes")
        wins = sum(a > b for a, b in zip(results["exemplar"]["psnr"], results[other]["psnr"], strict=True))
        print(f"exemplar has the higher PSNR than {other} on {wins}/{n} holes")


if __name__ == "__main__":
    main()
