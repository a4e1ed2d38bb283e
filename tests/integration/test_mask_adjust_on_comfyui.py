"""Mask adjust nodes inside the real ComfyUI, against the contracts' own algorithms."""

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from support.graph import GraphBuilder


def _horse_mask_picture(size=(200, 164)) -> np.ndarray:
    """A real silhouette (skimage's horse: black horse on white), resized; white = masked."""
    horse = ~data.horse()  # True on the horse
    return cv2.resize(horse.astype(np.uint8) * 255, size, interpolation=cv2.INTER_NEAREST)


def _run_mask_graph(comfy, picture: Image.Image, name: str, build) -> np.ndarray:
    g = GraphBuilder()
    load = g.node("LoadImage", image=comfy.upload_image(picture, name))
    mask = build(g, load)
    save = g.node("SaveImage", images=g.node("MaskToImage", mask=mask).out(0), filename_prefix="ib_mask")
    outputs = comfy.run(g.build())
    return comfy.view(outputs[save.id]["images"][0])[..., 0]


@pytest.mark.parametrize("operate,k", [("expand", 6), ("shrink", 3)])
def test_iopaint_adjust_mask_is_reproduced_exactly(comfy, operate, k):
    # IOPaint's frontend stroke colour on transparent, over a real silhouette.
    sil = _horse_mask_picture()
    rgba = np.zeros(sil.shape + (4,), np.uint8)
    rgba[sil > 0] = (255, 205, 0, 187)

    def build(g, load):
        m = g.node("IB_MaskFromImage", image=load.out(0), rule="luminance", threshold=126, invert=False)
        radius = k if operate == "expand" else -k
        return g.node("IB_MaskGrow", mask=m.out(0), radius=radius, kernel="ellipse_iopaint").out(0)

    got = _run_mask_graph(comfy, Image.fromarray(rgba, "RGBA"), f"iopaint_{operate}.png", build)
    # IOPaint: L >= 127 -> 255, then dilate/erode with an ellipse of (2k+1)².
    binary = np.where(np.asarray(Image.fromarray(rgba, "RGBA").convert("L")) >= 127, 255, 0).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    expected = cv2.dilate(binary, kernel) if operate == "expand" else cv2.erode(binary, kernel)
    assert np.array_equal(got, expected)


def test_fooocus_erode_or_dilate_then_cleanup_and_feather(comfy):
    sil = _horse_mask_picture()
    speckled = sil.copy()
    speckled[5, 5] = speckled[150, 10] = 255  # specks a clean-up must remove
    picture = Image.fromarray(np.dstack([speckled] * 3))

    def build(g, load):
        m = g.node("IB_MaskFromImage", image=load.out(0), rule="rgb_mean", threshold=127, invert=False)
        grown = g.node("IB_MaskGrow", mask=m.out(0), radius=4, kernel="square")
        clean = g.node(
            "IB_MaskCleanup",
            mask=grown.out(0),
            min_island_area=200,
            fill_holes=False,
            max_hole_area=0,
            keep=0,
            keep_which="largest",
            smooth=0,
        )
        return g.node("IB_MaskFeather", mask=clean.out(0), radius=6, direction="inner", falloff="linear").out(0)

    got = _run_mask_graph(comfy, picture, "fooocus_dilate.png", build)
    fooocus = cv2.dilate((speckled > 127).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=4)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fooocus, connectivity=8)
    big = np.isin(labels, [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= 200])
    assert got[5, 5] == 0 and got[150, 10] == 0
    assert (got[~big] == 0).all(), "inner feather must not reach outside the mask"
    interior = cv2.erode(big.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    assert (got[interior] == 255).all() and interior.any()
    edge = big & ~interior
    assert ((got[edge] > 0) & (got[edge] < 255)).any()
