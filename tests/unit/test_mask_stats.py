import torch

from inpaint_bridge.nodes.common.mask_stats import bbox_mask, mask_stats


def test_two_regions_bbox_and_coverage():
    mask = torch.zeros(10, 12)
    mask[1:3, 2:5] = 1  # 6 px
    mask[6:9, 8:10] = 1  # 6 px
    (stats,) = mask_stats(mask)
    assert stats.components == 2
    assert stats.bbox == (2, 1, 8, 8)
    assert stats.coverage == 12 / 120
    assert stats.non_binary == 0 and not stats.empty


def test_diagonal_pixels_are_one_region_and_soft_pixels_counted():
    mask = torch.zeros(4, 4)
    mask[0, 0] = mask[1, 1] = 1
    mask[3, 3] = 0.25  # soft, below threshold
    (stats,) = mask_stats(mask)
    assert stats.components == 1
    assert stats.non_binary == 1
    assert stats.bbox == (0, 0, 2, 2)


def test_empty_mask_is_flagged_not_an_error():
    (stats,) = mask_stats(torch.zeros(1, 1, 5, 5))
    assert stats.empty and stats.components == 0 and stats.bbox == (0, 0, 0, 0)


def test_batch_items_measured_separately_and_input_untouched():
    mask = torch.zeros(2, 6, 6)
    mask[1, 2:4, 2:5] = 1
    before = mask.clone()
    stats = mask_stats(mask)
    boxes = bbox_mask(mask)
    assert [s.empty for s in stats] == [True, False]
    assert torch.equal(mask, before)
    assert boxes.dtype == mask.dtype and boxes.shape == mask.shape
    assert boxes[0].sum() == 0
    assert torch.equal(boxes[1], mask[1])  # a rectangle is its own bounding box
