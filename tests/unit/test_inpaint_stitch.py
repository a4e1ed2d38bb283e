"""Stitching crops back: the unmasked area bit for bit, outward-only blend, colour match, seam blending, reports."""

import numpy as np
import pytest
import torch
from skimage import data

from inpaint_bridge.nodes.common.color_match import match_on_ring, ring
from inpaint_bridge.nodes.common.crop_plan import ContextRule
from inpaint_bridge.nodes.common.inpaint_crop import crop_for_inpaint
from inpaint_bridge.nodes.common.quality_report import quality_report, seam_delta_e, seam_ring
from inpaint_bridge.nodes.common.seam_blend import BLEND_MODES, blend, poisson_correction
from inpaint_bridge.nodes.common.stitch import BlendSettings, blend_alpha, stitch_crops


def _photo():
    return torch.from_numpy(data.chelsea()[:240, :320].copy()).float().div(255)[None]


def _mask(*boxes, h=240, w=320):
    mask = torch.zeros(1, h, w)
    for x0, y0, x1, y1 in boxes:
        mask[0, y0:y1, x0:x1] = 1
    return mask


def _distance_outside(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    return ndimage.distance_transform_edt(mask < 0.5)


def test_blend_alpha_is_one_on_the_mask_and_fades_only_outward():
    mask = np.zeros((80, 80), np.float32)
    mask[30:50, 30:50] = 1
    alpha = blend_alpha(mask, grow=3, feather_px=8)
    d = _distance_outside(mask)
    assert (alpha[mask > 0] == 1).all() and (alpha[d <= 3] == 1).all()
    assert (alpha[d > 3 + 8 + 1] == 0).all()  # grow + feather, nothing further
    band = (d > 3) & (d <= 3 + 8)
    assert ((alpha[band] > 0) & (alpha[band] < 1)).all()
    soft = mask.copy()
    soft[10:14, 10:60] = 0.3  # a soft strip (an outpaint overlap band) keeps its own values
    assert blend_alpha(soft, 0, 0)[12, 20] == pytest.approx(0.3)


def test_crop_then_stitch_without_sampling_is_the_identity_at_native_scale():
    image = _photo()
    mask = _mask((100, 100, 140, 140), (250, 30, 290, 70))
    cut = crop_for_inpaint(image, mask, ContextRule("pixels", 12), 64, 64)  # windows of 64: scale 1
    for mode in BLEND_MODES:
        out = stitch_crops(cut.handle, cut.crops, BlendSettings(grow=2, feather=6, mode=mode))
        assert out.images.shape == image.shape
        assert (out.images[0] - image[0]).abs().max() < 1e-5, mode
        report = out.reports[0]
        assert report["max_abs_outside"] == 0 and report["regions"] == 2 and report["seam_delta_e"] < 1e-3


def test_stitched_result_is_the_original_bit_for_bit_outside_the_band_and_the_fill_inside():
    image = _photo()
    mask = _mask((60, 60, 120, 110), (230, 150, 300, 220))
    cut = crop_for_inpaint(image, mask, ContextRule("pixels", 32), 96, 96)
    fill = torch.zeros_like(cut.crops)
    fill[..., 2] = 1.0  # a blue "sample"
    for mode in BLEND_MODES:
        out = stitch_crops(cut.handle, fill, BlendSettings(grow=4, feather=10, color_match="off", mode=mode))
        result, alpha = out.images[0], out.alphas[0]
        outside = alpha == 0
        assert torch.equal(result[outside], image[0][outside]), mode
        d = _distance_outside(mask[0].numpy())
        assert (d[~outside.numpy()] <= 4 + 10 + 1).all(), "the band reaches no further than grow + feather"
        deep = torch.from_numpy(_distance_outside(1 - mask[0].numpy()) > 16)  # inside, beyond the band's width
        if mode != "poisson":  # Poisson keeps the fill's gradients, not its values
            assert (result[deep][:, 2] > 0.95).all(), mode
        assert out.reports[0]["max_abs_outside"] == 0.0


def test_results_are_image_major_and_the_batch_must_hold_whole_results():
    image = torch.cat([_photo(), _photo().flip(1)])
    cut = crop_for_inpaint(image, _mask((100, 100, 140, 140)), ContextRule("pixels", 16), 64, 64)
    assert len(cut.handle.crops) == 2  # one per image
    results = [torch.full_like(cut.crops, value) for value in (0.2, 0.8)]  # result 0, result 1
    out = stitch_crops(cut.handle, torch.cat(results), BlendSettings(color_match="off"))
    assert out.images.shape[0] == 4 and out.results_per_image == 2
    centre = [float(img[120, 120, 0]) for img in out.images]
    assert centre == pytest.approx([0.2, 0.8, 0.2, 0.8])  # image 0: results 0, 1; then image 1
    with pytest.raises(ValueError, match="expected a multiple of 2"):
        stitch_crops(cut.handle, cut.crops[:1], BlendSettings())


def test_band_is_clamped_to_the_context_the_crop_kept():
    image = _photo()
    mask = _mask((100, 100, 140, 140))
    cut = crop_for_inpaint(image, mask, ContextRule("pixels", 0, minimum=6), 64, 64)
    assert cut.handle.crops[0].room >= 6
    out = stitch_crops(cut.handle, torch.zeros_like(cut.crops), BlendSettings(grow=4, feather=40))
    w = cut.handle.crops[0].window
    alpha = out.alphas[0].numpy()
    inside_window = np.zeros_like(alpha, bool)
    inside_window[w.y0 : w.y1, w.x0 : w.x1] = True
    assert alpha[~inside_window].max() == 0
    edge = np.concatenate([alpha[w.y0, w.x0 : w.x1], alpha[w.y1 - 1, w.x0 : w.x1]])
    assert edge.max() == 0, "the band never reaches the window's edge, so no crop border shows"


def test_ring_colour_match_removes_a_colour_drift_that_a_plain_paste_keeps():
    original = _photo()[0].numpy()
    hard = np.zeros(original.shape[:2], bool)
    hard[80:160, 120:200] = True
    drifted = np.clip(original * np.array([0.85, 1.0, 1.1]) + np.array([0.05, -0.03, 0.0]), 0, 1).astype(np.float32)
    drifted[hard] = np.array([0.9, 0.2, 0.2])  # new (red) content the mask holds: must not bias the fit
    matched = match_on_ring(drifted, original, hard, 8)
    where = ring(hard, 2, 10)
    before = seam_delta_e(drifted, original, where)
    after = seam_delta_e(matched, original, where)
    assert before > 3 and after < 0.35 * before


def test_poisson_correction_meets_the_original_at_the_band_border():
    original = np.full((40, 40, 3), 0.6, np.float32)
    fill = np.full((40, 40, 3), 0.3, np.float32)
    band = np.zeros((40, 40), bool)
    band[10:30, 10:30] = True
    corrected = fill + poisson_correction(original, fill, band)
    assert np.allclose(corrected[band], 0.6, atol=1e-3)  # a constant offset is removed entirely
    alpha = band.astype(np.float32)
    for mode in BLEND_MODES:
        out = blend(original, fill, alpha, mode)
        assert np.array_equal(out[~band], original[~band]), mode


def test_quality_report_flags_changes_outside_the_band_and_colour_seams():
    original = _photo()[0].numpy()
    hard = np.zeros(original.shape[:2], bool)
    hard[80:160, 120:200] = True
    alpha = hard.astype(np.float32)
    clean = quality_report(original.copy(), original, alpha, hard, 1)
    assert clean["max_abs_outside"] == 0 and clean["seam_delta_e"] == 0 and clean["regions"] == 1
    assert clean["coverage"] == pytest.approx(hard.mean(), abs=1e-6)
    touched = original.copy()
    touched[0, 0] += 0.1
    assert quality_report(touched, original, alpha, hard, 1)["max_abs_outside"] == pytest.approx(0.1, abs=1e-6)
    tinted = original.copy()
    ring_px = seam_ring(hard)
    tinted[ring_px] = np.clip(tinted[ring_px] + np.array([0.15, 0.0, 0.0]), 0, 1)
    assert quality_report(tinted, original, alpha, hard, 1)["seam_delta_e"] > 5
    dark = np.zeros_like(original)
    hard_edge = quality_report(blend(original, dark, alpha), original, alpha, hard, 1)["seam_gradient_jump"]
    soft_alpha = blend_alpha(hard.astype(np.float32), 0, 12)
    soft_edge = quality_report(blend(original, dark, soft_alpha), original, soft_alpha, hard, 1)["seam_gradient_jump"]
    assert hard_edge > 3 and soft_edge < 0.5 * hard_edge


def test_multiband_keeps_the_originals_fine_detail_right_outside_the_mask():
    original = _photo()[0].numpy()
    core = np.zeros(original.shape[:2], bool)
    core[80:160, 120:200] = True
    alpha = blend_alpha(core.astype(np.float32), 0, 8)
    soft = np.clip(original * 0.9 + 0.05, 0, 1)  # a drifted, detail-free (blurred) fill
    import cv2

    soft = cv2.GaussianBlur(soft, (0, 0), 2.0)
    near = seam_ring(core, 3)

    def detail(x):  # high-pass energy on the ring
        return np.abs(x - cv2.GaussianBlur(x, (0, 0), 1.5))[near].mean()

    lin, mb = blend(original, soft, alpha, "linear"), blend(original, soft, alpha, "multiband", core, 8)
    assert detail(mb) > 0.8 * detail(original) > detail(lin)
    assert np.array_equal(mb[alpha == 0], original[alpha == 0])
    assert np.allclose(mb[core], soft[core], atol=1e-5), "inside the mask the fill is whole at every level"


def test_rgba_originals_keep_their_alpha_and_crops_are_rgb():
    rgba = torch.cat([_photo(), torch.full((1, 240, 320, 1), 0.7)], dim=-1)
    cut = crop_for_inpaint(rgba, _mask((100, 100, 140, 140)), ContextRule("pixels", 16), 64, 64)
    assert cut.crops.shape[-1] == 3
    calls = []
    settings = BlendSettings(color_match="off")
    out = stitch_crops(cut.handle, torch.zeros_like(cut.crops), settings, before_crop=lambda: calls.append(1))
    assert out.images.shape == rgba.shape and torch.equal(out.images[0, ..., 3], rgba[0, ..., 3])
    assert (out.images[0, 120, 120, :3] < 0.05).all() and calls == [1]
