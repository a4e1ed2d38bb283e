"""IB_Erase called directly: the unmasked area is sacred on every engine."""

import pytest
import torch
from skimage import data


@pytest.fixture(scope="module")
def erase(pack_module):
    return pack_module("erase")


def _photo():
    return torch.from_numpy(data.coffee()[:200, :300].copy()).float().div(255)[None]


def _mask(h=200, w=300):
    mask = torch.zeros(1, h, w)
    mask[0, 80:120, 120:180] = 1
    return mask


@pytest.mark.parametrize("engine", ["exemplar", "telea", "navier_stokes"])
def test_outside_the_grown_mask_is_bit_for_bit_and_inside_changes(erase, engine):
    image, mask = _photo(), _mask()
    before_image, before_mask = image.clone(), mask.clone()
    out, grown = erase.Erase.execute(image=image, mask=mask, engine=engine, dilate=6, feather=3).args
    assert torch.equal(image, before_image) and torch.equal(mask, before_mask)
    assert out.shape == image.shape and grown.shape == mask.shape
    outside = grown[0] == 0
    assert torch.equal(out[0][outside], image[0][outside])
    inside = mask[0] > 0
    assert (out[0][inside] - image[0][inside]).abs().mean() > 0.01
    assert grown.sum() > mask.sum()  # dilated


def test_candidates_differ_and_are_image_major(erase):
    image = torch.cat([_photo(), _photo().flip(2)])
    out, _ = erase.Erase.execute(image=image, mask=_mask(), engine="telea", candidates=3, dilate=4, feather=2).args
    assert out.shape[0] == 6
    assert not torch.equal(out[0], out[1]) and not torch.equal(out[1], out[2])
    assert torch.equal(
        out[3], erase.Erase.execute(image=image[1:], mask=_mask(), engine="telea", dilate=4, feather=2).args[0][0]
    )


def test_the_default_engine_without_a_lama_file_is_exemplar_and_reports_each_image(erase):
    assert erase.installed_lama() is None  # nothing in models/inpaint for this tier
    auto = erase.Erase.execute(image=_photo(), mask=_mask(), candidates=2, dilate=4, feather=2)
    exemplar = erase.Erase.execute(image=_photo(), mask=_mask(), engine="exemplar", candidates=2, dilate=4, feather=2)
    assert torch.equal(auto.args[0], exemplar.args[0])
    assert auto.ui["ib_engine"] == ["exemplar", "exemplar"]
    two = torch.cat([_photo(), _photo().flip(2)])
    telea = erase.Erase.execute(image=two, mask=_mask(), engine="telea", candidates=2)
    assert telea.ui["ib_engine"] == ["telea", "exemplar", "telea", "exemplar"]  # image-major, like the batch


def test_size_mismatch_is_a_clear_error(erase):
    with pytest.raises(ValueError, match="image is 300×200 but mask is 10×10"):
        erase.Erase.execute(image=_photo(), mask=torch.zeros(1, 10, 10))
