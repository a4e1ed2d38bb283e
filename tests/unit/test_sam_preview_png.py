"""The preview mask travels as a small 1-bit PNG: masked pixels opaque in the mask colour, the rest transparent."""

import io

import numpy as np
from PIL import Image

from inpaint_bridge.nodes.common.sam_preview import MASK_COLOUR, mask_png


def test_mask_png_round_trip():
    mask = np.zeros((1024, 768), bool)
    mask[100:600, 200:500] = True
    mask[700:, :50] = True
    png = mask_png(mask)
    rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert np.array_equal(rgba[..., 3] > 0, mask)
    assert (rgba[mask][:, :3] == MASK_COLOUR).all() and (rgba[~mask][:, 3] == 0).all()
    assert len(png) < 10_000, "a 1-bit PNG: a few kB for a megapixel mask"


def test_an_empty_mask_is_all_transparent():
    rgba = np.asarray(Image.open(io.BytesIO(mask_png(np.zeros((8, 8), bool)))).convert("RGBA"))
    assert not rgba[..., 3].any()
