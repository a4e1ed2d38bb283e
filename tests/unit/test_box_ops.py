"""Box helpers of Fooocus's `sam` mask mode: growing boxes and painting them as Fooocus's dino_debug does."""

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from inpaint_bridge.nodes.common.box_ops import boxes_mask, grow_box


def test_boxes_mask_paints_what_pil_rectangle_paints():
    rng = random.Random(7)
    for _ in range(500):
        x0, y0 = rng.uniform(-6, 44), rng.uniform(-6, 34)
        box = [x0, y0, x0 + rng.uniform(0, 20), y0 + rng.uniform(0, 15)]
        pil = Image.new("L", (40, 30))
        ImageDraw.Draw(pil).rectangle(box, fill=255)
        np.testing.assert_array_equal(boxes_mask([box], 30, 40) > 0, np.asarray(pil) > 0, err_msg=str(box))


def test_boxes_mask_is_the_union_of_the_boxes():
    mask = boxes_mask([[0, 0, 3, 3], [10, 5, 12.9, 6]], 8, 16)
    assert mask.dtype == np.float32 and mask.shape == (8, 16)
    assert mask[:4, :4].all() and mask[5:7, 10:13].all()
    assert mask.sum() == 16 + 6
    assert boxes_mask([], 8, 16).sum() == 0


@pytest.mark.parametrize(
    "pixels, expected",
    [
        (0, [10, 10, 20, 20]),
        (5, [5, 5, 25, 25]),
        (-3, [13, 13, 17, 17]),
        (50, [0, 0, 40, 30]),  # kept inside the image
    ],
)
def test_grow_box_moves_every_edge(pixels, expected):
    assert grow_box([10, 10, 20, 20], pixels, height=30, width=40) == expected


def test_a_box_shrunk_to_nothing_is_dropped():
    assert grow_box([10, 10, 20, 20], -5, 30, 40) is None
    assert grow_box([10, 10, 20, 20], -4.9, 30, 40) == [14.9, 14.9, 15.1, 15.1]
