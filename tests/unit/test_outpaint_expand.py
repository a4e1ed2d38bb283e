"""Outpaint expansion: exact sizes and rounding, the mask's overlap band, pre-fills that keep the original."""

import numpy as np
import pytest
import torch
from skimage import data

from inpaint_bridge.nodes.common.outpaint_expand import PREFILL_METHODS, Padding, expand, outpaint_mask, plan_padding


def _photo(h=100, w=150):
    return torch.from_numpy(data.coffee()[:h, :w].copy()).float().div(255)[None]


def test_pixels_mode_rounds_padded_axes_to_the_multiple_on_the_padded_sides():
    assert plan_padding(150, 100, "pixels", (12, 0, 0, 0)) == Padding(18, 0, 0, 0)  # 168 wide; height untouched
    assert plan_padding(150, 100, "pixels", (10, 6, 20, 0)) == Padding(12, 12, 22, 0)  # 184 × 112, split evenly
    assert plan_padding(150, 100, "pixels", (10, 6, 20, 0), multiple=1) == Padding(10, 6, 20, 0)
    assert plan_padding(160, 96, "pixels", (8, 0, 8, 0)) == Padding(8, 0, 8, 0)


def test_fraction_mode_is_fooocus_thirty_percent_of_the_side():
    # Fooocus: left/right by int(W * 0.3), top/bottom by int(H * 0.3)
    pad = plan_padding(200, 120, "fraction", fractions=(0.3, 0.0, 0.0, 0.3), multiple=1)
    assert pad == Padding(60, 0, 0, 36)
    assert plan_padding(200, 120, "fraction", fractions=(0.3, 0.0, 0.0, 0.3)).canvas(200, 120) == (264, 160)


def test_target_mode_places_the_original_at_the_anchor():
    assert plan_padding(150, 100, "target", target=(256, 128), anchor="center") == Padding(53, 14, 53, 14)
    assert plan_padding(150, 100, "target", target=(256, 128), anchor="top-left") == Padding(0, 0, 106, 28)
    assert plan_padding(150, 100, "target", target=(256, 128), anchor="bottom-right") == Padding(106, 28, 0, 0)
    with pytest.raises(ValueError, match="smaller than the image"):
        plan_padding(150, 100, "target", target=(100, 100))


def test_mask_is_one_on_the_new_area_and_fades_exactly_overlap_pixels_into_the_original():
    pad = Padding(16, 0, 24, 0)
    mask = outpaint_mask(150, 100, pad, overlap=10)
    assert mask.shape == (100, 190)
    assert (mask[:, :16] == 1).all() and (mask[:, 166:] == 1).all()
    row = mask[50]
    assert (row[16:26] > 0).all() and (row[26:156] == 0).all()  # 10 px deep on the left ...
    assert (row[156:166] > 0).all() and row[155] == 0  # ... and on the right
    assert np.all(np.diff(row[15:27]) <= 0)
    assert (outpaint_mask(150, 100, pad, overlap=0)[:, 16:166] == 0).all()


@pytest.mark.parametrize("method", PREFILL_METHODS)
def test_every_prefill_keeps_the_original_exactly_and_fills_the_new_area(method):
    image = _photo()
    pad = Padding(8, 8, 16, 0)
    canvas, mask = expand(image, pad, overlap=8, method=method, seed=3)
    assert canvas.shape == (1, 108, 174, 3) and mask.shape == (1, 108, 174)
    assert torch.equal(canvas[0, 8:108, 8:158], image[0])
    new = canvas[0][mask[0] == 1]
    assert new.min() >= 0 and new.max() <= 1
    if method == "grey":
        assert (new == 0.5).all()
    if method == "edge":
        assert torch.equal(canvas[0, 50, :8], image[0, 42, :1].expand(8, 3))


def test_noise_prefill_is_seeded():
    image = _photo()
    pad = Padding(0, 0, 16, 0)
    a, _ = expand(image, pad, method="noise", seed=1)
    b, _ = expand(image, pad, method="noise", seed=1)
    c, _ = expand(image, pad, method="noise", seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="unknown expand mode"):
        plan_padding(10, 10, "percent")
    with pytest.raises(ValueError, match="must not be negative"):
        plan_padding(10, 10, "pixels", (-1, 0, 0, 0))
    with pytest.raises(ValueError, match="unknown pre-fill"):
        expand(_photo(), Padding(8, 0, 0, 0), method="lama")
