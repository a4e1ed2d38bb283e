import numpy as np
import torch
from scipy import ndimage

from inpaint_bridge.nodes.common.morphology import disc_kernel, grow_mask


def test_single_pixel_grows_into_the_euclidean_disc():
    mask = torch.zeros(1, 11, 11)
    mask[0, 5, 5] = 1
    out = grow_mask(mask, 3)[0].numpy().astype(bool)
    yy, xx = np.mgrid[:11, :11]
    assert np.array_equal(out, (yy - 5) ** 2 + (xx - 5) ** 2 <= 9)


def test_shrink_matches_scipy_erosion_with_the_same_disc():
    rng = np.random.default_rng(0)
    m = ndimage.binary_dilation(rng.random((40, 50)) > 0.97, iterations=4)
    out = grow_mask(torch.from_numpy(m.astype(np.float32)), -2)[0].numpy().astype(bool)
    ref = ndimage.binary_erosion(m, disc_kernel(2).astype(bool), border_value=1)
    assert np.array_equal(out, ref)


def test_input_untouched_dtype_kept():
    mask = torch.zeros(2, 5, 5, dtype=torch.float64)
    mask[:, 2, 2] = 1
    before = mask.clone()
    out = grow_mask(mask, 1)
    assert torch.equal(mask, before) and out.dtype == torch.float64 and out[1].sum() == 5
