import pytest
import torch

from inpaint_bridge.nodes.common.tensors import as_image_batch, as_mask_batch, pair_batches


@pytest.mark.parametrize(
    "shape,expected",
    [((5, 7), (1, 5, 7)), ((2, 5, 7), (2, 5, 7)), ((3, 1, 5, 7), (3, 5, 7))],
)
def test_mask_shapes_normalise_to_bhw(shape, expected):
    mask = torch.rand(shape)
    out = as_mask_batch(mask)
    assert tuple(out.shape) == expected
    assert torch.equal(out.reshape(-1), mask.reshape(-1))


@pytest.mark.parametrize("shape", [(5,), (2, 3, 5, 7), (1, 2, 3, 4, 5)])
def test_bad_mask_shapes_raise_with_the_shape(shape):
    with pytest.raises(ValueError, match=r"\[H,W\]"):
        as_mask_batch(torch.zeros(shape))


def test_image_gains_batch_axis():
    assert tuple(as_image_batch(torch.zeros(4, 6, 3)).shape) == (1, 4, 6, 3)
    with pytest.raises(ValueError):
        as_image_batch(torch.zeros(4, 6))


@pytest.mark.parametrize("a,b,n", [(3, 3, 3), (3, 1, 3), (1, 4, 4), (1, 1, 1)])
def test_batch_pairing_rules(a, b, n):
    assert pair_batches(a, b) == n


def test_batch_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="2 images and 3 masks"):
        pair_batches(2, 3)
