import numpy as np
import pytest
from scipy import ndimage

from inpaint_bridge.nodes.common.mask_regions import clean_mask, fill_holes, keep_regions, remove_islands
from inpaint_bridge.nodes.common.mask_soft import feather, gaussian_blur, smooth_edges


def _ring_with_speck():
    on = np.zeros((20, 20), np.uint8)
    on[3:12, 3:12] = 1
    on[5:10, 5:10] = 0  # a 25 px hole
    on[7, 7] = 1  # an island inside the hole
    on[17, 17] = 1  # a 1 px speck
    return on


def test_fill_holes_equals_scipy_binary_fill_holes_on_random_masks():
    rng = np.random.default_rng(5)
    for _ in range(5):
        on = ndimage.binary_dilation(rng.random((60, 70)) > 0.97, iterations=2).astype(np.uint8)
        # scipy fills 4-connected background holes, our pairing too
        assert np.array_equal(fill_holes(on), ndimage.binary_fill_holes(on).astype(np.uint8))


def test_hole_area_limit_and_islands():
    on = _ring_with_speck()
    assert fill_holes(on, max_area=10).sum() == on.sum()  # the 24 px hole is too big
    assert fill_holes(on, max_area=24)[5:10, 5:10].all()
    cleaned = remove_islands(on, min_area=2)
    assert cleaned[17, 17] == 0 and cleaned[7, 7] == 0 and cleaned[3, 3] == 1


def test_keep_largest_and_smallest():
    on = _ring_with_speck()
    largest = keep_regions(on, 1, largest=True)
    assert largest[3, 3] == 1 and largest[17, 17] == 0 and largest[7, 7] == 0
    smallest = keep_regions(on, 2, largest=False)
    assert smallest.sum() == 2 and smallest[17, 17] == 1 and smallest[7, 7] == 1
    assert not keep_regions(np.zeros((4, 4), np.uint8), 3).any()


def test_clean_mask_runs_islands_then_holes_then_keep():
    on = _ring_with_speck()
    out = clean_mask(on, min_island_area=2, fill_all_holes=True, keep=1)
    expected = np.zeros_like(on)
    expected[3:12, 3:12] = 1
    assert np.array_equal(out, expected)


def test_outer_feather_keeps_mask_and_fades_to_zero_at_radius():
    on = np.zeros((1, 41), np.uint8)
    on[0, 20] = 1
    out = feather(on, 4, "outer", "linear")[0]
    assert out[20] == 1.0
    assert out[21] == pytest.approx(1 - 1 / 5) and out[24] == pytest.approx(1 / 5)
    assert out[25] == 0 and out[15] == 0
    assert np.all(np.diff(out[20:26]) < 0)  # strictly falling


@pytest.mark.parametrize("falloff", ["linear", "smooth", "gaussian"])
def test_inner_feather_never_touches_outside_and_both_is_centred(falloff):
    on = np.zeros((64, 64), np.uint8)
    on[16:48, 16:48] = 1
    inner = feather(on, 6, "inner", falloff)
    assert (inner[on == 0] == 0).all() and inner[32, 32] == 1.0 and 0 < inner[16, 32] < 1
    both = feather(on, 6, "both", falloff)
    assert 0 < both[15, 32] < 0.5 < both[16, 32] < 1
    outer = feather(on, 6, "outer", falloff)
    assert (outer[on == 1] == 1).all() and outer.max() <= 1 and outer.min() >= 0


def test_feather_of_empty_or_full_mask_is_unchanged():
    assert not feather(np.zeros((5, 5), np.uint8), 3).any()
    assert (feather(np.ones((5, 5), np.uint8), 3, "inner") == 1).all()


def test_blur_matches_opencv_and_smooth_removes_a_notch():
    import cv2

    m = (np.random.default_rng(1).random((30, 30)) > 0.5).astype(np.float32)
    assert np.array_equal(gaussian_blur(m, 3), cv2.GaussianBlur(m, (7, 7), 0, borderType=cv2.BORDER_REPLICATE))
    on = np.zeros((30, 30), np.uint8)
    on[5:25, 5:25] = 1
    on[15, 5] = 0  # one-pixel notch in the edge
    assert smooth_edges(on, 2)[15, 5] == 1
