import sys

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from inpaint_bridge.nodes.common import erase_engines
from inpaint_bridge.nodes.common.erase_blend import blend_alpha, composite, grown_hole
from inpaint_bridge.nodes.common.erase_candidates import candidate_engines
from inpaint_bridge.nodes.common.erase_engines import classical_engine, exemplar_fill
from inpaint_bridge.nodes.common.erase_strategy import Box, region_windows, run_strategy


def _stripes(h=96, w=128, period=8):
    x = np.arange(w)
    row = np.where((x // (period // 2)) % 2 == 0, 40, 220).astype(np.uint8)
    return np.dstack([np.tile(row, (h, 1))] * 3)


def test_windows_one_per_region_and_overlaps_merged():
    hole = np.zeros((100, 200), bool)
    hole[10:20, 10:20] = True
    hole[70:80, 150:160] = True
    assert region_windows(hole, 5) == [Box(5, 5, 25, 25), Box(145, 65, 165, 85)]
    hole[20:30, 25:30] = True  # a third region whose window overlaps the first
    windows = region_windows(hole, 5)
    assert len(windows) == 2 and Box(5, 5, 35, 35) in windows


def test_windows_at_the_image_edge_keep_their_size_by_taking_context_from_the_other_side():
    hole = np.zeros((100, 200), bool)
    hole[0:10, 0:10] = True  # top-left corner: 10 + 2×5 px of window, all of it inside
    hole[45:55, 192:200] = True  # right edge
    assert region_windows(hole, 5) == [Box(0, 0, 20, 20), Box(182, 40, 200, 60)]
    assert region_windows(hole[:12, :12], 5) == [Box(0, 0, 12, 12)]  # image smaller than the window: all of it


def test_telea_and_ns_are_iopaints_cv2_model_exactly():
    image = data.astronaut()
    hole = np.zeros(image.shape[:2], bool)
    hole[200:260, 220:300] = True
    for name, flag in (("telea", cv2.INPAINT_TELEA), ("navier_stokes", cv2.INPAINT_NS)):
        ours = classical_engine(name)(image, hole, 0)
        iopaint = cv2.inpaint(image, hole.astype(np.uint8) * 255, 4, flag)  # IOPaint: cv2_radius=4
        assert np.array_equal(ours, iopaint)


def test_exemplar_runs_the_patchmatch_library_here():
    # The CI machine has pypatchmatch's wheel: the default engine must not silently be Telea.
    assert erase_engines.library_available()


def test_exemplar_keeps_known_pixels_is_seeded_and_continues_texture():
    image = _stripes()
    hole = np.zeros(image.shape[:2], bool)
    hole[30:62, 40:80] = True
    a = exemplar_fill(image, hole, seed=1)
    assert np.array_equal(a[~hole], image[~hole])
    assert np.array_equal(a, exemplar_fill(image, hole, seed=1))
    err_exemplar = np.abs(a[hole].astype(int) - image[hole]).mean()
    telea = cv2.inpaint(image, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    err_telea = np.abs(telea[hole].astype(int) - image[hole]).mean()
    assert err_exemplar < err_telea / 2, (err_exemplar, err_telea)


def test_exemplar_different_seeds_differ_on_a_photo_and_empty_hole_is_identity():
    image = data.chelsea()[:120, :160]
    hole = np.zeros(image.shape[:2], bool)
    hole[40:80, 60:110] = True
    assert not np.array_equal(exemplar_fill(image, hole, seed=0), exemplar_fill(image, hole, seed=5))
    assert np.array_equal(exemplar_fill(image, np.zeros_like(hole), seed=0), image)


def test_exemplar_with_nothing_to_copy_from_still_fills():
    image = data.chelsea()[:40, :40]
    out = exemplar_fill(image, np.ones((40, 40), bool), seed=0)
    assert out.shape == image.shape and out.dtype == np.uint8


def test_exemplar_falls_back_to_telea_with_a_warning_without_the_library(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "patchmatch", None)  # as on a Python with no pypatchmatch release
    erase_engines._warn_fallback.cache_clear()  # the warning is logged once per process
    image = data.chelsea()[:120, :160]
    hole = np.zeros(image.shape[:2], bool)
    hole[40:80, 60:110] = True
    assert not erase_engines.library_available()
    with caplog.at_level("WARNING"):
        out = exemplar_fill(image, hole, seed=0)
    assert np.array_equal(out, cv2.inpaint(image, hole.astype(np.uint8) * 255, 4, cv2.INPAINT_TELEA))
    assert "pypatchmatch" in caplog.text
    with pytest.raises(RuntimeError, match="pypatchmatch"):
        erase_engines.library_exemplar_fill(image, hole)


@pytest.mark.parametrize("strategy", ["crop", "resize", "original"])
def test_strategies_fill_only_the_hole(strategy):
    image = data.astronaut()
    hole = np.zeros(image.shape[:2], bool)
    hole[50:80, 60:90] = True
    hole[400:430, 400:460] = True
    calls = []
    telea = classical_engine("telea")

    def recording(img, h, seed):  # the real engine, recording the size it was given
        calls.append(img.shape[:2])
        return telea(img, h, seed)

    out = run_strategy(image, hole, recording, 0, strategy, crop_trigger_size=256, crop_margin=16, resize_limit=256)
    assert np.array_equal(out[~hole], image[~hole]) and not np.array_equal(out[hole], image[hole])
    expected = {"crop": [(62, 62), (62, 92)], "resize": [(256, 256)], "original": [(512, 512)]}[strategy]
    assert sorted(calls) == sorted(expected)


def test_blend_alpha_is_exactly_zero_outside_and_one_deep_inside():
    hole = np.zeros((40, 40), bool)
    hole[10:30, 10:30] = True
    alpha = blend_alpha(hole, 4)
    assert (alpha[~hole] == 0).all() and alpha[20, 20] == 1 and 0 < alpha[10, 20] < 1
    # The ramp never reaches deeper than what the mask was grown by: the object's own edge would show.
    capped = blend_alpha(hole, 8, grown_by=2)
    assert np.array_equal(capped, blend_alpha(hole, 2)) and capped[13, 20] == 1
    assert np.array_equal(blend_alpha(hole, 4, grown_by=0), hole.astype(np.float32))


def test_grown_hole_thresholds_at_half_and_grows_by_a_disc():
    mask = np.zeros((21, 21), np.float32)
    mask[10, 10] = 0.6
    mask[0, 0] = 0.5  # not above half: not a hole
    hole = grown_hole(mask, 3)
    assert hole.dtype == bool and not hole[0, 0]
    assert hole[10, 13] and hole[7, 10] and not hole[10, 14] and not hole[13, 13]  # a disc, not a square
    assert np.array_equal(grown_hole(mask, 0), mask > 0.5)


def test_composite_keeps_the_callers_float_pixels_where_alpha_is_zero():
    rng = np.random.default_rng(0)
    original = torch.from_numpy(rng.random((16, 20, 4), dtype=np.float32))  # RGBA, values no uint8 can hold
    before = original.clone()
    fill = np.full((16, 20, 3), 255, np.uint8)
    alpha = np.zeros((16, 20), np.float32)
    alpha[4:12, 5:15] = 1.0
    alpha[4, 5] = 0.25
    out = composite(original, fill, alpha)
    assert torch.equal(original, before) and out.shape == (16, 20, 3)
    outside = torch.from_numpy(alpha == 0)
    assert torch.equal(out[outside], original[..., :3][outside])  # bit for bit
    assert torch.equal(out[8, 10], torch.ones(3))
    assert torch.allclose(out[4, 5], original[4, 5, :3] * 0.75 + 0.25)


def test_candidate_plan_seeds_seeded_engines_and_cycles_deterministic_ones():
    assert candidate_engines("telea", 3) == [("telea", 0), ("exemplar", 1), ("navier_stokes", 2)]
    assert candidate_engines("navier_stokes", 4) == [
        ("navier_stokes", 0),
        ("exemplar", 1),
        ("telea", 2),
        ("exemplar", 3),
    ]
    assert candidate_engines("exemplar", 2) == [("exemplar", 0), ("exemplar", 1)]
    assert candidate_engines("model", 2) == [("model", 0), ("exemplar", 1)]  # LaMa / MI-GAN: deterministic
    assert candidate_engines("model", 3, stochastic_model=True) == [("model", 0), ("model", 1), ("model", 2)]
    with pytest.raises(ValueError, match="unknown erase engine 'lama'"):
        candidate_engines("lama", 1)


@pytest.mark.parametrize("size", [(1, 1), (2, 3), (7, 7), (3, 200), (64, 64)])
@pytest.mark.parametrize("shape", ["ring", "one_pixel", "all_but_one", "random"])
def test_exemplar_survives_degenerate_holes_and_keeps_known_pixels(size, shape):
    # The PatchMatch library is native code: a crash there would take ComfyUI down, so tiny images, holes with
    # less known area than one patch, and speckle are all exercised.
    rng = np.random.default_rng(0)
    image = (rng.random((*size, 3)) * 255).astype(np.uint8)
    hole = np.zeros(size, bool)
    if shape == "ring":
        hole[1:-1, 1:-1] = True
    elif shape == "one_pixel":
        hole[size[0] // 2, size[1] // 2] = True
    elif shape == "all_but_one":
        hole[:] = True
        hole[0, 0] = False
    else:
        hole = rng.random(size) > 0.5
    out = exemplar_fill(image, hole, seed=0)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert np.array_equal(out[~hole], image[~hole])


def test_crop_strategy_calls_back_before_each_window_and_a_raise_stops_it():
    image = data.astronaut()
    hole = np.zeros(image.shape[:2], bool)
    hole[50:80, 60:90] = True
    hole[400:430, 400:460] = True
    seen, filled = [], []

    def engine(img, h, seed):
        filled.append(img.shape)
        return classical_engine("telea")(img, h, seed)

    run_strategy(image, hole, engine, 0, "crop", 256, 16, before_window=lambda: seen.append(len(filled)))
    assert seen == [0, 1]  # before the first window, then before the second

    class CancelError(Exception):
        pass

    def cancel_after_first():
        if filled:
            raise CancelError

    filled.clear()
    with pytest.raises(CancelError):
        run_strategy(image, hole, engine, 0, "crop", 256, 16, before_window=cancel_after_first)
    assert len(filled) == 1
