import numpy as np
import pytest
import torch
from PIL import Image

from inpaint_bridge.nodes.common.mask_bounds import bounding_box, fit_span, mask_region
from inpaint_bridge.nodes.common.mask_convert import combine, mask_from_image


def _image(pixels) -> torch.Tensor:
    return torch.from_numpy(np.asarray(pixels, np.float32) / 255.0)[None]


def test_rgb_mean_rule_is_strictly_greater_than_127():
    img = _image([[[127, 127, 127], [127, 127, 126], [128, 127, 127], [255, 0, 129]]])
    # means 127, 126.67, 127.33, 128
    assert mask_from_image(img, "rgb_mean")[0, 0].tolist() == [0, 0, 1, 1]


def test_luminance_rule_equals_pil_convert_l_and_ignores_alpha():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (16, 16, 4), dtype=np.uint8)
    pil_l = np.asarray(Image.fromarray(rgba, "RGBA").convert("L"))
    ours = mask_from_image(_image(rgba), "luminance", threshold=127)[0].numpy()
    assert np.array_equal(ours.astype(bool), pil_l > 127)


def test_iopaint_yellow_brush_on_transparent_black_is_masked_by_luminance():
    # The frontend's #ffcc00bb stroke (L = 197) and its transparent (0,0,0,0) background.
    picture = _image([[[255, 205, 0, 187], [0, 0, 0, 0], [255, 204, 0, 111]]])
    assert mask_from_image(picture, "luminance")[0, 0].tolist() == [1, 0, 1]
    assert mask_from_image(picture, "luminance", threshold=197)[0, 0].tolist() == [0, 0, 0]


def test_alpha_rule_uses_fourth_channel_or_alpha_input_and_invert():
    rgba = _image([[[0, 0, 0, 255], [0, 0, 0, 0]]])
    assert mask_from_image(rgba, "alpha")[0, 0].tolist() == [1, 0]
    assert mask_from_image(rgba, "alpha", invert=True)[0, 0].tolist() == [0, 1]
    rgb = rgba[..., :3]
    assert mask_from_image(rgb, "alpha", alpha=torch.tensor([[[1.0, 0.0]]]))[0, 0].tolist() == [1, 0]
    with pytest.raises(ValueError, match="4 channels or the alpha input"):
        mask_from_image(rgb, "alpha")


def test_combine_operations_and_broadcast():
    a = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])
    b = torch.tensor([[[1.0, 0.0, 1.0, 0.0]], [[0.0, 0.0, 0.0, 0.0]]])
    assert combine(a, b, "union")[0, 0].tolist() == [1, 1, 1, 0]
    assert combine(a, b, "intersect")[0, 0].tolist() == [1, 0, 0, 0]
    assert combine(a, b, "subtract")[0, 0].tolist() == [0, 1, 0, 0]
    assert combine(a, b, "xor")[0, 0].tolist() == [0, 1, 1, 0]
    assert combine(a, b, "union").shape == (2, 1, 4)
    with pytest.raises(ValueError, match="mask sizes differ"):
        combine(a, torch.zeros(1, 2, 2), "union")


def test_region_margin_multiple_and_clamping():
    mask = torch.zeros(1, 100, 120)
    mask[0, 40:50, 50:55] = 1
    r = mask_region(mask, margin=10)
    assert (r.x, r.y, r.width, r.height) == (40, 30, 25, 30)
    r8 = mask_region(mask, margin=10, multiple=8)
    assert r8.width % 8 == 0 and r8.height % 8 == 0 and r8.x <= 40 and r8.x + r8.width >= 65
    edge = torch.zeros(1, 100, 120)
    edge[0, 0:3, 115:120] = 1
    r = mask_region(edge, margin=20, min_size=64)
    assert r.x + r.width == 120 and r.y == 0 and r.width == 64 and r.height == 64
    assert mask_region(torch.zeros(1, 5, 5)) is None


@pytest.mark.parametrize(
    ("span", "size", "expected"),
    [
        ((10, 30, 100), {}, (10, 30)),  # inside: unchanged
        ((-15, 25, 100), {}, (0, 40)),  # past the start: keeps its 40 px, the context from the other side
        ((80, 120, 100), {}, (60, 100)),  # past the end: the same
        ((-50, 150, 100), {}, (0, 100)),  # longer than the image: the whole image
        ((40, 50, 100), {"min_size": 30}, (30, 60)),  # grown about its centre
        ((40, 50, 100), {"multiple": 8}, (37, 53)),  # 10 -> 16, about its centre
        ((0, 10, 100), {"min_size": 30}, (0, 30)),  # grown at the edge: all of it on the inside
        ((0, 10, 12), {"multiple": 8}, (0, 12)),  # a multiple larger than the image: the image wins
    ],
)
def test_fit_span_is_the_one_window_rule(span, size, expected):
    lo, hi, length = span
    assert fit_span(lo, hi, length, **size) == expected


def test_region_at_the_image_edge_keeps_its_margin_by_taking_context_from_the_other_side():
    mask = torch.zeros(1, 100, 120)
    mask[0, 0:10, 110:120] = 1  # top-right corner
    r = mask_region(mask, margin=10)
    assert (r.x, r.y, r.width, r.height) == (90, 0, 30, 30)  # 10 + 2 × 10 on both axes, all inside


def test_bounding_box_is_exclusive_and_none_when_empty():
    on = np.zeros((6, 9), bool)
    assert bounding_box(on) is None
    on[2, 3] = True
    assert bounding_box(on) == (3, 2, 4, 3)
    on[5, 8] = True  # a second, separate pixel: the box spans both
    assert bounding_box(on) == (3, 2, 9, 6)
