"""The outpaint preview's facts (nodes/common/outpaint_preview.py): the node's geometry at full size, its
own pre-fill and mask on a downscaled copy, and the settings read from the frontend's widget values."""

import base64
import io
import random

import numpy as np
import pytest
from PIL import Image
from skimage import data

from inpaint_bridge.nodes.common.outpaint_expand import (
    ExpandSettings,
    Padding,
    kept_area,
    outpaint_mask,
    plan_padding,
)
from inpaint_bridge.nodes.common.outpaint_preview import PREVIEW_SIDE, outpaint_preview
from support.outpaint_settings import random_settings


def _decoded(url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


@pytest.mark.parametrize("seed", range(60))
def test_kept_area_is_exactly_where_the_mask_is_zero(seed):
    rng = random.Random(seed)
    width, height = rng.randint(8, 120), rng.randint(8, 120)
    padding = Padding(*(rng.choice([0, rng.randint(1, 40)]) for _ in range(4)))
    overlap = rng.choice([0, 1, rng.randint(2, 70)])
    x0, y0, x1, y1 = kept_area(width, height, padding, overlap)
    zero = np.zeros(padding.canvas(width, height)[::-1], bool)
    zero[y0:y1, x0:x1] = True
    assert np.array_equal(outpaint_mask(width, height, padding, overlap) == 0, zero)


@pytest.mark.parametrize("seed", range(40))
def test_geometry_is_the_nodes_for_any_widget_values(seed):
    rng = random.Random(seed)
    width, height = rng.randint(16, 2000), rng.randint(16, 2000)
    values = random_settings(rng, width, height)
    settings = ExpandSettings.from_values(values)
    answer = outpaint_preview(width, height, settings)
    padding = plan_padding(
        width,
        height,
        values["mode"],
        tuple(values[s] for s in ("left", "top", "right", "bottom")),
        tuple(values[f"{s}_fraction"] for s in ("left", "top", "right", "bottom")),
        (values["target_width"], values["target_height"]),
        values["anchor"],
        values["multiple"],
    )
    canvas_width, canvas_height = padding.canvas(width, height)
    assert answer["outpaint"] == {**padding.as_dict(), "width": canvas_width, "height": canvas_height}
    assert answer["original"] == [padding.left, padding.top, padding.left + width, padding.top + height]
    assert answer["kept"] == list(kept_area(width, height, padding, values["overlap"]))
    pixels = answer["pixels"]
    assert pixels["canvas"] is None, "no picture: the mask only"
    assert max(pixels["width"], pixels["height"]) <= PREVIEW_SIDE + 2
    assert abs(pixels["width"] / pixels["height"] - canvas_width / canvas_height) < 0.05 * canvas_width / canvas_height


@pytest.mark.parametrize("prefill", ["edge", "grey", "telea"])
def test_pixels_are_the_nodes_expand_of_the_downscaled_photo(prefill):
    photo = data.astronaut()  # 512²
    settings = ExpandSettings(mode="fraction", left_fraction=0.5, top_fraction=0.25, overlap=40, prefill=prefill)
    answer = outpaint_preview(512, 512, settings, photo)
    assert answer["outpaint"] == {"left": 256, "top": 128, "right": 0, "bottom": 0, "width": 768, "height": 640}
    scale = answer["scale"]
    assert scale == PREVIEW_SIDE / 768
    canvas, mask = _decoded(answer["pixels"]["canvas"]), _decoded(answer["pixels"]["mask"])
    left, top, side = round(256 * scale), round(128 * scale), round(512 * scale)  # 107, 53, 213
    assert canvas.shape[:2] == mask.shape[:2] == (top + side, left + side)
    small = np.asarray(Image.fromarray(photo).resize((side, side), Image.BOX)).astype(int)
    placed = canvas[top : top + side, left : left + side].astype(int)
    assert np.abs(placed - small).mean() < 4, "the photo sits where the node puts it (JPEG-close)"
    alpha = mask[..., 3]
    assert (alpha[:top] == 255).all() and (alpha[:, :left] == 255).all(), "the new area is masked"
    band = round(40 * scale)
    assert (alpha[top + band + 1 :, left + band + 1 :] == 0).all() and alpha[top + band // 2, left + side // 2] > 0
    if prefill == "grey":
        assert np.abs(canvas[: top - 8, : left - 8].astype(int) - 128).max() <= 3  # JPEG blurs the edge


def test_settings_take_the_nodes_defaults_and_refuse_wrong_types():
    assert ExpandSettings.from_values({}) == ExpandSettings()
    assert ExpandSettings.from_values({"left_fraction": 1, "unknown": [1]}).left_fraction == 1.0
    for values, says in [
        ({"left": 4.5}, "left must be int"),
        ({"left": True}, "left must be int"),
        ({"top_fraction": "0.3"}, "top_fraction must be a number"),
        ({"top_fraction": float("nan")}, "top_fraction must be a number"),
        ({"mode": 3}, "mode must be str"),
        ({"prefill": "lama"}, "unknown pre-fill 'lama'"),
        ({"overlap": -1}, "overlap must not be negative"),
        ({"multiple": 0}, "multiple must be at least 1"),
    ]:
        with pytest.raises(ValueError, match=says):
            ExpandSettings.from_values(values)
    with pytest.raises(ValueError, match="settings must be an object"):
        ExpandSettings.from_values([1, 2])


def test_settings_the_node_refuses_are_refused_with_its_message():
    with pytest.raises(ValueError, match="smaller than the image"):
        outpaint_preview(600, 400, ExpandSettings(mode="target", target_width=512, target_height=512))
    with pytest.raises(ValueError, match="unknown expand mode"):
        outpaint_preview(600, 400, ExpandSettings(mode="percent"))
    with pytest.raises(ValueError, match="not 600×400"):
        outpaint_preview(600, 400, ExpandSettings(), np.zeros((10, 10, 3), np.uint8))
