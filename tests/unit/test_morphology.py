"""grow_mask against OpenCV/SciPy references with the same structuring element."""

import cv2
import numpy as np
import pytest
import torch
from scipy import ndimage

from inpaint_bridge.nodes.common.morphology import KERNELS, binary_grow, disc_kernel, grow_mask, structuring_element


def _reference(on: np.ndarray, radius: int, kernel: str) -> np.ndarray:
    element = structuring_element(radius, kernel)
    if radius > 0:
        return cv2.dilate(on, element, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return cv2.erode(on, element, borderType=cv2.BORDER_CONSTANT, borderValue=1)


def _random_mask(seed: int, shape=(97, 131)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    on = rng.random(shape) > 0.995
    on[30:50, 40:100] = True
    on[60:65, 5:9] = True
    return on.astype(np.uint8)


def test_single_pixel_grows_into_the_euclidean_disc():
    mask = torch.zeros(1, 11, 11)
    mask[0, 5, 5] = 1
    out = grow_mask(mask, 3)[0].numpy().astype(bool)
    yy, xx = np.mgrid[:11, :11]
    assert np.array_equal(out, (yy - 5) ** 2 + (xx - 5) ** 2 <= 9)
    assert out.sum() == 29  # the lattice points of a radius-3 disc


def test_radius_two_disc_is_the_known_13_pixel_shape():
    assert disc_kernel(2).tolist() == [
        [0, 0, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [1, 1, 1, 1, 1],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 0, 0],
    ]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("radius", [1, 2, 5, 17, -1, -3, -8])
def test_equals_opencv_with_the_same_kernel(kernel, radius):
    on = _random_mask(abs(radius))
    assert np.array_equal(binary_grow(on, radius, kernel), _reference(on, radius, kernel))


@pytest.mark.parametrize("radius", [100, 131, -120])
def test_large_disc_radius_uses_the_distance_transform_and_stays_exact(radius):
    on = _random_mask(7, (260, 300))
    assert np.array_equal(binary_grow(on, radius, "disc"), _reference(on, radius, "disc"))


def test_square_kernel_is_fooocus_erode_or_dilate():
    on = _random_mask(3)
    for k in (4, -4):
        op = cv2.dilate if k > 0 else cv2.erode
        fooocus = op(on, np.ones((3, 3), np.uint8), iterations=abs(k))
        assert np.array_equal(binary_grow(on, k, "square"), fooocus)


def test_diamond_kernel_is_core_grow_mask_with_tapered_corners():
    on = _random_mask(4)
    cross = ndimage.generate_binary_structure(2, 1)
    core = on.astype(np.float32)
    for _ in range(5):  # what ComfyUI's GrowMask does: N 3x3 steps
        core = ndimage.grey_dilation(core, footprint=cross)
    assert np.array_equal(binary_grow(on, 5, "diamond"), core.astype(np.uint8))


def test_shrink_matches_scipy_erosion_with_the_same_disc():
    m = ndimage.binary_dilation(np.random.default_rng(0).random((40, 50)) > 0.97, iterations=4)
    out = grow_mask(torch.from_numpy(m.astype(np.float32)), -2)[0].numpy().astype(bool)
    ref = ndimage.binary_erosion(m, disc_kernel(2).astype(bool), border_value=1)
    assert np.array_equal(out, ref)


@pytest.mark.parametrize("kernel", KERNELS)
def test_edge_cases_empty_full_one_pixel_huge_radius(kernel):
    empty, full = np.zeros((5, 7), np.uint8), np.ones((5, 7), np.uint8)
    assert not binary_grow(empty, 50, kernel).any() and not binary_grow(empty, -50, kernel).any()
    assert binary_grow(full, -50, kernel).all() and binary_grow(full, 50, kernel).all()
    one = np.ones((1, 1), np.uint8)
    assert binary_grow(one, 3, kernel).tolist() == [[1]] and binary_grow(one, -3, kernel).tolist() == [[1]]
    dot = np.zeros((9, 9), np.uint8)
    dot[4, 4] = 1
    assert binary_grow(dot, 1000, kernel).all()
    assert not binary_grow(dot, -1, kernel).any()


def test_shapes_batches_dtype_and_no_mutation():
    for shape in [(6, 8), (3, 6, 8), (3, 1, 6, 8)]:
        mask = torch.zeros(shape, dtype=torch.float64)
        mask[..., 3, 4] = 1
        before = mask.clone()
        out = grow_mask(mask, 1)
        assert torch.equal(mask, before)
        assert out.dtype == torch.float64 and out.shape[-2:] == (6, 8) and out.ndim == 3
        assert (out.sum((1, 2)) == 5).all()


def test_unknown_kernel_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown kernel 'hexagon'"):
        binary_grow(np.zeros((3, 3), np.uint8), 1, "hexagon")
