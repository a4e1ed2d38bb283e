"""Crop planning and cutting for inpainting: windows, context modes, merging, mask clean-up."""

import dataclasses

import numpy as np
import pytest
import torch
from skimage import data

from inpaint_bridge.nodes.common.crop_plan import (
    UNBOUNDED_ROOM,
    ContextRule,
    Window,
    crop_size,
    plan_windows,
    room_in,
)
from inpaint_bridge.nodes.common.inpaint_crop import crop_for_inpaint, resize_hwc, window_pixels
from inpaint_bridge.nodes.common.inpaint_mask import prepare_mask, stabilise


def _support(h=400, w=600, *boxes):
    on = np.zeros((h, w), np.uint8)
    for x0, y0, x1, y1 in boxes:
        on[y0:y1, x0:x1] = 1
    return on


def _photo():
    return torch.from_numpy(data.astronaut()[:400, :480].copy()).float().div(255)[None]


def test_pixels_context_pads_the_region_and_takes_the_target_aspect():
    (window,) = plan_windows(_support(400, 600, (200, 150, 260, 190)), ContextRule("pixels", 20), 512, 256)
    assert window.width / window.height == pytest.approx(2.0, abs=0.02)
    # box 60×40 + 20 px a side = 100×80, then widened to 2:1 -> 160×80, centred on the box
    assert (window.width, window.height) == (160, 80)
    assert window.x0 <= 180 and window.x1 >= 280 and window.y0 <= 130 and window.y1 >= 210
    assert room_in(window, _support(400, 600, (200, 150, 260, 190))) == 20


def test_factor_context_scales_with_the_region():
    small = plan_windows(_support(400, 600, (100, 100, 110, 110)), ContextRule("factor", factor=1.0), 64, 64)[0]
    large = plan_windows(_support(400, 600, (100, 100, 200, 200)), ContextRule("factor", factor=1.0), 64, 64)[0]
    assert (small.width, large.width) == (30, 300)


def test_respective_field_spans_the_fraction_of_the_image_fooocus_asks_for():
    support = _support(400, 600, (290, 190, 310, 210))
    (window,) = plan_windows(support, ContextRule("respective_field", field=0.5), 64, 64)
    assert window.width >= 300 and window.height >= 200  # at least half of 600×400
    (whole,) = plan_windows(support, ContextRule("respective_field", field=1.0), 600, 400)
    assert whole == Window(0, 0, 600, 400)
    (tight,) = plan_windows(support, ContextRule("respective_field", field=0.0), 64, 64)
    assert tight.width == 23  # Fooocus' initial square: 1.15 × the region (20 px), rounded up


def test_window_at_the_edge_keeps_its_size_and_one_larger_than_the_image_is_centred():
    (edge,) = plan_windows(_support(400, 600, (0, 0, 30, 30)), ContextRule("pixels", 40), 64, 64)
    assert edge == Window(0, 0, 110, 110)  # context taken from the other side
    assert room_in(edge, _support(400, 600, (0, 0, 30, 30))) == 80  # image-border sides do not count
    (tall,) = plan_windows(_support(100, 600, (280, 10, 320, 90)), ContextRule("pixels", 30), 64, 64)
    assert tall.height == tall.width and tall.y0 < 0 and tall.y1 > 100  # padded above and below
    assert -tall.y0 in (tall.y1 - 100, tall.y1 - 100 - 1)


def test_far_regions_get_one_window_each_and_close_ones_merge():
    far = plan_windows(_support(400, 600, (20, 20, 60, 60), (500, 300, 560, 360)), ContextRule("pixels", 16), 64, 64)
    assert len(far) == 2 and not far[0].overlaps(far[1])
    close = plan_windows(
        _support(400, 600, (100, 100, 140, 140), (150, 100, 190, 140)), ContextRule("pixels", 16), 64, 64
    )
    assert len(close) == 1
    assert close[0].x0 <= 84 and close[0].x1 >= 206  # both regions plus their context
    # three in a row: merging the first pair makes a window reaching the third, which merges too
    chain = plan_windows(
        _support(400, 600, (100, 100, 120, 120), (150, 100, 170, 120), (205, 100, 225, 120)),
        ContextRule("pixels", 20),
        64,
        64,
    )
    assert len(chain) == 1


def test_whole_image_mode_is_one_window_scaled_to_the_target_area():
    rule = ContextRule("whole_image")
    assert plan_windows(_support(400, 600, (1, 1, 5, 5), (500, 300, 520, 320)), rule, 512, 512) == [
        Window(0, 0, 600, 400)
    ]
    assert crop_size(rule, 600, 400, 512, 512) == (624, 416)  # area 512², sides multiples of 8
    assert plan_windows(np.zeros((40, 40), np.uint8), rule, 64, 64) == []


