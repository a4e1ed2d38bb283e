"""Fooocus inpaint engine helpers (pure torch): latent mask, grey fill, patch decoding, the head's block patch."""

import pytest
import torch

from inpaint_bridge.nodes.common.fooocus_patch import (
    HeadFeature,
    check_patch,
    dequantize,
    grey_filled,
    head_feed,
    head_from_state,
    latent_mask,
)


def test_a_latent_cell_is_masked_when_any_of_its_pixels_is():
    mask = torch.zeros(1, 16, 24)
    mask[0, 9, 17] = 1.0  # one pixel in cell (1, 2)
    cells = latent_mask(mask, 2, 3)
    assert cells.shape == (1, 1, 2, 3) and cells[0, 0].tolist() == [[0, 0, 0], [0, 0, 1]]
    soft = torch.full((1, 16, 24), 0.4)  # rounds to 0: nothing is masked
    assert latent_mask(soft, 2, 3).sum() == 0


def test_grey_fill_rounds_the_mask_and_leaves_the_rest():
    pixels = torch.rand(1, 4, 4, 3)
    mask = torch.tensor([[[0.0, 0.49, 0.51, 1.0]] * 4])
    out = grey_filled(pixels, mask)
    assert torch.equal(out[:, :, :2], pixels[:, :, :2]) and (out[:, :, 2:] == 0.5).all()


def test_dequantize_spans_the_stored_range():
    q = torch.tensor([0, 51, 255], dtype=torch.uint8)
    torch.testing.assert_close(dequantize(q, torch.tensor(-1.0), torch.tensor(3.0)), torch.tensor([-1.0, -0.2, 3.0]))


def test_head_feed_puts_the_mask_first_and_broadcasts_one_mask():
    latent = torch.randn(2, 4, 2, 2)
    feed = head_feed(latent, torch.ones(1, 16, 16))
    assert feed.shape == (2, 5, 2, 2) and (feed[:, 0] == 1).all() and torch.equal(feed[:, 1:], latent)


def test_files_of_another_layout_are_refused_naming_them():
    with pytest.raises(ValueError, match="h.pth is not a Fooocus inpaint head"):
        head_from_state({"weight": torch.zeros(320, 5, 3, 3)}, "h.pth")
    with pytest.raises(ValueError, match="p.patch is not a Fooocus inpaint patch: entry 'lora_unet_x'"):
        check_patch({"lora_unet_x": (torch.zeros(1), torch.zeros(()), torch.ones(()))}, "p.patch")
    assert head_from_state({"head": torch.ones(320, 5, 3, 3)}, "h.pth")(torch.zeros(1, 5, 4, 4)).shape == (1, 320, 4, 4)


def test_head_feature_is_added_once_per_batch_item_at_the_first_input_block_only():
    feature = torch.randn(1, 320, 2, 2)
    patch = HeadFeature(feature)
    h = torch.zeros(3, 320, 2, 2, dtype=torch.float16)
    out = patch(h, {"block": ("input", 0)})
    assert out.dtype == torch.float16 and torch.equal(out[2], feature[0].half())
    assert patch(h, {"block": ("input", 3)}) is h
