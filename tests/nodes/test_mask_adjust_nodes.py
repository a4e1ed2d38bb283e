"""Mask adjust nodes called directly: batches, shapes, dtype/device, no mutation."""

import pytest
import torch


@pytest.fixture
def adjust(pack_module):
    return pack_module("mask_adjust")


def _square(batch=2, size=32, dtype=torch.float32):
    mask = torch.zeros(batch, size, size, dtype=dtype)
    mask[:, 10:20, 12:22] = 1
    return mask


CASES = [
    ("MaskGrow", {"radius": 3, "kernel": "disc"}),
    ("MaskGrow", {"radius": -2, "kernel": "square"}),
    ("MaskFeather", {"radius": 4, "direction": "both", "falloff": "smooth"}),
    ("MaskBlur", {"radius": 2, "sigma": 0.0}),
    ("MaskCleanup", {"min_island_area": 5, "fill_holes": True, "keep": 1, "smooth": 1}),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("shape", ["hw", "bhw", "b1hw"])
def test_single_mask_nodes_keep_batch_dtype_and_never_mutate(adjust, name, kwargs, shape):
    mask = _square(dtype=torch.float64)
    given = {"hw": mask[0], "bhw": mask, "b1hw": mask[:, None]}[shape]
    before = given.clone()
    (out,) = getattr(adjust, name).execute(mask=given, **kwargs).args
    assert torch.equal(given, before)
    assert out.dtype == torch.float64 and out.device == given.device
    assert out.shape == ((1, 32, 32) if shape == "hw" else (2, 32, 32))
    assert out.min() >= 0 and out.max() <= 1
    assert not torch.equal(out[0], mask[0]) or name == "MaskCleanup"


def test_grow_then_shrink_by_the_same_disc_restores_a_convex_square(adjust):
    mask = _square()
    (grown,) = adjust.MaskGrow.execute(mask=mask, radius=4, kernel="disc").args
    (back,) = adjust.MaskGrow.execute(mask=grown, radius=-4, kernel="disc").args
    assert grown.sum() > mask.sum() and torch.equal(back, mask)


def test_combine_and_from_image_nodes(adjust):
    a, b = _square(1), torch.zeros(1, 32, 32)
    b[0, :, :16] = 1
    (inter,) = adjust.MaskCombine.execute(mask_a=a, mask_b=b, operation="intersect").args
    assert inter.sum() == 10 * 4
    image = torch.zeros(1, 8, 8, 3)
    image[0, 2:4, 2:6] = 1
    (m,) = adjust.MaskFromImage.execute(image=image, rule="rgb_mean", threshold=127, invert=False).args
    assert m.shape == (1, 8, 8) and m.sum() == 8


def test_bounds_crop_and_size_mismatch(adjust):
    image = torch.rand(2, 32, 32, 3)
    out = adjust.MaskBounds.execute(image=image, mask=_square(1), margin=2, multiple=1, min_size=0).args
    cropped, cmask, x, y, w, h = out
    assert (x, y, w, h) == (10, 8, 14, 14) and cropped.shape == (2, 14, 14, 3) and cmask.shape == (1, 14, 14)
    assert torch.equal(cropped, image[:, 8:22, 10:24])
    with pytest.raises(ValueError, match="image is 32×32 but mask is 16×16"):
        adjust.MaskBounds.execute(image=image, mask=torch.zeros(1, 16, 16))