def test_room_is_unbounded_for_a_window_covering_the_whole_image():
    support = _support(100, 100, (10, 10, 90, 90))
    assert room_in(Window(0, 0, 100, 100), support) == UNBOUNDED_ROOM


def test_bad_rules_are_clear_errors():
    with pytest.raises(ValueError, match="unknown context mode 'tight'"):
        ContextRule("tight")
    with pytest.raises(ValueError, match="respective field must be in 0..1"):
        ContextRule("respective_field", field=1.5)


def test_prepare_mask_snaps_near_binary_values_and_reports_clean_up():
    raw = np.zeros((60, 60), np.float32)
    raw[10:30, 10:30] = 0.995
    raw[15:20, 15:20] = 0.0  # a 25 px hole
    raw[50, 50] = 1.0  # a speck
    raw[40:45, 10:30] = 0.4  # soft part
    raw[0, :] = 0.004  # what resizing leaves behind
    before = raw.copy()
    prep = prepare_mask(raw, snap=0.02, min_island_area=4, max_hole_area=30)
    assert np.array_equal(raw, before)
    assert prep.mask[0].max() == 0 and prep.mask[12, 12] == 1.0
    assert prep.mask[50, 50] == 0 and prep.islands_removed == 1
    assert prep.mask[15:20, 15:20].min() == 1 and prep.holes_filled == 1
    assert prep.soft and prep.soft_pixels == 100
    assert prep.snapped_pixels == 60 + 20 * 20 - 25
    assert np.array_equal(stabilise(np.array([0.01, 0.5, 0.99])), np.array([0, 0.5, 1], np.float32))


def test_one_crop_per_region_all_target_sized_and_cut_from_the_right_place():
    image = _photo()
    mask = torch.zeros(1, 400, 480)
    mask[0, 40:80, 40:100] = 1
    mask[0, 300:340, 380:440] = 1
    result = crop_for_inpaint(image, mask, ContextRule("pixels", 24), 128, 96)
    assert result.crops.shape == (2, 96, 128, 3) and result.crop_masks.shape == (2, 96, 128)
    first = result.handle.crops[0].window
    expected = resize_hwc(window_pixels(image[0], first), 128, 96)
    assert torch.equal(result.crops[0], expected)
    assert result.crop_masks[0].max() == 1 and result.crop_masks[0][0, 0] == 0
    assert [r["regions"] for r in result.report()] == [2] and len(result.report()[0]["crops"]) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.handle.crops = ()


def test_a_crop_at_native_scale_is_the_image_pixels_exactly():
    image = _photo()
    mask = torch.zeros(1, 400, 480)
    mask[0, 100:140, 100:140] = 1  # 40 px + 12 a side = 64: no resize
    result = crop_for_inpaint(image, mask, ContextRule("pixels", 12), 64, 64)
    w = result.handle.crops[0].window
    assert torch.equal(result.crops[0], image[0, w.y0 : w.y1, w.x0 : w.x1])


def test_one_mask_broadcasts_over_a_batch_and_batches_pair_up():
    image = torch.cat([_photo(), _photo().flip(2)])
    mask = torch.zeros(1, 400, 480)
    mask[0, 40:80, 40:100] = 1
    result = crop_for_inpaint(image, mask, ContextRule("pixels", 16), 64, 64)
    assert [c.image_index for c in result.handle.crops] == [0, 1]
    assert not torch.equal(result.crops[0], result.crops[1])
    masks = torch.zeros(2, 400, 480)
    masks[1, 10:20, 10:20] = 1
    masks[0, 10:20, 10:20] = 1
    masks[0, 300:320, 300:320] = 1
    paired = crop_for_inpaint(image, masks, ContextRule("pixels", 16), 64, 64)
    assert [c.image_index for c in paired.handle.crops] == [0, 0, 1]


def test_crop_errors_say_what_to_fix():
    image, mask = _photo(), torch.zeros(1, 400, 480)
    with pytest.raises(ValueError, match="mask is empty after clean-up"):
        crop_for_inpaint(image, mask, ContextRule())
    mask[0, 10:20, 10:20] = 1
    with pytest.raises(ValueError, match="multiple of 8"):
        crop_for_inpaint(image, mask, ContextRule(), target_width=100)
    with pytest.raises(ValueError, match="image is 480×400 but mask is 10×10"):
        crop_for_inpaint(image, torch.ones(1, 10, 10), ContextRule())
    with pytest.raises(ValueError, match="batch sizes do not match"):
        crop_for_inpaint(torch.cat([image] * 2), torch.cat([mask] * 3), ContextRule())
